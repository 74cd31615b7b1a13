//! `cargo bench -p tc3-signer`: signing and verification against their SHA-256 floor.
//!
//! The floor of an operation is the number of SHA-256 compressions it cannot avoid times the cost of one
//! compression, measured in the same run on the same CPU. The ratio to the floor is the overhead of
//! everything else: formatting, hex, sorting, allocation, locking.
#![allow(clippy::print_stdout, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use bench_support::{CountingAllocator, allocations, report};
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
const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

/// Median nanoseconds per call of `op`, over batches sized to last about 20 ms each.
fn time_per_op(mut op: impl FnMut()) -> f64 {
    let mut batch = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            op();
        }
        if start.elapsed() > Duration::from_millis(20) {
            break;
        }
        batch *= 2;
    }
    let mut samples: Vec<f64> = (0..21)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                op();
            }
            start.elapsed().as_nanos() as f64 / batch as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn allocations_per_op(mut op: impl FnMut()) -> f64 {
    const RUNS: u64 = 1_000;
    let before = allocations();
    for _ in 0..RUNS {
        op();
    }
    (allocations() - before) as f64 / RUNS as f64
}

/// Compression-function calls SHA-256 makes for a message of `len` bytes, padding included.
fn blocks(len: usize) -> usize {
    (len + 9).div_ceil(64)
}

/// Compressions of HMAC-SHA256 over `len` bytes once the key's ipad and opad blocks are absorbed.
fn keyed_hmac_blocks(len: usize) -> usize {
    (blocks(64 + len) - 1) + (blocks(64 + 32) - 1)
}

/// SHA-256 of `message`, resumed from `state` after `prefix_blocks` whole blocks, padded in one buffer.
fn digest(state: [u32; 8], prefix_blocks: u64, message: &[u8]) -> [u8; 32] {
    let mut state = state;
    let mut buffer = [0u8; 320];
    buffer[..message.len()].copy_from_slice(message);
    buffer[message.len()] = 0x80;
    let end = (message.len() + 9).div_ceil(64) * 64;
    let bits = (prefix_blocks * 64 + message.len() as u64) * 8;
    buffer[end - 8..end].copy_from_slice(&bits.to_be_bytes());
    let (blocks, _) = buffer[..end].as_chunks::<64>();
    sha2::block_api::compress256(&mut state, blocks);
    let mut out = [0u8; 32];
    for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
}

fn hex(bytes: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 15)];
    }
    out
}

/// The least any TC3 signer can do for this request: the same compressions over the same texts, each
/// hash written into the next text, and the Authorization assembled once; no validation, no key lookup,
/// no timestamp or date formatting. Its ratio to the floor bounds what any signer reaches on this CPU.
struct LeastWork {
    canonical_request: Vec<u8>,
    string_to_sign: Vec<u8>,
    authorization_prefix: String,
    inner_state: [u32; 8],
    outer_state: [u32; 8],
}

impl LeastWork {
    fn new(
        secret_key: &str,
        canonical_request: &str,
        string_to_sign: &str,
        authorization: &str,
    ) -> Self {
        // The real SecretSigning, so the baseline's output can be checked against the signer's.
        let hmac = |key: &[u8], message: &[u8]| {
            let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::KeyInit>::new_from_slice(key)
                .expect("HMAC takes any key");
            hmac::Mac::update(&mut mac, message);
            hmac::Mac::finalize(mac).into_bytes()
        };
        let scope = string_to_sign
            .split('\n')
            .nth(2)
            .expect("a credential scope");
        let (date, service) = (&scope[..10], scope[11..].trim_end_matches("/tc3_request"));
        let secret_date = hmac(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
        let secret_service = hmac(&secret_date, service.as_bytes());
        let secret_signing = hmac(&secret_service, b"tc3_request");
        let keyed = |pad: u8| {
            let mut block = [pad; 64];
            for (byte, key) in block.iter_mut().zip(secret_signing.iter()) {
                *byte ^= key;
            }
            let mut state = INITIAL_STATE;
            sha2::block_api::compress256(&mut state, &[block]);
            state
        };
        Self {
            canonical_request: canonical_request.as_bytes().to_vec(),
            string_to_sign: string_to_sign.as_bytes().to_vec(),
            authorization_prefix: authorization[..authorization.len() - 64].to_owned(),
            inner_state: keyed(0x36),
            outer_state: keyed(0x5c),
        }
    }

    fn sign(&self, body: &[u8]) -> String {
        let mut canonical = [0u8; 320];
        let canonical = &mut canonical[..self.canonical_request.len()];
        canonical.copy_from_slice(&self.canonical_request);
        let tail = canonical.len() - 64;
        canonical[tail..].copy_from_slice(&hex(&digest(INITIAL_STATE, 0, body)));
        let mut to_sign = [0u8; 320];
        let to_sign = &mut to_sign[..self.string_to_sign.len()];
        to_sign.copy_from_slice(&self.string_to_sign);
        let tail = to_sign.len() - 64;
        to_sign[tail..].copy_from_slice(&hex(&digest(INITIAL_STATE, 0, canonical)));
        let inner = digest(self.inner_state, 1, to_sign);
        let signature = hex(&digest(self.outer_state, 1, &inner));
        let mut authorization = String::with_capacity(self.authorization_prefix.len() + 64);
        authorization.push_str(&self.authorization_prefix);
        authorization.push_str(std::str::from_utf8(&signature).expect("hex is ASCII"));
        authorization
    }
}

const INITIAL_STATE: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// One line of the report.
struct Operation<'a> {
    name: &'static str,
    op: &'a dyn Fn(),
    compressions: usize,
    /// The largest acceptable ratio to the floor, where the project sets one.
    target: Option<f64>,
}

