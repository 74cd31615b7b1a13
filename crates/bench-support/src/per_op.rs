//! Nanoseconds and heap allocations per call of operations too short to time one by one.

use std::time::{Duration, Instant};

use crate::alloc::allocations;

/// How long one batch of calls runs: long enough that the clock's resolution does not matter, and short
/// enough that most batches run within one scheduler time slice on a busy machine.
const BATCH: Duration = Duration::from_millis(1);
/// Rounds per operation; the median drops the rounds another process interrupted.
const ROUNDS: usize = 101;

/// Nanoseconds per call of several operations, measured in rounds that alternate between them.
#[derive(Debug, Clone)]
pub struct Timings {
    /// Per operation, nanoseconds per call in each round.
    rounds: Vec<Vec<f64>>,
}

impl Timings {
    /// The median nanoseconds per call of operation `op`.
    pub fn median_ns(&self, op: usize) -> f64 {
        median_of(self.rounds[op].clone())
    }

    /// The median over rounds of operation `a`'s time divided by operation `b`'s in the same round:
    /// drift that lasts longer than a round cancels out.
    pub fn ratio(&self, a: usize, b: usize) -> f64 {
        median_of(
            self.rounds[a]
                .iter()
                .zip(&self.rounds[b])
                .map(|(a, b)| a / b)
                .collect(),
        )
    }
}

fn median_of(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Times each operation in rounds that alternate between them, so drift on a shared machine hits every
/// operation alike. Each operation runs in batches sized to take about 1 ms.
///
/// ```
/// let (mut a, mut b) = (0u64, 1u64);
/// let timings = bench_support::time_alternating(&mut [&mut || a += 1, &mut || b = b.wrapping_mul(3)]);
/// assert!(timings.median_ns(0) > 0.0 && timings.median_ns(1) > 0.0);
/// assert!(timings.ratio(0, 1) > 0.0);
/// ```
pub fn time_alternating(ops: &mut [&mut dyn FnMut()]) -> Timings {
    let batches: Vec<u64> = ops.iter_mut().map(|op| batch_size(&mut **op)).collect();
    let mut rounds = vec![Vec::with_capacity(ROUNDS); ops.len()];
    for _ in 0..ROUNDS {
        for ((op, &batch), samples) in ops.iter_mut().zip(&batches).zip(&mut rounds) {
            let start = Instant::now();
            for _ in 0..batch {
                op();
            }
            samples.push(start.elapsed().as_nanos() as f64 / batch as f64);
        }
    }
    Timings { rounds }
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
