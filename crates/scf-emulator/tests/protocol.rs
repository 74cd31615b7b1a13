//! The wire protocol: response format, signature failures and the API checks, over loopback.

#![allow(clippy::unwrap_used)]

mod common;

use bytes::Bytes;
use common::TestClient;
use http::{HeaderValue, Method, StatusCode};
use http_body_util::Full;
use scf_emulator::{Config, CredentialConfig, Emulator, ManualClock, SystemClock};
use serde_json::json;
use tc3_signer::Credentials;

async fn emulator_with_temporary_key() -> scf_emulator::RunningEmulator {
    let mut config = Config::default();
    config.credentials.push(CredentialConfig {
        token: Some("session-token-1".into()),
        ..CredentialConfig::new("AKIDtemporary", "temporary-key")
    });
    Emulator::builder()
        .config(config)
        .credential(CredentialConfig::new("AKIDflag", "flag-key"))
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_answer_is_200_json_with_a_date_and_a_fresh_request_id() {
    let emulator = emulator_with_temporary_key().await;
    let client = TestClient::new(&emulator, SystemClock);
    let mut seen = std::collections::HashSet::new();
    let replies = [
        client.status("nope").await,
        client
            .post("ListAsyncEvents", json!({"FunctionName": "hello"}))
            .await,
        client.post("NoSuchAction", json!({})).await,
    ];
    for reply in replies {
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.headers["content-type"], "application/json");
        let date = reply.headers["date"].to_str().unwrap();
        assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
        assert!(seen.insert(reply.request_id()), "RequestIds repeat");
    }
}

#[tokio::test]
async fn signature_failures_have_tencents_codes() {
    let emulator = emulator_with_temporary_key().await;
    let client = TestClient::new(&emulator, SystemClock);
    let body = json!({"InvokeRequestId": "x"}).to_string();
    let code = |reply: common::Reply| reply.code().unwrap();

    let mut unsigned = client.signed(Method::POST, "GetAsyncEventStatus", "", &body);
    unsigned.headers_mut().remove("authorization");
    assert_eq!(
        code(client.send(unsigned).await.unwrap()),
        "AuthFailure.InvalidAuthorization"
    );

    let mut garbled = client.signed(Method::POST, "GetAsyncEventStatus", "", &body);
    garbled
        .headers_mut()
        .insert("authorization", HeaderValue::from_static("Bearer abc"));
    assert_eq!(
        code(client.send(garbled).await.unwrap()),
        "AuthFailure.InvalidAuthorization"
    );

    let mut stranger = TestClient::new(&emulator, SystemClock);
    stranger.credentials = Credentials::new("AKIDunknown", "key").unwrap();
    assert_eq!(
        code(stranger.status("x").await),
        "AuthFailure.SecretIdNotFound"
    );

    let mut wrong_key = TestClient::new(&emulator, SystemClock);
    wrong_key.credentials = Credentials::new(scf_emulator::DEMO_SECRET_ID, "wrong").unwrap();
    assert_eq!(
        code(wrong_key.status("x").await),
        "AuthFailure.SignatureFailure"
    );

    let mut tampered = client.signed(Method::POST, "GetAsyncEventStatus", "", &body);
    *tampered.body_mut() = Full::new(Bytes::from(json!({"InvokeRequestId": "y"}).to_string()));
    assert_eq!(
        code(client.send(tampered).await.unwrap()),
        "AuthFailure.SignatureFailure"
    );

    for (skew, expected) in [
        (-301, Some("AuthFailure.SignatureExpire")),
        (301, Some("AuthFailure.SignatureExpire")),
        (-290, None),
        (290, None),
    ] {
        let mut skewed = TestClient::new(&emulator, SystemClock);
        skewed.skew_secs = skew;
        let reply = skewed.status("x").await;
        let got = reply.code();
        let got = got
            .as_deref()
            .filter(|c| *c != "ResourceNotFound.AsyncEvent");
        assert_eq!(got, expected, "skew {skew}");
    }

    let mut temporary = TestClient::new(&emulator, SystemClock);
    temporary.credentials = Credentials::new("AKIDtemporary", "temporary-key").unwrap();
    assert_eq!(
        code(temporary.status("x").await),
        "AuthFailure.TokenFailure",
        "missing token"
    );
    temporary.credentials =
        Credentials::with_token("AKIDtemporary", "temporary-key", "other").unwrap();
    assert_eq!(
        code(temporary.status("x").await),
        "AuthFailure.TokenFailure",
        "wrong token"
    );
    temporary.credentials =
        Credentials::with_token("AKIDtemporary", "temporary-key", "session-token-1").unwrap();
    assert_eq!(
        code(temporary.status("x").await),
        "ResourceNotFound.AsyncEvent"
    );

    let mut flagged = TestClient::new(&emulator, SystemClock);
    flagged.credentials = Credentials::new("AKIDflag", "flag-key").unwrap();
    assert_eq!(
        code(flagged.status("x").await),
        "ResourceNotFound.AsyncEvent"
    );
}

