//! Faults on demand, through the library API and through the admin path.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::TestClient;
use http::{Method, StatusCode};
use scf_emulator::{Config, Emulator, Fault, FaultRule, ManualClock, SystemClock, TokioClock};
use serde_json::json;
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn each_fault_misbehaves_as_described_then_retires() {
    let clock = TokioClock::starting_now();
    let emulator = Emulator::builder().clock(clock).start().await.unwrap();
    let client = TestClient::new(&emulator, clock);

    // The answer comes exactly when the latency has passed on tokio's clock, not before and not later.
    emulator.add_fault(FaultRule::always(Fault::Latency { millis: 300 }).times(1));
    let started = Instant::now();
    assert_eq!(
        client.status("x").await.code().as_deref(),
        Some("ResourceNotFound.AsyncEvent")
    );
    assert_eq!(started.elapsed(), Duration::from_millis(300));
    let started = Instant::now();
    client.status("x").await;
    assert_eq!(started.elapsed(), Duration::ZERO, "the latency retired");

    emulator.add_fault(FaultRule::always(Fault::HttpStatus { status: 503 }).times(1));
    let gateway = client.status("x").await;
    assert_eq!(gateway.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(gateway.headers["content-type"], "text/html");
    assert!(serde_json::from_slice::<serde_json::Value>(&gateway.body).is_err());

    emulator.add_fault(FaultRule::always(Fault::RequestLimitExceeded).times(1));
    assert_eq!(
        client.status("x").await.code().as_deref(),
        Some("RequestLimitExceeded")
    );
    emulator.add_fault(FaultRule::always(Fault::InternalError).times(1));
    assert_eq!(
        client.status("x").await.code().as_deref(),
        Some("InternalError")
    );

    emulator.add_fault(FaultRule::always(Fault::DropConnection).times(1));
    let dropped = client
        .send(client.signed(
            Method::POST,
            "GetAsyncEventStatus",
            "",
            "{\"InvokeRequestId\":\"x\"}",
        ))
        .await;
    assert!(dropped.is_err(), "{dropped:?}");

    emulator.add_fault(FaultRule::always(Fault::TruncatedBody).times(1));
    let truncated = client
        .send(client.signed(
            Method::POST,
            "GetAsyncEventStatus",
            "",
            "{\"InvokeRequestId\":\"x\"}",
        ))
        .await;
    assert!(truncated.is_err(), "{truncated:?}");

    // Every rule has retired: the next request is normal.
    assert_eq!(
        client.status("x").await.code().as_deref(),
        Some("ResourceNotFound.AsyncEvent")
    );
}

#[tokio::test]
async fn faults_can_target_one_action() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = TestClient::new(&emulator, SystemClock);
    emulator.add_fault(FaultRule::always(Fault::InternalError).for_action("Invoke"));
    assert_eq!(
        client.status("x").await.code().as_deref(),
        Some("ResourceNotFound.AsyncEvent")
    );
    let invoke = client
        .post(
            "Invoke",
            json!({"FunctionName": "hello", "InvocationType": "Event"}),
        )
        .await;
    assert_eq!(invoke.code().as_deref(), Some("InternalError"));
    emulator.clear_faults();
    client
        .post(
            "Invoke",
            json!({"FunctionName": "hello", "InvocationType": "Event"}),
        )
        .await
        .ok();
}

#[tokio::test]
async fn a_dropped_invoke_still_ran() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = TestClient::new(&emulator, SystemClock);
    emulator.add_fault(
        FaultRule::always(Fault::DropConnection)
            .for_action("Invoke")
            .times(1),
    );
    let request = client.signed(
        Method::POST,
        "Invoke",
        "",
        r#"{"FunctionName":"hello","InvocationType":"Event"}"#,
    );
    assert!(client.send(request).await.is_err());
    let listed = client
        .post("ListAsyncEvents", json!({"FunctionName": "hello"}))
        .await
        .ok();
    assert_eq!(
        listed["TotalCount"], 1,
        "the effect happened though the answer was lost"
    );
}

