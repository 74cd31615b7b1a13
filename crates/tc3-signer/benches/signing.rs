//! `cargo bench -p tc3-signer`: signing and verification against their SHA-256 floor, and signing against
//! the straightforward design of issue #12, measured in alternating rounds of the same run.
//!
//! The floor of an operation is the number of SHA-256 compressions it cannot avoid times the cost of one
//! compression, measured in the same run on the same CPU. The ratio to the floor is the overhead of
//! everything else: validation, formatting, hex, sorting, allocation.
//!
//! The comparison with `aws-sigv4` lives in `benches/sigv4`, a package outside the workspace, so that
//! neither the signer's users nor the workspace's dependency graph ever compile the AWS SDK.
#![allow(clippy::print_stdout, missing_docs)]

use std::hint::black_box;
use std::io::Write;

use bench_support::{CountingAllocator, allocations_per_op, report, time_alternating};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use tc3_signer::{
    Credentials, SignablePayload, SignableRequest, SigningKey, SigningParams, VerifiableRequest,
    Verifier, sign, sign_with_steps,
};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

const BODY: &[u8] = br#"{"InvokeRequestId":"b379787f-8487-4bac-bd8c-17a20a9ce40e"}"#;
const HEADERS: [(&str, &str); 2] = [
    ("Content-Type", "application/json"),
    ("Host", "scf.tencentcloudapi.com"),
];
const TIMESTAMP: u64 = 1_700_000_000;
const SECRET_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

/// Compression-function calls SHA-256 makes for a message of `len` bytes, padding included.
fn blocks(len: usize) -> usize {
    (len + 9).div_ceil(64)
}

/// Compressions of HMAC-SHA256 over `len` bytes once the key's ipad and opad blocks are absorbed.
fn keyed_hmac_blocks(len: usize) -> usize {
    (blocks(64 + len) - 1) + (blocks(64 + 32) - 1)
}

/// The straightforward signer of issue #12, on the `hmac` and `sha2` crates' public APIs: SHA-256 of the
/// payload and of the canonical request through `Digest`, the string to sign through a clone of an
/// `Hmac<Sha256>` keyed with SecretSigning, hex into stack buffers, and one `String`. It validates
/// nothing, so the crate's checks are part of what it is compared with.
struct Straightforward<'a> {
    secret_id: &'a str,
    service: &'a str,
    date: [u8; 10],
    signing: Hmac<Sha256>,
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    hex::encode_to_slice(bytes, &mut out).expect("32 bytes are 64 hex digits");
    out
}

/// `bytes` ASCII-lowercased into `buffer`.
fn lowercase<'b>(bytes: &[u8], buffer: &'b mut [u8]) -> &'b [u8] {
    let out = &mut buffer[..bytes.len()];
    out.copy_from_slice(bytes);
    out.make_ascii_lowercase();
    out
}

impl<'a> Straightforward<'a> {
    fn derive(secret_id: &'a str, secret_key: &str, service: &'a str, timestamp: u64) -> Self {
        let day = time::OffsetDateTime::from_unix_timestamp(timestamp as i64)
            .expect("a representable timestamp")
            .date();
        let mut date = [0u8; 10];
        write!(
            &mut &mut date[..],
            "{:04}-{:02}-{:02}",
            day.year(),
            day.month() as u8,
            day.day()
        )
        .expect("ten bytes");
        let mut prefixed = [0u8; 128];
        let prefixed = &mut prefixed[..3 + secret_key.len()];
        prefixed[..3].copy_from_slice(b"TC3");
        prefixed[3..].copy_from_slice(secret_key.as_bytes());
        let secret_date = hmac(prefixed, &date);
        let secret_service = hmac(&secret_date, service.as_bytes());
        let secret_signing = hmac(&secret_service, b"tc3_request");
        Self {
            secret_id,
            service,
            date,
            signing: Hmac::new_from_slice(&secret_signing).expect("HMAC takes any key"),
        }
    }

