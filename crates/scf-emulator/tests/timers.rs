//! Timer triggers fire on the emulator's clock: each cron match after the trigger was created or
//! enabled starts one async event (`InvokeType` `TRIGGER_TIMER`), closed and deleted timers do not fire,
//! a restart on the same state never fires a time twice, a jumped clock fires at most 100 per timer, and
//! with `run_code` the function's code gets the Timer event. The tests move a manual clock and wait
//! (with generous deadlines) for the scheduler's next look; no duration is asserted.
//!
//! "Exactly these events" is checked with a sentinel: after the events a test expects, it moves the
//! clock to one more fire time and waits for that one, so every look that could have fired something
//! unexpected has finished.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::TestClient;
use common::start::{config_without_rate_limits, start_with_client};
use common::zips::base64_zip_of;
use scf_emulator::{Clock, Config, FunctionConfig, ManualClock, NamespaceConfig};
use serde_json::{Value, json};

/// 2024-12-14 00:00:00 in UTC+8, the service's time zone: a whole minute.
const START_MS: u64 = 1_734_105_600_000;
const MINUTE: Duration = Duration::from_secs(60);
/// Long enough for a loaded machine, and never reached when the scheduler works.
const DEADLINE: Duration = Duration::from_secs(60);

/// Scripted functions `hello`, `quiet`, `gone` and `sentinel` in `default`, finishing after 100 ms.
fn config() -> Config {
    Config {
        namespaces: vec![NamespaceConfig {
            name: "default".into(),
            functions: ["hello", "quiet", "gone", "sentinel"]
                .map(|name| FunctionConfig::new(name, 100))
                .into(),
        }],
        ..config_without_rate_limits()
    }
}

async fn create_timer(client: &TestClient, function: &str, name: &str, cron: &str, extra: Value) {
    let mut request = json!({"FunctionName": function, "TriggerName": name, "Type": "timer",
                             "TriggerDesc": cron});
    for (key, value) in extra.as_object().unwrap() {
        request[key] = value.clone();
    }
    client.post("CreateTrigger", request).await.ok();
}

/// The sentinel fires at second 30 of each minute; the other timers of these tests at second 0.
async fn create_sentinel(client: &TestClient) {
    create_timer(client, "sentinel", "sentinel", "30 * * * * * *", json!({})).await;
}

/// The latest 100 async events of `function`, oldest first.
async fn events(client: &TestClient, function: &str) -> Vec<Value> {
    let listed = client
        .post(
            "ListAsyncEvents",
            json!({"FunctionName": function, "Limit": 100, "Order": "DESC"}),
        )
        .await
        .ok();
    let mut events = listed["EventList"].as_array().unwrap().clone();
    events.sort_by_key(|event| event["StartTime"].as_str().unwrap().to_owned());
    events
}

/// Waits until `function` has an event that started at `start_time`; returns its latest 100 events.
async fn wait_for_event_at(client: &TestClient, function: &str, start_time: &str) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let events = events(client, function).await;
        if start_times(&events).contains(&start_time) {
            return events;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{function} has no event at {start_time}: {events:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Moves the clock on by 30 s to the sentinel's next fire time and waits for it: every look of the
/// scheduler at the earlier times has finished, and the sentinel's look fired nothing else.
async fn settle(client: &TestClient, clock: &ManualClock) {
    clock.advance(MINUTE / 2);
    let offset_secs = (clock.now_millis() - START_MS) / 1000;
    wait_for_event_at(client, "sentinel", &at(offset_secs)).await;
}

fn start_times(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|event| event["StartTime"].as_str().unwrap())
        .collect()
}

/// `2024-12-14 HH:MM:SS.000`, the StartTime of an event `offset_secs` after the start.
fn at(offset_secs: u64) -> String {
    format!(
        "2024-12-14 {:02}:{:02}:{:02}.000",
        offset_secs / 3600,
        offset_secs / 60 % 60,
        offset_secs % 60
    )
}

fn minutes(range: std::ops::RangeInclusive<u64>) -> Vec<String> {
    range.map(|minute| at(minute * 60)).collect()
}

#[tokio::test]
async fn a_timer_starts_one_async_event_per_match() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start_with_client(config(), &clock).await;
    // Created at 00:00:00, a match, which is not after the creation: it does not fire.
    create_timer(
        &client,
        "hello",
        "every-minute",
        "0 */1 * * * * *",
        json!({}),
    )
    .await;
    create_sentinel(&client).await;

    clock.advance(3 * MINUTE);
    settle(&client, &clock).await;
    let fired = events(&client, "hello").await;
    assert_eq!(start_times(&fired), minutes(1..=3));
    for event in &fired {
        assert_eq!(event["InvokeType"], "TRIGGER_TIMER", "{event}");
        assert_eq!(event["Qualifier"], "$LATEST", "{event}");
        assert_eq!(event["Status"], "FINISHED", "{event}");
    }

    // Created at 00:03:30 in the legacy five fields, on a published version.
    client
        .post("PublishVersion", json!({"FunctionName": "quiet"}))
        .await
        .ok();
    create_timer(
        &client,
        "quiet",
        "legacy",
        "*/2 * * * *",
        json!({"Qualifier": "1"}),
    )
    .await;
    clock.advance(MINUTE / 2 + 2 * MINUTE);
    settle(&client, &clock).await;
    assert_eq!(
        start_times(&events(&client, "hello").await),
        minutes(1..=6),
        "no time fired twice"
    );
    let legacy = events(&client, "quiet").await;
    assert_eq!(
        start_times(&legacy),
        minutes(4..=4)
            .into_iter()
            .chain(minutes(6..=6))
            .collect::<Vec<_>>()
    );
    assert_eq!(legacy[0]["Qualifier"], "1");
}

