//! tccli's SCF request examples (`spec/scf/v20180416/examples.json`) against the generated schemas and the
//! emulator: every GET example's flattened query rebuilds into JSON that fits its action's request, and
//! every example, GET or POST, sent to the emulator gets past the parameter checks.

#![allow(clippy::unwrap_used)]

mod common;

use std::borrow::Cow;
use std::path::Path;

use common::TestClient;
use http::Method;
use scf_emulator::{Config, Emulator, SystemClock};
use serde_json::Value;
use tc_api::params::{check, from_query};

/// The actions the emulator implements; the others answer UnsupportedOperation.
const IMPLEMENTED: [&str; 4] = [
    "GetAsyncEventStatus",
    "Invoke",
    "ListAsyncEvents",
    "TerminateAsyncEvent",
];

/// One request example: the action and how tccli's documentation writes the request.
struct Example {
    action: String,
    input: String,
}

impl Example {
    /// The pairs of a GET example (`https://...?Action=X\n&Name=value\n&<公共请求参数>`), without the
    /// action and the placeholder for the common parameters.
    fn query_pairs(&self) -> Option<Vec<(Cow<'_, str>, Cow<'_, str>)>> {
        let (_, query) = self.input.strip_prefix("https://")?.split_once('?')?;
        let query: Vec<&str> = query
            .split('&')
            .map(str::trim)
            .filter(|pair| {
                !pair.is_empty() && !pair.starts_with("Action=") && *pair != "<公共请求参数>"
            })
            .collect();
        Some(
            form_urlencoded::parse(query.join("&").as_bytes())
                .map(|(k, v)| (Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned())))
                .collect(),
        )
    }

    /// The JSON body of a POST example (headers, a blank line, the body).
    fn body(&self) -> Option<&str> {
        self.input
            .starts_with("POST ")
            .then(|| self.input.split_once("\n\n").map(|(_, body)| body))?
    }
}

fn examples() -> Vec<Example> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/scf/v20180416/examples.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let examples: Value = serde_json::from_str(&text).unwrap();
    let mut all = Vec::new();
    for (action, list) in examples["actions"].as_object().unwrap() {
        for example in list.as_array().unwrap() {
            all.push(Example {
                action: action.clone(),
                input: example["input"].as_str().unwrap().to_owned(),
            });
        }
    }
    all
}

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
