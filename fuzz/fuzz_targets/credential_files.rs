//! The credentials-file readers: any text is a profile or a clear error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scf_transport::fuzzing::{profile_file, tccli};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = profile_file(text);
    let _ = tccli(text);
});
