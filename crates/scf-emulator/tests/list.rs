//! ListAsyncEvents: every filter, ordering and paging, over POST and GET.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::TestClient;
use common::listing::string_column;
use common::refusals::assert_each_refused_with;
use scf_emulator::{Config, Emulator, ManualClock};
use serde_json::{Value, json};

/// 2024-12-14 00:00:00 in UTC+8, the service's time zone.
const START_MS: u64 = 1_734_105_600_000;

fn ids(response: &Value) -> Vec<String> {
    string_column(response, "EventList", "InvokeRequestId")
}

#[tokio::test]
async fn filters_order_and_pages() {
    let clock = ManualClock::new(START_MS);
    let emulator = Emulator::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let client = TestClient::new(&emulator, clock.clone());

    // Five events a minute apart: e0 fails, e1 finishes, e2 is aborted, e3 and e4 run.
    let mut events = Vec::new();
    for minute in 0..5 {
        let context = match minute {
            0 => json!({"scf_emulator": {"outcome": "failed", "duration_ms": 1000}}),
            1 => json!({"scf_emulator": {"duration_ms": 1000}}),
            _ => json!({"scf_emulator": {"duration_ms": 3_600_000}}),
        };
        events.push(client.invoke_async("hello", Some(context)).await);
        clock.advance(Duration::from_secs(60));
    }
    let aborted = client
        .post(
            "TerminateAsyncEvent",
            json!({"FunctionName": "hello", "InvokeRequestId": events[2]}),
        )
        .await;
    aborted.ok();

    let list = |body: Value| {
        let client = &client;
        async move { client.post("ListAsyncEvents", body).await.ok() }
    };
    let all = list(json!({"FunctionName": "hello"})).await;
    assert_eq!(all["TotalCount"], 5);
    assert_eq!(
        ids(&all),
        events.iter().rev().cloned().collect::<Vec<_>>(),
        "newest first by default"
    );
    assert_eq!(all["EventList"][4]["StartTime"], "2024-12-14 00:00:00.000");
    assert_eq!(all["EventList"][4]["EndTime"], "2024-12-14 00:00:01.000");
    assert_eq!(all["EventList"][0]["EndTime"], "");
    assert_eq!(all["EventList"][0]["Qualifier"], "$LATEST");

    let ascending = list(json!({"FunctionName": "hello", "Order": "ASC"})).await;
    assert_eq!(ids(&ascending), events);

    let running = list(json!({"FunctionName": "hello", "Status": ["RUNNING"]})).await;
    assert_eq!(ids(&running), [events[4].clone(), events[3].clone()]);
    let ended =
        list(json!({"FunctionName": "hello", "Status": ["FAILED", "ABORTED"], "Order": "ASC"}))
            .await;
    assert_eq!(ids(&ended), [events[0].clone(), events[2].clone()]);

    let by_end =
        list(json!({"FunctionName": "hello", "Orderby": "EndTime", "Order": "ASC", "Limit": 3}))
            .await;
    assert_eq!(
        ids(&by_end),
        [events[0].clone(), events[1].clone(), events[2].clone()]
    );

    let window = json!({"Start": "2024-12-14 00:01:00", "End": "2024-12-14 00:03:00"});
    let started =
        list(json!({"FunctionName": "hello", "StartTimeInterval": window, "Order": "ASC"})).await;
    assert_eq!(
        ids(&started),
        [events[1].clone(), events[2].clone()],
        "start in [Start, End)"
    );
    let finished_window = json!({"Start": "2024-12-14 00:00:00", "End": "2024-12-14 00:01:02"});
    let by_end_time =
        list(json!({"FunctionName": "hello", "EndTimeInterval": finished_window, "Order": "ASC"}))
            .await;
    assert_eq!(ids(&by_end_time), [events[0].clone(), events[1].clone()]);

    let one = list(json!({"FunctionName": "hello", "InvokeRequestId": events[3]})).await;
    assert_eq!(
        (one["TotalCount"].as_u64(), ids(&one)),
        (Some(1), vec![events[3].clone()])
    );
    let typed = list(json!({"FunctionName": "hello", "InvokeType": ["COS"]})).await;
    assert_eq!(typed["TotalCount"], 0);
    let other =
        list(json!({"FunctionName": "hello", "InvokeType": ["OTHER"], "Qualifier": "$LATEST"}))
            .await;
    assert_eq!(other["TotalCount"], 5);

    let page =
        list(json!({"FunctionName": "hello", "Offset": 3, "Limit": 10, "Order": "ASC"})).await;
    assert_eq!(
        (page["TotalCount"].as_u64(), ids(&page)),
        (Some(5), vec![events[3].clone(), events[4].clone()])
    );
    let past = list(json!({"FunctionName": "hello", "Offset": 9})).await;
    assert_eq!(
        (past["TotalCount"].as_u64(), ids(&past).len()),
        (Some(5), 0)
    );

    // The same query flattened into a GET query string, as the official SDKs send it.
    let get = client
        .get("ListAsyncEvents", "FunctionName=hello&Status.0=FAILED&Status.1=ABORTED&StartTimeInterval.Start=2024-12-14+00%3A00%3A00&StartTimeInterval.End=2024-12-14+00%3A05%3A00&Order=ASC&Limit=10")
        .await
        .ok();
    assert_eq!(ids(&get), [events[0].clone(), events[2].clone()]);
}

