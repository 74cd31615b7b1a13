//! Authorization parsing and verification: any header value is parsed or refused without a panic, and no
//! value verifies a request it was not made for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tc3_signer::{Credentials, ParsedAuthorization, VerifiableRequest, Verifier};

const TIMESTAMP: u64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let _ = ParsedAuthorization::parse(value);
    let credentials = Credentials::new("AKIDfuzz", "fuzz-secret-key").expect("valid credentials");
    let verifier = Verifier::new("scf", vec![credentials]);
    let headers: Vec<(String, String)> = vec![
        ("Content-Type".into(), "application/json".into()),
        ("Host".into(), "scf.tencentcloudapi.com".into()),
        ("X-TC-Timestamp".into(), TIMESTAMP.to_string()),
        ("Authorization".into(), value.to_owned()),
    ];
    let request = VerifiableRequest::new("POST", &headers, b"{}");
    assert!(
        verifier.verify(&request, TIMESTAMP).is_err(),
        "a fuzzed Authorization verified: {value:?}"
    );
});