#[tokio::test]
async fn server_clock_offset_moves_expiry_and_the_date_header() {
    let clock = ManualClock::new(1_700_000_000_000);
    let emulator = Emulator::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let client = TestClient::new(&emulator, clock.clone());
    assert_eq!(
        client.status("x").await.headers["date"],
        "Tue, 14 Nov 2023 22:13:20 GMT"
    );
    emulator.set_clock_offset(600);
    let skewed = client.status("x").await;
    assert_eq!(
        skewed.code().as_deref(),
        Some("AuthFailure.SignatureExpire")
    );
    assert_eq!(skewed.headers["date"], "Tue, 14 Nov 2023 22:23:20 GMT");
    emulator.set_clock_offset(-600);
    assert_eq!(
        client.status("x").await.code().as_deref(),
        Some("AuthFailure.SignatureExpire")
    );
    emulator.set_clock_offset(0);
    assert_eq!(
        client.status("x").await.code().as_deref(),
        Some("ResourceNotFound.AsyncEvent")
    );
}

#[tokio::test]
async fn new_events_are_invisible_for_the_visibility_delay() {
    let clock = ManualClock::starting_now();
    let emulator = Emulator::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let client = TestClient::new(&emulator, clock.clone());
    emulator.set_visibility_delay(Duration::from_millis(800));
    let id = client.invoke_async("hello", None).await;
    assert_eq!(
        client.status(&id).await.code().as_deref(),
        Some("ResourceNotFound.AsyncEvent")
    );
    clock.advance(Duration::from_millis(800));
    assert_eq!(client.status(&id).await.ok()["Result"]["Status"], "RUNNING");
}

#[tokio::test(start_paused = true)]
async fn documented_rate_limits_answer_request_limit_exceeded() {
    let clock = TokioClock::starting_now();
    let emulator = Emulator::builder().clock(clock).start().await.unwrap();
    let client = std::sync::Arc::new(TestClient::new(&emulator, clock));
    // Forty requests at once, with the clock standing still: a second's burst of 20 passes, no more.
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let client = std::sync::Arc::clone(&client);
        burst.spawn(async move { client.status("x").await.code() });
    }
    let codes = burst.join_all().await;
    let limited = codes
        .iter()
        .filter(|c| c.as_deref() == Some("RequestLimitExceeded"))
        .count();
    let served = codes
        .iter()
        .filter(|c| c.as_deref() == Some("ResourceNotFound.AsyncEvent"))
        .count();
    assert_eq!(limited + served, 40, "{codes:?}");
    assert_eq!((served, limited), (20, 20), "{codes:?}");

    let mut config = Config::default();
    config.rate_limits.enabled = false;
    let unlimited = Emulator::builder()
        .config(config)
        .clock(clock)
        .start()
        .await
        .unwrap();
    let client = TestClient::new(&unlimited, clock);
    for _ in 0..40 {
        assert_ne!(
            client.status("x").await.code().as_deref(),
            Some("RequestLimitExceeded")
        );
    }
}

