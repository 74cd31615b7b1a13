//! Nanoseconds and heap allocations per call of operations too short to time one by one.

use std::time::{Duration, Instant};

use crate::alloc::allocations;

/// How long one batch of calls runs: long enough that the clock's resolution does not matter.
const BATCH: Duration = Duration::from_millis(10);
/// Rounds per operation; the median drops the rounds another process interrupted.
const ROUNDS: usize = 21;

/// The median nanoseconds per call of each operation, measured in rounds that alternate between them,
/// so drift on a shared machine hits every operation alike. Each operation runs in batches sized to take
/// about 10 ms.
///
/// ```
/// let (mut a, mut b) = (0u64, 0u64);
/// let ns = bench_support::ns_per_op(&mut [&mut || a += 1, &mut || b = b.wrapping_mul(3)]);
/// assert_eq!(ns.len(), 2);
/// assert!(ns.iter().all(|ns| *ns >= 0.0));
/// ```
pub fn ns_per_op(ops: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let batches: Vec<u64> = ops.iter_mut().map(|op| batch_size(&mut **op)).collect();
    let mut samples = vec![Vec::with_capacity(ROUNDS); ops.len()];
    for _ in 0..ROUNDS {
        for ((op, &batch), samples) in ops.iter_mut().zip(&batches).zip(&mut samples) {
            let start = Instant::now();
            for _ in 0..batch {
                op();
            }
            samples.push(start.elapsed().as_nanos() as f64 / batch as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut samples| {
            samples.sort_by(f64::total_cmp);
            samples[samples.len() / 2]
        })
        .collect()
}

/// Calls of `op` that take at least [`BATCH`].
fn batch_size(op: &mut dyn FnMut()) -> u64 {
    let mut batch = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            op();
        }
        if start.elapsed() >= BATCH {
            return batch;
        }
        batch *= 2;
    }
}

/// Heap allocations per call of `op`, averaged over 1 000 calls; zero unless
/// [`CountingAllocator`](crate::CountingAllocator) is the global allocator.
pub fn allocations_per_op(op: &mut dyn FnMut()) -> f64 {
    const CALLS: u64 = 1_000;
    let before = allocations();
    for _ in 0..CALLS {
        op();
    }
    (allocations() - before) as f64 / CALLS as f64
}
