//! Custom domains over loopback: created with routes to existing functions, read back as given, listed
//! with filters, order and paging, updated and deleted, with the service's codes for bad input.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::TestClient;
use common::listing::string_column;
use common::refusals::assert_each_refused_with;
use common::start::start_with_client;
use scf_emulator::{Config, FunctionConfig, ManualClock, NamespaceConfig, RunningEmulator};
use serde_json::{Value, json};

/// 2024-12-14 00:00:00 in UTC+8, the service's time zone.
const START_MS: u64 = 1_734_105_600_000;

/// `test1` in `default` with version 1 and alias `prod`; `api` in namespace `team`.
async fn start(clock: &ManualClock) -> (RunningEmulator, TestClient) {
    let mut test1 = FunctionConfig::new("test1", 100);
    test1.qualifiers = vec!["$LATEST".into(), "1".into(), "prod".into()];
    let config = Config {
        namespaces: vec![
            NamespaceConfig {
                name: "default".into(),
                functions: vec![test1],
            },
            NamespaceConfig {
                name: "team".into(),
                functions: vec![FunctionConfig::new("api", 100)],
            },
        ],
        ..Config::default()
    };
    start_with_client(config, clock).await
}

/// The CreateCustomDomain example request of the API docs.
fn example() -> Value {
    json!({
        "Domain": "www.ccc.com",
        "Protocol": "HTTP&HTTPS",
        "CertConfig": {"CertificateId": "BxxJ3DK7"},
        "EndpointsConfig": [{
            "PathMatch": "/aa/*",
            "Namespace": "default",
            "FunctionName": "test1",
            "Qualifier": "$LATEST",
            "PathRewrite": [{"Path": "/aa/bb/*", "Type": "WildcardRules", "Rewrite": "/$"}]
        }],
        "WafConfig": {"WafOpen": "CLOSE", "WafInstanceId": "waf_2kzh3vlq0umkkha9"}
    })
}

fn http_domain(domain: &str, namespace: &str, function: &str) -> Value {
    json!({
        "Domain": domain,
        "Protocol": "HTTP",
        "EndpointsConfig": [{"PathMatch": "/", "Namespace": namespace, "FunctionName": function, "Qualifier": ""}]
    })
}

fn domains(list: &Value) -> Vec<String> {
    string_column(list, "Domains", "Domain")
}

