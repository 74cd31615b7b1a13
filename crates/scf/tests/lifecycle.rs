//! The facade against the emulator: waiting, listing and the blocking client.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use scf::model::{ErrorCode, EventStatus, ListAsyncEventsRequest};
use scf::{Client, Credentials, Endpoint, ProxyConfig, RetryPolicy, WaitError, WaitOptions};
use scf_emulator::{Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator, RunningEmulator};

fn builder(emulator: &RunningEmulator) -> scf::ClientBuilder {
    Client::builder()
        .endpoint(Endpoint::url(&emulator.url()).unwrap())
        .credentials(Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).unwrap())
        .proxy(ProxyConfig::None)
}

fn quick() -> WaitOptions {
    WaitOptions {
        min_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
        not_found_grace: Duration::from_secs(2),
        ..WaitOptions::default()
    }
}

fn context(directive: &str) -> String {
    format!(r#"{{"scf_emulator": {directive}}}"#)
}

#[tokio::test]
async fn waits_end_finished_failed_or_aborted_with_their_status_codes() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = builder(&emulator).build().unwrap();

    let polls = Arc::new(AtomicU32::new(0));
    let seen = Arc::clone(&polls);
    let options = quick().on_progress(move |progress| {
        seen.store(progress.polls, Ordering::SeqCst);
    });
    let id = client
        .invoke_async("hello", Some(&context(r#"{"duration_ms": 400}"#)))
        .await
        .unwrap();
    let finished = client.wait(&id, options).await.unwrap();
    assert!(finished.succeeded());
    assert_eq!(
        (finished.status_code, finished.invoke_request_id.as_str()),
        (200, id.as_str())
    );
    assert!(finished.polls >= 2 && polls.load(Ordering::SeqCst) == finished.polls);

    let id = client
        .invoke_async(
            "hello",
            Some(&context(
                r#"{"duration_ms": 200, "outcome": "failed", "status_code": 430}"#,
            )),
        )
        .await
        .unwrap();
    let failed = client.wait(&id, quick()).await.unwrap();
    assert_eq!(
        (failed.status, failed.status_code),
        (EventStatus::Failed, 430)
    );

    let id = client
        .invoke_async("hello", Some(&context(r#"{"duration_ms": 60000}"#)))
        .await
        .unwrap();
    let waiter = {
        let (client, id) = (client.clone(), id.clone());
        tokio::spawn(async move { client.wait(&id, quick()).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    client
        .terminate_async_event("hello", &id, false)
        .await
        .unwrap();
    let aborted = waiter.await.unwrap().unwrap();
    assert_eq!(
        (aborted.status, aborted.status_code),
        (EventStatus::Aborted, 439)
    );
}

#[tokio::test]
async fn new_events_may_be_invisible_for_a_moment() {
    let emulator = Emulator::builder().start().await.unwrap();
    emulator.set_visibility_delay(Duration::from_millis(400));
    let client = builder(&emulator).build().unwrap();
    let id = client
        .invoke_async("hello", Some(&context(r#"{"duration_ms": 100}"#)))
        .await
        .unwrap();
    let outcome = client.wait(&id, quick()).await.unwrap();
    assert!(outcome.succeeded());

    let short_grace = WaitOptions {
        not_found_grace: Duration::from_millis(200),
        ..quick()
    };
    match client.wait("no-such-event", short_grace).await {
        Err(WaitError::NotFound {
            invoke_request_id, ..
        }) => assert_eq!(invoke_request_id, "no-such-event"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn max_wait_and_cancellation_end_waiting_promptly() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = builder(&emulator).build().unwrap();
    let id = client
        .invoke_async("hello", Some(&context(r#"{"duration_ms": 60000}"#)))
        .await
        .unwrap();

    let started = Instant::now();
    let limited = WaitOptions {
        max_wait: Duration::from_millis(400),
        ..quick()
    };
    match client.wait(&id, limited).await {
        Err(WaitError::TimedOut { last, polls, .. }) => {
            assert_eq!((last, polls > 1), (EventStatus::Running, true))
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_millis(1000));

    let started = Instant::now();
    assert!(
        tokio::time::timeout(Duration::from_millis(150), client.wait(&id, quick()))
            .await
            .is_err()
    );
    assert!(started.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn two_hundred_waiters_on_one_client_stay_under_the_limit() {
    let emulator = Emulator::builder().start().await.unwrap();
    // No retries: a single RequestLimitExceeded would fail a waiter.
    let client = builder(&emulator)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let mut ids = Vec::new();
    for _ in 0..200 {
        ids.push(
            client
                .invoke_async("hello", Some(&context(r#"{"duration_ms": 1}"#)))
                .await
                .unwrap(),
        );
    }
    let polls = Arc::new(AtomicU32::new(0));
    let started = Instant::now();
    let mut waiters = tokio::task::JoinSet::new();
    for id in ids {
        let client = client.clone();
        let counter = Arc::clone(&polls);
        let options = quick().on_progress(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        waiters.spawn(async move { client.wait(&id, options).await });
    }
    let outcomes = waiters.join_all().await;
    let elapsed = started.elapsed().as_secs_f64();
    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, Ok(o) if o.succeeded())),
        "{:?}",
        outcomes.iter().find(|o| o.is_err())
    );
    let rate = f64::from(polls.load(Ordering::SeqCst)) / elapsed;
    assert!(rate <= 20.0, "{rate:.1} polls per second");
}

#[tokio::test]
async fn wait_many_follows_events_from_one_loop() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = builder(&emulator).build().unwrap();
    let mut ids = Vec::new();
    for duration in [100, 300, 200] {
        ids.push(
            client
                .invoke_async(
                    "hello",
                    Some(&context(&format!(r#"{{"duration_ms": {duration}}}"#))),
                )
                .await
                .unwrap(),
        );
    }
    ids.push("missing".to_owned());
    let options = WaitOptions {
        not_found_grace: Duration::from_millis(300),
        ..quick()
    };
    let results = client.wait_many(&ids, options).await;
    assert_eq!(results.len(), 4);
    for (result, id) in results.iter().zip(&ids).take(3) {
        assert_eq!(result.as_ref().unwrap().invoke_request_id, *id);
    }
    assert!(matches!(results[3], Err(WaitError::NotFound { .. })));
}

#[tokio::test]
async fn listing_pages_through_everything() {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    let emulator = Emulator::builder().config(config).start().await.unwrap();
    let client = builder(&emulator).build().unwrap();
    for _ in 0..45 {
        client.invoke_async("hello", None).await.unwrap();
    }
    let request = ListAsyncEventsRequest {
        limit: Some(10),
        ..ListAsyncEventsRequest::new("hello")
    };
    let events: Vec<_> = client.list_all_async_events(request).collect().await;
    assert_eq!(events.len(), 45);
    let unique: std::collections::HashSet<_> = events
        .iter()
        .map(|e| e.as_ref().unwrap().invoke_request_id.clone())
        .collect();
    assert_eq!(unique.len(), 45);

    let missing = ListAsyncEventsRequest::new("nope");
    let errors: Vec<_> = client.list_all_async_events(missing).collect().await;
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].as_ref().unwrap_err().code(),
        Some(&ErrorCode::ResourceNotFoundFunction)
    );
}

#[tokio::test]
async fn errors_name_the_event_they_concern() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = builder(&emulator).build().unwrap();
    let error = client
        .terminate_async_event("hello", "unknown-id", true)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::ResourceNotFoundAsyncEvent));
    assert_eq!(error.invoke_request_id(), Some("unknown-id"));
    assert!(
        error.to_string().contains("[InvokeRequestId: unknown-id]"),
        "{error}"
    );
    assert!(error.request_id().is_some());
}

#[test]
fn the_blocking_client_needs_no_runtime() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime.block_on(Emulator::builder().start()).unwrap();
    let client = scf::blocking::Client::new(builder(&emulator)).unwrap();
    let id = client
        .invoke_async("hello", Some(&context(r#"{"duration_ms": 100}"#)))
        .unwrap();
    assert_eq!(
        client.get_async_event_status(&id).unwrap().result.status,
        EventStatus::Running
    );
    assert!(client.wait(&id, quick()).unwrap().succeeded());
    assert_eq!(
        client
            .list_async_events(&ListAsyncEventsRequest::new("hello"))
            .unwrap()
            .total_count,
        1
    );
    drop(runtime);
}
