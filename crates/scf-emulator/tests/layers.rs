//! Layers over loopback: versions published from a zip or a COS object, read back, listed with filters and
//! paging, deleted, with the documented limits and the service's codes for bad input.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::TestClient;
use common::refusals::assert_each_refused_with;
use common::start::start_with_client;
use common::zips::{base64, zip_of};
use scf_emulator::{Config, ManualClock, RunningEmulator};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// 2024-12-14 00:00:00 in UTC+8, the service's time zone.
const START_MS: u64 = 1_734_105_600_000;

async fn start(clock: &ManualClock) -> (RunningEmulator, TestClient) {
    start_with_client(Config::default(), clock).await
}

fn cos_layer(name: &str, runtimes: &[&str]) -> Value {
    json!({
        "LayerName": name,
        "CompatibleRuntimes": runtimes,
        "Content": {"CosBucketName": "layers-1250000000", "CosObjectName": format!("/{name}/deps.zip"), "CosBucketRegion": "ap-singapore"}
    })
}

fn versions(list: &Value, member: &str) -> Vec<(String, i64)> {
    list[member]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["LayerName"].as_str().unwrap().to_owned(),
                v["LayerVersion"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn versions_are_published_read_listed_and_deleted() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start(&clock).await;
    let zip = zip_of(&[("python/lib.py", b"VALUE = 1\n")]);
    let first = client
        .post(
            "PublishLayerVersion",
            json!({"LayerName": "deps", "CompatibleRuntimes": ["Python3.9", "Python3.10"],
                   "Content": {"ZipFile": base64(&zip)}, "Description": "a layer", "LicenseInfo": "MIT",
                   "Tags": [{"Key": "team", "Value": "a"}]}),
        )
        .await
        .ok();
    assert_eq!(first["LayerVersion"], 1);
    clock.advance(Duration::from_secs(60));
    let second = client
        .post("PublishLayerVersion", cos_layer("deps", &["Nodejs16.13"]))
        .await
        .ok();
    assert_eq!(second["LayerVersion"], 2);

    let got = client
        .post(
            "GetLayerVersion",
            json!({"LayerName": "deps", "LayerVersion": 1}),
        )
        .await
        .ok();
    assert_eq!(got["CodeSha256"], hex::encode(Sha256::digest(&zip)));
    assert_eq!(
        got["CompatibleRuntimes"],
        json!(["Python3.9", "Python3.10"])
    );
    assert_eq!(got["Description"], "a layer");
    assert_eq!(got["LicenseInfo"], "MIT");
    assert_eq!(got["Status"], "Active");
    assert_eq!(got["AddTime"], "2024-12-14 00:00:00");
    let got = client
        .post(
            "GetLayerVersion",
            json!({"LayerName": "deps", "LayerVersion": 2}),
        )
        .await
        .ok();
    assert_eq!(
        got["Location"],
        "https://layers-1250000000.cos.ap-singapore.myqcloud.com/deps/deps.zip"
    );

    let all = client
        .post("ListLayerVersions", json!({"LayerName": "deps"}))
        .await
        .ok();
    assert_eq!(
        versions(&all, "LayerVersions"),
        [("deps".into(), 2), ("deps".into(), 1)]
    );
    assert_eq!(
        all["LayerVersions"][1]["Tags"],
        json!([{"Key": "team", "Value": "a"}])
    );
    let python = client
        .post(
            "ListLayerVersions",
            json!({"LayerName": "deps", "CompatibleRuntime": ["Python3.10", "Go1"]}),
        )
        .await
        .ok();
    assert_eq!(versions(&python, "LayerVersions"), [("deps".into(), 1)]);

    let layers = client.post("ListLayers", json!({})).await.ok();
    assert_eq!(layers["TotalCount"], 1);
    assert_eq!(
        versions(&layers, "Layers"),
        [("deps".into(), 2)],
        "a layer shows its newest version"
    );

    // Numbers are never reused: after deleting version 2 the next one is 3.
    let delete = json!({"LayerName": "deps", "LayerVersion": 2});
    client.post("DeleteLayerVersion", delete.clone()).await.ok();
    let again = client.post("DeleteLayerVersion", delete.clone()).await;
    assert_eq!(
        again.code().as_deref(),
        Some("ResourceNotFound.LayerVersion")
    );
    again.assert_message_contains("`deps`");
    let got = client.post("GetLayerVersion", delete).await;
    assert_eq!(got.code().as_deref(), Some("ResourceNotFound.LayerVersion"));
    let layers = client.post("ListLayers", json!({})).await.ok();
    assert_eq!(versions(&layers, "Layers"), [("deps".into(), 1)]);
    let third = client
        .post("PublishLayerVersion", cos_layer("deps", &["Go1"]))
        .await
        .ok();
    assert_eq!(third["LayerVersion"], 3);

    for version in [1, 3] {
        client
            .post(
                "DeleteLayerVersion",
                json!({"LayerName": "deps", "LayerVersion": version}),
            )
            .await
            .ok();
    }
    let gone = client
        .post("ListLayerVersions", json!({"LayerName": "deps"}))
        .await;
    assert_eq!(gone.code().as_deref(), Some("ResourceNotFound.Layer"));
    let layers = client.post("ListLayers", json!({})).await.ok();
    assert_eq!(layers["TotalCount"], 0);
}

#[tokio::test]
async fn bad_layers_get_the_services_codes_and_store_nothing() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start(&clock).await;
    let zip = base64(&zip_of(&[("lib.js", b"module.exports = 1;\n")]));
    let escaping = base64(&zip_of(&[("../escape.js", b"x")]));
    let with = |member: &str, value: Value| {
        let mut body = cos_layer("deps", &["Nodejs16.13"]);
        body[member] = value;
        body
    };
    let cases = [
        (
            with("LayerName", json!("1deps")),
            "InvalidParameterValue.LayerName",
        ),
        (
            with("LayerName", json!("deps-")),
            "InvalidParameterValue.LayerName",
        ),
        (
            with("LayerName", json!("d".repeat(65))),
            "InvalidParameterValue.LayerName",
        ),
        (
            with("CompatibleRuntimes", json!([])),
            "InvalidParameterValue.CompatibleRuntimes",
        ),
        (
            with("CompatibleRuntimes", json!(["Nodejs16.13", "Cobol"])),
            "InvalidParameterValue.CompatibleRuntimes",
        ),
        (with("Content", json!({})), "InvalidParameterValue.Content"),
        (
            with(
                "Content",
                json!({"ZipFile": zip, "CosBucketName": "b", "CosObjectName": "/o.zip"}),
            ),
            "InvalidParameterValue.Content",
        ),
        (
            with("Content", json!({"CosBucketName": "b"})),
            "InvalidParameterValue.Content",
        ),
        (
            with("Content", json!({"ZipFile": "not base64!"})),
            "InvalidParameterValue.ZipFileBase64BinasciiError",
        ),
        (
            with("Content", json!({"ZipFile": base64(b"plain text")})),
            "InvalidParameterValue.ZipFile",
        ),
        (
            with("Content", json!({"ZipFile": escaping})),
            "InvalidParameterValue.ZipFile",
        ),
        (
            with("Description", json!("d".repeat(1001))),
            "InvalidParameterValue.Description",
        ),
    ];
    assert_each_refused_with(&client, "PublishLayerVersion", cases).await;
    let layers = client.post("ListLayers", json!({})).await.ok();
    assert_eq!(layers["TotalCount"], 0, "nothing refused was stored");

    for (action, body, code) in [
        (
            "ListLayers",
            json!({"CompatibleRuntime": "Cobol"}),
            "InvalidParameterValue.Runtime",
        ),
        (
            "ListLayers",
            json!({"Limit": 101}),
            "InvalidParameterValue.Limit",
        ),
        (
            "ListLayers",
            json!({"Limit": -1}),
            "InvalidParameterValue.Limit",
        ),
        (
            "ListLayers",
            json!({"Offset": -1}),
            "InvalidParameterValue.Offset",
        ),
        (
            "ListLayerVersions",
            json!({"LayerName": "deps", "CompatibleRuntime": ["Cobol"]}),
            "InvalidParameterValue.Runtime",
        ),
        (
            "ListLayerVersions",
            json!({"LayerName": "deps"}),
            "ResourceNotFound.Layer",
        ),
        (
            "GetLayerVersion",
            json!({"LayerName": "deps", "LayerVersion": 1}),
            "ResourceNotFound.LayerVersion",
        ),
        (
            "DeleteLayerVersion",
            json!({"LayerName": "deps", "LayerVersion": 1}),
            "ResourceNotFound.LayerVersion",
        ),
    ] {
        let reply = client.post(action, body.clone()).await;
        assert_eq!(reply.code().as_deref(), Some(code), "{action} {body}");
    }
}

