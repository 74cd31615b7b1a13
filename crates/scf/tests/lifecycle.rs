//! The facade against the emulator: waiting, listing and the blocking client.
//!
//! The async tests run on simulated time: the emulator and the client share one paused runtime, both
//! read wall time from clocks that follow it, so events that last seconds and waits of minutes take no
//! real time, and every wait ends exactly when it is due.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scf::model::{ErrorCode, EventStatus};
use scf::{Client, ProxyConfig, RetryPolicy, WaitErrorKind, WaitOptions};
use scf_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator, Fault, FaultRule};
use tokio::time::Instant;

mod common;
use common::{builder, context, emulator, real_time_builder};

fn quick() -> WaitOptions {
    WaitOptions {
        min_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
        not_found_grace: Duration::from_secs(2),
        ..WaitOptions::default()
    }
}

/// Every poll's elapsed time and status, as the progress callback saw them.
type Seen = Arc<Mutex<Vec<(Duration, Option<EventStatus>)>>>;

fn recording(options: WaitOptions) -> (WaitOptions, Seen) {
    let seen = Seen::default();
    let keep = Arc::clone(&seen);
    let options = options.on_progress(move |progress| {
        keep.lock()
            .unwrap()
            .push((progress.elapsed, progress.status.cloned()));
    });
    (options, seen)
}

#[tokio::test(start_paused = true)]
async fn waits_end_finished_failed_or_aborted_with_their_status_codes() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();

    let (options, seen) = recording(quick());
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
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len() as u32, finished.polls);
    // Running until exactly 400 ms, finished at the first poll after that, which is at most one
    // (jittered) maximum delay later.
    for (elapsed, status) in &seen[..seen.len() - 1] {
        assert!(*elapsed < Duration::from_millis(400), "{seen:?}");
        assert_eq!(status.as_ref(), Some(&EventStatus::Running));
    }
    assert!(finished.elapsed >= Duration::from_millis(400));
    assert!(
        finished.elapsed <= Duration::from_millis(400 + 240),
        "{seen:?}"
    );

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
        .terminate_async_event()
        .function_name("hello")
        .invoke_request_id(&id)
        .send()
        .await
        .unwrap();
    let aborted = waiter.await.unwrap().unwrap();
    assert_eq!(
        (aborted.status, aborted.status_code),
        (EventStatus::Aborted, 439)
    );
    assert!(aborted.elapsed < Duration::from_millis(200 + 240));
}

