//! Async events in SQLite: paging over many events, counts, the retention sweep, a state directory that
//! outlives the emulator, and a killed emulator that keeps what it acknowledged.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::TestClient;
#[cfg(unix)]
use common::process::{EmulatorProcess, ProcessClient};
use scf_emulator::{Config, Emulator, ManualClock, RunningEmulator};
use serde_json::{Value, json};

/// 2024-12-14 00:00:00 in UTC+8, the service's time zone.
const START_MS: u64 = 1_734_105_600_000;

fn ids(response: &Value) -> Vec<String> {
    response["EventList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["InvokeRequestId"].as_str().unwrap().to_owned())
        .collect()
}

/// A directory of its own under the system's temporary directory, removed when dropped.
struct StateDir(PathBuf);

impl StateDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "scf-emulator-events-{name}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        Self(dir)
    }
}

impl Drop for StateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn start(clock: &ManualClock, state_dir: Option<&StateDir>) -> RunningEmulator {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    config.state_dir = state_dir.map(|dir| dir.0.clone());
    Emulator::builder()
        .config(config)
        .clock(clock.clone())
        .start()
        .await
        .unwrap()
}

async fn list(client: &TestClient, body: Value) -> Value {
    client.post("ListAsyncEvents", body).await.ok()
}

async fn total(client: &TestClient) -> Value {
    list(client, json!({"FunctionName": "hello"})).await["TotalCount"].clone()
}

#[tokio::test]
async fn pages_of_many_events_join_into_the_whole_ordered_list() {
    let clock = ManualClock::new(START_MS);
    let emulator = start(&clock, None).await;
    let client = TestClient::new(&emulator, clock.clone());
    // 130 events 10 ms apart; every third fails after 5 ms, the others run for an hour minus 20·n ms, so
    // running events end in the reverse order of their start.
    let mut started = Vec::new();
    for n in 0..130u64 {
        let context = if n % 3 == 0 {
            json!({"scf_emulator": {"outcome": "failed", "duration_ms": 5}})
        } else {
            json!({"scf_emulator": {"duration_ms": 3_600_000 - 20 * n}})
        };
        started.push(client.invoke_async("hello", Some(context)).await);
        clock.advance(Duration::from_millis(10));
    }
    let failed: Vec<String> = started.iter().step_by(3).cloned().collect();
    let running: Vec<String> = started
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 3 != 0)
        .map(|(_, id)| id.clone())
        .collect();

    for (order, expected) in [
        ("ASC", started.clone()),
        ("DESC", started.iter().rev().cloned().collect()),
    ] {
        let mut walked = Vec::new();
        for offset in (0..140).step_by(17) {
            let page = list(
                &client,
                json!({"FunctionName": "hello", "Order": order, "Offset": offset, "Limit": 17}),
            )
            .await;
            assert_eq!(page["TotalCount"], 130);
            walked.extend(ids(&page));
        }
        assert_eq!(walked, expected, "{order}");
    }

    // By end: the failed events in the order they ended, then the running ones by when they will end.
    let mut by_end = failed.clone();
    by_end.extend(running.iter().rev().cloned());
    let mut walked = Vec::new();
    for offset in (0..130).step_by(100) {
        let page = list(
            &client,
            json!({"FunctionName": "hello", "Orderby": "EndTime", "Order": "ASC", "Offset": offset, "Limit": 100}),
        )
        .await;
        walked.extend(ids(&page));
    }
    assert_eq!(walked, by_end);

    // Filtered counts are counted; the unfiltered one is kept.
    let failures = list(
        &client,
        json!({"FunctionName": "hello", "Status": ["FAILED"], "Order": "ASC", "Limit": 5}),
    )
    .await;
    assert_eq!(failures["TotalCount"], failed.len());
    assert_eq!(ids(&failures), failed[..5]);
    let runs = list(
        &client,
        json!({"FunctionName": "hello", "Status": ["RUNNING"], "Limit": 1}),
    )
    .await;
    assert_eq!(runs["TotalCount"], running.len());
    assert_eq!(ids(&runs), [running.last().unwrap().clone()]);
    let window = json!({"Start": "2024-12-14 00:00:00", "End": "2024-12-14 00:00:01"});
    let first_second = list(
        &client,
        json!({"FunctionName": "hello", "StartTimeInterval": window, "Order": "ASC", "Limit": 100}),
    )
    .await;
    assert_eq!(first_second["TotalCount"], 100);
    assert_eq!(ids(&first_second), started[..100]);
}