#[tokio::test]
async fn list_layers_searches_filters_and_pages() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start(&clock).await;
    for (name, runtimes) in [
        ("numpy-py", vec!["Python3.9"]),
        ("lodash", vec!["Nodejs16.13", "Nodejs18.15"]),
        ("NumPy-old", vec!["Python2.7"]),
        ("numpy-py", vec!["Python3.10"]),
    ] {
        client
            .post("PublishLayerVersion", cos_layer(name, &runtimes))
            .await
            .ok();
        clock.advance(Duration::from_secs(1));
    }
    let list = |body: Value| {
        let client = &client;
        async move { client.post("ListLayers", body).await.ok() }
    };
    let all = list(json!({})).await;
    assert_eq!(
        versions(&all, "Layers"),
        [
            ("numpy-py".into(), 2),
            ("NumPy-old".into(), 1),
            ("lodash".into(), 1)
        ]
    );
    let numpy = list(json!({"SearchKey": "numpy"})).await;
    assert_eq!(
        versions(&numpy, "Layers"),
        [("numpy-py".into(), 2), ("NumPy-old".into(), 1)]
    );
    // Only the newest version's runtimes count: numpy-py 2 is for Python3.10 alone.
    let py39 = list(json!({"CompatibleRuntime": "Python3.9"})).await;
    assert_eq!(py39["TotalCount"], 0);
    let node = list(json!({"CompatibleRuntime": "Nodejs18.15"})).await;
    assert_eq!(versions(&node, "Layers"), [("lodash".into(), 1)]);
    let page = list(json!({"Offset": 1, "Limit": 1})).await;
    assert_eq!(page["TotalCount"], 3);
    assert_eq!(versions(&page, "Layers"), [("NumPy-old".into(), 1)]);
}

