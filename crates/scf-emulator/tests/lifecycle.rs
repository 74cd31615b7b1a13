//! The async-event lifecycle over loopback, with the clock moved by the test.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::TestClient;
use common::refusals::assert_each_refused_with;
use common::start::start_with_client;
use scf_emulator::{
    Config, FunctionConfig, ManualClock, NamespaceConfig, Outcome, RunningEmulator,
};
use serde_json::json;

async fn start(clock: &ManualClock) -> (RunningEmulator, TestClient) {
    let mut config = Config::default();
    let mut broken = FunctionConfig::new("broken", 1_000);
    broken.outcome = Outcome::Failed;
    broken.failure_status_code = 433;
    config.namespaces[0].functions.push(broken);
    let mut versioned = FunctionConfig::new("versioned", 1_000);
    versioned.qualifiers.push("2".into());
    config.namespaces.push(NamespaceConfig {
        name: "team".into(),
        functions: vec![versioned],
    });
    start_with_client(config, clock).await
}

#[tokio::test]
async fn an_async_invocation_runs_then_finishes_on_its_own() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;

    let id = client.invoke_async("hello", None).await;
    let running = client.status(&id).await.ok();
    assert_eq!(
        running["Result"],
        json!({"Status": "RUNNING", "StatusCode": 0, "InvokeRequestId": id})
    );

    clock.advance(Duration::from_millis(1_999));
    assert_eq!(client.status(&id).await.ok()["Result"]["Status"], "RUNNING");
    clock.advance(Duration::from_millis(1));
    let finished = client.status(&id).await.ok();
    assert_eq!(finished["Result"]["Status"], "FINISHED");
    assert_eq!(finished["Result"]["StatusCode"], 200);
}

#[tokio::test]
async fn failures_come_from_the_function_config_or_the_client_context() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;

    let configured = client.invoke_async("broken", None).await;
    let scripted = client
        .invoke_async("hello", Some(json!({"scf_emulator": {"outcome": "failed", "status_code": 430, "duration_ms": 50}})))
        .await;
    let quick = client
        .invoke_async(
            "hello",
            Some(json!({"scf_emulator": {"duration_ms": 10}, "other": 1})),
        )
        .await;
    clock.advance(Duration::from_millis(60));
    assert_eq!(
        client.status(&scripted).await.ok()["Result"]["StatusCode"],
        430
    );
    assert_eq!(
        client.status(&scripted).await.ok()["Result"]["Status"],
        "FAILED"
    );
    assert_eq!(
        client.status(&quick).await.ok()["Result"]["Status"],
        "FINISHED"
    );
    assert_eq!(
        client.status(&configured).await.ok()["Result"]["Status"],
        "RUNNING"
    );
    clock.advance(Duration::from_secs(1));
    let failed = client.status(&configured).await.ok();
    assert_eq!(
        (
            failed["Result"]["Status"].as_str(),
            failed["Result"]["StatusCode"].as_i64()
        ),
        (Some("FAILED"), Some(433))
    );

    let bad = client
        .post("Invoke", json!({"FunctionName": "hello", "InvocationType": "Event", "ClientContext": "{\"scf_emulator\":{\"colour\":1}}"}))
        .await;
    assert_eq!(
        bad.code().as_deref(),
        Some("InvalidParameterValue.ClientContext")
    );
    let not_json = client
        .post("Invoke", json!({"FunctionName": "hello", "InvocationType": "Event", "ClientContext": "not json"}))
        .await;
    // Codes from the research notes (issue 14): not JSON is `.Param`, too large `RequestTooLarge`.
    assert_eq!(
        not_json.code().as_deref(),
        Some("InvalidParameterValue.Param")
    );
    let huge = "x".repeat(128 * 1024 + 1);
    let too_big = client
        .post("Invoke", json!({"FunctionName": "hello", "InvocationType": "Event", "ClientContext": format!("\"{huge}\"")}))
        .await;
    assert_eq!(
        too_big.code().as_deref(),
        Some("InvalidParameter.RequestTooLarge")
    );
}