#[tokio::test]
async fn invisible_and_expired_events_are_not_counted_and_expired_ones_are_swept() {
    let clock = ManualClock::new(START_MS);
    let emulator = start(&clock, None).await;
    let client = TestClient::new(&emulator, clock.clone());
    for _ in 0..3 {
        client
            .invoke_async(
                "hello",
                Some(json!({"scf_emulator": {"duration_ms": 1000}})),
            )
            .await;
    }
    emulator.set_visibility_delay(Duration::from_millis(500));
    let late = client.invoke_async("hello", None).await;
    assert_eq!(total(&client).await, 3, "the new event is not visible yet");
    clock.advance(Duration::from_millis(500));
    assert_eq!(total(&client).await, 4);
    assert_eq!(
        client.status(&late).await.ok()["Result"]["Status"],
        "RUNNING"
    );

    // The first three ended at +1 s, the late one at +2.5 s: retention is 72 h after the end.
    emulator.set_visibility_delay(Duration::ZERO);
    clock.advance(Duration::from_secs(72 * 3600) + Duration::from_millis(500));
    assert_eq!(total(&client).await, 1, "expired events are not counted");
    assert_eq!(emulator.event_count(), 4, "nor swept yet");
    client.invoke_async("hello", None).await;
    assert_eq!(emulator.event_count(), 2, "an Invoke sweeps what expired");
    assert_eq!(total(&client).await, 2);
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        client.status(&late).await.code().as_deref(),
        Some("ResourceNotFound.AsyncEvent")
    );
    assert_eq!(total(&client).await, 1);
}

/// `TotalCount` and ids of `hello`'s events with one of `statuses`, oldest first.
async fn by_status(client: &TestClient, statuses: Value) -> (Value, Vec<String>) {
    let page = list(
        client,
        json!({"FunctionName": "hello", "Status": statuses, "Order": "ASC"}),
    )
    .await;
    (page["TotalCount"].clone(), ids(&page))
}

#[tokio::test]
async fn status_filters_stay_exact_when_the_clock_moves_back_and_on_a_read_only_store() {
    let clock = ManualClock::new(START_MS);
    let emulator = start(&clock, None).await;
    let client = TestClient::new(&emulator, clock.clone());
    let finished = client
        .invoke_async(
            "hello",
            Some(json!({"scf_emulator": {"duration_ms": 1000}})),
        )
        .await;
    clock.advance(Duration::from_millis(1));
    let failed = client
        .invoke_async(
            "hello",
            Some(json!({"scf_emulator": {"outcome": "failed", "duration_ms": 500}})),
        )
        .await;
    clock.advance(Duration::from_millis(1));
    let running = client
        .invoke_async(
            "hello",
            Some(json!({"scf_emulator": {"duration_ms": 60_000}})),
        )
        .await;
    clock.advance(Duration::from_secs(2));
    assert_eq!(
        by_status(&client, json!(["FINISHED"])).await,
        (json!(1), vec![finished.clone()])
    );
    assert_eq!(
        by_status(&client, json!(["FAILED", "FINISHED"])).await,
        (json!(2), vec![finished.clone(), failed.clone()])
    );
    assert_eq!(
        by_status(&client, json!(["RUNNING"])).await,
        (json!(1), vec![running.clone()])
    );

    // Back to before either ended: both run again, and one is cut short.
    clock.set_millis(START_MS + 100);
    assert_eq!(
        by_status(&client, json!(["RUNNING"])).await,
        (
            json!(3),
            vec![finished.clone(), failed.clone(), running.clone()]
        )
    );
    assert_eq!(
        by_status(&client, json!(["FINISHED", "FAILED"])).await,
        (json!(0), vec![])
    );
    client
        .post(
            "TerminateAsyncEvent",
            json!({"FunctionName": "hello", "InvokeRequestId": finished}),
        )
        .await
        .ok();
    clock.set_millis(START_MS + 2_000);
    assert_eq!(
        by_status(&client, json!(["ABORTED"])).await,
        (json!(1), vec![finished.clone()])
    );
    assert_eq!(
        by_status(&client, json!(["FINISHED"])).await,
        (json!(0), vec![])
    );
    assert_eq!(
        by_status(&client, json!(["FAILED", "RUNNING"])).await,
        (json!(2), vec![failed, running.clone()])
    );
    assert_eq!(
        client.status(&finished).await.ok()["Result"]["Status"],
        "ABORTED"
    );

    // A store that refuses writes cannot settle what ended; its Status filters count rows instead.
    let later = client
        .invoke_async("hello", Some(json!({"scf_emulator": {"duration_ms": 10}})))
        .await;
    clock.advance(Duration::from_secs(1));
    emulator.set_state_read_only(true);
    assert_eq!(
        by_status(&client, json!(["FINISHED"])).await,
        (json!(1), vec![later.clone()])
    );
    assert_eq!(
        by_status(&client, json!(["RUNNING"])).await,
        (json!(1), vec![running])
    );
    emulator.set_state_read_only(false);
    assert_eq!(
        by_status(&client, json!(["FINISHED"])).await,
        (json!(1), vec![later])
    );
}

