//! Retries, timeouts and outcomes under every fault the emulator can inject, on simulated time: the
//! emulator and the client share one paused runtime, so latency, backoff and timeouts take no real time
//! and happen exactly when they are due.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use scf_emulator::{Fault, FaultRule};
use scf_model::{ErrorCode, GetAsyncEventStatusRequest, InvokeRequest, ListAsyncEventsRequest};
use scf_transport::{Client, Endpoint, ErrorKind, RetryPolicy, Timeouts};
use tokio::time::Instant;

fn list() -> ListAsyncEventsRequest {
    ListAsyncEventsRequest::new("hello")
}

#[tokio::test(start_paused = true)]
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
        // Two failed attempts cost two retries from the budget.
        assert_eq!(client.retry_budget(), 500 - 2 * 5, "{fault:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn throttling_slows_the_client_down() {
    let emulator = common::emulator().await;
    let client = common::builder(&emulator)
        .retry(RetryPolicy::disabled())
        .rate_limits(HashMap::from([("ListAsyncEvents".to_owned(), 20)]))
        .build()
        .unwrap();
    client.call(&list()).await.unwrap();
    assert_eq!(client.send_rate("scf", "ListAsyncEvents"), Some(18.0));

    emulator
        .add_fault(FaultRule::always(Fault::RequestLimitExceeded).for_action("ListAsyncEvents"));
    let error = client.call(&list()).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::RequestLimitExceeded.as_str()));
    let rate = client.send_rate("scf", "ListAsyncEvents").unwrap();
    assert!((rate - 12.6).abs() < 1e-9, "70% of 18: {rate}");

    // The burst is spent by the throttle: the next call waits exactly one slot at the lowered rate.
    let started = Instant::now();
    client.call(&list()).await.unwrap_err();
    let waited = started.elapsed().as_secs_f64();
    assert!(
        (waited - 1.0 / 12.6).abs() < 0.002,
        "waited {waited} s, one slot at 12.6/s"
    );
    // A throttle of a request sent at the lowered rate lowers it again, to 70% of what it had recovered to.
    let rate = client.send_rate("scf", "ListAsyncEvents").unwrap();
    assert!(rate < 10.0 && rate > 12.6 * 0.7, "{rate}");

    // Without throttling it recovers, gradually, to the configured rate.
    emulator.clear_faults();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let recovering = client.send_rate("scf", "ListAsyncEvents").unwrap();
    assert!(recovering > rate && recovering < 18.0, "{recovering}");
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(client.send_rate("scf", "ListAsyncEvents"), Some(18.0));
    let started = Instant::now();
    for _ in 0..10 {
        client.call(&list()).await.unwrap();
    }
    assert_eq!(started.elapsed(), Duration::ZERO, "the full burst is back");
}

#[tokio::test(start_paused = true)]
async fn invoke_is_not_resent_once_it_may_have_arrived() {
    // (fault, kind, attempts, outcome unknown, times the emulator ran it)
    let cases = [
        (Fault::DropConnection, ErrorKind::Network, 1, true, 1),
        (Fault::TruncatedBody, ErrorKind::Network, 1, true, 1),
        (
            Fault::HttpStatus { status: 502 },
            ErrorKind::HttpStatus,
            1,
            true,
            0,
        ),
        (Fault::InternalError, ErrorKind::Api, 1, true, 0),
    ];
    for (fault, kind, attempts, unknown, executed) in cases {
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
            (kind, attempts, unknown),
            "{fault:?}: {error}"
        );
        assert!(
            error
                .to_string()
                .contains("whether it took effect is unknown"),
            "{error}"
        );
        let listed = client.call(&list()).await.unwrap();
        assert_eq!(
            listed.total_count, executed,
            "{fault:?}: the emulator ran it {executed} times"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn invoke_refused_for_its_rate_is_sent_again() {
    let emulator = common::emulator().await;
    let client = common::builder(&emulator).build().unwrap();
    emulator.add_fault(
        FaultRule::always(Fault::RequestLimitExceeded)
            .for_action("Invoke")
            .times(2),
    );
    // The refusal proves it did not run, so even a non-idempotent action may go again.
    client.call(&InvokeRequest::event("hello")).await.unwrap();
    assert_eq!(client.call(&list()).await.unwrap().total_count, 1);

    emulator.add_fault(FaultRule::always(Fault::RequestLimitExceeded).for_action("Invoke"));
    let error = client
        .call(&InvokeRequest::event("hello"))
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.attempts(), error.outcome_unknown()),
        (Some(ErrorCode::RequestLimitExceeded.as_str()), 4, false)
    );
    assert_eq!(client.call(&list()).await.unwrap().total_count, 1);
}