fn main() {
    let credentials = Credentials::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", SECRET_KEY)
        .expect("valid example credentials");
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

    // The floor: compressions each operation cannot avoid.
    let derivation = 3 * (2 + keyed_hmac_blocks(11)) + 2;
    let warm_blocks = blocks(BODY.len())
        + blocks(steps.canonical_request.len())
        + keyed_hmac_blocks(steps.string_to_sign.len());
    let cold_blocks = warm_blocks + derivation;
    let verify_blocks = warm_blocks;

    let mut state = [0u32; 8];
    let chunk = [[0x5au8; 64]; 64];
    let compression_ns = time_per_op(|| {
        sha2::block_api::compress256(black_box(&mut state), black_box(&chunk));
    }) / chunk.len() as f64;

    let least_work = LeastWork::new(
        SECRET_KEY,
        &steps.canonical_request,
        &steps.string_to_sign,
        output.authorization(),
    );
    assert_eq!(
        least_work.sign(BODY),
        output.authorization(),
        "the baseline does the signer's work"
    );
    let sign_least = || {
        black_box(least_work.sign(black_box(BODY)));
    };
    let sign_warm = || {
        black_box(sign(black_box(&request), black_box(&warm)).expect("signs"));
    };
    let sign_cold = || {
        black_box(sign(black_box(&request), black_box(&cold)).expect("signs"));
    };
    let verify = || {
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
        "| operation | ns/op | compressions | floor ns | ratio to floor | target | allocations/op |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let rows = [
        Operation {
            name: "sign, warm key",
            op: &sign_warm,
            compressions: warm_blocks,
            target: Some(1.5),
        },
        Operation {
            name: "sign, cold key",
            op: &sign_cold,
            compressions: cold_blocks,
            target: Some(1.5),
        },
        Operation {
            name: "least possible signing work (baseline)",
            op: &sign_least,
            compressions: warm_blocks,
            target: None,
        },
        Operation {
            name: "verify",
            op: &verify,
            compressions: verify_blocks,
            target: None,
        },
    ];
    for Operation {
        name,
        op,
        compressions,
        target,
    } in rows
    {
        let ns = time_per_op(op);
        let allocations = allocations_per_op(op);
        let floor = compressions as f64 * compression_ns;
        let target = target.map_or("-".to_owned(), |t| format!("{t:.1}x"));
        println!(
            "| {name} | {ns:.0} | {compressions} | {floor:.0} | {:.2}x | {target} | {allocations:.1} |",
            ns / floor
        );
        report(&bench_support::Row {
            area: "tc3-signer".into(),
            measurement: format!("{name} ({compressions} compressions)"),
            value: format!("{ns:.0} ns"),
            baseline: format!("{floor:.0} ns floor ({compression_ns:.1} ns x {compressions})"),
            ratio: format!("{:.2}x", ns / floor),
            target: target.clone(),
        });
        if name.starts_with("sign") {
            report(&bench_support::Row {
                area: "tc3-signer".into(),
                measurement: format!("heap allocations per signature, {name}"),
                value: format!("{allocations:.1}"),
                target: "≤ 3".into(),
                ..bench_support::Row::default()
            });
        }
    }
}