#[tokio::test]
async fn a_state_directory_keeps_events_across_a_restart() {
    let dir = StateDir::new("restart");
    let clock = ManualClock::new(START_MS);
    let (running, finished, aborted) = {
        let emulator = start(&clock, Some(&dir)).await;
        let client = TestClient::new(&emulator, clock.clone());
        let running = client
            .invoke_async(
                "hello",
                Some(json!({"scf_emulator": {"duration_ms": 60_000}})),
            )
            .await;
        clock.advance(Duration::from_millis(1));
        let finished = client
            .invoke_async("hello", Some(json!({"scf_emulator": {"duration_ms": 10}})))
            .await;
        clock.advance(Duration::from_millis(1));
        let aborted = client
            .invoke_async(
                "hello",
                Some(json!({"scf_emulator": {"duration_ms": 60_000}})),
            )
            .await;
        client
            .post(
                "TerminateAsyncEvent",
                json!({"FunctionName": "hello", "InvokeRequestId": aborted}),
            )
            .await
            .ok();
        emulator.shutdown().await;
        (running, finished, aborted)
    };
    clock.advance(Duration::from_secs(1));

    let emulator = start(&clock, Some(&dir)).await;
    let client = TestClient::new(&emulator, clock.clone());
    let status = |id: String| {
        let client = &client;
        async move { client.status(&id).await.ok()["Result"]["Status"].clone() }
    };
    assert_eq!(status(running.clone()).await, "RUNNING");
    assert_eq!(status(finished.clone()).await, "FINISHED");
    assert_eq!(status(aborted.clone()).await, "ABORTED");
    let all = list(&client, json!({"FunctionName": "hello", "Order": "ASC"})).await;
    assert_eq!(all["TotalCount"], 3);
    assert_eq!(ids(&all), [running.clone(), finished, aborted]);
    clock.advance(Duration::from_secs(60));
    assert_eq!(status(running).await, "FINISHED");
    emulator.shutdown().await;
}

/// The `scf-emulator` binary, killed with SIGKILL right after it acknowledged writes, keeps them.
#[cfg(unix)]
#[tokio::test]
async fn a_killed_emulator_keeps_what_it_acknowledged() {
    let dir = StateDir::new("sigkill");
    let spawn = || {
        let process = EmulatorProcess::spawn(&["--state-dir".as_ref(), dir.0.as_os_str()]);
        let url = process.url.clone();
        (process, url)
    };

    let (mut child, url) = spawn();
    let client = ProcessClient::new(&url);
    let mut acknowledged = Vec::new();
    for _ in 0..20 {
        let reply = client
            .post(
                "Invoke",
                json!({"FunctionName": "hello", "InvocationType": "Event",
                       "ClientContext": "{\"scf_emulator\":{\"duration_ms\":3600000}}"}),
            )
            .await;
        acknowledged.push(
            reply["Response"]["Result"]["FunctionRequestId"]
                .as_str()
                .unwrap_or_else(|| panic!("{reply}"))
                .to_owned(),
        );
    }
    let terminated = client
        .post(
            "TerminateAsyncEvent",
            json!({"FunctionName": "hello", "InvokeRequestId": acknowledged[0]}),
        )
        .await;
    assert!(terminated["Response"]["Error"].is_null(), "{terminated}");
    child.kill_now();
    assert!(child.exited(), "the emulator was killed");

    let (_restarted, url) = spawn();
    let client = ProcessClient::new(&url);
    for (n, id) in acknowledged.iter().enumerate() {
        let reply = client
            .post("GetAsyncEventStatus", json!({"InvokeRequestId": id}))
            .await;
        let expected = if n == 0 { "ABORTED" } else { "RUNNING" };
        assert_eq!(reply["Response"]["Result"]["Status"], expected, "{reply}");
    }
    let listed = client
        .post("ListAsyncEvents", json!({"FunctionName": "hello"}))
        .await;
    assert_eq!(listed["Response"]["TotalCount"], 20, "{listed}");
}
