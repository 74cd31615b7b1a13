//! Calls over loopback: typed and generic actions, the headers sent, and how answers become errors.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};

use scf_model::{
    ActionMetadata, ErrorCode, GetAsyncEventStatusRequest, InvokeRequest, ListAsyncEventsRequest,
    TerminateAsyncEventRequest,
};
use scf_transport::{Client, Endpoint, ErrorKind, HyperTransport, HyperTransportConfig, Language};
use tc3_signer::Credentials;

#[tokio::test]
async fn every_modelled_action_round_trips() {
    let emulator = common::emulator().await;
    let client = common::builder(&emulator).build().unwrap();
    let invoked = client.call(&InvokeRequest::event("hello")).await.unwrap();
    let id = invoked.result.function_request_id;
    let status = client
        .call(&GetAsyncEventStatusRequest::new(&id))
        .await
        .unwrap();
    assert_eq!(status.result.invoke_request_id, id);
    let listed = client
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    assert_eq!(listed.total_count, 1);
    client
        .call(&TerminateAsyncEventRequest::new("hello", &id))
        .await
        .unwrap();
    let again = client
        .call(&TerminateAsyncEventRequest::new("hello", &id))
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Api);
    assert_eq!(
        again.code(),
        Some(ErrorCode::FailedOperationAsyncEventStatus.as_str())
    );
    assert_eq!(again.attempts(), 1);
    assert!(
        !again.outcome_unknown(),
        "an error answer means the request was refused"
    );
    assert_eq!(again.request_id().map(str::len), Some(36));
    assert!(
        again
            .to_string()
            .contains("TerminateAsyncEvent failed: FailedOperation.AsyncEventStatus"),
        "{again}"
    );
}

#[tokio::test]
async fn generic_actions_take_any_json_and_return_any_json() {
    let emulator = common::emulator().await;
    let client = common::builder(&emulator).build().unwrap();
    let list = ActionMetadata::new_static("scf", "2018-04-16", "ListAsyncEvents", true, Some(20));
    let value: serde_json::Value = client
        .call_action(
            &list,
            &serde_json::json!({"FunctionName": "hello", "Limit": 5}),
        )
        .await
        .unwrap();
    assert_eq!(value["TotalCount"], 0);
    let missing = client
        .call_action::<serde_json::Value, _>(&list, &serde_json::json!({}))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some(ErrorCode::MissingParameter.as_str()));
}

#[tokio::test]
async fn action_names_and_versions_that_cannot_be_headers_are_refused_before_sending() {
    let emulator = common::emulator().await;
    let client = common::builder(&emulator).build().unwrap();
    let borrowed = ActionMetadata::new_static("scf", "2018-04-16", "List\nEvents", true, None);
    let mut owned = ActionMetadata::new_static("scf", "2018-04-16", "ListAsyncEvents", true, None);
    owned.version = format!("2018-04-16{}", '\u{7f}').into();
    for metadata in [borrowed, owned] {
        let refused = client
            .call_action::<serde_json::Value, _>(&metadata, &serde_json::json!({}))
            .await
            .unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::InvalidRequest, "{refused}");
        assert!(
            refused.to_string().contains("cannot be sent in a header"),
            "{refused}"
        );
    }
}

#[tokio::test]
async fn headers_follow_the_protocol_and_each_attempt_is_signed_afresh() {
    let emulator = common::emulator().await;
    let recording = common::Recording {
        inner: HyperTransport::new(&HyperTransportConfig::default()).unwrap(),
        requests: Arc::new(Mutex::new(Vec::new())),
    };
    let client = Client::builder()
        .credentials(Credentials::with_token("AKIDtmp", "tmp-key", "tmp-token").unwrap())
        .endpoint(Endpoint::url(&emulator.url()).unwrap())
        .language(Language::EnUs)
        .transport(recording.clone())
        .build()
        .unwrap();
    let _ = client.call(&GetAsyncEventStatusRequest::new("x")).await;
    let first = {
        let requests = recording.requests.lock().unwrap();
        (requests[0].headers().clone(), requests[0].body().clone())
    };
    let headers = &first.0;
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["host"], emulator.endpoint());
    assert_eq!(headers["x-tc-action"], "GetAsyncEventStatus");
    assert_eq!(headers["x-tc-version"], "2018-04-16");
    assert_eq!(headers["x-tc-token"], "tmp-token");
    assert_eq!(headers["x-tc-language"], "en-US");
    assert!(
        headers["x-tc-requestclient"]
            .to_str()
            .unwrap()
            .starts_with("SDK_RUST_")
    );
    assert!(
        headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("scf-transport/")
    );
    assert!(
        !headers.contains_key("x-tc-region"),
        "no region configured, so none is sent"
    );
    assert!(headers["authorization"].is_sensitive());
    assert_eq!(first.1.as_ref(), br#"{"InvokeRequestId":"x"}"#);
    // Another service signs with its own scope even at the same host.
    let describe = ActionMetadata::new_static("cvm", "2017-03-12", "DescribeInstances", true, None);
    let refused = client
        .call_action::<serde_json::Value, _>(&describe, &serde_json::json!({"Limit": 1}))
        .await
        .unwrap_err();
    assert_eq!(
        refused.code(),
        Some(ErrorCode::AuthFailureSecretIdNotFound.as_str())
    );
    let requests = recording.requests.lock().unwrap();
    let authorization = requests[1].headers()["authorization"].to_str().unwrap();
    assert!(
        authorization.contains("/cvm/tc3_request"),
        "{authorization}"
    );
}

