//! tccli's SCF request examples (`spec/scf/v20180416/examples.json`) against the generated schemas and the
//! emulator: every GET example's flattened query rebuilds into JSON that fits its action's request, and
//! every example, GET or POST, sent to the emulator gets past the parameter checks.

#![allow(clippy::unwrap_used)]

mod common;
#[path = "../../scf-model/tests/support/examples.rs"]
mod examples;

use common::TestClient;
use examples::examples;
use http::Method;
use scf_emulator::{Config, Emulator, SystemClock};
use tc_api::params::{check, from_query};

/// The actions the emulator implements; the others answer UnsupportedOperation.
const IMPLEMENTED: [&str; 7] = [
    "GetAsyncEventStatus",
    "GetFunctionLogs",
    "GetRequestStatus",
    "Invoke",
    "InvokeFunction",
    "ListAsyncEvents",
    "TerminateAsyncEvent",
];

#[test]
fn every_get_example_rebuilds_into_its_request() {
    let mut rebuilt = 0;
    for example in examples() {
        let Some(pairs) = example.query_pairs() else {
            continue;
        };
        let schema = scf_model::action_schema(&example.action)
            .unwrap_or_else(|| panic!("{} is an action of the model", example.action));
        let value = from_query(pairs, schema.input)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", example.action, example.input));
        check(&value, schema.input).unwrap_or_else(|e| panic!("{}: {e}\n{value}", example.action));
        rebuilt += 1;
    }
    // tccli's SCF examples are 30 GET and 24 POST requests.
    assert_eq!(rebuilt, 30);
}

#[tokio::test]
async fn every_example_gets_past_the_parameter_checks() {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    let emulator = Emulator::builder().config(config).start().await.unwrap();
    let client = TestClient::new(&emulator, SystemClock);
    let mut sent = 0;
    for example in examples() {
        let reply = if let Some(pairs) = example.query_pairs() {
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            client.get(&example.action, &query).await
        } else if let Some(body) = example.body() {
            let request = client.signed(Method::POST, &example.action, "", body);
            client.send(request).await.unwrap()
        } else {
            panic!(
                "{}: neither GET nor POST: {}",
                example.action, example.input
            );
        };
        sent += 1;
        let code = reply.code().unwrap_or_default();
        let message = reply.json()["Response"]["Error"]["Message"].clone();
        if IMPLEMENTED.contains(&example.action.as_str()) {
            // The examples name functions and events this emulator does not have.
            assert!(
                code.starts_with("ResourceNotFound"),
                "{}: {code} {message}",
                example.action
            );
        } else {
            assert_eq!(
                code, "UnsupportedOperation",
                "{}: {message}",
                example.action
            );
            assert!(
                message
                    .as_str()
                    .unwrap()
                    .contains(&format!("`{}`", example.action)),
                "{message}"
            );
        }
    }
    assert_eq!(sent, 54);
}
