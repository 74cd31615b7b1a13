//! Whole requests to a running emulator over loopback, signed by the fuzz target itself so that they get
//! past verification into header checks, parameter reading and the actions. Whatever the method, headers,
//! query and body, the emulator answers 200 with a JSON envelope that carries a RequestId.
//!
//! Input: a control byte (bit 0: GET, bit 1: leave unsigned, bit 2: take the action name from the input),
//! an action byte (the action's index in `scf_model::ACTIONS`, sorted by name, modulo its length), then up
//! to four parts separated by 0xFF: extra header lines, query, body, and the action name.
#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use libfuzzer_sys::fuzz_target;
use scf_emulator::{Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator, RunningEmulator};
use scf_model::ACTIONS;
use tc3_signer::{Credentials, SigningParams};
use tokio::runtime::Runtime;

struct Target {
    runtime: Runtime,
    addr: SocketAddr,
    _emulator: RunningEmulator,
}

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let mut config = Config::default();
        config.rate_limits.enabled = false;
        // Events made by fuzzed Invokes expire quickly, so a long run does not grow without bound.
        config.retention_secs = 60;
        let emulator = runtime
            .block_on(Emulator::builder().config(config).start())
            .expect("the emulator starts");
        Target {
            addr: emulator.local_addr(),
            runtime,
            _emulator: emulator,
        }
    })
}

fn request(data: &[u8]) -> Option<Request<Vec<u8>>> {
    let (&control, rest) = data.split_first()?;
    let (&action_index, rest) = rest.split_first()?;
    let mut parts = rest.split(|&b| b == 0xff);
    let headers = parts.next().unwrap_or_default();
    let query = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let body = parts.next().unwrap_or_default().to_vec();
    let action = if control & 4 != 0 {
        String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned()
    } else {
        ACTIONS[usize::from(action_index) % ACTIONS.len()]
            .name()
            .to_owned()
    };
    let method = if control & 1 != 0 { "GET" } else { "POST" };
    let addr = target().addr;
    let uri = if query.is_empty() {
        format!("http://{addr}/")
    } else {
        format!("http://{addr}/?{query}")
    };
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("x-tc-version", "2018-04-16")
        .body(body)
        .ok()?;
    let headers_of = request.headers_mut();
    if let Ok(action) = HeaderValue::from_str(&action) {
        headers_of.insert("x-tc-action", action);
    }
    headers_of.insert(
        "content-type",
        HeaderValue::from_static(if method == "GET" {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        }),
    );
    for line in headers.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) {
            // Framing headers are hyper's to set; a fuzzed one would only make the request unsendable.
            if name != http::header::CONTENT_LENGTH
                && name != http::header::TRANSFER_ENCODING
                && name != http::header::CONNECTION
                && name != http::header::HOST
            {
                request.headers_mut().append(name, value);
            }
        }
    }
    if control & 2 == 0 {
        let credentials = Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).expect("the demo key");
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // A request the signer refuses (a header value it cannot sign, say) goes out unsigned.
        let _ = tc3_signer::http::sign_request(
            &mut request,
            &SigningParams::new(&credentials, "scf", now),
        );
    }
    Some(request)
}

fuzz_target!(|data: &[u8]| {
    let Some(request) = request(data) else {
        return;
    };
    let target = target();
    target.runtime.block_on(async {
        let stream = tokio::net::TcpStream::connect(target.addr)
            .await
            .expect("the emulator listens");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("a connection");
        tokio::spawn(connection);
        let response = sender
            .send_request(request.map(|body| Full::new(Bytes::from(body))))
            .await
            .expect("the emulator answers every request");
        assert_eq!(response.status(), 200, "every API answer is a 200");
        let content_type = response.headers().get("content-type").cloned();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("a whole body")
            .to_bytes();
        assert_eq!(
            content_type.as_ref().and_then(|v| v.to_str().ok()),
            Some("application/json"),
            "{body:?}"
        );
        assert!(
            tc_api::request_id_of(&body).is_some(),
            "an envelope with a RequestId: {body:?}"
        );
    });
});
