//! tccli's SCF request examples (`spec/scf/v20180416/examples.json`) against the generated schemas and the
//! emulator: every GET example's flattened query rebuilds into JSON that fits its action's request, and
//! every example, GET or POST, adapted to resources the test created, gets a success or a business error
//! the service documents from the emulator.

#![allow(clippy::unwrap_used)]

mod common;
#[path = "../../scf-model/tests/support/examples.rs"]
mod examples;

use common::TestClient;
use examples::examples;
use http::Method;
use scf_emulator::{Config, Emulator, SystemClock};
use scf_model::ErrorCode;
use serde_json::json;
use tc_api::params::{check, from_query};

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

/// Values for the examples' placeholders, naming resources the setup creates.
const PLACEHOLDERS: &[(&str, &str)] = &[
    ("<FunctionName>", "demo-function"),
    ("<Namespace>", "default"),
    ("<AliasName>", "demo-alias"),
    ("<TriggerName>", "demo-timer"),
    ("<CosBucketName>", "demo-bucket-1250000000"),
    ("<CosObjectName>", "/demo/code.zip"),
    ("<Description>", "from the example"),
    ("<function.handler>", "index.main_handler"),
];

/// Codes that mean the emulator failed the example rather than answering it as the service would
/// (`UnsupportedOperation.AliasBind` and the like are business errors; the bare code is not).
const NOT_AN_ANSWER: &[&str] = &[
    "UnsupportedOperation",
    "InvalidAction",
    "InternalError",
    "MissingParameter",
    "UnknownParameter",
];

fn zip_base64() -> String {
    common::zips::base64_zip_of(&[(
        "index.py",
        b"def main_handler(event, context):\n    return 'hi'\n",
    )])
}

