//! The function waiter against the emulator: `Creating`/`Updating`/`Publishing` → `Active` on the
//! emulator's clock, a scripted `CreateFailed`, missing functions, timeouts, the rate limit shared by
//! many waiters, and the blocking client.
//!
//! The async tests run on simulated time: the emulator and the client share one paused runtime, and the
//! emulator's clock follows it, so a function becomes `Active` exactly `function_ready_ms` (1 s by
//! default) after it was created, and no test waits for real.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scf::model::{Code, ErrorCode, Tag};
use scf::{
    Client, FunctionRef, FunctionStatus, FunctionWaitErrorKind, FunctionWaitOptions, RetryPolicy,
};
use scf_emulator::{Config, Emulator};
use tokio::time::Instant;

mod common;
use common::{builder, emulator, emulator_builder, real_time_builder};

/// How long the emulator takes to make a function `Active`, by default.
const READY: Duration = Duration::from_millis(1000);

fn quick() -> FunctionWaitOptions {
    FunctionWaitOptions {
        min_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
        ..FunctionWaitOptions::default()
    }
}

/// Every answered poll's elapsed time and status, as the progress callback saw them.
type Seen = Arc<Mutex<Vec<(Duration, FunctionStatus)>>>;

fn recording(options: FunctionWaitOptions) -> (FunctionWaitOptions, Seen) {
    let seen = Seen::default();
    let keep = Arc::clone(&seen);
    let options = options.on_progress(move |progress| {
        keep.lock()
            .unwrap()
            .push((progress.elapsed, progress.status.clone()));
    });
    (options, seen)
}

/// Code kept by reference, as COS code is: the emulator stores it as given.
fn cos_code() -> Code {
    Code::default()
        .cos_bucket_name("code")
        .cos_object_name("/function.zip")
        .cos_bucket_region("ap-guangzhou")
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::default().key(key).value(value)
}

async fn create(client: &Client, name: &str, tags: Vec<Tag>) {
    let mut create = client
        .create_function()
        .function_name(name)
        .code(cos_code())
        .runtime("Python3.9")
        .handler("index.main");
    if !tags.is_empty() {
        create = create.tags(tags);
    }
    create.send().await.unwrap();
}

/// Checks that every poll but the last saw `transient` before `READY`, and the last one was due.
fn assert_transient_until_ready(seen: &Seen, transient: &FunctionStatus, last: &FunctionStatus) {
    let seen = seen.lock().unwrap().clone();
    let (final_poll, earlier) = seen.split_last().unwrap();
    for (elapsed, status) in earlier {
        assert!(*elapsed < READY, "{seen:?}");
        assert_eq!(status, transient, "{seen:?}");
    }
    assert_eq!(&final_poll.1, last, "{seen:?}");
    // The first poll after the function was ready, at most one (jittered) maximum delay later.
    assert!(final_poll.0 >= READY, "{seen:?}");
    assert!(
        final_poll.0 <= READY + Duration::from_millis(240),
        "{seen:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_new_function_is_creating_then_active_and_updating_then_active_after_an_update() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();

    create(&client, "waited", Vec::new()).await;
    let (options, seen) = recording(quick());
    let active = client
        .wait_until_function_active("waited", options)
        .await
        .unwrap();
    assert_eq!(
        (
            active.function.function_name.as_str(),
            active.function.status.as_str()
        ),
        ("waited", "Active")
    );
    assert!(active.function.request_id.is_some());
    assert_eq!(seen.lock().unwrap().len() as u32, active.polls);
    assert!(active.polls > 1);
    assert_transient_until_ready(&seen, &FunctionStatus::Creating, &FunctionStatus::Active);

    client
        .update_function_configuration()
        .function_name("waited")
        .description("updated")
        .send()
        .await
        .unwrap();
    let (options, seen) = recording(quick());
    let updated = client
        .wait_until_function_active("waited", options)
        .await
        .unwrap();
    assert_eq!(updated.function.description, "updated");
    assert_transient_until_ready(&seen, &FunctionStatus::Updating, &FunctionStatus::Active);
}

#[tokio::test(start_paused = true)]
async fn a_published_version_is_publishing_then_active() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    create(&client, "versioned", Vec::new()).await;
    client
        .wait_until_function_active("versioned", quick())
        .await
        .unwrap();
    let version = client
        .publish_version()
        .function_name("versioned")
        .send()
        .await
        .unwrap()
        .function_version;
    let (options, seen) = recording(quick());
    let published = client
        .wait_until_function_active(FunctionRef::new("versioned").qualifier(&version), options)
        .await
        .unwrap();
    assert_eq!(published.function.function_version, version);
    assert_transient_until_ready(&seen, &FunctionStatus::Publishing, &FunctionStatus::Active);
}