/// Sends `GetAsyncEventStatus` and tells whether it was served rather than refused by the limit.
async fn served(client: &TestClient) -> bool {
    match client.status("x").await.code().as_deref() {
        Some("ResourceNotFound.AsyncEvent") => true,
        Some("RequestLimitExceeded") => false,
        other => panic!("unexpected answer {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_spent_limit_refills_one_request_every_tick_of_its_rate() {
    for per_second in [20u32, 3] {
        let mut config = Config::default();
        config
            .rate_limits
            .per_second
            .insert("GetAsyncEventStatus".into(), per_second);
        let clock = TokioClock::starting_now();
        let emulator = Emulator::builder()
            .config(config)
            .clock(clock)
            .start()
            .await
            .unwrap();
        let client = TestClient::new(&emulator, clock);
        for _ in 0..per_second {
            assert!(served(&client).await, "the burst of {per_second}");
        }
        assert!(!served(&client).await, "one past the burst of {per_second}");
        let spent = Instant::now();
        // The k-th token after the burst is due k/N s later, rounded up to the millisecond the clock counts.
        for k in 1..=per_second {
            let due = Duration::from_millis(u64::from((k * 1_000).div_ceil(per_second)));
            tokio::time::sleep_until(spent + due - Duration::from_millis(1)).await;
            assert!(
                !served(&client).await,
                "1 ms before token {k} at {per_second}/s"
            );
            tokio::time::sleep_until(spent + due).await;
            assert!(
                served(&client).await,
                "token {k} at {per_second}/s, due after {due:?}"
            );
            assert!(
                !served(&client).await,
                "one token at a time at {per_second}/s"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_manual_clock_moves_the_limiter() {
    let mut config = Config::default();
    config
        .rate_limits
        .per_second
        .insert("GetAsyncEventStatus".into(), 2);
    let clock = ManualClock::starting_now();
    let emulator = Emulator::builder()
        .config(config)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let client = TestClient::new(&emulator, clock.clone());
    assert!(served(&client).await && served(&client).await);
    assert!(!served(&client).await);
    // Tokio's clock moving refills nothing: the limiter reads the injected clock.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(!served(&client).await);
    clock.advance(Duration::from_millis(500));
    assert!(served(&client).await);
    assert!(!served(&client).await);
}

async fn admin(
    emulator: &scf_emulator::RunningEmulator,
    method: &str,
    route: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let mut stream = tokio::net::TcpStream::connect(emulator.local_addr())
        .await
        .unwrap();
    let request = format!(
        "{method} /__emulator/{route} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        emulator.endpoint(),
        body.len()
    );
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response[9..12].parse().unwrap();
    let json = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    (
        status,
        serde_json::from_str(json).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn the_admin_path_is_off_unless_asked_for() {
    let closed = Emulator::builder().start().await.unwrap();
    let (status, body) = admin(&closed, "POST", "faults", r#"{"kind":"internal_error"}"#).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["Response"]["Error"]["Code"],
        "AuthFailure.InvalidAuthorization"
    );

    let clock = ManualClock::starting_now();
    let open = Emulator::builder()
        .admin(true)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let client = TestClient::new(&open, clock.clone());
    let (status, _) = admin(
        &open,
        "POST",
        "faults",
        r#"{"kind":"internal_error","action":"GetAsyncEventStatus","times":1}"#,
    )
    .await;
    assert_eq!(status, 200);
    let (_, listed) = admin(&open, "GET", "faults", "").await;
    assert_eq!(listed["faults"][0]["kind"], "internal_error");
    assert_eq!(
        client.status("x").await.code().as_deref(),
        Some("InternalError")
    );

    assert_eq!(
        admin(&open, "PUT", "clock-offset", r#"{"seconds":400}"#)
            .await
            .0,
        200
    );
    assert_eq!(
        client.status("x").await.code().as_deref(),
        Some("AuthFailure.SignatureExpire")
    );
    assert_eq!(
        admin(&open, "PUT", "clock-offset", r#"{"seconds":0}"#)
            .await
            .0,
        200
    );

    assert_eq!(
        admin(&open, "PUT", "visibility-delay", r#"{"millis":1000}"#)
            .await
            .0,
        200
    );
    let id = client.invoke_async("hello", None).await;
    assert_eq!(
        client.status(&id).await.code().as_deref(),
        Some("ResourceNotFound.AsyncEvent")
    );
    assert_eq!(admin(&open, "GET", "stats", "").await.1["events"], 1);

    assert_eq!(admin(&open, "POST", "faults", "{").await.0, 400);
    assert_eq!(admin(&open, "GET", "nothing", "").await.0, 404);
    assert_eq!(
        admin(&open, "DELETE", "faults", "").await.1["faults"],
        json!([])
    );
}
