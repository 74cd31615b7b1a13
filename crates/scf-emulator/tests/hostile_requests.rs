//! Arbitrary requests over loopback: the emulator answers each with an error envelope and stays up.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::OnceLock;

use bytes::Bytes;
use common::TestClient;
use http::{HeaderValue, Method};
use http_body_util::Full;
use proptest::prelude::*;
use scf_emulator::{Config, Emulator, RunningEmulator, SystemClock};
use scf_model::ACTIONS;

/// The name of any action of the model, or of none.
fn action_name() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..ACTIONS.len()).prop_map(|index| ACTIONS[index].name().to_owned()),
        "[A-Za-z]{1,12}",
    ]
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    emulator: RunningEmulator,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let mut config = Config::default();
        config.rate_limits.enabled = false;
        let emulator = runtime
            .block_on(Emulator::builder().config(config).start())
            .unwrap();
        Fixture { runtime, emulator }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn signed_garbage_bodies_get_an_envelope(body in proptest::collection::vec(any::<u8>(), 0..300), action in action_name()) {
        let fixture = fixture();
        let client = TestClient::new(&fixture.emulator, SystemClock);
        let text = String::from_utf8_lossy(&body).into_owned();
        let reply = fixture.runtime.block_on(client.send(client.signed(Method::POST, &action, "", &text))).unwrap();
        prop_assert_eq!(reply.status.as_u16(), 200);
        prop_assert_eq!(reply.headers["content-type"].to_str().unwrap(), "application/json");
        let _ = reply.request_id();
    }

    #[test]
    fn garbage_headers_get_an_envelope(name in "x-tc-(action|version|region|timestamp|token|language|content-sha256)|authorization|content-type", value in proptest::collection::vec(32u8..=255, 0..60)) {
        let fixture = fixture();
        let client = TestClient::new(&fixture.emulator, SystemClock);
        let mut request = client.signed(Method::POST, "GetAsyncEventStatus", "", "{\"InvokeRequestId\":\"x\"}");
        let value = HeaderValue::from_bytes(&value).unwrap_or(HeaderValue::from_static(""));
        request.headers_mut().insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value);
        let reply = fixture.runtime.block_on(client.send(request)).unwrap();
        prop_assert_eq!(reply.status.as_u16(), 200);
        let _ = reply.request_id();
    }

    #[test]
    fn garbage_queries_get_an_envelope(query in "[ -~]{0,200}", action in action_name()) {
        let fixture = fixture();
        let client = TestClient::new(&fixture.emulator, SystemClock);
        let query: String = query.chars().filter(|c| !matches!(c, ' ' | '#' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')).collect();
        let request = client.signed(Method::GET, &action, &query, "");
        let reply = fixture.runtime.block_on(client.send(request.map(|b: Full<Bytes>| b))).unwrap();
        prop_assert_eq!(reply.status.as_u16(), 200);
        let _ = reply.request_id();
    }
}