#[tokio::test(start_paused = true)]
async fn a_scripted_create_failure_ends_the_wait_with_its_status_and_reasons() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    create(
        &client,
        "broken",
        vec![tag("scf-emulator/status", "CreateFailed")],
    )
    .await;
    let (options, seen) = recording(quick());
    let error = client
        .wait_until_function_active("broken", options)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), FunctionWaitErrorKind::Failed);
    assert_eq!(error.function().name(), "broken");
    assert_eq!(error.status(), Some(FunctionStatus::CreateFailed));
    assert_transient_until_ready(
        &seen,
        &FunctionStatus::Creating,
        &FunctionStatus::CreateFailed,
    );
    let reason = error.status_reasons().first().unwrap();
    assert!(!reason.error_code.is_empty(), "{reason:?}");
    assert!(!reason.error_message.is_empty(), "{reason:?}");
    let last = error.last_function().unwrap();
    assert_eq!(error.request_id(), last.request_id.as_deref());
    assert!(error.request_id().is_some());
    assert!(error.call_error().is_none());
    let message = error.to_string();
    for part in [
        "broken",
        "CreateFailed",
        &reason.error_code,
        &reason.error_message,
        error.request_id().unwrap(),
    ] {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_missing_function_or_namespace_ends_the_wait_at_the_first_poll() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    let started = Instant::now();
    let error = client
        .wait_until_function_active("no-such-function", quick())
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.polls()),
        (FunctionWaitErrorKind::NotFound, 1)
    );
    assert_eq!(started.elapsed(), Duration::ZERO);
    let call = error.call_error().unwrap();
    assert_eq!(call.code(), Some(ErrorCode::ResourceNotFoundFunction));
    assert_eq!(error.request_id(), call.request_id());
    assert!(error.request_id().is_some());
    assert_eq!(error.status(), None);
    assert!(error.to_string().contains("no-such-function"), "{error}");

    create(&client, "elsewhere", Vec::new()).await;
    let in_another_namespace = FunctionRef::new("elsewhere").namespace("no-such-namespace");
    let error = client
        .wait_until_function_active(in_another_namespace, quick())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), FunctionWaitErrorKind::NotFound, "{error}");
}

#[tokio::test(start_paused = true)]
async fn max_wait_ends_a_wait_with_the_status_last_seen() {
    let emulator = emulator().await;
    let client = builder(&emulator).build().unwrap();
    create(&client, "slow", Vec::new()).await;
    let limited = FunctionWaitOptions {
        max_wait: Duration::from_millis(400),
        ..quick()
    };
    let started = Instant::now();
    let error = client
        .wait_until_function_active("slow", limited)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), FunctionWaitErrorKind::TimedOut);
    assert_eq!(error.status(), Some(FunctionStatus::Creating));
    assert!(error.polls() > 1);
    assert_eq!(started.elapsed(), Duration::from_millis(400));
    assert_eq!(error.elapsed(), Duration::from_millis(400));
    assert!(error.to_string().contains("still Creating"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn many_function_waiters_on_one_client_stay_under_the_limit() {
    // GetFunction has no documented limit; both sides are given the same one.
    let limit = 20;
    let mut config = Config::default();
    config
        .rate_limits
        .per_second
        .insert("GetFunction".to_owned(), limit);
    let emulator = emulator_builder().config(config).start().await.unwrap();
    // No retries: a single RequestLimitExceeded from the emulator would fail a waiter.
    let client = builder(&emulator)
        .retry(RetryPolicy::disabled())
        .rate_limits(HashMap::from([("GetFunction".to_owned(), limit)]))
        .build()
        .unwrap();
    create(&client, "popular", Vec::new()).await;
    let polls = Arc::new(AtomicU32::new(0));
    let started = Instant::now();
    let mut waiters = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let client = client.clone();
        let counter = Arc::clone(&polls);
        // Unlimited, these would poll 10,000 times a second.
        let options = FunctionWaitOptions {
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(10),
            ..FunctionWaitOptions::default()
        }
        .on_progress(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        waiters.spawn(async move { client.wait_until_function_active("popular", options).await });
    }
    let outcomes = waiters.join_all().await;
    let elapsed = started.elapsed().as_secs_f64();
    assert!(
        outcomes.iter().all(Result::is_ok),
        "{:?}",
        outcomes.iter().find(|o| o.is_err())
    );
    let polls = polls.load(Ordering::SeqCst);
    assert!(polls >= 100);
    let rate = f64::from(polls) / elapsed;
    assert!(rate <= f64::from(limit), "{rate:.1} polls per second");
}

#[test]
fn the_blocking_client_waits_for_functions_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime.block_on(Emulator::builder().start()).unwrap();
    let client = scf::blocking::Client::new(real_time_builder(&emulator)).unwrap();
    client
        .create_function()
        .function_name("blocking")
        .code(cos_code())
        .send()
        .unwrap();
    let active = client
        .wait_until_function_active("blocking", quick())
        .unwrap();
    assert_eq!(active.function.status, "Active");
    let error = client
        .wait_until_function_active("no-such-function", quick())
        .unwrap_err();
    assert_eq!(error.kind(), FunctionWaitErrorKind::NotFound);
    drop(runtime);
}
