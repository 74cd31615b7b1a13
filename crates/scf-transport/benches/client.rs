//! `cargo bench -p scf-transport`: `GetAsyncEventStatus` through this client against the same pre-signed
//! request bytes sent by a bare hyper client, to the same emulator, in the same run.
//!
//! Both sides use keep-alive HTTP/1.1 with one request in flight per connection: the bare side opens one
//! connection per worker, the client draws from its pool. The client signs every request afresh, parses
//! the envelope into the typed result and goes through its rate limiter and retry logic; the bare client
//! only reads the answer's bytes.
#![allow(clippy::print_stdout, clippy::unwrap_used, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use scf_emulator::{Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator};
use scf_model::{GetAsyncEventStatusRequest, InvokeRequest};
use scf_transport::{Client, Endpoint, HyperTransportConfig, ProxyConfig};
use tc3_signer::{Credentials, SigningParams};
use tokio::net::TcpStream;

const RUN: Duration = Duration::from_secs(2);
const WARM_UP: Duration = Duration::from_millis(300);
const ROUNDS: usize = 3;

struct Measured {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

fn summarise(mut latencies: Vec<Duration>) -> Measured {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Measured {
        per_second: latencies.len() as f64 / RUN.as_secs_f64(),
        p50: at(0.5),
        p99: at(0.99),
    }
}

fn median(mut runs: Vec<Measured>) -> Measured {
    runs.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
    runs.swap_remove(runs.len() / 2)
}

async fn bare(
    addr: std::net::SocketAddr,
    template: Arc<Request<Full<Bytes>>>,
    concurrency: usize,
) -> Measured {
    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
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
                let mut request = Request::new(template.body().clone());
                *request.method_mut() = template.method().clone();
                *request.uri_mut() = template.uri().clone();
                *request.headers_mut() = template.headers().clone();
                let sent = Instant::now();
                let response = sender.send_request(request).await.unwrap();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                assert!(body.len() > 50);
                if start.elapsed() > WARM_UP {
                    latencies.push(sent.elapsed());
                }
            }
            latencies
        });
    }
    summarise(workers.join_all().await.into_iter().flatten().collect())
}

async fn through_client(client: Client, id: String, concurrency: usize) -> Measured {
    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, request) = (client.clone(), GetAsyncEventStatusRequest::new(id.clone()));
        workers.spawn(async move {
            let mut latencies = Vec::new();
            while start.elapsed() < WARM_UP + RUN {
                let sent = Instant::now();
                client.call(&request).await.unwrap();
                if start.elapsed() > WARM_UP {
                    latencies.push(sent.elapsed());
                }
            }
            latencies
        });
    }
    summarise(workers.join_all().await.into_iter().flatten().collect())
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
        let credentials = Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).unwrap();
        let transport = HyperTransportConfig { proxy: ProxyConfig::None, ..HyperTransportConfig::default() };
        let client = Client::builder()
            .credentials(credentials.clone())
            .endpoint(Endpoint::url(&emulator.url()).unwrap())
            .region("ap-guangzhou")
            .transport(scf_transport::HyperTransport::new(&transport).unwrap())
            .without_rate_limits()
            .build()
            .unwrap();
        let mut invoke = InvokeRequest::event("hello");
        invoke.client_context = Some(r#"{"scf_emulator":{"duration_ms":3600000}}"#.into());
        let id = client.call(&invoke).await.unwrap().result.function_request_id;

        let body = format!(r#"{{"InvokeRequestId":"{id}"}}"#).into_bytes();
        let mut presigned = Request::post(format!("{}/", emulator.url()))
            .header("content-type", "application/json")
            .header("x-tc-action", "GetAsyncEventStatus")
            .header("x-tc-version", "2018-04-16")
            .header("x-tc-region", "ap-guangzhou")
            .body(body)
            .unwrap();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        tc3_signer::http::sign_request(&mut presigned, &SigningParams::new(&credentials, "scf", now)).unwrap();
        let presigned = Arc::new(presigned.map(|body| Full::new(Bytes::from(body))));

        println!("scf-transport benchmark: GetAsyncEventStatus to the emulator, this client vs a bare hyper client");
        println!("bare client: the same pre-signed request bytes; median of {ROUNDS} alternating {} s runs", RUN.as_secs());
        println!();
        println!("| sender | concurrency | requests/s | p50 | p99 | ratio to bare | target |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        for concurrency in [1, 64] {
            let (mut baselines, mut ours) = (Vec::new(), Vec::new());
            for _ in 0..ROUNDS {
                baselines.push(bare(emulator.local_addr(), Arc::clone(&presigned), concurrency).await);
                ours.push(through_client(client.clone(), id.clone(), concurrency).await);
            }
            let (baseline, measured) = (median(baselines), median(ours));
            let ratio = measured.per_second / baseline.per_second;
            for (name, m, ratio, target) in [("bare hyper", &baseline, 1.0, "-"), ("scf-transport", &measured, ratio, "≥ 0.90")] {
                println!(
                    "| {name} | {concurrency} | {:.0} | {:.0} µs | {:.0} µs | {ratio:.2} | {target} |",
                    m.per_second,
                    m.p50.as_secs_f64() * 1e6,
                    m.p99.as_secs_f64() * 1e6,
                );
            }
        }
    });
}
