//! Signs the GetAsyncEventStatus request of the official SDK vector V1 offline, shows every step,
//! verifies it as a server would, and shows what the server says when the clock is 301 s off.
//!
//! `cargo run -p tc3-signer --example sign`
#![allow(clippy::print_stdout)]

use tc3_signer::{
    Credentials, SignablePayload, SignableRequest, SigningParams, VerifiableRequest, Verifier,
    sign_with_steps,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let credentials = Credentials::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )?;
    let body = br#"{"InvokeRequestId": "b379787f-8487-4bac-bd8c-17a20a9ce40e"}"#;
    let signed_headers = [
        ("Content-Type", "application/json"),
        ("Host", "scf.tencentcloudapi.com"),
    ];
    let timestamp = 1_700_000_000;
    let request = SignableRequest::new("POST", &signed_headers, SignablePayload::Bytes(body));
    let (output, steps) = sign_with_steps(
        &request,
        &SigningParams::new(&credentials, "scf", timestamp),
    )?;

    println!("Canonical request:\n{}\n", steps.canonical_request);
    println!("String to sign:\n{}\n", steps.string_to_sign);
    println!("Headers to add:");
    for (name, value) in output.headers() {
        println!("  {name}: {value}");
    }

    let mut received: Vec<(String, String)> = signed_headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    received.extend(output.headers().map(|(n, v)| (n.to_owned(), v.to_owned())));
    let verifier = Verifier::new("scf", vec![credentials]);
    let as_received = VerifiableRequest::new("POST", &received, body);

    let verified = verifier.verify(&as_received, timestamp)?;
    println!(
        "\nServer clock at the signing time: verified, signed by {}",
        verified.credentials().secret_id()
    );
    match verifier.verify(&as_received, timestamp + 301) {
        Ok(_) => return Err("a request 301 s old must be rejected".into()),
        Err(error) => println!("Server clock 301 s later: {error}"),
    }
    Ok(())
}
