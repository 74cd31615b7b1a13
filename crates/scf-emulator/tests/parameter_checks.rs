//! Every action's request is checked against the generated model before the action runs: unknown, missing
//! and wrongly typed parameters are refused and named by path, and a request that passes reaches the action,
//! which answers it as the service would (never UnsupportedOperation or InternalError).

#![allow(clippy::unwrap_used)]

mod common;

use common::TestClient;
use scf_emulator::{Config, Emulator, SystemClock};
use serde_json::{Value, json};
use tc_api::schema::{Kind, ObjectSchema};

/// The smallest request the schema accepts: each required member with a value of its kind.
fn minimal(object: &ObjectSchema) -> Value {
    let mut members = serde_json::Map::new();
    for member in object.members.iter().filter(|member| member.required) {
        let item = match member.kind {
            Kind::String => json!(member.values.first().copied().unwrap_or("x")),
            Kind::Int | Kind::UInt => json!(1),
            Kind::Float => json!(1.5),
            Kind::Bool => json!(true),
            Kind::Object(object) => minimal(object),
        };
        members.insert(
            member.name.to_owned(),
            if member.list { json!([item]) } else { item },
        );
    }
    Value::Object(members)
}

#[tokio::test]
async fn every_action_is_checked_then_answered() {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    let emulator = Emulator::builder().config(config).start().await.unwrap();
    let client = TestClient::new(&emulator, SystemClock);
    let mut answered = 0;
    for action in scf_model::ACTIONS {
        let name = action.name();
        let reply = client.post(name, minimal(action.input)).await;
        // The smallest request names resources that mostly do not exist: a business error, not a failure.
        // (Some members the spec marks optional are required by their action: MissingParameter then.)
        let code = reply.code().unwrap_or_default();
        assert!(
            !code.starts_with("UnsupportedOperation")
                && !code.starts_with("InternalError")
                && !code.starts_with("UnknownParameter"),
            "{name}: {code} {}",
            reply.error_message()
        );
        answered += 1;
        let unknown = client.post(name, json!({"NoSuchMember": 1})).await;
        assert_eq!(
            unknown.code().as_deref(),
            Some("UnknownParameter"),
            "{name}"
        );
        if let Some(required) = action.input.members.iter().find(|member| member.required) {
            let mut body = minimal(action.input);
            body.as_object_mut().unwrap().remove(required.name);
            let missing = client.post(name, body).await;
            assert_eq!(
                missing.code().as_deref(),
                Some("MissingParameter"),
                "{name}"
            );
            missing.assert_message_contains(&format!("`{}`", required.name));
        }
    }
    assert_eq!(answered, scf_model::ACTIONS.len());
}

#[tokio::test]
async fn nested_parameters_are_checked_by_their_path() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = TestClient::new(&emulator, SystemClock);
    let valid = client
        .post(
            "UpdateFunctionConfiguration",
            json!({"FunctionName": "f", "Timeout": 3, "Environment": {"Variables": [{"Key": "A", "Value": "1"}]}}),
        )
        .await;
    // Past the checks, the action finds no function `f`.
    assert_eq!(
        valid.code().as_deref(),
        Some("ResourceNotFound.Function"),
        "{}",
        valid.error_message()
    );
    valid.assert_message_contains("`f`");

    let cases = [
        (
            json!({"FunctionName": "f", "Environment": {"Variables": [{"Key": "A", "Value": 1}]}}),
            "InvalidParameterValue",
            "`Environment.Variables.0.Value`",
        ),
        (
            json!({"FunctionName": "f", "Environment": {"Variables": {"Key": "A"}}}),
            "InvalidParameterValue",
            "`Environment.Variables`",
        ),
        (
            json!({"FunctionName": "f", "Timeout": "3"}),
            "InvalidParameterValue",
            "`Timeout`",
        ),
        (
            json!({"FunctionName": "f", "Environment": {"Variables": [{"Key": "A", "Colour": "red"}]}}),
            "UnknownParameter",
            "`Environment.Variables.0.Colour`",
        ),
        (
            json!({"Environment": {}}),
            "MissingParameter",
            "`FunctionName`",
        ),
    ];
    for (body, code, path) in cases {
        let reply = client
            .post("UpdateFunctionConfiguration", body.clone())
            .await;
        assert_eq!(reply.code().as_deref(), Some(code), "{body}");
        assert!(
            reply.error_message().contains(path),
            "{body}: {}",
            reply.error_message()
        );
    }

    // The same checks on a GET, whose parameters are flattened.
    let get = client
        .get(
            "UpdateFunctionConfiguration",
            "FunctionName=f&Environment.Variables.0.Key=A&Environment.Variables.0.Value=1&Timeout=3",
        )
        .await;
    assert_eq!(
        get.code().as_deref(),
        Some("ResourceNotFound.Function"),
        "{}",
        get.error_message()
    );
    let wrong = client
        .get(
            "UpdateFunctionConfiguration",
            "FunctionName=f&Timeout=three",
        )
        .await;
    assert_eq!(wrong.code().as_deref(), Some("InvalidParameterValue"));
    wrong.assert_message_contains("`Timeout`");
}
