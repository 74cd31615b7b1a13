//! Load against the emulator: requests pre-signed once, and keep-alive connections sending them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use scf_emulator::{Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator, RunningEmulator};
use tc3_signer::{Credentials, SigningParams};
use tokio::net::TcpStream;

use crate::measure::Measured;

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
    dedicated_load(
        addr,
        concurrency,
        warm_up,
        run,
        move || copy(&template),
        check,
    )
    .await
}

/// `concurrency` keep-alive connections, one per task, each sending what `make` builds back to back for
/// `warm_up + run`; building counts towards each latency. Every answer must be a 200 whose body passes
/// `check`. The loop of [`bare_load`], for senders that do some work of their own per request.
pub async fn dedicated_load<M, C>(
    addr: SocketAddr,
    concurrency: usize,
    warm_up: Duration,
    run: Duration,
    make: M,
    check: C,
) -> Measured
where
    M: Fn() -> Request<Full<Bytes>> + Clone + Send + 'static,
    C: Fn(&[u8]) -> bool + Clone + Send + 'static,
{
    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (make, check) = (make.clone(), check.clone());
        workers.spawn(async move {
            let mut sender = connect(addr).await;
            let mut latencies = Vec::new();
            while start.elapsed() < warm_up + run {
                let sent = Instant::now();
                let response = sender.send_request(make()).await.expect("an answer");
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

/// An emulator on a free loopback port with its rate limits off, so that only the load under test shapes
/// the answers.
pub async fn start_emulator() -> RunningEmulator {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    Emulator::builder()
        .config(config)
        .start()
        .await
        .expect("the emulator starts")
}

/// Runs `future` to completion on a multi-threaded runtime with every driver enabled, as the benchmarks
/// and endurance tests all do: one worker per CPU, shared by the load and the server under test.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}
