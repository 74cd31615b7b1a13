//! A lookup that keeps signing keys: the verifier uses a kept key only when it fits the request.

#![allow(clippy::unwrap_used)] // Tests fail loudly on the first unexpected value.
use std::cell::Cell;

use tc3_signer::{
    Credentials, KeyLookup, SignablePayload, SignableRequest, SigningKey, SigningParams,
    VerifiableRequest, Verifier, VerifyErrorKind, sign,
};

/// 2023-11-14T22:13:20Z.
const NOW: u64 = 1_700_000_000;
const BODY: &[u8] = br#"{"InvokeRequestId":"b379787f-8487-4bac-bd8c-17a20a9ce40e"}"#;

/// One key pair, handing the verifier whatever key the test chose, and counting the requests for one.
struct Keeping {
    credentials: Credentials,
    kept: Option<SigningKey>,
    asked: Cell<usize>,
}

impl KeyLookup for Keeping {
    fn lookup(&self, secret_id: &str) -> Option<Credentials> {
        (secret_id == self.credentials.secret_id()).then(|| self.credentials.clone())
    }

    fn signing_key(&self, _: &Credentials, _: &str, _: u64) -> Option<SigningKey> {
        self.asked.set(self.asked.get() + 1);
        self.kept.clone()
    }
}

fn credentials() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "secret").unwrap()
}

/// The headers of a request signed at `timestamp`.
fn signed_headers(timestamp: u64) -> Vec<(String, String)> {
    let mut headers = vec![
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("Host".to_owned(), "127.0.0.1:9000".to_owned()),
    ];
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = SignableRequest::new("POST", &pairs, SignablePayload::Bytes(BODY));
    let output = sign(
        &request,
        &SigningParams::new(&credentials(), "scf", timestamp),
    )
    .unwrap();
    headers.extend(output.headers().map(|(n, v)| (n.to_owned(), v.to_owned())));
    headers
}

fn verify(kept: Option<SigningKey>, timestamp: u64) -> (Result<(), VerifyErrorKind>, usize) {
    let verifier = Verifier::new(
        "scf",
        Keeping {
            credentials: credentials(),
            kept,
            asked: Cell::new(0),
        },
    );
    let headers = signed_headers(timestamp);
    let result = verifier
        .verify(&VerifiableRequest::new("POST", &headers, BODY), timestamp)
        .map(|_| ())
        .map_err(|e| e.kind());
    (result, verifier.keys().asked.get())
}

#[test]
fn a_kept_key_of_the_day_verifies() {
    let key = SigningKey::derive(&credentials(), "scf", NOW).unwrap();
    assert_eq!(verify(Some(key), NOW), (Ok(()), 1));
    assert_eq!(verify(None, NOW), (Ok(()), 1));
}

#[test]
fn a_kept_key_that_does_not_fit_is_ignored() {
    let wrong_secret = SigningKey::derive(
        &Credentials::new("AKIDEXAMPLE", "other").unwrap(),
        "scf",
        NOW,
    )
    .unwrap();
    let wrong_day = SigningKey::derive(&credentials(), "scf", NOW - 86_400).unwrap();
    let wrong_service = SigningKey::derive(&credentials(), "sts", NOW).unwrap();
    for key in [wrong_secret, wrong_day, wrong_service] {
        assert_eq!(verify(Some(key.clone()), NOW), (Ok(()), 1), "{key:?}");
    }
}

#[test]
fn a_kept_key_never_rescues_a_bad_signature() {
    let key = SigningKey::derive(&credentials(), "scf", NOW).unwrap();
    let verifier = Verifier::new(
        "scf",
        Keeping {
            credentials: credentials(),
            kept: Some(key),
            asked: Cell::new(0),
        },
    );
    let mut headers = signed_headers(NOW);
    let tampered = b"{}";
    let result = verifier.verify(&VerifiableRequest::new("POST", &headers, tampered), NOW);
    assert_eq!(
        result.unwrap_err().kind(),
        VerifyErrorKind::SignatureFailure
    );
    for (name, value) in &mut headers {
        if name == "X-TC-Timestamp" {
            *value = (NOW + 1).to_string();
        }
    }
    let result = verifier.verify(&VerifiableRequest::new("POST", &headers, BODY), NOW);
    assert_eq!(
        result.unwrap_err().kind(),
        VerifyErrorKind::SignatureFailure
    );
}
