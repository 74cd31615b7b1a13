//! Clock-skew repair and client-side rate limiting, against the emulator, on simulated time: both read
//! wall time from clocks that follow the paused runtime.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use scf_emulator::Config;
use scf_model::{ErrorCode, GetAsyncEventStatusRequest, InvokeRequest, ListAsyncEventsRequest};
use scf_transport::{ErrorKind, RetryPolicy};

#[tokio::test(start_paused = true)]
async fn a_server_clock_ten_minutes_off_is_learned_and_the_call_succeeds() {
    for offset in [600, -600] {
        let emulator = common::emulator().await;
        emulator.set_clock_offset(offset);
        // No retries: the re-sign after SignatureExpire is the only second attempt allowed.
        let client = common::builder(&emulator)
            .retry(RetryPolicy::disabled())
            .build()
            .unwrap();
        let listed = client.call(&ListAsyncEventsRequest::new("hello")).await;
        assert!(listed.is_ok(), "offset {offset}: {listed:?}");
        assert!(
            client.clock_offset_secs().abs_diff(offset) <= 2,
            "{}",
            client.clock_offset_secs()
        );
        // Invoke is refused at authentication before it runs, so it may be re-signed too.
        let invoked = client.call(&InvokeRequest::event("hello")).await;
        assert!(invoked.is_ok(), "{invoked:?}");
        // The offset stays learned: the next call needs no second attempt.
        client
            .call(&GetAsyncEventStatusRequest::new(
                invoked.unwrap().result.function_request_id,
            ))
            .await
            .unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn a_small_skew_is_learned_from_the_date_header_alone() {
    let emulator = common::emulator().await;
    emulator.set_clock_offset(120);
    let client = common::builder(&emulator).build().unwrap();
    client
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    assert!(
        client.clock_offset_secs().abs_diff(120) <= 2,
        "{}",
        client.clock_offset_secs()
    );
    emulator.set_clock_offset(0);
    client
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    assert_eq!(
        client.clock_offset_secs(),
        0,
        "forgotten when the clocks agree again"
    );
}

#[tokio::test(start_paused = true)]
async fn skew_is_repaired_once_not_forever() {
    let emulator = common::emulator().await;
    emulator.set_clock_offset(600);
    let client = common::builder(&emulator)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    client
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    // The server clock jumps again after the client learned it: one more re-sign fixes it.
    emulator.set_clock_offset(-600);
    client
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn visibility_delay_surfaces_as_not_found_without_retries() {
    let emulator = common::emulator().await;
    emulator.set_visibility_delay(Duration::from_secs(60));
    let client = common::builder(&emulator).build().unwrap();
    let id = client
        .call(&InvokeRequest::event("hello"))
        .await
        .unwrap()
        .result
        .function_request_id;
    let error = client
        .call(&GetAsyncEventStatusRequest::new(id))
        .await
        .unwrap_err();
    assert_eq!((error.kind(), error.attempts()), (ErrorKind::Api, 1));
    assert_eq!(
        error.code(),
        Some(ErrorCode::ResourceNotFoundAsyncEvent.as_str())
    );
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_1000_calls_never_trips_the_server_limit() {
    // Both sides at 400 requests per second keep the test short; the documented 20/s behaves the same.
    let mut config = Config::default();
    config
        .rate_limits
        .per_second
        .insert("GetAsyncEventStatus".into(), 400);
    let emulator = common::emulator_with(config).await;
    let client = common::builder(&emulator)
        .retry(RetryPolicy::disabled())
        .rate_limits(HashMap::from([("GetAsyncEventStatus".to_owned(), 400)]))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..1000 {
        let client = client.clone();
        calls.spawn(async move {
            client
                .call(&GetAsyncEventStatusRequest::new("x"))
                .await
                .unwrap_err()
        });
    }
    let errors = calls.join_all().await;
    // A burst of 200, then 360 per second: the last call goes out 800 / 360 s after the first.
    let elapsed = started.elapsed().as_secs_f64();
    assert!((elapsed - 800.0 / 360.0).abs() < 0.01, "{elapsed}");
    let throttled = errors
        .iter()
        .filter(|e| e.code() == Some(ErrorCode::RequestLimitExceeded.as_str()))
        .count();
    assert_eq!(throttled, 0, "the client kept under the server's limit");
    assert!(
        errors
            .iter()
            .all(|e| e.code() == Some(ErrorCode::ResourceNotFoundAsyncEvent.as_str()))
    );
}

#[tokio::test(start_paused = true)]
async fn a_client_faster_than_the_server_adapts_to_its_limit() {
    // The server allows 10 requests per second; the client believes 20.
    let mut config = Config::default();
    config
        .rate_limits
        .per_second
        .insert("GetAsyncEventStatus".into(), 10);
    let emulator = common::emulator_with(config).await;
    let client = common::builder(&emulator)
        .retry(RetryPolicy::disabled())
        .rate_limits(HashMap::from([("GetAsyncEventStatus".to_owned(), 20)]))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let end = started + Duration::from_secs(60);
    let mut callers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let client = client.clone();
        callers.spawn(async move {
            // (sent after the first second, throttled after the first second)
            let (mut sent, mut throttled) = (0u32, 0u32);
            while tokio::time::Instant::now() < end {
                let error = client
                    .call(&GetAsyncEventStatusRequest::new("x"))
                    .await
                    .unwrap_err();
                if started.elapsed() > Duration::from_secs(1) {
                    sent += 1;
                    throttled +=
                        u32::from(error.code() == Some(ErrorCode::RequestLimitExceeded.as_str()));
                }
            }
            (sent, throttled)
        });
    }
    let (sent, throttled) = callers
        .join_all()
        .await
        .into_iter()
        .fold((0, 0), |(s, t), (sent, throttled)| {
            (s + sent, t + throttled)
        });
    let share = f64::from(throttled) / f64::from(sent);
    assert!(share <= 0.05, "{throttled} of {sent} throttled");
    // It still uses most of what the server allows.
    assert!(f64::from(sent) / 59.0 > 8.0, "{sent} requests in 59 s");
}