#[tokio::test(start_paused = true)]
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
    // Refused connects fail at once; the time is the three backoffs, each at most its bound.
    assert!(
        started.elapsed() <= Duration::from_millis(5 + 10 + 20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn slow_answers_time_out_per_attempt_and_per_operation() {
    let emulator = common::emulator().await;
    let timeouts = Timeouts {
        connect: Duration::from_secs(1),
        attempt: Duration::from_millis(200),
        operation: Duration::from_millis(500),
    };
    let client = common::builder(&emulator)
        .timeouts(timeouts)
        .build()
        .unwrap();

    // One slow answer: the first attempt times out at 200 ms, the second succeeds.
    emulator.add_fault(
        FaultRule::always(Fault::Latency { millis: 300 })
            .for_action("ListAsyncEvents")
            .times(1),
    );
    let started = Instant::now();
    client.call(&list()).await.unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(200) && elapsed <= Duration::from_millis(210),
        "one attempt timeout and one backoff of at most 10 ms: {elapsed:?}"
    );

    // Every answer slow: attempts time out until the operation deadline, which ends the call exactly.
    emulator
        .add_fault(FaultRule::always(Fault::Latency { millis: 300 }).for_action("ListAsyncEvents"));
    let started = Instant::now();
    let error = client.call(&list()).await.unwrap_err();
    assert_eq!((error.kind(), error.attempts()), (ErrorKind::Timeout, 3));
    assert_eq!(started.elapsed(), Duration::from_millis(500));

    // Invoke is not sent again after a timeout: it may have run.
    emulator.add_fault(FaultRule::always(Fault::Latency { millis: 300 }).for_action("Invoke"));
    let started = Instant::now();
    let error = client
        .call(&InvokeRequest::event("hello"))
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.attempts(), error.outcome_unknown()),
        (ErrorKind::Timeout, 1, true)
    );
    assert_eq!(started.elapsed(), Duration::from_millis(200));
}

#[tokio::test(start_paused = true)]
async fn dropping_the_future_stops_the_call() {
    let emulator = common::emulator().await;
    let (recording, requests) = common::recording();
    let client = common::builder(&emulator)
        .transport(recording)
        .build()
        .unwrap();
    emulator.add_fault(FaultRule::always(Fault::Latency { millis: 5_000 }));
    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_millis(100), client.call(&list())).await;
    assert!(outcome.is_err());
    assert_eq!(started.elapsed(), Duration::from_millis(100));
    // Long after, nothing more was sent: no attempt outlived the dropped call.
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(requests.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
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

#[tokio::test(start_paused = true)]
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

/// Hands back the first request unsent, as hyper does when a connection closes before the request went
/// out, then sends the rest through `inner`.
struct FirstNotSent {
    inner: scf_transport::HyperTransport,
    handed_back: std::sync::atomic::AtomicBool,
}

impl scf_transport::Transport for FirstNotSent {
    fn send(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> scf_transport::BoxFuture<
        '_,
        Result<http::Response<bytes::Bytes>, scf_transport::TransportError>,
    > {
        if !self
            .handed_back
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return Box::pin(async {
                Err(scf_transport::TransportError::new(
                    scf_transport::TransportErrorKind::NotSent,
                    "connection closed before the request was written",
                ))
            });
        }
        self.inner.send(request)
    }
}

#[tokio::test(start_paused = true)]
async fn an_invoke_handed_back_unsent_is_sent_again_at_once() {
    let emulator = common::emulator().await;
    let (recording, _) = common::recording();
    let client = common::builder(&emulator)
        .transport(FirstNotSent {
            inner: recording.inner,
            handed_back: Default::default(),
        })
        .build()
        .unwrap();
    let started = Instant::now();
    client.call(&InvokeRequest::event("hello")).await.unwrap();
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "no backoff: it never left"
    );
    assert_eq!(client.retry_budget(), 500, "not paid from the budget");
    assert_eq!(client.call(&list()).await.unwrap().total_count, 1);
}