#[tokio::test]
async fn a_domain_is_created_read_updated_and_deleted() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start(&clock).await;
    client.post("CreateCustomDomain", example()).await.ok();

    // Names compare without case; what was given comes back as given.
    let got = client
        .post("GetCustomDomain", json!({"Domain": "WWW.ccc.com"}))
        .await
        .ok();
    assert_eq!(got["Domain"], "www.ccc.com");
    assert_eq!(got["Protocol"], "HTTP&HTTPS");
    assert_eq!(got["CertConfig"], json!({"CertificateId": "BxxJ3DK7"}));
    assert_eq!(got["EndpointsConfig"], example()["EndpointsConfig"]);
    assert_eq!(got["WafConfig"], example()["WafConfig"]);

    let again = client.post("CreateCustomDomain", example()).await;
    assert_eq!(again.code().as_deref(), Some("ResourceInUse"));
    again.assert_message_contains("`www.ccc.com`");

    // The UpdateCustomDomain example: protocol, certificate and WAF change; the routes stay.
    client
        .post(
            "UpdateCustomDomain",
            json!({"Domain": "www.ccc.com", "Protocol": "HTTP&HTTPS",
                   "CertConfig": {"CertificateId": "cvvxxJ3DK7"},
                   "WafConfig": {"WafOpen": "OPEN", "WafInstanceId": "waf_2kzh3vlq0um"}}),
        )
        .await
        .ok();
    let got = client
        .post("GetCustomDomain", json!({"Domain": "www.ccc.com"}))
        .await
        .ok();
    assert_eq!(got["CertConfig"]["CertificateId"], "cvvxxJ3DK7");
    assert_eq!(got["WafConfig"]["WafOpen"], "OPEN");
    assert_eq!(got["EndpointsConfig"], example()["EndpointsConfig"]);

    let routes = json!([
        {"PathMatch": "/v1/*", "Namespace": "default", "FunctionName": "test1", "Qualifier": "prod"},
        {"PathMatch": "/v2/", "Namespace": "team", "FunctionName": "api", "Qualifier": "$LATEST"}
    ]);
    client
        .post(
            "UpdateCustomDomain",
            json!({"Domain": "www.ccc.com", "EndpointsConfig": routes}),
        )
        .await
        .ok();
    let got = client
        .post("GetCustomDomain", json!({"Domain": "www.ccc.com"}))
        .await
        .ok();
    assert_eq!(got["EndpointsConfig"], routes);

    // HTTPS cannot lose its certificate; a refused update changes nothing.
    let no_cert = client
        .post(
            "UpdateCustomDomain",
            json!({"Domain": "www.ccc.com", "Protocol": "HTTPS", "CertConfig": {"CertificateId": ""}}),
        )
        .await;
    assert_eq!(no_cert.code().as_deref(), Some("FailedOperation.Ssl"));
    let got = client
        .post("GetCustomDomain", json!({"Domain": "www.ccc.com"}))
        .await
        .ok();
    assert_eq!(got["Protocol"], "HTTP&HTTPS");
    assert_eq!(got["CertConfig"]["CertificateId"], "cvvxxJ3DK7");

    client
        .post("DeleteCustomDomain", json!({"Domain": "www.ccc.com"}))
        .await
        .ok();
    for action in ["GetCustomDomain", "DeleteCustomDomain"] {
        let gone = client.post(action, json!({"Domain": "www.ccc.com"})).await;
        assert_eq!(
            gone.code().as_deref(),
            Some("FailedOperation.Domain.UnExist"),
            "{action}"
        );
        gone.assert_message_contains("`www.ccc.com`");
    }
    let update = client
        .post(
            "UpdateCustomDomain",
            json!({"Domain": "www.ccc.com", "Protocol": "HTTP"}),
        )
        .await;
    assert_eq!(
        update.code().as_deref(),
        Some("FailedOperation.Domain.UnExist")
    );
}

#[tokio::test]
async fn bad_domains_and_routes_get_the_services_codes() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start(&clock).await;
    let with = |path: &[&str], value: Value| {
        let mut body = example();
        let mut at = &mut body;
        for key in &path[..path.len() - 1] {
            at = match key.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*key],
            };
        }
        at[path[path.len() - 1]] = value;
        body
    };
    let route = |member: &str, value: Value| with(&["EndpointsConfig", "0", member], value);
    let cases = [
        (
            with(&["Domain"], json!("*.ccc.com")),
            "InvalidParameterValue.Domain",
        ),
        (
            with(&["Domain"], json!("localhost")),
            "InvalidParameterValue.Domain",
        ),
        (
            with(&["Domain"], json!("-bad.ccc.com")),
            "InvalidParameterValue.Domain",
        ),
        (
            with(&["Domain"], json!("a..ccc.com")),
            "InvalidParameterValue.Domain",
        ),
        (
            with(&["Domain"], json!(format!("{}.com", "a".repeat(64)))),
            "InvalidParameterValue.Domain",
        ),
        (with(&["Protocol"], json!("FTP")), "InvalidParameterValue"),
        (with(&["CertConfig"], json!({})), "InvalidParameterValue"),
        (
            with(&["WafConfig", "WafOpen"], json!("ON")),
            "InvalidParameterValue",
        ),
        (
            with(&["EndpointsConfig"], json!([])),
            "InvalidParameterValue",
        ),
        (route("PathMatch", json!("aa/*")), "InvalidParameterValue"),
        (route("PathMatch", json!("/a*/b")), "InvalidParameterValue"),
        (
            route("FunctionName", json!("nobody")),
            "ResourceNotFound.Function",
        ),
        (
            route("Namespace", json!("nowhere")),
            "ResourceNotFound.Namespace",
        ),
        (route("Qualifier", json!("7")), "ResourceNotFound.Qualifier"),
        (
            with(
                &["EndpointsConfig", "0", "PathRewrite", "0", "Type"],
                json!("Regex"),
            ),
            "InvalidParameterValue",
        ),
        (
            with(
                &["EndpointsConfig", "0", "PathRewrite", "0", "Rewrite"],
                json!("$1"),
            ),
            "InvalidParameterValue",
        ),
    ];
    assert_each_refused_with(&client, "CreateCustomDomain", cases).await;
    let mut twice = example();
    let first = twice["EndpointsConfig"][0].clone();
    twice["EndpointsConfig"].as_array_mut().unwrap().push(first);
    let reply = client.post("CreateCustomDomain", twice).await;
    assert_eq!(reply.code().as_deref(), Some("InvalidParameterValue"));
    reply.assert_message_contains("EndpointsConfig.1.PathMatch");

    let list = client.post("ListCustomDomains", json!({})).await.ok();
    assert_eq!(list["Total"], 0, "nothing refused was stored");
    let missing = client.post("GetCustomDomain", json!({})).await;
    assert_eq!(missing.code().as_deref(), Some("MissingParameter"));
}

