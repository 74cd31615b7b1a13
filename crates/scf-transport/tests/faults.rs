//! Retries, timeouts and outcomes under every fault the emulator can inject.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use scf_emulator::{Fault, FaultRule};
use scf_model::{ErrorCode, GetAsyncEventStatusRequest, InvokeRequest, ListAsyncEventsRequest};
use scf_transport::{Client, Endpoint, ErrorKind, RetryPolicy, Timeouts};

fn list() -> ListAsyncEventsRequest {
    ListAsyncEventsRequest::new("hello")
}

#[tokio::test]
async fn idempotent_calls_retry_through_every_transient_fault() {
    let faults = [
        Fault::RequestLimitExceeded,
        Fault::InternalError,
        Fault::HttpStatus { status: 503 },
        Fault::HttpStatus { status: 502 },
        Fault::DropConnection,
        Fault::TruncatedBody,
    ];
    for fault in faults {
        let emulator = common::emulator().await;
        let client = common::builder(&emulator).build().unwrap();
        emulator.add_fault(
            FaultRule::always(fault.clone())
                .for_action("ListAsyncEvents")
                .times(2),
        );
        let listed = client.call(&list()).await;
        assert!(listed.is_ok(), "{fault:?}: {listed:?}");
    }
}

#[tokio::test]
async fn throttling_slows_the_client_down() {
    let emulator = common::emulator().await;
    let client = common::builder(&emulator).build().unwrap();
    emulator.add_fault(
        FaultRule::always(Fault::RequestLimitExceeded)
            .for_action("ListAsyncEvents")
            .times(1),
    );
    client.call(&list()).await.unwrap();
    emulator
        .add_fault(FaultRule::always(Fault::RequestLimitExceeded).for_action("ListAsyncEvents"));
    let error = client.call(&list()).await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::RequestLimitExceeded));
    assert_eq!(error.attempts(), 4);
}

#[tokio::test]
async fn invoke_is_not_resent_once_it_may_have_arrived() {
    let cases = [
        (Fault::DropConnection, ErrorKind::Network, true, 1),
        (Fault::TruncatedBody, ErrorKind::Network, true, 1),
        (
            Fault::HttpStatus { status: 502 },
            ErrorKind::HttpStatus,
            true,
            0,
        ),
        (Fault::InternalError, ErrorKind::Api, true, 0),
        (Fault::RequestLimitExceeded, ErrorKind::Api, false, 0),
    ];
    for (fault, kind, unknown, executed) in cases {
        let emulator = common::emulator().await;
        let client = common::builder(&emulator).build().unwrap();
        emulator.add_fault(
            FaultRule::always(fault.clone())
                .for_action("Invoke")
                .times(1),
        );
        let outcome = client.call(&InvokeRequest::event("hello")).await;
        let Err(error) = outcome else {
            panic!("{fault:?} did not fail: {outcome:?}");
        };
        assert_eq!(
            (error.kind(), error.attempts(), error.outcome_unknown()),
            (kind, 1, unknown),
            "{fault:?}: {error}"
        );
        if unknown {
            assert!(
                error
                    .to_string()
                    .contains("whether it took effect is unknown"),
                "{error}"
            );
        }
        let listed = client.call(&list()).await.unwrap();
        assert_eq!(
            listed.total_count, executed,
            "{fault:?}: the emulator ran it {executed} times"
        );
    }
}

#[tokio::test]
async fn connect_failures_are_retried_even_for_invoke() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder()
        .credentials(common::credentials())
        .endpoint(Endpoint::url(&format!("http://127.0.0.1:{port}")).unwrap())
        .region("ap-guangzhou")
        .retry(RetryPolicy {
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .call(&InvokeRequest::event("hello"))
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.attempts(), error.outcome_unknown()),
        (ErrorKind::Connect, 4, false)
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn slow_answers_time_out_per_attempt_and_per_operation() {
    let emulator = common::emulator().await;
    let timeouts = Timeouts {
        connect: Duration::from_secs(1),
        attempt: Duration::from_millis(200),
        operation: Duration::from_millis(900),
    };
    let client = common::builder(&emulator)
        .timeouts(timeouts)
        .build()
        .unwrap();
    emulator.add_fault(
        FaultRule::always(Fault::Latency { millis: 500 })
            .for_action("ListAsyncEvents")
            .times(1),
    );
    client.call(&list()).await.unwrap();

    emulator
        .add_fault(FaultRule::always(Fault::Latency { millis: 500 }).for_action("ListAsyncEvents"));
    let started = Instant::now();
    let error = client.call(&list()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );

    emulator.add_fault(FaultRule::always(Fault::Latency { millis: 500 }).for_action("Invoke"));
    let error = client
        .call(&InvokeRequest::event("hello"))
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.attempts(), error.outcome_unknown()),
        (ErrorKind::Timeout, 1, true)
    );
}

#[tokio::test]
async fn dropping_the_future_stops_the_call() {
    let emulator = common::emulator().await;
    let client = common::builder(&emulator).build().unwrap();
    emulator.add_fault(FaultRule::always(Fault::Latency { millis: 5_000 }));
    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_millis(100), client.call(&list())).await;
    assert!(outcome.is_err());
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[tokio::test]
async fn the_retry_budget_stops_a_retry_storm() {
    let emulator = common::emulator().await;
    let client = common::builder(&emulator)
        .retry(RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            budget_capacity: 20,
            ..RetryPolicy::default()
        })
        .without_rate_limits()
        .build()
        .unwrap();
    emulator.add_fault(FaultRule::always(Fault::InternalError).for_action("GetAsyncEventStatus"));
    let mut attempts = 0;
    for _ in 0..10 {
        attempts += client
            .call(&GetAsyncEventStatusRequest::new("x"))
            .await
            .unwrap_err()
            .attempts();
    }
    // 20 tokens pay for 4 retries; after that every call makes a single attempt.
    assert_eq!(attempts, 10 + 4);
    assert_eq!(client.retry_budget(), 0);
}

#[tokio::test]
async fn clones_share_the_budget() {
    let emulator = common::emulator().await;
    let client = common::builder(&emulator).build().unwrap();
    let clone = client.clone();
    emulator.add_fault(
        FaultRule::always(Fault::InternalError)
            .for_action("ListAsyncEvents")
            .times(1),
    );
    clone.call(&list()).await.unwrap();
    assert_eq!(client.retry_budget(), 500 - 5);
}
