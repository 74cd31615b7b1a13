//! The emulator's parameter readers: JSON bodies and flattened query strings (`Filters.0.Name=...`) for
//! every action of the generated model, accepted or refused with a Tencent error, never a panic.
//!
//! Input: one selector byte (bit 7: a JSON body, else a query string; bits 0-6: the action's index in
//! `scf_model::ACTIONS`, sorted by name, modulo its length), then the parameters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scf_emulator::fuzzing::parameters;
use scf_model::ACTIONS;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let action = ACTIONS[usize::from(selector & 0x7f) % ACTIONS.len()];
    let _ = parameters(action.name(), selector & 0x80 != 0, input);
});
