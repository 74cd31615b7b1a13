//! Conformance with requests captured on the wire from the official Tencent Cloud SDKs.
//!
//! Loads every `*.json` vector file of a directory: `TC3_VECTORS_DIR` when set, else the shared
//! reference directory `../shared/vectors` beside the workspace, else the copy kept in `tests/vectors`.
//! Every positive vector must reproduce the official Authorization exactly, step by step, and verify with
//! the clock at its timestamp; every negative case must be rejected with its `expect_code`.

#![allow(clippy::unwrap_used)] // Tests fail loudly on the first unexpected value.
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tc3_signer::{
    Credentials, ParsedAuthorization, SignablePayload, SignableRequest, SigningKey, SigningParams,
    VerifiableRequest, Verifier, sign, sign_with_steps,
};

#[derive(Deserialize)]
struct VectorFile {
    vectors: Vec<Vector>,
    #[serde(default)]
    negative: Vec<Negative>,
}

#[derive(Deserialize)]
struct Vector {
    id: String,
    secret_id: String,
    secret_key: String,
    token: Option<String>,
    timestamp: u64,
    service: String,
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: String,
    authorization: String,
    canonical_request: String,
    string_to_sign: String,
    signature: String,
}

#[derive(Deserialize)]
struct Negative {
    id: String,
    mutation: String,
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: String,
    secret_id: String,
    secret_key: String,
    now: u64,
    expect_code: String,
}

/// A relative `TC3_VECTORS_DIR` is taken from the workspace root, where cargo is usually run.
fn vectors_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    if let Some(dir) = std::env::var_os("TC3_VECTORS_DIR") {
        return workspace.join(dir);
    }
    let shared = workspace.join("../shared/vectors");
    if shared.is_dir() {
        shared
    } else {
        workspace.join("tests/vectors")
    }
}

fn load() -> Vec<(PathBuf, VectorFile)> {
    let dir = vectors_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read vector directory {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no *.json vector file in {}",
        dir.display()
    );
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let file: VectorFile = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not a vector file: {e}", path.display()));
            (path, file)
        })
        .collect()
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn positive_vectors_reproduce_the_official_authorization_and_verify() {
    let mut checked = 0;
    for (path, file) in load() {
        for v in &file.vectors {
            let id = format!("{}#{}", path.display(), v.id);
            let credentials = match &v.token {
                Some(token) => Credentials::with_token(&v.secret_id, &v.secret_key, token),
                None => Credentials::new(&v.secret_id, &v.secret_key),
            }
            .unwrap_or_else(|e| panic!("{id}: {e}"));

            // Sign exactly the headers the official SDK listed, with the values it sent.
            let official = ParsedAuthorization::parse(&v.authorization)
                .unwrap_or_else(|| panic!("{id}: official Authorization does not parse"));
            let signed: Vec<(&str, &str)> = official
                .signed_headers()
                .map(|name| {
                    let value = header(&v.headers, name)
                        .unwrap_or_else(|| panic!("{id}: signed header {name} not on the wire"));
                    (name, value)
                })
                .collect();
            let payload = if header(&v.headers, "X-TC-Content-SHA256") == Some("UNSIGNED-PAYLOAD") {
                SignablePayload::Unsigned
            } else {
                SignablePayload::Bytes(v.body.as_bytes())
            };
            let request = SignableRequest::new(&v.method, &signed, payload)
                .with_path(&v.path)
                .with_query(&v.query);
            let params = SigningParams::new(&credentials, &v.service, v.timestamp);
            let (output, steps) =
                sign_with_steps(&request, &params).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(
                steps.canonical_request, v.canonical_request,
                "{id}: canonical request"
            );
            assert_eq!(
                steps.string_to_sign, v.string_to_sign,
                "{id}: string to sign"
            );
            assert_eq!(output.signature(), v.signature, "{id}: signature");
            assert_eq!(
                output.authorization(),
                v.authorization,
                "{id}: Authorization"
            );
            assert_eq!(
                output.timestamp(),
                header(&v.headers, "X-TC-Timestamp").unwrap(),
                "{id}: X-TC-Timestamp"
            );
            assert_eq!(
                output
                    .headers()
                    .find(|(name, _)| *name == "X-TC-Token")
                    .map(|(_, value)| value),
                header(&v.headers, "X-TC-Token"),
                "{id}: X-TC-Token"
            );
            // A key kept from the start of the vector's UTC day signs the same.
            let day_start = v.timestamp - v.timestamp % 86_400;
            let key = SigningKey::derive(&credentials, &v.service, day_start)
                .unwrap_or_else(|e| panic!("{id}: {e}"));
            let kept = sign(&request, &SigningParams::with_key(&key, v.timestamp))
                .unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(
                kept.authorization(),
                v.authorization,
                "{id}: Authorization with a kept key"
            );

            // The request as captured must verify, with the clock at its timestamp.
            let verifier = Verifier::new(v.service.clone(), vec![credentials]);
            let received = VerifiableRequest::new(&v.method, &v.headers, v.body.as_bytes())
                .with_path(&v.path)
                .with_query(&v.query);
            if let Err(error) = verifier.verify(&received, v.timestamp) {
                panic!("{id}: the captured request does not verify: {error}");
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no positive vectors");
    println!(
        "{checked} positive vectors reproduced and verified from {}",
        vectors_dir().display()
    );
}

#[test]
fn negative_cases_fail_with_their_expected_code() {
    let mut checked = 0;
    for (path, file) in load() {
        for n in &file.negative {
            let id = format!("{}#{} ({})", path.display(), n.id, n.mutation);
            let credentials = Credentials::new(&n.secret_id, &n.secret_key)
                .unwrap_or_else(|e| panic!("{id}: {e}"));
            let keys = HashMap::from([(n.secret_id.clone(), credentials)]);
            let verifier = Verifier::new("scf", keys);
            let received = VerifiableRequest::new(&n.method, &n.headers, n.body.as_bytes())
                .with_path(&n.path)
                .with_query(&n.query);
            match verifier.verify(&received, n.now) {
                Ok(_) => panic!("{id}: accepted, expected {}", n.expect_code),
                Err(error) => assert_eq!(error.code(), n.expect_code, "{id}: {error}"),
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no negative cases");
    println!("{checked} negative cases rejected with their codes");
}