#[tokio::test]
async fn terminate_aborts_running_events_only() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;

    let id = client.invoke_async("hello", None).await;
    let reply = client
        .post(
            "TerminateAsyncEvent",
            json!({"FunctionName": "hello", "InvokeRequestId": id}),
        )
        .await;
    assert!(reply.ok()["RequestId"].is_string());
    let aborted = client.status(&id).await.ok();
    assert_eq!(
        (
            aborted["Result"]["Status"].as_str(),
            aborted["Result"]["StatusCode"].as_i64()
        ),
        (Some("ABORTED"), Some(439))
    );

    let again = client
        .post(
            "TerminateAsyncEvent",
            json!({"FunctionName": "hello", "InvokeRequestId": id}),
        )
        .await;
    assert_eq!(
        again.code().as_deref(),
        Some("FailedOperation.AsyncEventStatus")
    );

    let finished = client.invoke_async("hello", None).await;
    clock.advance(Duration::from_secs(3));
    let late = client
        .post(
            "TerminateAsyncEvent",
            json!({"FunctionName": "hello", "InvokeRequestId": finished}),
        )
        .await;
    assert_eq!(
        late.code().as_deref(),
        Some("FailedOperation.AsyncEventStatus")
    );

    let cases = [
        (
            json!({"FunctionName": "nope", "InvokeRequestId": id}),
            "ResourceNotFound.Function",
        ),
        (
            json!({"FunctionName": "hello", "Namespace": "nope", "InvokeRequestId": id}),
            "ResourceNotFound.Namespace",
        ),
        (
            json!({"FunctionName": "hello", "InvokeRequestId": "no-such-id"}),
            "ResourceNotFound.AsyncEvent",
        ),
        (
            json!({"FunctionName": "broken", "InvokeRequestId": id}),
            "ResourceNotFound.AsyncEvent",
        ),
        (json!({"FunctionName": "hello"}), "MissingParameter"),
    ];
    assert_each_refused_with(&client, "TerminateAsyncEvent", cases).await;
}

#[tokio::test]
async fn grace_shutdown_keeps_running_through_the_grace_period() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;

    let id = client.invoke_async("hello", None).await;
    let reply = client
        .post(
            "TerminateAsyncEvent",
            json!({"FunctionName": "hello", "InvokeRequestId": id, "GraceShutdown": true}),
        )
        .await;
    reply.ok();
    assert_eq!(client.status(&id).await.ok()["Result"]["Status"], "RUNNING");
    clock.advance(Duration::from_millis(500));
    assert_eq!(client.status(&id).await.ok()["Result"]["Status"], "ABORTED");
}

#[tokio::test]
async fn events_are_kept_72_hours_after_they_end() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;

    let id = client.invoke_async("hello", None).await;
    clock.advance(Duration::from_secs(2));
    clock.advance(Duration::from_secs(72 * 3600) - Duration::from_millis(1));
    assert_eq!(
        client.status(&id).await.ok()["Result"]["Status"],
        "FINISHED"
    );
    clock.advance(Duration::from_millis(1));
    let gone = client.status(&id).await;
    assert_eq!(gone.code().as_deref(), Some("ResourceNotFound.AsyncEvent"));
    assert_eq!(
        client.status("never-existed").await.code().as_deref(),
        Some("ResourceNotFound.AsyncEvent")
    );
}

#[tokio::test]
async fn synchronous_invoke_returns_the_function_result() {
    let clock = ManualClock::starting_now();
    let (emulator, client) = start(&clock).await;

    let result = client
        .post(
            "Invoke",
            json!({"FunctionName": "hello", "LogType": "Tail"}),
        )
        .await
        .ok()["Result"]
        .clone();
    assert_eq!(result["RetMsg"], "\"Hello World\"");
    assert_eq!(result["Duration"], 2000.0);
    assert_eq!(result["BillDuration"], 2000);
    assert!(result["MemUsage"].as_i64().unwrap() > 0);
    assert!(
        result["Log"]
            .as_str()
            .unwrap()
            .starts_with("START RequestId:")
    );
    assert_eq!(result["FunctionRequestId"].as_str().unwrap().len(), 36);

    let failed = client
        .post("Invoke", json!({"FunctionName": "broken"}))
        .await
        .ok()["Result"]
        .clone();
    assert_eq!(
        (failed["RetMsg"].as_str(), failed["InvokeResult"].as_i64()),
        (Some(""), Some(-1))
    );
    assert!(failed["ErrMsg"].as_str().unwrap().contains("433"));

    let cases = [
        (json!({"FunctionName": "nope"}), "ResourceNotFound.Function"),
        (
            json!({"FunctionName": "hello", "Namespace": "nope"}),
            "ResourceNotFound.Namespace",
        ),
        (
            json!({"FunctionName": "hello", "Qualifier": "7"}),
            "ResourceNotFound.Qualifier",
        ),
        (
            json!({"FunctionName": "hello", "InvocationType": "Later"}),
            "InvalidParameterValue",
        ),
        (
            json!({"FunctionName": "hello", "LogType": "All"}),
            "InvalidParameterValue",
        ),
        (
            json!({"FunctionName": "hello", "RoutingKey": "k".repeat(1025)}),
            "InvalidParameterValue",
        ),
    ];
    assert_each_refused_with(&client, "Invoke", cases).await;
    let versioned = client
        .post(
            "Invoke",
            json!({"FunctionName": "versioned", "Namespace": "team", "Qualifier": "2"}),
        )
        .await;
    versioned.ok();

    let mut regionless = TestClient::new(&emulator, clock.clone());
    regionless.region = None;
    let reply = regionless
        .post("Invoke", json!({"FunctionName": "hello"}))
        .await;
    assert_eq!(reply.code().as_deref(), Some("MissingParameter"));
    // The async-event queries do not need a region.
    assert_eq!(
        regionless.status("x").await.code().as_deref(),
        Some("ResourceNotFound.AsyncEvent")
    );
}