#[tokio::test]
async fn a_closed_timer_does_not_fire_and_a_reopened_one_fires_from_then_on() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start_with_client(config(), &clock).await;
    create_sentinel(&client).await;
    create_timer(
        &client,
        "quiet",
        "switched",
        "0 * * * * * *",
        json!({"Enable": "CLOSE"}),
    )
    .await;

    clock.advance(3 * MINUTE);
    settle(&client, &clock).await;
    assert_eq!(events(&client, "quiet").await, Vec::<Value>::new());

    // Opened at 00:03:30: 00:01 to 00:03 passed while it was closed and do not fire.
    client
        .post(
            "UpdateTriggerStatus",
            json!({"FunctionName": "quiet", "TriggerName": "switched", "Type": "timer",
                   "Enable": "OPEN"}),
        )
        .await
        .ok();
    clock.advance(MINUTE / 2 + 2 * MINUTE);
    settle(&client, &clock).await;
    assert_eq!(start_times(&events(&client, "quiet").await), minutes(4..=6));

    // Closed again at 00:06:30 through UpdateTrigger: nothing more.
    client
        .post(
            "UpdateTrigger",
            json!({"FunctionName": "quiet", "TriggerName": "switched", "Type": "timer",
                   "Enable": "CLOSE"}),
        )
        .await
        .ok();
    clock.advance(MINUTE / 2 + MINUTE);
    settle(&client, &clock).await;
    assert_eq!(start_times(&events(&client, "quiet").await), minutes(4..=6));
}

#[tokio::test]
async fn deleting_the_trigger_or_the_function_stops_it() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start_with_client(config(), &clock).await;
    create_sentinel(&client).await;
    for function in ["hello", "quiet", "gone"] {
        create_timer(
            &client,
            function,
            "every-minute",
            "0 * * * * * *",
            json!({}),
        )
        .await;
    }
    clock.advance(MINUTE);
    settle(&client, &clock).await;
    for function in ["hello", "quiet", "gone"] {
        assert_eq!(
            start_times(&events(&client, function).await),
            minutes(1..=1)
        );
    }

    client
        .post(
            "DeleteTrigger",
            json!({"FunctionName": "quiet", "TriggerName": "every-minute", "Type": "timer"}),
        )
        .await
        .ok();
    client
        .post("DeleteFunction", json!({"FunctionName": "gone"}))
        .await
        .ok();
    let zip = base64_zip_of(&[(
        "index.py",
        b"def main_handler(event, context):\n    return 1\n",
    )]);
    client
        .post(
            "CreateFunction",
            json!({"FunctionName": "gone", "Code": {"ZipFile": zip}, "Runtime": "Python3.9"}),
        )
        .await
        .ok();

    clock.advance(MINUTE / 2 + 2 * MINUTE);
    settle(&client, &clock).await;
    assert_eq!(start_times(&events(&client, "hello").await), minutes(1..=4));
    assert_eq!(start_times(&events(&client, "quiet").await), minutes(1..=1));
    assert_eq!(
        events(&client, "gone").await,
        Vec::<Value>::new(),
        "a new function of the same name has neither the old events nor the old timer"
    );
}