#[tokio::test]
async fn bad_list_parameters_have_their_codes() {
    let clock = ManualClock::new(START_MS);
    let emulator = Emulator::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let client = TestClient::new(&emulator, clock);
    let cases = [
        (
            json!({"FunctionName": "hello", "Limit": 101}),
            "InvalidParameterValue.Limit",
        ),
        (
            json!({"FunctionName": "hello", "Limit": 0}),
            "InvalidParameterValue.Limit",
        ),
        (
            json!({"FunctionName": "hello", "Offset": -1}),
            "InvalidParameterValue",
        ),
        (
            json!({"FunctionName": "hello", "Order": "UP"}),
            "InvalidParameterValue.Order",
        ),
        (
            json!({"FunctionName": "hello", "Orderby": "Name"}),
            "InvalidParameterValue",
        ),
        (
            json!({"FunctionName": "hello", "Status": ["DONE"]}),
            "InvalidParameterValue.Status",
        ),
        (
            json!({"FunctionName": "hello", "StartTimeInterval": {"Start": "yesterday", "End": "today"}}),
            "InvalidParameterValue",
        ),
        (
            json!({"FunctionName": "hello", "Limit": "10"}),
            "InvalidParameterValue",
        ),
        (json!({"FunctionName": "nope"}), "ResourceNotFound.Function"),
        (
            json!({"FunctionName": "hello", "Namespace": "nope"}),
            "ResourceNotFound.Namespace",
        ),
        (json!({"Limit": 10}), "MissingParameter"),
    ];
    assert_each_refused_with(&client, "ListAsyncEvents", cases).await;
    let limit = client
        .post(
            "ListAsyncEvents",
            json!({"FunctionName": "hello", "Limit": 100}),
        )
        .await;
    assert_eq!(limit.ok()["TotalCount"], 0);
}

#[tokio::test]
async fn default_page_is_twenty() {
    let clock = ManualClock::new(START_MS);
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    let emulator = Emulator::builder()
        .config(config)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let client = TestClient::new(&emulator, clock.clone());
    for _ in 0..25 {
        client.invoke_async("hello", None).await;
        clock.advance(Duration::from_millis(10));
    }
    let page = client
        .post("ListAsyncEvents", json!({"FunctionName": "hello"}))
        .await
        .ok();
    assert_eq!(
        (page["TotalCount"].as_u64(), ids(&page).len()),
        (Some(25), 20)
    );
}
