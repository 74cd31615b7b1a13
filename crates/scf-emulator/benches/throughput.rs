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
use std::time::Duration;

use bench_support::{
    Row, bare_load, block_on, copy, median, presign, report, send_once, start_emulator,
};
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

const RUN: Duration = Duration::from_secs(2);
const WARM_UP: Duration = Duration::from_millis(300);
/// Rounds alternate the two servers, so drift on a shared machine hits both; medians are reported.
const ROUNDS: usize = 3;

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

/// Every answer of the benchmark must be a success.
fn succeeded(body: &[u8]) -> bool {
    !body.windows(7).any(|w| w == b"\"Error\"")
}

fn main() {
    block_on(async {
        let emulator = start_emulator().await;
        let addr = emulator.local_addr();

        // One running event to ask about, so every answer is a success.
        let invoke = presign(
            addr,
            "Invoke",
            r#"{"FunctionName":"hello","InvocationType":"Event","ClientContext":"{\"scf_emulator\":{\"duration_ms\":3600000}}"}"#,
        );
        let answer = send_once(addr, invoke).await;
        let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap();
        let id = answer["Response"]["Result"]["FunctionRequestId"]
            .as_str()
            .unwrap()
            .to_owned();
        let status = Arc::new(presign(
            addr,
            "GetAsyncEventStatus",
            &format!(r#"{{"InvokeRequestId":"{id}"}}"#),
        ));

        // The baseline answers what the emulator answers, byte for byte in size.
        let sample = send_once(addr, copy(&status)).await;
        let bare = bare_server(sample).await;

        println!(
            "scf-emulator benchmark: GetAsyncEventStatus with TC3 verification vs a bare hyper server"
        );
        println!(
            "bare server: reads the request, answers the emulator's answer as fixed bytes; median of {ROUNDS} alternating {} s runs",
            RUN.as_secs()
        );
        println!(
            "keep-alive HTTP/1.1, one request in flight per connection, {} ms warm-up per run",
            WARM_UP.as_millis()
        );
        println!();
        println!("| server | connections | requests/s | p50 | p99 | ratio to bare | target |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        for concurrency in [1, 64] {
            let mut baselines = Vec::new();
            let mut emulated = Vec::new();
            // The same requests and load against either server.
            let against = |server| {
                bare_load(
                    server,
                    Arc::clone(&status),
                    concurrency,
                    WARM_UP,
                    RUN,
                    succeeded,
                )
            };
            for _ in 0..ROUNDS {
                baselines.push(against(bare).await);
                emulated.push(against(addr).await);
            }
            let baseline = median(baselines);
            let measured = median(emulated);
            for (name, m, ratio) in [
                ("bare hyper", &baseline, None),
                (
                    "scf-emulator",
                    &measured,
                    Some(measured.per_second / baseline.per_second),
                ),
            ] {
                println!(
                    "| {name} | {concurrency} | {:.0} | {:.0} µs | {:.0} µs | {} | {} |",
                    m.per_second,
                    m.p50.as_secs_f64() * 1e6,
                    m.p99.as_secs_f64() * 1e6,
                    ratio.map_or("1.00".to_owned(), |r| format!("{r:.2}")),
                    if ratio.is_some() { "≥ 0.70" } else { "-" },
                );
            }
            report(&Row {
                area: "scf-emulator".into(),
                measurement: format!(
                    "GetAsyncEventStatus throughput vs a bare hyper server, {concurrency} connection(s)"
                ),
                value: measured.describe(),
                baseline: baseline.describe(),
                ratio: format!("{:.2}", measured.per_second / baseline.per_second),
                target: "≥ 0.70".into(),
            });
        }
    });
}