#[tokio::test]
async fn a_region_is_sent_when_configured() {
    let emulator = common::emulator().await;
    let recording = common::Recording {
        inner: HyperTransport::new(&HyperTransportConfig::default()).unwrap(),
        requests: Arc::new(Mutex::new(Vec::new())),
    };
    let client = common::builder(&emulator)
        .transport(recording.clone())
        .build()
        .unwrap();
    client
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    assert_eq!(
        recording.requests.lock().unwrap()[0].headers()["x-tc-region"],
        "ap-guangzhou"
    );
    // A region that cannot be a header value is refused when the client is built, not on each call.
    let refused = common::builder(&emulator)
        .region("ap-guangzhou\n")
        .build()
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidRequest);
    assert!(
        refused.to_string().contains("cannot be sent in a header"),
        "{refused}"
    );
}

#[tokio::test]
async fn oversized_answers_are_refused() {
    let emulator = common::emulator().await;
    let client = common::builder(&emulator)
        .max_response_bytes(40)
        .build()
        .unwrap();
    let error = client
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ResponseTooLarge);
    assert_eq!(error.attempts(), 1);
}

#[tokio::test]
async fn a_failing_credentials_provider_fails_the_call_with_its_reason() {
    let emulator = common::emulator().await;
    let empty = scf_transport::FakeEnvironment::default();
    // A port that was just free refuses the connect at once: no metadata service, so no CVM role.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let chain = scf_transport::DefaultChain::with_environment(empty)
        .metadata_endpoint(format!("http://127.0.0.1:{port}"));
    let client = common::builder(&emulator)
        .credentials(chain)
        .build()
        .unwrap();
    let error = client
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Credentials);
    assert!(
        error.to_string().contains("no credentials found"),
        "{error}"
    );
}

#[tokio::test]
async fn settings_not_given_in_code_come_from_the_environment() {
    let emulator = common::emulator().await;
    let (recording, requests) = common::recording();
    let environment = scf_transport::FakeEnvironment::default()
        .with_var("TENCENTCLOUD_SECRET_ID", scf_emulator::DEMO_SECRET_ID)
        .with_var("TENCENTCLOUD_SECRET_KEY", scf_emulator::DEMO_SECRET_KEY)
        .with_var("TENCENTCLOUD_REGION", "ap-shanghai");
    // No credentials and no region in code: the default chain and TENCENTCLOUD_REGION supply them.
    let client = Client::builder()
        .environment(environment.clone())
        .endpoint(Endpoint::url(&emulator.url()).unwrap())
        .transport(recording)
        .build()
        .unwrap();
    assert_eq!(client.region(), Some("ap-shanghai"));
    client
        .call(&ListAsyncEventsRequest::new("hello"))
        .await
        .unwrap();
    assert_eq!(
        requests.lock().unwrap()[0].headers()["x-tc-region"],
        "ap-shanghai"
    );

    // A region given in code wins over the environment.
    let client = Client::builder()
        .environment(environment)
        .region("ap-beijing")
        .endpoint(Endpoint::url(&emulator.url()).unwrap())
        .build()
        .unwrap();
    assert_eq!(client.region(), Some("ap-beijing"));
}

#[tokio::test]
async fn a_url_that_is_not_absolute_is_an_invalid_request_not_a_connect_failure() {
    use scf_transport::{Transport, TransportErrorKind};
    let (recording, _) = common::recording();
    let request = http::Request::post("/").body(bytes::Bytes::new()).unwrap();
    let error = recording.inner.send(request).await.unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::InvalidRequest);
    assert!(!error.may_have_been_sent());
}