#[tokio::test]
async fn list_filters_orders_and_pages() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start(&clock).await;
    for (domain, namespace, function) in [
        ("a.example.com", "default", "test1"),
        ("b.example.com", "team", "api"),
        ("c.example.org", "default", "test1"),
    ] {
        client
            .post(
                "CreateCustomDomain",
                http_domain(domain, namespace, function),
            )
            .await
            .ok();
        clock.advance(Duration::from_secs(1));
    }
    client
        .post(
            "UpdateCustomDomain",
            json!({"Domain": "a.example.com", "Protocol": "HTTP"}),
        )
        .await
        .ok();
    let list = |body: Value| {
        let client = &client;
        async move { client.post("ListCustomDomains", body).await }
    };
    let newest_first = list(json!({})).await.ok();
    assert_eq!(newest_first["Total"], 3);
    assert_eq!(
        domains(&newest_first),
        ["c.example.org", "b.example.com", "a.example.com"]
    );
    assert_eq!(
        newest_first["Domains"][0]["WafConfig"],
        json!({"WafOpen": "CLOSE", "WafInstanceId": ""})
    );
    let by_modified = list(json!({"OrderBy": "ModTime"})).await.ok();
    assert_eq!(
        domains(&by_modified),
        ["a.example.com", "c.example.org", "b.example.com"]
    );
    let page = list(json!({"Order": "ASC", "Offset": 1, "Limit": 1}))
        .await
        .ok();
    assert_eq!(
        (page["Total"].clone(), domains(&page)),
        (json!(3), vec!["b.example.com".to_owned()])
    );

    let com = list(json!({"Filters": [{"Name": "Domain", "Values": [".COM"]}], "Order": "ASC"}))
        .await
        .ok();
    assert_eq!(domains(&com), ["a.example.com", "b.example.com"]);
    let routed = list(json!({"Filters": [
        {"Name": "FunctionName", "Values": ["test1", "api"]},
        {"Name": "Namespace", "Values": ["default"]}
    ], "Order": "ASC"}))
    .await
    .ok();
    assert_eq!(domains(&routed), ["a.example.com", "c.example.org"]);

    assert_each_refused_with(
        &client,
        "ListCustomDomains",
        [
            (
                json!({"Filters": [{"Name": "Owner", "Values": ["x"]}]}),
                "InvalidParameterValue.Filters",
            ),
            (
                json!({"OrderBy": "Domain"}),
                "InvalidParameterValue.OrderBy",
            ),
            (json!({"Limit": 101}), "InvalidParameterValue.Limit"),
            (json!({"Order": "down"}), "InvalidParameterValue.Order"),
        ],
    )
    .await;
}