/// Creates what the examples name: namespaces, functions with versions and aliases, a trigger, layers,
/// custom domains, and a past invocation. Returns that invocation's request id.
async fn set_up(client: &TestClient) -> String {
    for namespace in ["otherns", "namespace1", "test01"] {
        client
            .post("CreateNamespace", json!({"Namespace": namespace}))
            .await
            .ok();
    }
    let functions = [
        ("default", "demo-function"),
        ("default", "myfunc"),
        ("default", "TestFunction"),
        ("default", "functionName1"),
        ("default", "helloworld"),
        ("default", "function-demo"),
        ("default", "ledDummyAPITest"),
        ("default", "Unzip-1609933864"),
        ("default", "FunctionName"),
        ("default", "test1"),
        ("namespace1", "functionName1"),
    ];
    for (namespace, name) in functions {
        client
            .post(
                "CreateFunction",
                json!({"Namespace": namespace, "FunctionName": name, "Code": {"ZipFile": zip_base64()},
                       "Handler": "index.main_handler", "Runtime": "Python3.9",
                       "AsyncRunEnable": "TRUE"}),
            )
            .await
            .ok();
    }
    for (namespace, name, versions) in [
        ("default", "functionName1", 2),
        ("default", "TestFunction", 1),
        ("default", "demo-function", 1),
        ("default", "test1", 1),
        ("default", "helloworld", 1),
        ("namespace1", "functionName1", 1),
    ] {
        for _ in 0..versions {
            client
                .post(
                    "PublishVersion",
                    json!({"Namespace": namespace, "FunctionName": name}),
                )
                .await
                .ok();
        }
    }
    for (function, alias) in [
        ("functionName1", "abcAlias"),
        ("demo-function", "demo-alias"),
    ] {
        client
            .post(
                "CreateAlias",
                json!({"FunctionName": function, "Name": alias, "FunctionVersion": "1"}),
            )
            .await
            .ok();
    }
    for (function, trigger) in [
        ("demo-function", "demo-timer"),
        ("ledDummyAPITest", "test3"),
    ] {
        client
            .post(
                "CreateTrigger",
                json!({"FunctionName": function, "TriggerName": trigger, "Type": "timer",
                       "TriggerDesc": "0 */5 * * * * *"}),
            )
            .await
            .ok();
    }
    client
        .post(
            "PublishLayerVersion",
            json!({"LayerName": "layer-1", "CompatibleRuntimes": ["Python3.9"],
                   "Content": {"ZipFile": zip_base64()}}),
        )
        .await
        .ok();
    for domain in ["www.demo.com", "www.xxx.com"] {
        client
            .post(
                "CreateCustomDomain",
                json!({"Domain": domain, "Protocol": "HTTP",
                       "EndpointsConfig": [{"Namespace": "default", "FunctionName": "demo-function",
                                            "Qualifier": "$LATEST", "PathMatch": "/*"}]}),
            )
            .await
            .ok();
    }
    let invoked = client
        .post("Invoke", json!({"FunctionName": "demo-function"}))
        .await
        .ok();
    invoked["Result"]["FunctionRequestId"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn substitute(text: &str, action: &str, request_id: &str) -> String {
    let mut text = text.replace("<FunctionRequestId>", request_id);
    for (placeholder, value) in PLACEHOLDERS {
        // CreateFunction's example creates a function of its own.
        let value = if action == "CreateFunction" && *placeholder == "<FunctionName>" {
            "created-by-example"
        } else {
            value
        };
        text = text.replace(placeholder, value);
    }
    text
}

#[tokio::test]
async fn every_example_gets_an_answer_of_the_service() {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    // Functions are Active at once, so versions can be published right after they are created.
    config.function_ready_ms = 0;
    let emulator = Emulator::builder().config(config).start().await.unwrap();
    let client = TestClient::new(&emulator, SystemClock);
    let request_id = set_up(&client).await;
    let mut answers = Vec::new();
    // Creations first and deletions last, so that the other examples find what they name.
    let mut ordered = examples();
    ordered.sort_by_key(|example| {
        let action = example.action.as_str();
        if ["Create", "Publish", "Put"]
            .iter()
            .any(|verb| action.starts_with(verb))
        {
            0
        } else if action.starts_with("Delete") {
            2
        } else {
            1
        }
    });
    for example in ordered {
        let reply = if let Some(pairs) = example.query_pairs() {
            let pairs: Vec<(String, String)> = pairs
                .into_iter()
                .map(|(k, v)| (k.into_owned(), substitute(&v, &example.action, &request_id)))
                .collect();
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            client.get(&example.action, &query).await
        } else if let Some(body) = example.body() {
            let body = substitute(body, &example.action, &request_id);
            let request = client.signed(Method::POST, &example.action, "", &body);
            client.send(request).await.unwrap()
        } else {
            panic!(
                "{}: neither GET nor POST: {}",
                example.action, example.input
            );
        };
        let code = reply.code();
        let message = reply.json()["Response"]["Error"]["Message"].clone();
        answers.push((example.action.clone(), code, message));
    }
    let covered: std::collections::BTreeSet<&str> =
        answers.iter().map(|(action, ..)| action.as_str()).collect();
    assert_eq!(covered.len(), 52, "every action has an example");
    for (action, code, message) in &answers {
        println!("{action}: {}", code.as_deref().unwrap_or("ok"));
        if let Some(code) = code {
            assert!(
                !NOT_AN_ANSWER.contains(&code.as_str()) && !code.starts_with("InternalError"),
                "{action} answered {code}: {message}"
            );
            assert!(
                ErrorCode::KNOWN.iter().any(|known| known.as_str() == code),
                "{action} answered {code}, which the service does not document: {message}"
            );
        }
    }
    let succeeded = answers.iter().filter(|(_, code, _)| code.is_none()).count();
    // The examples that still fail name resources the service would refuse too (a second domain of the
    // same name, an event id that never existed); the rest must work.
    assert!(
        succeeded >= 44,
        "only {succeeded} of {} examples succeeded",
        answers.len()
    );
}
