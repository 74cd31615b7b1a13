//! What the workspace's benchmarks share, so that every baseline is measured the same way.
//!
//! - [`presign`] and [`copy`]: one request signed once and sent many times, as a bare client would.
//! - [`bare_load`]: keep-alive hyper connections sending such a request back to back.
//! - [`Measured`] and [`median`]: requests per second and latency percentiles over alternating rounds.
//! - [`report`]: the machine-readable line `cargo xtask bench` gathers into one table.
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

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use scf_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY};
use tc3_signer::{Credentials, SigningParams};
use tokio::net::TcpStream;

/// The prefix of a line that `cargo xtask bench` copies into its report.
pub const REPORT_PREFIX: &str = "@report";

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

/// A POST of `body` for `action` to `addr`, signed now with the emulator's demo key.
///
/// The signature stays valid for 300 s, longer than any benchmark run.
pub fn presign(addr: SocketAddr, action: &str, body: &str) -> Request<Full<Bytes>> {
    let credentials =
        Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).expect("the demo key is valid");
    let mut request = Request::post(format!("http://{addr}/"))
        .header("content-type", "application/json")
        .header("x-tc-action", action)
        .header("x-tc-version", "2018-04-16")
        .header("x-tc-region", "ap-guangzhou")
        .body(body.as_bytes().to_vec())
        .expect("a valid request");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    tc3_signer::http::sign_request(&mut request, &SigningParams::new(&credentials, "scf", now))
        .expect("a signable request");
    request.map(|body| Full::new(Bytes::from(body)))
}

/// A copy of `template` to send once more: its bytes are shared, not copied.
pub fn copy(template: &Request<Full<Bytes>>) -> Request<Full<Bytes>> {
    let mut request = Request::new(template.body().clone());
    *request.method_mut() = template.method().clone();
    *request.uri_mut() = template.uri().clone();
    *request.headers_mut() = template.headers().clone();
    request
}

/// Sends one request on a fresh connection and returns the answer's body.
pub async fn send_once(addr: SocketAddr, request: Request<Full<Bytes>>) -> Bytes {
    let mut sender = connect(addr).await;
    let response = sender.send_request(request).await.expect("an answer");
    response
        .into_body()
        .collect()
        .await
        .expect("a whole body")
        .to_bytes()
}

async fn connect(addr: SocketAddr) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(addr).await.expect("the server listens");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("an HTTP/1.1 connection");
    tokio::spawn(connection);
    sender
}

/// `concurrency` keep-alive connections, each sending `template` back to back for `warm_up + run`;
/// latencies after the warm-up count. Every answer must be a 200 whose body passes `check`.
pub async fn bare_load(
    addr: SocketAddr,
    template: Arc<Request<Full<Bytes>>>,
    concurrency: usize,
    warm_up: Duration,
    run: Duration,
    check: fn(&[u8]) -> bool,
) -> Measured {
    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let template = Arc::clone(&template);
        workers.spawn(async move {
            let mut sender = connect(addr).await;
            let mut latencies = Vec::new();
            while start.elapsed() < warm_up + run {
                let sent = Instant::now();
                let response = sender
                    .send_request(copy(&template))
                    .await
                    .expect("an answer");
                assert_eq!(response.status(), 200);
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .expect("a body")
                    .to_bytes();
                assert!(check(&body), "unexpected answer: {body:?}");
                if start.elapsed() > warm_up {
                    latencies.push(sent.elapsed());
                }
            }
            latencies
        });
    }
    let latencies = workers.join_all().await.into_iter().flatten().collect();
    Measured::from_latencies(latencies, run)
}

/// `concurrency` tasks each running `call` back to back for `warm_up + run`, timing each call after
/// the warm-up: the same loop as [`bare_load`], for a client that is not bare hyper.
pub async fn load<F, Fut>(concurrency: usize, warm_up: Duration, run: Duration, call: F) -> Measured
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let call = call.clone();
        workers.spawn(async move {
            let mut latencies = Vec::new();
            while start.elapsed() < warm_up + run {
                let sent = Instant::now();
                call().await;
                if start.elapsed() > warm_up {
                    latencies.push(sent.elapsed());
                }
            }
            latencies
        });
    }
    let latencies = workers.join_all().await.into_iter().flatten().collect();
    Measured::from_latencies(latencies, run)
}

/// One row of the project's benchmark report.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// What part of the project: `tc3-signer`, `scf-transport`, ...
    pub area: String,
    /// What was measured, with its conditions.
    pub measurement: String,
    /// The measured value, with its unit.
    pub value: String,
    /// The baseline measured in the same run, with its unit; empty when the row has none.
    pub baseline: String,
    /// `value / baseline` in the direction the row's name states; empty without a baseline.
    pub ratio: String,
    /// The project's target, when it sets one.
    pub target: String,
}

/// The variable `cargo xtask bench` sets to ask benchmarks for report lines.
pub const REPORT_VARIABLE: &str = "SCF_BENCH_REPORT";

/// Prints `row` as a line for `cargo xtask bench` to gather, tab-separated after [`REPORT_PREFIX`], when
/// [`REPORT_VARIABLE`] is set; a plain `cargo bench` shows only the benchmarks' own tables.
pub fn report(row: &Row) {
    if std::env::var_os(REPORT_VARIABLE).is_none() {
        return;
    }
    let clean = |field: &str| field.replace(['\t', '\n'], " ");
    println!(
        "{REPORT_PREFIX}\t{}\t{}\t{}\t{}\t{}\t{}",
        clean(&row.area),
        clean(&row.measurement),
        clean(&row.value),
        clean(&row.baseline),
        clean(&row.ratio),
        clean(&row.target)
    );
}
