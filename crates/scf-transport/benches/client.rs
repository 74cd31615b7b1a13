//! `cargo bench -p scf-transport`: `GetAsyncEventStatus` through this client against the same pre-signed
//! request bytes sent by a bare hyper client, to the same emulator, in the same run; and the heap
//! allocations of one client call.
//!
//! Every sender uses keep-alive HTTP/1.1 with one request in flight per connection: the bare senders open
//! one connection per worker, the client draws from its pool. The client signs every request afresh, parses
//! the envelope into the typed result and goes through its rate limiter and retry logic; the bare client
//! only reads the answer's bytes. A second baseline, bare hyper doing only the work the protocol demands of
//! every call (serialise, sign, set headers, parse), splits the gap into the protocol's share and the
//! client's.
#![allow(clippy::print_stdout, clippy::unwrap_used, missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use bench_support::{
    CountingAllocator, Row, allocations, bare_load, block_on, dedicated_load, load, median,
    presign, report, start_emulator,
};
use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body_util::Full;
use scf_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY};
use scf_model::{
    Action, GetAsyncEventStatusRequest, GetAsyncEventStatusResponse, InvokeRequest, parse_response,
};
use scf_transport::credentials::BoxFuture;
use scf_transport::{
    Client, Endpoint, HyperTransport, HyperTransportConfig, ProxyConfig, Transport, TransportError,
};
use tc3_signer::{Credentials, SignablePayload, SignableRequest, SigningParams};

const RUN: Duration = Duration::from_secs(1);
const WARM_UP: Duration = Duration::from_millis(300);
const ROUNDS: usize = 5;

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Answers every request at once with one recorded answer, so that only the client's own work is counted.
struct Recorded(Response<Bytes>);