#[tokio::test]
async fn a_region_holds_twenty_layers_of_two_hundred_versions() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start(&clock).await;
    for n in 0..20 {
        client
            .post(
                "PublishLayerVersion",
                cos_layer(&format!("layer{n}"), &["Go1"]),
            )
            .await
            .ok();
    }
    let one_more = client
        .post("PublishLayerVersion", cos_layer("layer20", &["Go1"]))
        .await;
    assert_eq!(one_more.code().as_deref(), Some("LimitExceeded.Layers"));
    for version in 2..=200 {
        let published = client
            .post("PublishLayerVersion", cos_layer("layer0", &["Go1"]))
            .await
            .ok();
        assert_eq!(published["LayerVersion"], version);
    }
    let too_many = client
        .post("PublishLayerVersion", cos_layer("layer0", &["Go1"]))
        .await;
    assert_eq!(
        too_many.code().as_deref(),
        Some("LimitExceeded.LayerVersions")
    );
    // A deleted version frees its place, and the numbering goes on.
    client
        .post(
            "DeleteLayerVersion",
            json!({"LayerName": "layer0", "LayerVersion": 7}),
        )
        .await
        .ok();
    let next = client
        .post("PublishLayerVersion", cos_layer("layer0", &["Go1"]))
        .await
        .ok();
    assert_eq!(next["LayerVersion"], 201);
}

#[tokio::test]
async fn a_zip_layer_downloads_from_its_location() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start(&clock).await;
    let zip = zip_of(&[("nodejs/node_modules/x/index.js", b"module.exports = 2;\n")]);
    client
        .post(
            "PublishLayerVersion",
            json!({"LayerName": "deps", "CompatibleRuntimes": ["Nodejs18.15"], "Content": {"ZipFile": base64(&zip)}}),
        )
        .await
        .ok();
    let got = client
        .post(
            "GetLayerVersion",
            json!({"LayerName": "deps", "LayerVersion": 1}),
        )
        .await
        .ok();
    let location = got["Location"].as_str().unwrap();
    assert!(
        location.starts_with(&format!("http://{}/", client.endpoint)),
        "{location}"
    );
    let download = http::Request::get(location)
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let reply = client.send(download).await.unwrap();
    assert_eq!(reply.status, http::StatusCode::OK);
    assert_eq!(reply.body.as_ref(), zip.as_slice());
}

#[tokio::test]
async fn a_version_a_function_binds_is_not_deleted() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start(&clock).await;
    client
        .post("PublishLayerVersion", cos_layer("deps", &["Python3.9"]))
        .await
        .ok();
    let code = base64(&zip_of(&[(
        "index.py",
        b"def main_handler(event, context):\n    return 1\n",
    )]));
    client
        .post(
            "CreateFunction",
            json!({"FunctionName": "uses-deps", "Runtime": "Python3.9", "Code": {"ZipFile": code},
                   "Layers": [{"LayerName": "deps", "LayerVersion": 1}]}),
        )
        .await
        .ok();
    let delete = json!({"LayerName": "deps", "LayerVersion": 1});
    let refused = client.post("DeleteLayerVersion", delete.clone()).await;
    assert_eq!(
        refused.code().as_deref(),
        Some("ResourceInUse.LayerVersion")
    );
    refused.assert_message_contains("`default/uses-deps`");
    let still = client.post("GetLayerVersion", delete.clone()).await;
    still.ok();

    // Once the function is gone, so is the binding.
    clock.advance(Duration::from_secs(5));
    client
        .post("DeleteFunction", json!({"FunctionName": "uses-deps"}))
        .await
        .ok();
    client.post("DeleteLayerVersion", delete).await.ok();
}