#[tokio::test]
async fn a_restart_on_the_same_state_neither_fires_a_time_again_nor_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let config = || Config {
        state_dir: Some(dir.path().to_owned()),
        ..config()
    };
    let clock = ManualClock::new(START_MS);
    let (emulator, client) = start_with_client(config(), &clock).await;
    create_timer(&client, "hello", "every-minute", "0 * * * * * *", json!({})).await;
    create_sentinel(&client).await;
    clock.advance(2 * MINUTE);
    settle(&client, &clock).await;
    assert_eq!(start_times(&events(&client, "hello").await), minutes(1..=2));
    emulator.shutdown().await;

    // The restarted emulator's clock starts where the first one's did, so its first look covers
    // 00:01 and 00:02 again: they fired already.
    let clock = ManualClock::new(START_MS);
    let (emulator, client) = start_with_client(config(), &clock).await;
    clock.advance(3 * MINUTE);
    settle(&client, &clock).await;
    assert_eq!(start_times(&events(&client, "hello").await), minutes(1..=3));
    emulator.shutdown().await;

    // Stopped from 00:03:30 to 00:10:00: what fell due meanwhile is not caught up.
    let clock = ManualClock::new(START_MS + 10 * 60_000);
    let (_emulator, client) = start_with_client(config(), &clock).await;
    clock.advance(MINUTE);
    settle(&client, &clock).await;
    let expected: Vec<String> = minutes(1..=3).into_iter().chain(minutes(11..=11)).collect();
    assert_eq!(start_times(&events(&client, "hello").await), expected);
}

#[tokio::test]
async fn a_jumped_clock_fires_the_latest_100_matches_of_each_timer() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start_with_client(config(), &clock).await;
    create_timer(
        &client,
        "hello",
        "every-second",
        "*/1 * * * * * *",
        json!({}),
    )
    .await;
    clock.advance(Duration::from_secs(3600));
    let fired = wait_for_event_at(&client, "hello", &at(3600)).await;
    let expected: Vec<String> = (3501..=3600).map(at).collect();
    assert_eq!(start_times(&fired), expected);

    // One look fires its timer's times oldest first, so when 01:00:01 shows, that look is done.
    clock.advance(Duration::from_secs(1));
    wait_for_event_at(&client, "hello", &at(3601)).await;
    let total = client
        .post("ListAsyncEvents", json!({"FunctionName": "hello"}))
        .await
        .ok()["TotalCount"]
        .clone();
    assert_eq!(total, 101);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_run_code_the_function_gets_the_timer_event() {
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: `python3` is not on PATH");
        return;
    }
    let mut config = config_without_rate_limits();
    config.function_ready_ms = 0;
    config.run_code = true;
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start_with_client(config, &clock).await;
    let source = b"import os\n\
def main_handler(event, context):\n    \
    return {'event': event, 'source': os.environ.get('TRIGGER_SRC')}\n";
    // No AsyncRunEnable: timers invoke every Event function.
    client
        .post(
            "CreateFunction",
            json!({"FunctionName": "ticker", "Runtime": "Python3.9", "Handler": "index.main_handler",
                   "Code": {"ZipFile": base64_zip_of(&[("index.py", source)])}, "Timeout": 10}),
        )
        .await
        .ok();
    create_timer(
        &client,
        "ticker",
        "tick",
        "0 * * * * * *",
        json!({"CustomArgument": "from the timer"}),
    )
    .await;

    clock.advance(MINUTE);
    let fired = wait_for_event_at(&client, "ticker", &at(60)).await;
    let id = fired[0]["InvokeRequestId"].as_str().unwrap().to_owned();
    // The code's end is its start plus how long it ran, at most its 10 s timeout: on a clock 30 s on,
    // the event is over once the code has reported.
    clock.advance(MINUTE / 2);
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let status = loop {
        let status = client.status(&id).await.ok()["Result"].clone();
        if status["Status"] != "RUNNING" {
            break status;
        }
        assert!(tokio::time::Instant::now() < deadline, "{id} still running");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(status["Status"], "FINISHED", "{status}");
    assert_eq!(fired[0]["InvokeType"], "TRIGGER_TIMER", "{fired:?}");

    let logs = client
        .post(
            "GetFunctionLogs",
            json!({"FunctionName": "ticker", "FunctionRequestId": id}),
        )
        .await
        .ok();
    let returned: Value =
        serde_json::from_str(logs["Data"][0]["RetMsg"].as_str().unwrap()).unwrap();
    assert_eq!(
        returned,
        json!({
            "event": {"Type": "Timer", "TriggerName": "tick", "Time": "2024-12-13T16:01:00Z",
                      "Message": "from the timer"},
            "source": "timer",
        })
    );
}