#[tokio::test]
async fn api_checks_follow_the_signature() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = TestClient::new(&emulator, SystemClock);
    let code = |reply: common::Reply| reply.code().unwrap();

    assert_eq!(
        code(client.post("DeleteEverything", json!({})).await),
        "InvalidAction"
    );
    // Action names are case-sensitive, as on the service.
    assert_eq!(
        code(client.post("listFunctions", json!({})).await),
        "InvalidAction"
    );
    let mut old = client.signed(Method::POST, "GetAsyncEventStatus", "", "{}");
    old.headers_mut()
        .insert("x-tc-version", HeaderValue::from_static("2017-01-01"));
    // The version header is not signed, so changing it leaves the signature valid.
    assert_eq!(code(client.send(old).await.unwrap()), "NoSuchVersion");
    let mut anonymous = client.signed(Method::POST, "GetAsyncEventStatus", "", "{}");
    anonymous.headers_mut().remove("x-tc-action");
    assert_eq!(
        code(client.send(anonymous).await.unwrap()),
        "MissingParameter"
    );
    assert_eq!(
        code(client.post("GetAsyncEventStatus", json!({})).await),
        "MissingParameter"
    );
    assert_eq!(
        code(
            client
                .post(
                    "GetAsyncEventStatus",
                    json!({"InvokeRequestId": "x", "Extra": 1})
                )
                .await
        ),
        "UnknownParameter"
    );
    assert_eq!(
        code(
            client
                .post("GetAsyncEventStatus", json!({"InvokeRequestId": 5}))
                .await
        ),
        "InvalidParameterValue"
    );
    assert_eq!(
        code(client.post("GetAsyncEventStatus", json!([1, 2])).await),
        "InvalidParameter"
    );
    let malformed = client.signed(
        Method::POST,
        "GetAsyncEventStatus",
        "",
        "{\"InvokeRequestId\":",
    );
    assert_eq!(
        code(client.send(malformed).await.unwrap()),
        "InvalidParameter"
    );
    assert_eq!(
        code(
            client
                .get("GetAsyncEventStatus", "InvokeRequestId=a&Bogus=1")
                .await
        ),
        "UnknownParameter"
    );

    let mut elsewhere = TestClient::new(&emulator, SystemClock);
    elsewhere.region = Some("mars-north-1".into());
    assert_eq!(code(elsewhere.status("x").await), "UnsupportedRegion");

    for method in [Method::PUT, Method::DELETE, Method::PATCH] {
        let mut request = client.signed(Method::POST, "GetAsyncEventStatus", "", "{}");
        *request.method_mut() = method.clone();
        assert_eq!(
            code(client.send(request).await.unwrap()),
            "UnsupportedProtocol",
            "{method}"
        );
    }
}

#[tokio::test]
async fn oversized_requests_are_refused_without_reading_them_whole() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = TestClient::new(&emulator, SystemClock);
    let huge = format!(
        "{{\"InvokeRequestId\":\"{}\"}}",
        "x".repeat(10 * 1024 * 1024)
    );
    let reply = client
        .send(client.signed(Method::POST, "GetAsyncEventStatus", "", &huge))
        .await
        .unwrap();
    assert_eq!(reply.code().as_deref(), Some("RequestSizeLimitExceeded"));
    let long_query = format!("InvokeRequestId={}", "x".repeat(33 * 1024));
    let reply = client.get("GetAsyncEventStatus", &long_query).await;
    assert_eq!(reply.code().as_deref(), Some("RequestSizeLimitExceeded"));
}

#[tokio::test]
async fn garbage_headers_get_error_answers_not_crashes() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = TestClient::new(&emulator, SystemClock);
    let mut request = client.signed(Method::POST, "GetAsyncEventStatus", "", "{}");
    request.headers_mut().insert(
        "x-tc-timestamp",
        HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
    );
    assert_eq!(
        client.send(request).await.unwrap().code().as_deref(),
        Some("InvalidParameterValue")
    );
    let mut request = client.signed(Method::POST, "GetAsyncEventStatus", "", "{}");
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_bytes(b"TC3-HMAC-SHA256 \xff").unwrap(),
    );
    assert_eq!(
        client.send(request).await.unwrap().code().as_deref(),
        Some("AuthFailure.InvalidAuthorization")
    );
    let mut request = client.signed(Method::POST, "GetAsyncEventStatus", "", "{}");
    request
        .headers_mut()
        .append("host", HeaderValue::from_static("evil.example"));
    assert_eq!(
        client.send(request).await.unwrap().code().as_deref(),
        Some("AuthFailure.SignatureFailure")
    );
    // The emulator still answers afterwards.
    assert_eq!(
        client.status("x").await.code().as_deref(),
        Some("ResourceNotFound.AsyncEvent")
    );
}

#[tokio::test]
async fn post_needs_json_content_type() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = TestClient::new(&emulator, ManualClock::starting_now());
    let mut request = client.signed(Method::POST, "GetAsyncEventStatus", "", "InvokeRequestId=x");
    request.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    // Content-Type is signed, so re-sign after changing it.
    let (mut parts, body) = request.into_parts();
    parts.headers.remove("authorization");
    let mut resigned = http::Request::from_parts(parts, b"InvokeRequestId=x".to_vec());
    tc3_signer::http::sign_request(
        &mut resigned,
        &tc3_signer::SigningParams::new(
            &client.credentials,
            "scf",
            client.clock.now_millis() / 1_000,
        ),
    )
    .unwrap();
    drop(body);
    let reply = client
        .send(resigned.map(|b| Full::new(Bytes::from(b))))
        .await
        .unwrap();
    assert_eq!(reply.code().as_deref(), Some("InvalidParameter"));
}