impl Transport for Recorded {
    fn send(
        &self,
        _request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, TransportError>> {
        let mut response = Response::new(self.0.body().clone());
        *response.headers_mut() = self.0.headers().clone();
        Box::pin(async move { Ok(response) })
    }
}

fn answered(body: &[u8]) -> bool {
    body.len() > 50
}

/// The work every call must do, and nothing else: serialise the parameters, sign them with a fresh
/// timestamp, set the protocol's headers. The second baseline: bare hyper plus this, plus parsing the
/// answer, shows how much of the gap to bare hyper is the protocol's and how much is this client's.
fn minimal_request(
    credentials: &Credentials,
    host: &HeaderValue,
    status: &GetAsyncEventStatusRequest,
) -> Request<Full<Bytes>> {
    let body = serde_json::to_vec(status).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let signed = [
        ("content-type", "application/json"),
        ("host", host.to_str().unwrap()),
    ];
    let signable = SignableRequest::new("POST", &signed, SignablePayload::Bytes(&body));
    let output = tc3_signer::sign(&signable, &SigningParams::new(credentials, "scf", now)).unwrap();
    let metadata = GetAsyncEventStatusRequest::METADATA;
    let mut request = Request::post("/")
        .header("content-type", "application/json")
        .header("host", host)
        .header("x-tc-action", metadata.action.as_ref())
        .header("x-tc-version", metadata.version.as_ref())
        .header("x-tc-region", "ap-guangzhou")
        .header("x-tc-timestamp", output.timestamp())
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let authorization = HeaderValue::from_maybe_shared(Bytes::from(output.into_authorization()));
    request
        .headers_mut()
        .insert("authorization", authorization.unwrap());
    request
}

fn parses(body: &[u8]) -> bool {
    parse_response::<GetAsyncEventStatusResponse>(body).is_ok()
}

fn main() {
    block_on(async {
        let emulator = start_emulator().await;
        let credentials = Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).unwrap();
        let transport = HyperTransportConfig {
            proxy: ProxyConfig::None,
            ..HyperTransportConfig::default()
        };
        let builder = || {
            Client::builder()
                .credentials(credentials.clone())
                .endpoint(Endpoint::url(&emulator.url()).unwrap())
                .region("ap-guangzhou")
                .without_rate_limits()
        };
        let client = builder()
            .transport(HyperTransport::new(&transport).unwrap())
            .build()
            .unwrap();
        let mut invoke = InvokeRequest::event("hello");
        invoke.client_context = Some(r#"{"scf_emulator":{"duration_ms":3600000}}"#.into());
        let id = client
            .call(&invoke)
            .await
            .unwrap()
            .result
            .function_request_id;
        let status = GetAsyncEventStatusRequest::new(id.clone());
        let presigned = Arc::new(presign(
            emulator.local_addr(),
            "GetAsyncEventStatus",
            &format!(r#"{{"InvokeRequestId":"{id}"}}"#),
        ));
        let host = HeaderValue::from_str(&emulator.local_addr().to_string()).unwrap();

        println!(
            "scf-transport benchmark: GetAsyncEventStatus to the emulator, this client vs a bare hyper client"
        );
        println!(
            "bare client: the same pre-signed request bytes; median of {ROUNDS} alternating {} s runs of each sender",
            RUN.as_secs()
        );
        println!();
        println!("| sender | concurrency | requests/s | p50 | p99 | ratio to bare | target |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        for concurrency in [1, 64] {
            let (mut baselines, mut minimal, mut ours) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..ROUNDS {
                baselines.push(
                    bare_load(
                        emulator.local_addr(),
                        Arc::clone(&presigned),
                        concurrency,
                        WARM_UP,
                        RUN,
                        answered,
                    )
                    .await,
                );
                let (credentials, request, host) =
                    (credentials.clone(), status.clone(), host.clone());
                minimal.push(
                    dedicated_load(
                        emulator.local_addr(),
                        concurrency,
                        WARM_UP,
                        RUN,
                        move || minimal_request(&credentials, &host, &request),
                        parses,
                    )
                    .await,
                );
                let (client, status) = (client.clone(), status.clone());
                ours.push(
                    load(concurrency, WARM_UP, RUN, move || {
                        let (client, status) = (client.clone(), status.clone());
                        async move {
                            client.call(&status).await.unwrap();
                        }
                    })
                    .await,
                );
            }
            let (baseline, minimal, measured) = (median(baselines), median(minimal), median(ours));
            let ratio = measured.per_second / baseline.per_second;
            let minimal_ratio = minimal.per_second / baseline.per_second;
            for (name, m, ratio, target) in [
                ("bare hyper", &baseline, 1.0, "-"),
                (
                    "bare hyper + the work every call must do",
                    &minimal,
                    minimal_ratio,
                    "-",
                ),
                ("scf-transport", &measured, ratio, "≥ 0.90"),
            ] {
                println!(
                    "| {name} | {concurrency} | {:.0} | {:.0} µs | {:.0} µs | {ratio:.2} | {target} |",
                    m.per_second,
                    m.p50.as_secs_f64() * 1e6,
                    m.p99.as_secs_f64() * 1e6,
                );
            }
            report(&Row {
                area: "scf-transport".into(),
                measurement: format!(
                    "GetAsyncEventStatus through the client vs bare hyper with the same pre-signed bytes, concurrency {concurrency}"
                ),
                value: measured.describe(),
                baseline: baseline.describe(),
                ratio: format!("{ratio:.2}"),
                target: "≥ 0.90".into(),
            });
            report(&Row {
                area: "scf-transport".into(),
                measurement: format!(
                    "bare hyper plus only the work every call must do (serialise, sign, parse), concurrency {concurrency}"
                ),
                value: minimal.describe(),
                baseline: baseline.describe(),
                ratio: format!("{minimal_ratio:.2}"),
                target: "-".into(),
            });
        }

        // The client's own allocations: a recorded answer stands in for the network.
        let mut recorded = Request::new(Bytes::from(format!(r#"{{"InvokeRequestId":"{id}"}}"#)));
        *recorded.method_mut() = presigned.method().clone();
        *recorded.uri_mut() = presigned.uri().clone();
        *recorded.headers_mut() = presigned.headers().clone();
        let answer = HyperTransport::new(&transport)
            .unwrap()
            .send(recorded)
            .await
            .unwrap();
        let offline = builder().transport(Recorded(answer)).build().unwrap();
        offline.call(&status).await.unwrap();
        const CALLS: u64 = 10_000;
        let before = allocations();
        for _ in 0..CALLS {
            offline.call(&status).await.unwrap();
        }
        let per_call = (allocations() - before) as f64 / CALLS as f64;
        println!();
        println!(
            "heap allocations per client call (sign, headers, send, parse; network excluded): {per_call:.1}"
        );
        report(&Row {
            area: "scf-transport".into(),
            measurement:
                "heap allocations per client call (signing, headers, parsing; the network excluded)"
                    .into(),
            value: format!("{per_call:.1}"),
            ..Row::default()
        });
    });
}
