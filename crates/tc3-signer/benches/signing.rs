//! `cargo bench -p tc3-signer`: signing and verification against their SHA-256 floor.
//!
//! The floor of an operation is the number of SHA-256 compressions it cannot avoid times the cost of one
//! compression, measured in the same run on the same CPU. The ratio to the floor is the overhead of
//! everything else: formatting, hex, sorting, allocation, locking.
#![allow(unsafe_code, clippy::print_stdout, missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tc3_signer::{
    Credentials, SignablePayload, SignableRequest, SigningParams, VerifiableRequest, Verifier,
    sign, sign_with_steps,
};

/// Counts every heap allocation, so the bench can report allocations per operation.
struct CountingAllocator;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwards the caller's layout unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

const BODY: &[u8] = br#"{"InvokeRequestId":"b379787f-8487-4bac-bd8c-17a20a9ce40e"}"#;
const HEADERS: [(&str, &str); 2] = [
    ("Content-Type", "application/json"),
    ("Host", "scf.tencentcloudapi.com"),
];
const TIMESTAMP: u64 = 1_700_000_000;

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
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..RUNS {
        op();
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / RUNS as f64
}

/// Compression-function calls SHA-256 makes for a message of `len` bytes, padding included.
fn blocks(len: usize) -> usize {
    (len + 9).div_ceil(64)
}

/// Compressions of HMAC-SHA256 over `len` bytes once the key's ipad and opad blocks are absorbed.
fn keyed_hmac_blocks(len: usize) -> usize {
    (blocks(64 + len) - 1) + (blocks(64 + 32) - 1)
}

/// One line of the report.
struct Row<'a> {
    name: &'static str,
    op: &'a dyn Fn(),
    compressions: usize,
    /// The largest acceptable ratio to the floor, where the project sets one.
    target: Option<f64>,
}

fn main() {
    let credentials = Credentials::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )
    .expect("valid example credentials");
    let request = SignableRequest::new("POST", &HEADERS, SignablePayload::Bytes(BODY));
    let warm = SigningParams::new(&credentials, "scf", TIMESTAMP);
    let cold = warm.without_key_cache();

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
        Row {
            name: "sign, warm key",
            op: &sign_warm,
            compressions: warm_blocks,
            target: Some(1.5),
        },
        Row {
            name: "sign, cold key",
            op: &sign_cold,
            compressions: cold_blocks,
            target: Some(1.5),
        },
        Row {
            name: "verify",
            op: &verify,
            compressions: verify_blocks,
            target: None,
        },
    ];
    for Row {
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
        report(
            &format!("{name} ({compressions} compressions)"),
            &format!("{ns:.0} ns"),
            &format!("{floor:.0} ns floor ({compression_ns:.1} ns x {compressions})"),
            &format!("{:.2}x", ns / floor),
            &target,
        );
        if name.starts_with("sign") {
            report(
                &format!("heap allocations per signature, {name}"),
                &format!("{allocations:.1}"),
                "",
                "",
                "≤ 3",
            );
        }
    }
}

/// A line for `cargo xtask bench` to gather into its report (the format of the `bench-support` crate,
/// which this crate does not depend on so that its dev build stays free of the network stack).
fn report(measurement: &str, value: &str, baseline: &str, ratio: &str, target: &str) {
    if std::env::var_os("SCF_BENCH_REPORT").is_none() {
        return;
    }
    println!("@report\ttc3-signer\t{measurement}\t{value}\t{baseline}\t{ratio}\t{target}");
}