#[tokio::test(start_paused = true)]
async fn new_events_may_be_invisible_for_a_moment() {
    let emulator = emulator().await;
    emulator.set_visibility_delay(Duration::from_millis(400));
    let client = builder(&emulator).build().unwrap();
    let id = client
        .invoke_async("hello", Some(&context(r#"{"duration_ms": 100}"#)))
        .await
        .unwrap();
    let (options, seen) = recording(quick());
    let outcome = client.wait(&id, options).await.unwrap();
    assert!(outcome.succeeded());
    // Invisible for exactly the first 400 ms, then already finished.
    let seen = seen.lock().unwrap().clone();
    for (elapsed, status) in &seen {
        assert_eq!(
            status.is_none(),
            *elapsed < Duration::from_millis(400),
            "{seen:?}"
        );
    }

    let short_grace = WaitOptions {
        not_found_grace: Duration::from_millis(200),
        ..quick()
    };
    let error = client.wait("no-such-event", short_grace).await.unwrap_err();
    assert_eq!(
        (error.kind(), error.invoke_request_id()),
        (WaitErrorKind::NotFound, "no-such-event")
    );
    // Given up at the first poll past the grace period.
    assert!(error.elapsed() >= Duration::from_millis(200));
    assert!(error.elapsed() <= Duration::from_millis(200 + 240));
}

#[tokio::test(start_paused = true)]
async fn max_wait_bounds_the_whole_wait_and_dropping_it_stops_it() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let id = client
        .invoke_async("hello", Some(&context(r#"{"duration_ms": 60000}"#)))
        .await
        .unwrap();

    let limited = WaitOptions {
        max_wait: Duration::from_millis(400),
        ..quick()
    };
    let started = Instant::now();
    let error = client.wait(&id, limited.clone()).await.unwrap_err();
    assert_eq!(error.kind(), WaitErrorKind::TimedOut);
    assert_eq!(error.last_status(), Some(&EventStatus::Running));
    assert!(error.polls() > 1);
    assert_eq!(started.elapsed(), Duration::from_millis(400));

    // A poll in flight at the deadline does not extend the wait.
    emulator.add_fault(
        FaultRule::always(Fault::Latency { millis: 30_000 }).for_action("GetAsyncEventStatus"),
    );
    let started = Instant::now();
    let error = client.wait(&id, limited).await.unwrap_err();
    assert_eq!((error.kind(), error.polls()), (WaitErrorKind::TimedOut, 1));
    assert_eq!(error.last_status(), None);
    assert_eq!(started.elapsed(), Duration::from_millis(400));
    emulator.clear_faults();

    let started = Instant::now();
    assert!(
        tokio::time::timeout(Duration::from_millis(150), client.wait(&id, quick()))
            .await
            .is_err()
    );
    assert_eq!(started.elapsed(), Duration::from_millis(150));
}

#[tokio::test(start_paused = true)]
async fn two_hundred_waiters_on_one_client_stay_under_the_limit() {
    let emulator = emulator().await;
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
    // 200 polls at 18 per second after a burst of 10: about 10.6 s of simulated time.
    let polls = polls.load(Ordering::SeqCst);
    assert_eq!(polls, 200);
    let rate = f64::from(polls) / elapsed;
    assert!(rate <= 20.0, "{rate:.1} polls per second");
}

#[tokio::test(start_paused = true)]
async fn wait_many_follows_events_from_one_loop_and_a_slow_poll_holds_up_no_other() {
    let emulator = emulator().await;
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
    // The first poll of all takes 10 s to answer; the others must not wait for it.
    emulator.add_fault(
        FaultRule::always(Fault::Latency { millis: 10_000 })
            .for_action("GetAsyncEventStatus")
            .times(1),
    );
    let options = WaitOptions {
        not_found_grace: Duration::from_millis(300),
        ..quick()
    };
    let results = client.wait_many(&ids, options).await;
    assert_eq!(results.len(), 4);
    let mut fast = 0;
    for (result, id) in results.iter().zip(&ids).take(3) {
        let outcome = result.as_ref().unwrap();
        assert_eq!(outcome.invoke_request_id, *id);
        if outcome.elapsed < Duration::from_secs(1) {
            fast += 1;
        } else {
            assert!(outcome.elapsed >= Duration::from_secs(10), "{outcome:?}");
        }
    }
    let missing = results[3].as_ref().unwrap_err();
    assert_eq!(missing.kind(), WaitErrorKind::NotFound);
    // One of the four first polls was the slow one: every other event ended on time.
    let missing_on_time = missing.elapsed() < Duration::from_secs(1);
    assert_eq!(fast + usize::from(missing_on_time), 3, "{results:?}");
}

#[tokio::test(start_paused = true)]
async fn errors_name_the_event_they_concern() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let error = client
        .terminate_async_event()
        .function_name("hello")
        .invoke_request_id("unknown-id")
        .grace_shutdown(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::ResourceNotFoundAsyncEvent));
    assert_eq!(error.action(), "TerminateAsyncEvent");
    assert_eq!(error.invoke_request_id(), Some("unknown-id"));
    assert_eq!(
        error
            .to_string()
            .matches("[InvokeRequestId: unknown-id]")
            .count(),
        1,
        "{error}"
    );
    assert!(error.request_id().is_some());
}

#[tokio::test(start_paused = true)]
async fn settings_not_given_in_code_come_from_the_environment() {
    let emulator = emulator().await;
    let environment = scf::transport::FakeEnvironment::default()
        .with_var("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID)
        .with_var("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY)
        .with_var("TENCENTCLOUD_REGION", "ap-shanghai")
        .with_var("SCF_ENDPOINT", &emulator.url());
    let client = Client::builder()
        .environment(environment.clone())
        .proxy(ProxyConfig::None)
        .clock(scf::transport::time::TokioClock::new())
        .build()
        .unwrap();
    assert_eq!(client.transport().region(), Some("ap-shanghai"));
    let id = client.invoke_async("hello", None).await.unwrap();
    client
        .get_async_event_status()
        .invoke_request_id(&id)
        .send()
        .await
        .unwrap();

    // Without TENCENTCLOUD_REGION the region is ap-guangzhou; a bad SCF_ENDPOINT is a typed error.
    let plain =
        scf::transport::FakeEnvironment::default().with_var("SCF_ENDPOINT", &emulator.url());
    let client = Client::builder().environment(plain).build().unwrap();
    assert_eq!(client.transport().region(), Some(scf::DEFAULT_REGION));
    let bad = environment.with_var("SCF_ENDPOINT", "ftp://example.com");
    let error = Client::builder().environment(bad).build().unwrap_err();
    assert_eq!(error.kind(), scf::ErrorKind::InvalidRequest);
    assert!(error.to_string().contains("SCF_ENDPOINT"), "{error}");
}

#[test]
fn the_blocking_client_needs_no_runtime() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime.block_on(Emulator::builder().start()).unwrap();
    let client = scf::blocking::Client::new(real_time_builder(&emulator)).unwrap();
    let id = client
        .invoke_async("hello", Some(&context(r#"{"duration_ms": 100}"#)))
        .unwrap();
    let status = client.get_async_event_status().invoke_request_id(&id);
    assert_eq!(status.send().unwrap().result.status, EventStatus::Running);
    assert!(client.wait(&id, quick()).unwrap().succeeded());
    let listing = client.list_async_events().function_name("hello");
    assert_eq!(listing.send().unwrap().total_count, 1);
    let second = client
        .invoke_async("hello", Some(&context(r#"{"duration_ms": 100}"#)))
        .unwrap();
    let ids = [id, second];
    let results = client.wait_many(&ids, quick());
    for (result, id) in results.iter().zip(&ids) {
        assert_eq!(&result.as_ref().unwrap().invoke_request_id, id);
    }
    drop(runtime);
}

#[test]
fn the_blocking_client_notices_a_server_closing_idle_connections_between_calls() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(
            Emulator::builder()
                .keep_alive_idle_timeout(Duration::from_secs(1))
                .start(),
        )
        .unwrap();
    // No retries: a request sent on the closed connection would fail the call.
    let client =
        scf::blocking::Client::new(real_time_builder(&emulator).retry(RetryPolicy::disabled()))
            .unwrap();
    let listing = client.list_async_events().function_name("hello");
    assert_eq!(listing.clone().send().unwrap().total_count, 0);
    // The emulator closes the idle connection on its own runtime, in real time: wait until it did.
    let mut waited = 0;
    while emulator.open_connections() > 0 {
        assert!(
            waited < 3_000,
            "the emulator never closed the idle connection"
        );
        std::thread::sleep(Duration::from_millis(10));
        waited += 1;
    }
    // Let the client's background thread see the close too.
    std::thread::sleep(Duration::from_millis(100));
    client.invoke_async("hello", None).unwrap();
    assert_eq!(listing.send().unwrap().total_count, 1);
    drop(runtime);
}
