//! What the workspace's benchmarks and endurance tests share, so that every baseline is measured the
//! same way.
//!
//! - [`Measured`] and [`median`]: requests per second and latency percentiles over alternating rounds.
//! - [`time_alternating`] and [`allocations_per_op`]: nanoseconds per call of short operations, in
//!   rounds that alternate between them, with medians and per-round ratios, and heap allocations per call.
//! - [`CountingAllocator`]: counts the heap allocations behind [`allocations_per_op`].
//! - [`resident_kib`]: this process's resident memory.
//! - [`report`]: the machine-readable line `cargo xtask bench` gathers into one table.
//! - With the default `load` feature: [`presign`], [`copy`], [`bare_load`], [`dedicated_load`], [`load`],
//!   [`start_emulator`] and [`block_on`], for load against the emulator.
//!
//! The first five need nothing but `std`, so the signer's benchmark uses them with
//! `default-features = false` and its dev build stays free of the network stack.
//!
//! ```
//! use std::time::Duration;
//! let measured = bench_support::Measured::from_latencies(
//!     vec![Duration::from_micros(50), Duration::from_micros(70)],
//!     Duration::from_secs(1),
//! );
//! assert_eq!(measured.per_second, 2.0);
//! assert_eq!(measured.p50, Duration::from_micros(70));
//! ```
#![allow(clippy::print_stdout)]

mod alloc;
#[cfg(feature = "load")]
mod load;
mod measure;
mod per_op;
mod report;

pub use alloc::{CountingAllocator, allocations};
#[cfg(feature = "load")]
pub use load::{
    bare_load, block_on, copy, dedicated_load, load, presign, send_once, start_emulator,
};
pub use measure::{Measured, median, resident_kib};
pub use per_op::{Timings, allocations_per_op, time_alternating};
pub use report::{REPORT_PREFIX, REPORT_VARIABLE, Row, report};