    fn sign(&self, method: &str, headers: &[(&str, &str)], body: &[u8], timestamp: u64) -> String {
        let mut order = [0usize; 8];
        let order = &mut order[..headers.len()];
        for (slot, index) in order.iter_mut().zip(0..) {
            *slot = index;
        }
        order.sort_unstable_by(|&a, &b| {
            let key = |i: usize| headers[i].0.bytes().map(|b| b.to_ascii_lowercase());
            key(a).cmp(key(b))
        });
        let mut signed_headers = [0u8; 256];
        let mut signed_len = 0;
        for (position, &index) in order.iter().enumerate() {
            if position > 0 {
                signed_headers[signed_len] = b';';
                signed_len += 1;
            }
            let name = headers[index].0.as_bytes();
            lowercase(name, &mut signed_headers[signed_len..]);
            signed_len += name.len();
        }
        let signed_headers = &signed_headers[..signed_len];

        let payload_hash = hex(&Sha256::digest(body));
        let mut canonical = Sha256::new();
        canonical.update(method.as_bytes());
        canonical.update(b"\n/\n\n");
        let mut buffer = [0u8; 256];
        for &index in order.iter() {
            let (name, value) = headers[index];
            canonical.update(lowercase(name.as_bytes(), &mut buffer));
            canonical.update(b":");
            canonical.update(lowercase(value.trim().as_bytes(), &mut buffer));
            canonical.update(b"\n");
        }
        canonical.update(b"\n");
        canonical.update(signed_headers);
        canonical.update(b"\n");
        canonical.update(payload_hash);
        let canonical_hash = hex(&canonical.finalize());

        let mut digits = [0u8; 20];
        let mut rest = &mut digits[..];
        write!(rest, "{timestamp}").expect("twenty digits hold a u64");
        let digits_len = 20 - rest.len();
        let mut mac = self.signing.clone();
        mac.update(b"TC3-HMAC-SHA256\n");
        mac.update(&digits[..digits_len]);
        mac.update(b"\n");
        mac.update(&self.date);
        mac.update(b"/");
        mac.update(self.service.as_bytes());
        mac.update(b"/tc3_request\n");
        mac.update(&canonical_hash);
        let signature = hex(&mac.finalize().into_bytes());

        let mut authorization = String::with_capacity(160 + self.secret_id.len() + signed_len);
        authorization.push_str("TC3-HMAC-SHA256 Credential=");
        authorization.push_str(self.secret_id);
        authorization.push('/');
        authorization.push_str(std::str::from_utf8(&self.date).expect("ASCII"));
        authorization.push('/');
        authorization.push_str(self.service);
        authorization.push_str("/tc3_request, SignedHeaders=");
        authorization.push_str(std::str::from_utf8(signed_headers).expect("ASCII"));
        authorization.push_str(", Signature=");
        authorization.push_str(std::str::from_utf8(&signature).expect("ASCII"));
        authorization
    }
}

