//! `cargo bench -p scf-emulator`: requests per second of `GetAsyncEventStatus` with full signature
//! verification, against a bare hyper server answering a fixed body, under the same load in the same run.
//!
//! Both servers run on the same runtime as the load generator: keep-alive HTTP/1.1 connections, each
//! sending one request at a time. The same pre-signed request is reused; its signature stays valid for
//! 300 s, far longer than the run.
#![allow(clippy::print_stdout, clippy::unwrap_used, missing_docs)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use scf_emulator::{Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator};
use tc3_signer::{Credentials, SigningParams};
use tokio::net::{TcpListener, TcpStream};

const RUN: Duration = Duration::from_secs(2);
const WARM_UP: Duration = Duration::from_millis(300);
/// Rounds alternate the two servers, so drift on a shared machine hits both; medians are reported.
const ROUNDS: usize = 5;

fn signed(addr: SocketAddr, action: &str, body: &str) -> Request<Full<Bytes>> {
    let credentials = Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).unwrap();
    let mut request = Request::post(format!("http://{addr}/"))
        .header("content-type", "application/json")
        .header("x-tc-action", action)
        .header("x-tc-version", "2018-04-16")
        .header("x-tc-region", "ap-guangzhou")
        .body(body.as_bytes().to_vec())
        .unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    tc3_signer::http::sign_request(&mut request, &SigningParams::new(&credentials, "scf", now))
        .unwrap();
    request.map(|body| Full::new(Bytes::from(body)))
}

fn copy(template: &Request<Full<Bytes>>) -> Request<Full<Bytes>> {
    let mut request = Request::new(template.body().clone());
    *request.method_mut() = template.method().clone();
    *request.uri_mut() = template.uri().clone();
    *request.headers_mut() = template.headers().clone();
    request
}

/// A server that reads each request and answers with the same bytes: the baseline.
async fn bare_server(body: Bytes) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            stream.set_nodelay(true).unwrap();
            let body = body.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                    let body = body.clone();
                    async move {
                        // Any server reads the request it answers; skipping that would flatter the baseline.
                        let _ = request.into_body().collect().await;
                        let mut response = Response::new(Full::new(body));
                        response
                            .headers_mut()
                            .insert("content-type", "application/json".parse().unwrap());
                        Ok::<_, Infallible>(response)
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

struct Measured {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// `concurrency` keep-alive connections, each sending `template` back to back for the run.
async fn load(
    addr: SocketAddr,
    template: Arc<Request<Full<Bytes>>>,
    concurrency: usize,
) -> Measured {
    let mut workers = tokio::task::JoinSet::new();
    let start = Instant::now();
    for _ in 0..concurrency {
        let template = Arc::clone(&template);
        workers.spawn(async move {
            let stream = TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .unwrap();
            tokio::spawn(connection);
            let mut latencies = Vec::new();
            while start.elapsed() < WARM_UP + RUN {
                let sent = Instant::now();
                let response = sender.send_request(copy(&template)).await.unwrap();
                assert_eq!(response.status(), 200);
                let body = response.into_body().collect().await.unwrap().to_bytes();
                assert!(!body.windows(7).any(|w| w == b"\"Error\""), "{body:?}");
                if start.elapsed() > WARM_UP {
                    latencies.push(sent.elapsed());
                }
            }
            latencies
        });
    }
    let mut latencies: Vec<Duration> = workers.join_all().await.into_iter().flatten().collect();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Measured {
        per_second: latencies.len() as f64 / RUN.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

fn median(mut runs: Vec<Measured>) -> Measured {
    runs.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
    runs.swap_remove(runs.len() / 2)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut config = Config::default();
        config.rate_limits.enabled = false;
        let emulator = Emulator::builder().config(config).start().await.unwrap();
        let addr = emulator.local_addr();

        // One running event to ask about, so every answer is a success.
        let invoke = signed(addr, "Invoke", r#"{"FunctionName":"hello","InvocationType":"Event","ClientContext":"{\"scf_emulator\":{\"duration_ms\":3600000}}"}"#);
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(TcpStream::connect(addr).await.unwrap())).await.unwrap();
        tokio::spawn(connection);
        let answer = sender.send_request(invoke).await.unwrap().into_body().collect().await.unwrap().to_bytes();
        let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap();
        let id = answer["Response"]["Result"]["FunctionRequestId"].as_str().unwrap().to_owned();
        let status = Arc::new(signed(addr, "GetAsyncEventStatus", &format!(r#"{{"InvokeRequestId":"{id}"}}"#)));

        // The baseline answers what the emulator answers, byte for byte in size.
        let sample = sender.send_request(copy(&status)).await.unwrap().into_body().collect().await.unwrap().to_bytes();
        let bare = bare_server(sample).await;

        println!("scf-emulator benchmark: GetAsyncEventStatus with TC3 verification vs a bare hyper server");
        println!(
            "bare server: reads the request, answers the emulator's answer as fixed bytes; median of {ROUNDS} alternating {} s runs",
            RUN.as_secs()
        );
        println!("keep-alive HTTP/1.1, one request in flight per connection, {} ms warm-up per run", WARM_UP.as_millis());
        println!();
        println!("| server | connections | requests/s | p50 | p99 | ratio to bare | target |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        for concurrency in [1, 64] {
            let mut baselines = Vec::new();
            let mut emulated = Vec::new();
            for _ in 0..ROUNDS {
                baselines.push(load(bare, Arc::clone(&status), concurrency).await);
                emulated.push(load(addr, Arc::clone(&status), concurrency).await);
            }
            let baseline = median(baselines);
            let measured = median(emulated);
            for (name, m, ratio) in [("bare hyper", &baseline, None), ("scf-emulator", &measured, Some(measured.per_second / baseline.per_second))] {
                println!(
                    "| {name} | {concurrency} | {:.0} | {:.0} µs | {:.0} µs | {} | {} |",
                    m.per_second,
                    m.p50.as_secs_f64() * 1e6,
                    m.p99.as_secs_f64() * 1e6,
                    ratio.map_or("1.00".to_owned(), |r| format!("{r:.2}")),
                    if ratio.is_some() { "≥ 0.70" } else { "-" },
                );
            }
        }
    });
}
