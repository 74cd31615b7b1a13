//! The emulator's parameter readers: JSON bodies and flattened query strings (`Filter.0.Name=...`) for each
//! action, accepted or refused with a Tencent error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scf_emulator::fuzzing::{ACTIONS, parameters};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let action = ACTIONS[usize::from(selector & 3)];
    let _ = parameters(action, selector & 4 != 0, input);
});
