//! `cargo bench --manifest-path benches/sigv4/Cargo.toml`: tc3-signer against aws-sigv4, AWS's signer of
//! the same HMAC-SHA256 scheme, each signing a POST of the same body and headers in the same run.
//!
//! Both sides start from the request's parts and end with the headers to add: tc3-signer's `sign` with
//! a kept key (warm) and with a key derived for the signature (cold), against aws-sigv4's `sign` with
//! static credentials, which derives its key every time. Rounds alternate between the three.
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use aws_sigv4::http_request::{SignableBody, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bench_support::{CountingAllocator, Row, allocations_per_op, report, time_alternating};
use tc3_signer::{Credentials, SignablePayload, SignableRequest, SigningKey, SigningParams};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// The GetAsyncEventStatus POST of the signer's own benchmark.
const BODY: &[u8] = br#"{"InvokeRequestId":"b379787f-8487-4bac-bd8c-17a20a9ce40e"}"#;
const HEADERS: [(&str, &str); 2] = [
    ("Content-Type", "application/json"),
    ("Host", "scf.tencentcloudapi.com"),
];
const URI: &str = "https://scf.tencentcloudapi.com/";
const TIMESTAMP: u64 = 1_700_000_000;
const SECRET_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
/// The target the project sets for tc3-signer against aws-sigv4.
const TARGET: f64 = 6.0;

fn main() {
    let credentials = Credentials::new(SECRET_ID, SECRET_KEY).expect("valid example credentials");
    let key = SigningKey::derive(&credentials, "scf", TIMESTAMP).expect("valid service and date");
    let tc3_sign = |params: &SigningParams<'_>| {
        let request = SignableRequest::new("POST", &HEADERS, SignablePayload::Bytes(BODY));
        tc3_signer::sign(&request, params).expect("signs")
    };

    let identity: Identity =
        aws_credential_types::Credentials::new(SECRET_ID, SECRET_KEY, None, None, "benchmark")
            .into();
    let aws_params: aws_sigv4::http_request::SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region("ap-guangzhou")
        .name("scf")
        .time(UNIX_EPOCH + Duration::from_secs(TIMESTAMP))
        .settings(SigningSettings::default())
        .build()
        .expect("complete signing parameters")
        .into();
    let aws_sign = || {
        let request = aws_sigv4::http_request::SignableRequest::new(
            "POST",
            URI,
            HEADERS.iter().copied(),
            SignableBody::Bytes(BODY),
        )
        .expect("a signable request");
        aws_sigv4::http_request::sign(request, &aws_params).expect("signs")
    };

    // Both sign what they were given: tc3 for scf on 2023-11-14, SigV4 for scf in ap-guangzhou.
    let warm_output = tc3_sign(&SigningParams::with_key(&key, TIMESTAMP));
    assert!(warm_output.authorization().ends_with(
        "SignedHeaders=content-type;host, Signature=839c54edce6eb54b471f07f4f770d070d89722a98a772a9ebad8c82484aeb685"
    ));
    let (instructions, _) = aws_sign().into_parts();
    let aws_authorization = instructions
        .headers()
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .map(|(_, value)| value.to_owned())
        .expect("aws-sigv4 adds an Authorization header");
    assert!(
        aws_authorization.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential={SECRET_ID}/20231114/ap-guangzhou/scf/aws4_request"
        )),
        "{aws_authorization}"
    );

    let mut warm = || {
        black_box(tc3_sign(black_box(&SigningParams::with_key(
            &key, TIMESTAMP,
        ))));
    };
    let mut cold = || {
        black_box(tc3_sign(black_box(&SigningParams::new(
            &credentials,
            "scf",
            TIMESTAMP,
        ))));
    };
    let mut aws = || {
        black_box(aws_sign());
    };
    // Times faster is the median of per-round ratios: drift longer than a round cancels out.
    let timings = time_alternating(&mut [&mut warm, &mut cold, &mut aws]);
    let aws_ns = timings.median_ns(2);
    let aws_allocations = allocations_per_op(&mut aws);
    let allocations = [allocations_per_op(&mut warm), allocations_per_op(&mut cold)];

    println!(
        "tc3-signer against aws-sigv4: POST of a {} byte body, headers content-type and host",
        BODY.len()
    );
    println!();
    println!("| signer | ns/op | aws-sigv4 ns/op | times faster | target | allocations/op |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!("| aws-sigv4 `sign` | {aws_ns:.0} | - | - | - | {aws_allocations:.1} |");
    for ((name, op), allocations) in [
        ("tc3-signer `sign`, warm key (`with_key`)", 0),
        ("tc3-signer `sign`, cold key (`new`)", 1),
    ]
    .into_iter()
    .zip(allocations)
    {
        let ns = timings.median_ns(op);
        let faster = timings.ratio(2, op);
        println!(
            "| {name} | {ns:.0} | {aws_ns:.0} | {faster:.1}x | ≥ {TARGET:.0}x | {allocations:.1} |"
        );
        report(&Row {
            area: "tc3-signer".into(),
            measurement: format!(
                "{name} against aws-sigv4 signing a request of the same size (times faster)"
            ),
            value: format!("{ns:.0} ns, {allocations:.1} allocations"),
            baseline: format!("aws-sigv4: {aws_ns:.0} ns, {aws_allocations:.1} allocations"),
            ratio: format!("{faster:.1}x"),
            target: format!("≥ {TARGET:.0}x"),
        });
    }
}
