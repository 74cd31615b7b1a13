//! Invocations over loopback: Invoke and InvokeFunction record what they ran, and GetRequestStatus and
//! GetFunctionLogs report it with their filters, order and paging.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::TestClient;
use common::refusals::assert_each_refused_with;
use common::start::{config_without_rate_limits, start_with_client};
use scf_emulator::{FunctionConfig, ManualClock, NamespaceConfig, Outcome, RunningEmulator};
use serde_json::{Value, json};

/// 2024-12-14 00:00:00 in UTC+8, the service's time zone.
const START_MS: u64 = 1_734_105_600_000;

async fn start(clock: &ManualClock) -> (RunningEmulator, TestClient) {
    let mut config = config_without_rate_limits();
    let mut slow = FunctionConfig::new("slow", 1_250);
    slow.outcome = Outcome::Failed;
    slow.failure_status_code = 433;
    config.namespaces[0].functions.push(slow);
    let mut versioned = FunctionConfig::new("versioned", 300);
    versioned.qualifiers = vec!["1".into(), "prod".into()];
    config.namespaces.push(NamespaceConfig {
        name: "team".into(),
        functions: vec![versioned],
    });
    start_with_client(config, clock).await
}

fn request_ids(response: &Value) -> Vec<&str> {
    response["Data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["RequestId"].as_str().unwrap())
        .collect()
}

async fn sync_invoke(client: &TestClient, body: Value) -> String {
    client.post("Invoke", body).await.ok()["Result"]["FunctionRequestId"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn request_status_reports_sync_and_async_invocations() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start(&clock).await;

    let sync = sync_invoke(&client, json!({"FunctionName": "hello"})).await;
    let failed = sync_invoke(&client, json!({"FunctionName": "slow"})).await;
    let running = client
        .invoke_async(
            "hello",
            Some(json!({"scf_emulator": {"duration_ms": 60_000}})),
        )
        .await;
    let status = |name: &'static str, id: String, extra: Value| {
        let client = &client;
        async move {
            let mut body = json!({"FunctionName": name, "FunctionRequestId": id});
            if let Value::Object(extra) = extra {
                body.as_object_mut().unwrap().extend(extra);
            }
            client.post("GetRequestStatus", body).await.ok()
        }
    };
    let done = status("hello", sync.clone(), json!({})).await;
    assert_eq!(done["TotalCount"], 1);
    assert_eq!(
        done["Data"][0],
        json!({"FunctionName": "hello", "RetMsg": "\"Hello World\"", "RequestId": sync,
               "StartTime": "2024-12-14 00:00:00", "RetCode": 0, "Duration": 2000.0,
               "MemUsage": 8.0, "RetryNum": 0})
    );
    let error = status("slow", failed.clone(), json!({})).await;
    assert_eq!(error["Data"][0]["RetCode"], -1);
    assert!(
        error["Data"][0]["RetMsg"].as_str().unwrap().contains("433"),
        "{error}"
    );
    assert_eq!(
        status("hello", running.clone(), json!({})).await["Data"][0]["RetCode"],
        1,
        "running"
    );
    // Another function's request is not this one's.
    assert_eq!(
        status("hello", failed.clone(), json!({})).await["TotalCount"],
        0
    );
    let unknown = status("hello", "0f0f0f0f-no-such-request".into(), json!({})).await;
    assert_eq!(
        (unknown["TotalCount"].clone(), unknown["Data"].clone()),
        (json!(0), json!([]))
    );

    client
        .post(
            "TerminateAsyncEvent",
            json!({"FunctionName": "hello", "InvokeRequestId": running}),
        )
        .await
        .ok();
    let aborted = status("hello", running.clone(), json!({})).await;
    assert_eq!(aborted["Data"][0]["RetCode"], -1);

    // Without times the window is the last 15 minutes; with them, any window holding the start.
    clock.advance(Duration::from_secs(15 * 60 + 1));
    assert_eq!(
        status("hello", sync.clone(), json!({})).await["TotalCount"],
        0
    );
    let window = json!({"StartTime": "2024-12-14 00:00:00", "EndTime": "2024-12-14 00:00:01"});
    assert_eq!(status("hello", sync.clone(), window).await["TotalCount"], 1);
    let ended_before = json!({"EndTime": "2024-12-13 23:59:59"});
    assert_eq!(
        status("hello", sync.clone(), ended_before).await["TotalCount"],
        0
    );

    let cases = [
        (
            json!({"FunctionName": "hello", "FunctionRequestId": sync, "StartTime": "2024-12-14 00:00:00"}),
            "InvalidParameterValue.StartTimeOrEndTime",
        ),
        (
            json!({"FunctionName": "hello", "FunctionRequestId": sync, "StartTime": "2024-12-14 00:10:00", "EndTime": "2024-12-14 00:00:00"}),
            "InvalidParameterValue.StartTimeOrEndTime",
        ),
        (
            json!({"FunctionName": "hello", "FunctionRequestId": sync, "StartTime": "today", "EndTime": "2024-12-14 00:00:00"}),
            "InvalidParameterValue.StartTime",
        ),
        (
            json!({"FunctionName": "hello", "FunctionRequestId": sync, "EndTime": "tomorrow"}),
            "InvalidParameterValue.DateTime",
        ),
        (
            json!({"FunctionName": "hello", "FunctionRequestId": "not a request id"}),
            "InvalidParameterValue.FunctionRequestId",
        ),
        (
            json!({"FunctionName": "nope", "FunctionRequestId": sync}),
            "ResourceNotFound.Function",
        ),
        (json!({"FunctionName": "hello"}), "MissingParameter"),
    ];
    assert_each_refused_with(&client, "GetRequestStatus", cases).await;
}

#[tokio::test]
async fn function_logs_filter_order_and_page() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start(&clock).await;

    // A second apart: a success (2 000 ms), a failure with 430 (50 ms), a timeout of `slow` (433,
    // 1 250 ms), an async run of an hour, an async run terminated after 1 s.
    let ok = sync_invoke(&client, json!({"FunctionName": "hello"})).await;
    clock.advance(Duration::from_secs(1));
    let user_error = sync_invoke(
        &client,
        json!({"FunctionName": "hello", "ClientContext": "{\"scf_emulator\":{\"outcome\":\"failed\",\"status_code\":430,\"duration_ms\":50}}"}),
    )
    .await;
    clock.advance(Duration::from_secs(1));
    let timeout = sync_invoke(&client, json!({"FunctionName": "slow"})).await;
    clock.advance(Duration::from_secs(1));
    let running = client
        .invoke_async(
            "hello",
            Some(json!({"scf_emulator": {"duration_ms": 3_600_000}})),
        )
        .await;
    clock.advance(Duration::from_secs(1));
    let interrupted = client
        .invoke_async(
            "hello",
            Some(json!({"scf_emulator": {"duration_ms": 3_600_000}})),
        )
        .await;
    clock.advance(Duration::from_secs(1));
    client
        .post(
            "TerminateAsyncEvent",
            json!({"FunctionName": "hello", "InvokeRequestId": interrupted}),
        )
        .await
        .ok();

    let logs = |body: Value| {
        let client = &client;
        async move { client.post("GetFunctionLogs", body).await.ok() }
    };
    let all = logs(json!({"FunctionName": "hello"})).await;
    assert_eq!(all["TotalCount"], 4);
    assert_eq!(
        request_ids(&all),
        [&interrupted, &running, &user_error, &ok],
        "newest first"
    );
    assert_eq!(
        all["SearchContext"],
        json!({"Offset": "", "Limit": 0, "Keyword": "", "Type": ""})
    );
    let by_code: Vec<(i64, i64)> = all["Data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|log| {
            (
                log["RetCode"].as_i64().unwrap(),
                log["InvokeFinished"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_code, [(3, 1), (2, 0), (1, 1), (0, 1)]);
    let success = &all["Data"][3];
    assert_eq!(
        (
            success["Duration"].as_f64(),
            success["BillDuration"].as_i64(),
            success["MemUsage"].as_i64(),
            success["StartTime"].as_str(),
            success["RetMsg"].as_str()
        ),
        (
            Some(2000.0),
            Some(2000),
            Some(8 * 1024 * 1024),
            Some("2024-12-14 00:00:00"),
            Some("\"Hello World\"")
        )
    );
    assert!(success["Log"].as_str().unwrap().contains(&ok), "{success}");
    assert_eq!(all["Data"][0]["Duration"], 1000.0, "interrupted after 1 s");

    let filtered = |code: &'static str| {
        let logs = &logs;
        async move {
            let found = logs(json!({"FunctionName": "hello", "Filter": {"RetCode": code}})).await;
            request_ids(&found)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(filtered("is0").await, [ok.as_str()]);
    assert_eq!(
        filtered("not0").await,
        [interrupted.clone(), user_error.clone()]
    );
    assert_eq!(filtered("UserCodeException").await, [user_error.as_str()]);
    assert!(filtered("TimeLimitExceeded").await.is_empty());
    assert_eq!(
        request_ids(
            &logs(json!({"FunctionName": "slow", "Filter": {"RetCode": "TimeLimitExceeded"}}))
                .await
        ),
        [&timeout]
    );

    let by_duration =
        logs(json!({"FunctionName": "hello", "OrderBy": "duration", "Order": "asc"})).await;
    assert_eq!(
        request_ids(&by_duration),
        [&running, &user_error, &interrupted, &ok],
        "running counts as 0 ms"
    );
    let page =
        logs(json!({"FunctionName": "hello", "Order": "ASC", "Offset": 1, "Limit": 2})).await;
    assert_eq!(page["TotalCount"], 4);
    assert_eq!(request_ids(&page), [&user_error, &running]);
    let one = logs(json!({"FunctionName": "hello", "FunctionRequestId": running})).await;
    assert_eq!(request_ids(&one), [&running]);
    // Without a FunctionName, every function of the namespace.
    let namespace = logs(json!({"OrderBy": "function_name", "Order": "desc", "Limit": 1})).await;
    assert_eq!(namespace["TotalCount"], 5);
    assert_eq!(namespace["Data"][0]["FunctionName"], "slow");
    let window = logs(json!({"FunctionName": "hello", "StartTime": "2024-12-14 00:00:01", "EndTime": "2024-12-14 00:00:03"})).await;
    assert_eq!(request_ids(&window), [&running, &user_error]);
    // A day later the logs are outside the default window, but an explicit one finds them.
    clock.advance(Duration::from_secs(24 * 3600));
    assert_eq!(
        logs(json!({"FunctionName": "hello"})).await["TotalCount"],
        0
    );
    let past = logs(json!({"FunctionName": "hello", "StartTime": "2024-12-14 00:00:00", "EndTime": "2024-12-14 23:00:00"})).await;
    assert_eq!(past["TotalCount"], 4);

    let cases = [
        (
            json!({"FunctionName": "hello", "Offset": 9_990, "Limit": 11}),
            "LimitExceeded.Offset",
        ),
        (
            json!({"FunctionName": "hello", "Offset": -1}),
            "InvalidParameterValue.Offset",
        ),
        (
            json!({"FunctionName": "hello", "Limit": -1}),
            "InvalidParameterValue.Limit",
        ),
        (
            json!({"FunctionName": "hello", "Order": "up"}),
            "InvalidParameterValue.Order",
        ),
        (
            json!({"FunctionName": "hello", "OrderBy": "colour"}),
            "InvalidParameterValue.OrderBy",
        ),
        (
            json!({"FunctionName": "hello", "Filter": {"RetCode": "some"}}),
            "InvalidParameterValue.RetCode",
        ),
        (
            json!({"FunctionName": "hello", "StartTime": "2024-12-14 00:00:00"}),
            "InvalidParameterValue.StartTimeOrEndTime",
        ),
        (
            json!({"FunctionName": "hello", "StartTime": "2024-12-14 00:00:00", "EndTime": "2024-12-15 00:00:01"}),
            "InvalidParameterValue.DateTime",
        ),
        (
            json!({"FunctionName": "hello", "StartTime": "yesterday", "EndTime": "2024-12-15 00:00:01"}),
            "InvalidParameterValue.DateTime",
        ),
        (json!({"FunctionName": "nope"}), "ResourceNotFound.Function"),
        (json!({"Namespace": "nope"}), "ResourceNotFound.Namespace"),
    ];
    assert_each_refused_with(&client, "GetFunctionLogs", cases).await;
}

#[tokio::test]
async fn invoke_function_runs_synchronously_and_qualifiers_resolve() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start(&clock).await;

    let result = client
        .post(
            "InvokeFunction",
            json!({"FunctionName": "hello", "Event": "{\"scf_emulator\":{\"ret_msg\":\"pong\",\"duration_ms\":120}}", "LogType": "Tail"}),
        )
        .await
        .ok()["Result"]
        .clone();
    assert_eq!(
        (
            result["RetMsg"].as_str(),
            result["Duration"].as_f64(),
            result["BillDuration"].as_i64(),
            result["InvokeResult"].as_i64()
        ),
        (Some("pong"), Some(120.0), Some(200), Some(0))
    );
    assert!(result["Log"].as_str().unwrap().contains("Duration:120ms"));
    let id = result["FunctionRequestId"].as_str().unwrap().to_owned();
    let logged = client
        .post(
            "GetFunctionLogs",
            json!({"FunctionName": "hello", "FunctionRequestId": id}),
        )
        .await
        .ok();
    assert_eq!(logged["Data"][0]["RetMsg"], "pong");

    // Through an alias and a version, recorded under the qualifier named and the version run.
    for qualifier in ["prod", "1", "$LATEST"] {
        client
            .post(
                "InvokeFunction",
                json!({"FunctionName": "versioned", "Namespace": "team", "Qualifier": qualifier}),
            )
            .await
            .ok();
    }
    let async_through_alias = client
        .post(
            "Invoke",
            json!({"FunctionName": "versioned", "Namespace": "team", "Qualifier": "prod", "InvocationType": "Event"}),
        )
        .await
        .ok()["Result"]["FunctionRequestId"]
        .as_str()
        .unwrap()
        .to_owned();
    let count = |qualifier: &'static str| {
        let client = &client;
        async move {
            client
                .post(
                    "GetFunctionLogs",
                    json!({"FunctionName": "versioned", "Namespace": "team", "Qualifier": qualifier}),
                )
                .await
                .ok()["TotalCount"]
                .clone()
        }
    };
    assert_eq!(count("prod").await, 2);
    assert_eq!(count("1").await, 1);
    assert_eq!(count("$LATEST").await, 3, "prod points at $LATEST");
    let events = client
        .post(
            "ListAsyncEvents",
            json!({"FunctionName": "versioned", "Namespace": "team", "Qualifier": "prod"}),
        )
        .await
        .ok();
    assert_eq!(
        events["EventList"][0]["InvokeRequestId"],
        async_through_alias
    );
    assert_eq!(events["EventList"][0]["Qualifier"], "prod");

    let cases = [
        (
            json!({"FunctionName": "hello", "Event": "not json"}),
            "InvalidParameterValue.Param",
        ),
        (
            json!({"FunctionName": "hello", "Event": format!("\"{}\"", "x".repeat(6 * 1024 * 1024))}),
            "InvalidParameter.RequestTooLarge",
        ),
        (
            json!({"FunctionName": "hello", "Event": "{\"scf_emulator\":{\"colour\":1}}"}),
            "InvalidParameterValue.ClientContext",
        ),
        (
            json!({"FunctionName": "hello", "Qualifier": "9"}),
            "ResourceNotFound.Qualifier",
        ),
        (
            json!({"FunctionName": "hello", "Qualifier": "staging"}),
            "ResourceNotFound.Qualifier",
        ),
        (json!({"FunctionName": "nope"}), "ResourceNotFound.Function"),
        (
            json!({"FunctionName": "no.such"}),
            "InvalidParameter.FunctionName",
        ),
        (
            json!({"FunctionName": "hello", "LogType": "All"}),
            "InvalidParameterValue",
        ),
        (
            json!({"FunctionName": "hello", "InvocationType": "Event"}),
            "UnknownParameter",
        ),
    ];
    assert_each_refused_with(&client, "InvokeFunction", cases).await;
    assert_eq!(
        client
            .post(
                "ListAsyncEvents",
                json!({"FunctionName": "hello", "Qualifier": "9"})
            )
            .await
            .code()
            .as_deref(),
        Some("ResourceNotFound.Version")
    );
}