fn main() {
    let credentials = Credentials::new(SECRET_ID, SECRET_KEY).expect("valid example credentials");
    let request = SignableRequest::new("POST", &HEADERS, SignablePayload::Bytes(BODY));
    let key = SigningKey::derive(&credentials, "scf", TIMESTAMP).expect("valid service and date");
    let warm = SigningParams::with_key(&key, TIMESTAMP);
    let cold = SigningParams::new(&credentials, "scf", TIMESTAMP);

    let (output, steps) = sign_with_steps(&request, &warm).expect("signable request");
    let mut received: Vec<(String, String)> = HEADERS
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    received.extend(output.headers().map(|(n, v)| (n.to_owned(), v.to_owned())));
    let verifier = Verifier::new("scf", vec![credentials.clone()]);
    let verifiable = VerifiableRequest::new("POST", &received, BODY);
    verifier
        .verify(&verifiable, TIMESTAMP)
        .expect("the benchmark request verifies");
    let straightforward = Straightforward::derive(SECRET_ID, SECRET_KEY, "scf", TIMESTAMP);
    assert_eq!(
        straightforward.sign("POST", &HEADERS, BODY, TIMESTAMP),
        output.authorization(),
        "the straightforward design signs as the crate does"
    );

    // The floor: compressions each operation cannot avoid.
    let derivation = 3 * (2 + keyed_hmac_blocks(11)) + 2;
    let warm_blocks = blocks(BODY.len())
        + blocks(steps.canonical_request.len())
        + keyed_hmac_blocks(steps.string_to_sign.len());
    let cold_blocks = warm_blocks + derivation;

    let mut state = [0u32; 8];
    let chunk = [[0x5au8; 64]; 64];
    let mut compress = || sha2::block_api::compress256(black_box(&mut state), black_box(&chunk));
    let compression_ns = time_alternating(&mut [&mut compress]).median_ns(0) / chunk.len() as f64;

    let mut crate_warm = || {
        black_box(sign(black_box(&request), black_box(&warm)).expect("signs"));
    };
    let mut plain_warm = || {
        black_box(straightforward.sign("POST", black_box(&HEADERS), black_box(BODY), TIMESTAMP));
    };
    let mut crate_cold = || {
        black_box(sign(black_box(&request), black_box(&cold)).expect("signs"));
    };
    let mut plain_cold = || {
        let signer = Straightforward::derive(SECRET_ID, black_box(SECRET_KEY), "scf", TIMESTAMP);
        black_box(signer.sign("POST", black_box(&HEADERS), black_box(BODY), TIMESTAMP));
    };
    let mut verify = || {
        black_box(
            verifier
                .verify(black_box(&verifiable), TIMESTAMP)
                .expect("verifies"),
        );
    };

    println!(
        "tc3-signer benchmark: GetAsyncEventStatus POST, {} byte body",
        BODY.len()
    );
    println!("SHA-256 compression on this CPU: {compression_ns:.1} ns");
    println!();
    println!(
        "| operation | ns/op | straightforward ns | ratio to it | compressions | floor ns | ratio to floor | allocations/op |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");

    // Each pair alternates rounds, so both sides see the same machine; ratios are medians of per-round ratios.
    let warm_pair = time_alternating(&mut [&mut crate_warm, &mut plain_warm]);
    let cold_pair = time_alternating(&mut [&mut crate_cold, &mut plain_cold]);
    let verify_ns = time_alternating(&mut [&mut verify]).median_ns(0);
    let against_plain = |pair: &bench_support::Timings| Some((pair.median_ns(1), pair.ratio(0, 1)));
    let rows = [
        (
            "sign, warm key (`with_key`)",
            warm_pair.median_ns(0),
            against_plain(&warm_pair),
            warm_blocks,
            allocations_per_op(&mut crate_warm),
        ),
        (
            "sign, cold key (`new`)",
            cold_pair.median_ns(0),
            against_plain(&cold_pair),
            cold_blocks,
            allocations_per_op(&mut crate_cold),
        ),
        (
            "verify (derives the key)",
            verify_ns,
            None,
            cold_blocks,
            allocations_per_op(&mut verify),
        ),
    ];
    for (name, ns, plain, compressions, allocations) in rows {
        let floor = compressions as f64 * compression_ns;
        let plain_text = plain.map_or("-".to_owned(), |(p, _)| format!("{p:.0}"));
        let plain_ratio = plain.map_or("-".to_owned(), |(_, r)| format!("{r:.3}x"));
        println!(
            "| {name} | {ns:.0} | {plain_text} | {plain_ratio} | {compressions} | {floor:.0} | {:.2}x | {allocations:.1} |",
            ns / floor
        );
        report(&bench_support::Row {
            area: "tc3-signer".into(),
            measurement: format!("{name} against the SHA-256 floor ({compressions} compressions)"),
            value: format!("{ns:.0} ns"),
            baseline: format!("{floor:.0} ns floor ({compression_ns:.1} ns x {compressions})"),
            ratio: format!("{:.2}x", ns / floor),
            target: "-".into(),
        });
        if let Some((plain, ratio)) = plain {
            report(&bench_support::Row {
                area: "tc3-signer".into(),
                measurement: format!(
                    "{name} against the straightforward design (hmac + sha2 Digest, no validation)"
                ),
                value: format!("{ns:.0} ns"),
                baseline: format!("{plain:.0} ns"),
                ratio: format!("{ratio:.3}x"),
                target: "≤ 1.00x".into(),
            });
            report(&bench_support::Row {
                area: "tc3-signer".into(),
                measurement: format!("heap allocations per signature, {name}"),
                value: format!("{allocations:.1}"),
                target: "≤ 1".into(),
                ..bench_support::Row::default()
            });
        }
    }
}
