//! The actions the emulator does not implement yet: their requests are checked against the generated model
//! like any other (unknown, missing and wrongly typed parameters refused, named by path), and a request that
//! passes answers UnsupportedOperation naming the action.

#![allow(clippy::unwrap_used)]

mod common;

use common::TestClient;
use scf_emulator::{Config, Emulator, SystemClock};
use serde_json::{Value, json};
use tc_api::schema::{Kind, ObjectSchema};

fn message(reply: &common::Reply) -> String {
    reply.json()["Response"]["Error"]["Message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

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
async fn unimplemented_actions_answer_unsupported_operation_naming_the_action() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = TestClient::new(&emulator, SystemClock);
    let list = client.post("ListFunctions", json!({"Limit": 10})).await;
    assert_eq!(list.code().as_deref(), Some("UnsupportedOperation"));
    assert!(
        message(&list).contains("`ListFunctions`"),
        "{}",
        message(&list)
    );
    let create = client
        .post(
            "CreateFunction",
            json!({"FunctionName": "f", "Code": {"CosBucketName": "b", "CosObjectName": "o.zip"}, "Handler": "index.main"}),
        )
        .await;
    assert_eq!(create.code().as_deref(), Some("UnsupportedOperation"));
    assert!(
        message(&create).contains("`CreateFunction`"),
        "{}",
        message(&create)
    );
    // The answer is the usual envelope, with a RequestId.
    assert!(!create.request_id().is_empty());
    let get = client
        .get(
            "ListFunctions",
            "Filters.0.Name=tag-status&Filters.0.Values.0=dev&Limit=2&Order=ASC",
        )
        .await;
    assert_eq!(get.code().as_deref(), Some("UnsupportedOperation"));
}

#[tokio::test]
async fn every_unimplemented_action_is_checked_then_unsupported() {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    let emulator = Emulator::builder().config(config).start().await.unwrap();
    let client = TestClient::new(&emulator, SystemClock);
    let implemented = [
        "GetAsyncEventStatus",
        "GetFunctionLogs",
        "GetRequestStatus",
        "Invoke",
        "InvokeFunction",
        "ListAsyncEvents",
        "TerminateAsyncEvent",
    ];
    let mut unsupported = 0;
    for action in scf_model::ACTIONS {
        let name = action.name();
        let reply = client.post(name, minimal(action.input)).await;
        if implemented.contains(&name) {
            assert_ne!(
                reply.code().as_deref(),
                Some("UnsupportedOperation"),
                "{name}"
            );
            continue;
        }
        assert_eq!(
            reply.code().as_deref(),
            Some("UnsupportedOperation"),
            "{name}: {}",
            message(&reply)
        );
        assert!(
            message(&reply).contains(&format!("`{name}`")),
            "{}",
            message(&reply)
        );
        unsupported += 1;
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
            assert!(
                message(&missing).contains(&format!("`{}`", required.name)),
                "{}",
                message(&missing)
            );
        }
    }
    assert_eq!(unsupported, scf_model::ACTIONS.len() - implemented.len());
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
    assert_eq!(
        valid.code().as_deref(),
        Some("UnsupportedOperation"),
        "{}",
        message(&valid)
    );
    assert!(message(&valid).contains("`UpdateFunctionConfiguration`"));

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
            message(&reply).contains(path),
            "{body}: {}",
            message(&reply)
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
        Some("UnsupportedOperation"),
        "{}",
        message(&get)
    );
    let wrong = client
        .get(
            "UpdateFunctionConfiguration",
            "FunctionName=f&Timeout=three",
        )
        .await;
    assert_eq!(wrong.code().as_deref(), Some("InvalidParameterValue"));
    assert!(message(&wrong).contains("`Timeout`"), "{}", message(&wrong));
}
