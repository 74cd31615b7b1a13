//! Throughput, latency percentiles and memory.

use std::time::Duration;

/// Throughput and latency of one run.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Completed requests per second.
    pub per_second: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th-percentile latency.
    pub p99: Duration,
}

impl Measured {
    /// Summarises the latencies of the requests completed in `run`.
    pub fn from_latencies(mut latencies: Vec<Duration>, run: Duration) -> Self {
        latencies.sort();
        let at = |q: f64| {
            let index =
                ((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1));
            latencies.get(index).copied().unwrap_or_default()
        };
        Self {
            per_second: latencies.len() as f64 / run.as_secs_f64(),
            p50: at(0.50),
            p99: at(0.99),
        }
    }

    /// `12345 req/s, p50 70 µs, p99 130 µs`.
    pub fn describe(&self) -> String {
        format!(
            "{:.0} req/s, p50 {:.0} µs, p99 {:.0} µs",
            self.per_second,
            self.p50.as_secs_f64() * 1e6,
            self.p99.as_secs_f64() * 1e6
        )
    }
}

/// The run with the median throughput. Rounds alternate the sides compared, so drift on a shared
/// machine hits both, and the median drops the outliers it causes.
pub fn median(mut runs: Vec<Measured>) -> Measured {
    runs.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
    runs.swap_remove(runs.len() / 2)
}

/// This process's resident set size in KiB, from `/proc/self/status`; 0 where that is not available.
pub fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}
