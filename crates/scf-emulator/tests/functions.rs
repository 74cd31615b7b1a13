//! The function actions against a started emulator over loopback: CreateFunction's checks, the status
//! moving on the emulator's clock, ListFunctions' filters and pages, updates, copies, deletes, and the code
//! address GetFunctionAddress answers.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::listing::string_column;
use common::refusals::assert_each_refused_with;
use common::start::start_with_client;
use common::zips::{base64, zip_of};
use common::{Reply, TestClient};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use scf_emulator::{Config, ManualClock, NamespaceConfig, RunningEmulator};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const HANDLER_SOURCE: &[u8] = b"def main_handler(event, context):\n    return 'hello'\n";

fn handler_zip() -> Vec<u8> {
    zip_of(&[("index.py", HANDLER_SOURCE)])
}

async fn start(clock: &ManualClock) -> (RunningEmulator, TestClient) {
    let mut config = Config::default();
    config.namespaces.push(NamespaceConfig {
        name: "team".into(),
        functions: Vec::new(),
    });
    start_with_client(config, clock).await
}

async fn create(client: &TestClient, request: Value) -> Reply {
    client.post("CreateFunction", request).await
}

fn zip_request(name: &str) -> Value {
    json!({"FunctionName": name, "Code": {"ZipFile": base64(&handler_zip())}, "Runtime": "Python3.9"})
}

async fn get(client: &TestClient, name: &str) -> Reply {
    client
        .post("GetFunction", json!({"FunctionName": name}))
        .await
}

#[tokio::test]
async fn a_created_function_is_creating_then_active_with_its_settings() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    let mut request = zip_request("hello-zip");
    request["Environment"] = json!({"Variables": [{"Key": "MODE", "Value": "test"}]});
    request["Tags"] = json!([{"Key": "team", "Value": "a"}]);
    request["Description"] = json!("says hello");
    create(&client, request).await.ok();

    let creating = get(&client, "hello-zip").await.ok();
    assert_eq!(creating["Status"], "Creating");
    let busy = client
        .post(
            "UpdateFunctionConfiguration",
            json!({"FunctionName": "hello-zip", "Timeout": 10}),
        )
        .await;
    assert_eq!(
        busy.code().as_deref(),
        Some("FailedOperation.UpdateFunctionConfiguration")
    );
    busy.assert_message_contains("`hello-zip`");

    clock.advance(Duration::from_millis(999));
    assert_eq!(get(&client, "hello-zip").await.ok()["Status"], "Creating");
    clock.advance(Duration::from_millis(1));
    let active = client
        .post(
            "GetFunction",
            json!({"FunctionName": "hello-zip", "ShowCode": "TRUE"}),
        )
        .await
        .ok();
    assert_eq!(active["Status"], "Active");
    assert_eq!(active["StatusReasons"], json!([]));
    assert_eq!(active["Runtime"], "Python3.9");
    assert_eq!(active["Handler"], "index.main_handler");
    assert_eq!(active["MemorySize"], 128);
    assert_eq!(active["Timeout"], 3);
    assert_eq!(active["Type"], "Event");
    assert_eq!(active["AsyncRunEnable"], "FALSE");
    assert_eq!(active["Qualifier"], "$LATEST");
    assert_eq!(active["FunctionVersion"], "$LATEST");
    assert_eq!(active["Namespace"], "default");
    assert_eq!(active["Description"], "says hello");
    assert_eq!(active["CodeSize"], handler_zip().len());
    assert_eq!(
        active["CodeInfo"],
        String::from_utf8_lossy(HANDLER_SOURCE).as_ref()
    );
    assert_eq!(active["Environment"]["Variables"][0]["Key"], "MODE");
    assert_eq!(active["Tags"], json!([{"Key": "team", "Value": "a"}]));
    assert!(active["FunctionId"].as_str().unwrap().starts_with("lam-"));
    assert_eq!(active["Triggers"], json!([]));

    let unknown = client
        .post(
            "GetFunction",
            json!({"FunctionName": "hello-zip", "Qualifier": "7"}),
        )
        .await;
    assert_eq!(unknown.code().as_deref(), Some("ResourceNotFound.Version"));
}

#[tokio::test]
async fn the_status_tag_scripts_a_failed_creation_that_can_be_deleted() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    let mut request = zip_request("doomed");
    request["Tags"] = json!([{"Key": "scf-emulator/status", "Value": "CreateFailed"}]);
    create(&client, request).await.ok();
    assert_eq!(get(&client, "doomed").await.ok()["Status"], "Creating");
    clock.advance(Duration::from_secs(1));
    let failed = get(&client, "doomed").await.ok();
    assert_eq!(failed["Status"], "CreateFailed");
    assert_eq!(failed["StatusReasons"].as_array().unwrap().len(), 1);
    assert!(
        !failed["StatusReasons"][0]["ErrorMessage"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    client
        .post("DeleteFunction", json!({"FunctionName": "doomed"}))
        .await
        .ok();
    assert_eq!(
        get(&client, "doomed").await.code().as_deref(),
        Some("ResourceNotFound.Function")
    );
}

/// A zip whose central directory says its one entry unpacks to 600 MiB.
fn zip_claiming_600_mib() -> Vec<u8> {
    let mut bytes = zip_of(&[("big.bin", b"tiny")]);
    let central = bytes
        .windows(4)
        .rposition(|w| w == [0x50, 0x4b, 0x01, 0x02])
        .unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&(600u32 * 1024 * 1024).to_le_bytes());
    bytes
}

#[tokio::test]
async fn bad_zips_are_refused_and_store_nothing() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "malformed base64",
            "@@not base64@@".to_owned(),
            "InvalidParameterValue.ZipFileBase64BinasciiError",
        ),
        (
            "not a zip",
            base64(b"just some text, no zip at all"),
            "InvalidParameterValue.ZipFile",
        ),
        (
            "an entry climbing out",
            base64(&zip_of(&[("../../etc/cron.d/x", b"x")])),
            "InvalidParameterValue.ZipFile",
        ),
        (
            "an absolute entry",
            base64(&zip_of(&[("/etc/passwd", b"x")])),
            "InvalidParameterValue.ZipFile",
        ),
        (
            "too much unzipped",
            base64(&zip_claiming_600_mib()),
            "InvalidParameterValue.ZipFile",
        ),
    ];
    for (case, zip, code) in cases {
        let reply = create(
            &client,
            json!({"FunctionName": "bad-zip", "Code": {"ZipFile": zip}}),
        )
        .await;
        assert_eq!(
            reply.code().as_deref(),
            Some(code),
            "{case}: {}",
            reply.error_message()
        );
        assert!(
            reply.error_message().contains("Code.ZipFile"),
            "{case}: {}",
            reply.error_message()
        );
    }
    let slip = create(
        &client,
        json!({"FunctionName": "bad-zip", "Code": {"ZipFile": base64(&zip_of(&[("a/../../x", b"x")]))}}),
    )
    .await;
    slip.assert_message_contains("a/../../x");
    assert_eq!(
        get(&client, "bad-zip").await.code().as_deref(),
        Some("ResourceNotFound.Function")
    );
}

#[tokio::test]
async fn names_values_duplicates_and_namespaces_get_their_codes() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    for name in ["a", "1abc", "abc-", "ab cd", &"x".repeat(61)] {
        let reply = create(&client, zip_request(name)).await;
        assert_eq!(
            reply.code().as_deref(),
            Some("InvalidParameterValue.FunctionName"),
            "{name}"
        );
    }
    let with = |member: &str, value: Value| {
        let mut request = zip_request("valued");
        request[member] = value;
        request
    };
    let cases = [
        (
            with("MemorySize", json!(100)),
            "InvalidParameterValue.Memory",
        ),
        (with("MemorySize", json!(4096)), "LimitExceeded.Memory"),
        (with("Timeout", json!(901)), "LimitExceeded.Timeout"),
        (
            with("Runtime", json!("Cobol85")),
            "InvalidParameterValue.Runtime",
        ),
        (
            with("Handler", json!("nodot")),
            "InvalidParameterValue.Handler",
        ),
        (
            with("Type", json!("Batch")),
            "InvalidParameterValue.FunctionType",
        ),
        (
            with("AsyncRunEnable", json!("maybe")),
            "InvalidParameterValue.AsyncRunEnable",
        ),
        (
            with("Namespace", json!("nowhere")),
            "ResourceNotFound.Namespace",
        ),
        (
            json!({"FunctionName": "valued", "Code": {}}),
            "MissingParameter.Code",
        ),
        (
            json!({"FunctionName": "valued", "Code": {"ZipFile": base64(&handler_zip()), "CosBucketName": "b", "CosObjectName": "/o.zip"}}),
            "InvalidParameterValue.Code",
        ),
    ];
    assert_each_refused_with(&client, "CreateFunction", cases).await;
    let missing = create(&client, with("Namespace", json!("nowhere"))).await;
    missing.assert_message_contains("`nowhere`");

    create(&client, zip_request("twice")).await.ok();
    let again = create(&client, zip_request("twice")).await;
    assert_eq!(again.code().as_deref(), Some("ResourceInUse.Function"));
    again.assert_message_contains("`twice`");
    // The same name in another namespace is another function.
    let mut elsewhere = zip_request("twice");
    elsewhere["Namespace"] = json!("team");
    create(&client, elsewhere).await.ok();
}

fn names(list: &Value) -> Vec<String> {
    string_column(list, "Functions", "FunctionName")
}

#[tokio::test]
async fn list_functions_filters_searches_orders_and_pages() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    let specs = [
        ("alpha-web", "Nodejs18.15", "HTTP", "blue"),
        ("beta-job", "Python3.9", "Event", "red"),
        ("gamma-job", "Python3.9", "Event", "blue"),
        ("delta-api", "Go1", "Event", "red"),
    ];
    for (name, runtime, kind, color) in specs {
        let handler = if runtime == "Go1" {
            "main"
        } else {
            "index.main_handler"
        };
        let request = json!({
            "FunctionName": name, "Runtime": runtime, "Type": kind, "Handler": handler,
            "Code": {"CosBucketName": "code", "CosObjectName": "/f.zip"},
            "Tags": [{"Key": "color", "Value": color}],
            "Description": format!("{name} made for listing"),
        });
        create(&client, request).await.ok();
        clock.advance(Duration::from_secs(1));
    }
    // One more, still Creating, in another namespace: never listed from `default`.
    let mut other = zip_request("omega");
    other["Namespace"] = json!("team");
    create(&client, other).await.ok();

    let list = |body: Value| {
        let client = &client;
        async move { client.post("ListFunctions", body).await.ok() }
    };
    let all = list(json!({"Namespace": "default"})).await;
    // Newest first by default, besides the configured function `hello`, which was added first.
    let default_names = names(&all);
    assert_eq!(
        &default_names[..4],
        ["delta-api", "gamma-job", "beta-job", "alpha-web"]
    );
    assert_eq!(all["TotalCount"], default_names.len());
    let ascending =
        list(json!({"Orderby": "FunctionName", "Order": "ASC", "SearchKey": "-"})).await;
    assert_eq!(
        names(&ascending),
        ["alpha-web", "beta-job", "delta-api", "gamma-job"]
    );
    let page = list(json!({"Orderby": "FunctionName", "Order": "ASC", "SearchKey": "-", "Offset": 1, "Limit": 2})).await;
    assert_eq!(names(&page), ["beta-job", "delta-api"]);
    assert_eq!(page["TotalCount"], 4);
    // TotalCount counts every match: those beyond a full first page, and those before an offset past the end.
    let first =
        list(json!({"Orderby": "FunctionName", "Order": "ASC", "SearchKey": "-", "Limit": 2}))
            .await;
    assert_eq!(names(&first), ["alpha-web", "beta-job"]);
    assert_eq!(first["TotalCount"], 4);
    let beyond = list(json!({"SearchKey": "-", "Offset": 9})).await;
    assert!(names(&beyond).is_empty(), "{beyond}");
    assert_eq!(beyond["TotalCount"], 4);
    let search = list(json!({"SearchKey": "JOB", "Orderby": "AddTime", "Order": "ASC"})).await;
    assert_eq!(names(&search), ["beta-job", "gamma-job"]);
    let filtered = list(json!({"Filters": [
        {"Name": "Runtime", "Values": ["Python3.9", "Go1"]},
        {"Name": "tag-color", "Values": ["red"]},
    ], "Orderby": "FunctionName", "Order": "ASC"}))
    .await;
    assert_eq!(names(&filtered), ["beta-job", "delta-api"]);
    let http = list(json!({"Filters": [{"Name": "Type", "Values": ["HTTP"]}]})).await;
    assert_eq!(names(&http), ["alpha-web"]);
    assert_eq!(http["Functions"][0]["Status"], "Active");
    let by_description = list(json!({"Description": "gamma-job made"})).await;
    assert_eq!(names(&by_description), ["gamma-job"]);
    let creating =
        list(json!({"Namespace": "team", "Filters": [{"Name": "Status", "Values": ["Creating"]}]}))
            .await;
    assert_eq!(names(&creating), ["omega"]);

    assert_each_refused_with(
        &client,
        "ListFunctions",
        [
            (
                json!({"Filters": [{"Name": "Colour", "Values": ["x"]}]}),
                "InvalidParameterValue.Name",
            ),
            (
                json!({"Filters": [{"Name": "VpcId", "Values": ["a", "b"]}]}),
                "InvalidParameterValue.LimitExceeded",
            ),
            (json!({"Orderby": "Size"}), "InvalidParameterValue.OrderBy"),
            (json!({"Limit": 101}), "InvalidParameterValue.Limit"),
            (json!({"Offset": -1}), "InvalidParameterValue.Offset"),
            (
                json!({"Namespace": "nowhere"}),
                "ResourceNotFound.Namespace",
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn updates_are_updating_then_active_and_merge_into_the_settings() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    let mut request = zip_request("changing");
    request["Environment"] = json!({"Variables": [{"Key": "A", "Value": "1"}]});
    create(&client, request).await.ok();
    clock.advance(Duration::from_secs(1));

    client
        .post(
            "UpdateFunctionConfiguration",
            json!({"FunctionName": "changing", "Timeout": 30, "MemorySize": 256}),
        )
        .await
        .ok();
    let updating = get(&client, "changing").await.ok();
    assert_eq!(updating["Status"], "Updating");
    assert_eq!(
        client
            .post(
                "UpdateFunctionCode",
                json!({"FunctionName": "changing", "ZipFile": base64(&handler_zip())}),
            )
            .await
            .code()
            .as_deref(),
        Some("FailedOperation.UpdateFunctionCode")
    );
    clock.advance(Duration::from_secs(1));
    let updated = get(&client, "changing").await.ok();
    assert_eq!(updated["Status"], "Active");
    assert_eq!(updated["Timeout"], 30);
    assert_eq!(updated["MemorySize"], 256);
    assert_eq!(updated["Environment"]["Variables"][0]["Key"], "A");
    assert_eq!(updated["Handler"], "index.main_handler");

    let new_code = zip_of(&[("app.py", b"def run(e, c):\n    return 2\n")]);
    client
        .post(
            "UpdateFunctionCode",
            json!({"FunctionName": "changing", "ZipFile": base64(&new_code), "Handler": "app.run"}),
        )
        .await
        .ok();
    clock.advance(Duration::from_secs(1));
    let recoded = get(&client, "changing").await.ok();
    assert_eq!(recoded["Status"], "Active");
    assert_eq!(recoded["Handler"], "app.run");
    assert_eq!(recoded["CodeSize"], new_code.len());
    assert_eq!(recoded["Timeout"], 30);

    for (action, body, code) in [
        (
            "UpdateFunctionConfiguration",
            json!({"FunctionName": "changing", "Runtime": "Nodejs18.15"}),
            "InvalidParameterValue.Runtime",
        ),
        (
            "UpdateFunctionConfiguration",
            json!({"FunctionName": "changing", "MemorySize": 3}),
            "InvalidParameterValue.Memory",
        ),
        (
            "UpdateFunctionCode",
            json!({"FunctionName": "changing"}),
            "InvalidParameterValue.Code",
        ),
        (
            "UpdateFunctionCode",
            json!({"FunctionName": "changing", "ZipFile": "%%%"}),
            "InvalidParameterValue.ZipFileBase64BinasciiError",
        ),
        (
            "UpdateFunctionCode",
            json!({"FunctionName": "ghost", "ZipFile": base64(&new_code)}),
            "ResourceNotFound.Function",
        ),
    ] {
        let reply = client.post(action, body.clone()).await;
        assert_eq!(reply.code().as_deref(), Some(code), "{action} {body}");
    }
    assert_eq!(get(&client, "changing").await.ok()["Status"], "Active");
}

#[tokio::test]
async fn a_scripted_failed_update_keeps_the_previous_settings() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    let mut request = zip_request("stuck");
    request["Tags"] = json!([{"Key": "scf-emulator/status", "Value": "UpdateFailed"}]);
    create(&client, request).await.ok();
    clock.advance(Duration::from_secs(1));
    assert_eq!(get(&client, "stuck").await.ok()["Status"], "Active");
    client
        .post(
            "UpdateFunctionConfiguration",
            json!({"FunctionName": "stuck", "Timeout": 60}),
        )
        .await
        .ok();
    assert_eq!(get(&client, "stuck").await.ok()["Status"], "Updating");
    clock.advance(Duration::from_secs(1));
    let failed = get(&client, "stuck").await.ok();
    assert_eq!(failed["Status"], "UpdateFailed");
    assert_eq!(failed["Timeout"], 3);
    assert_eq!(failed["StatusReasons"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn copies_go_to_other_names_and_namespaces_and_override_only_when_asked() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    let mut request = zip_request("original");
    request["Timeout"] = json!(42);
    create(&client, request).await.ok();
    clock.advance(Duration::from_secs(1));

    client
        .post(
            "CopyFunction",
            json!({"FunctionName": "original", "NewFunctionName": "copied", "TargetNamespace": "team"}),
        )
        .await
        .ok();
    let copy = client
        .post(
            "GetFunction",
            json!({"FunctionName": "copied", "Namespace": "team"}),
        )
        .await
        .ok();
    assert_eq!(copy["Status"], "Creating");
    assert_eq!(copy["Timeout"], 42);
    assert_eq!(copy["CodeSize"], handler_zip().len());
    assert_ne!(
        copy["FunctionId"],
        get(&client, "original").await.ok()["FunctionId"]
    );

    let again = client
        .post(
            "CopyFunction",
            json!({"FunctionName": "original", "NewFunctionName": "copied", "TargetNamespace": "team"}),
        )
        .await;
    assert_eq!(again.code().as_deref(), Some("ResourceInUse.Function"));
    clock.advance(Duration::from_secs(1));
    client
        .post(
            "CopyFunction",
            json!({"FunctionName": "original", "NewFunctionName": "copied", "TargetNamespace": "team",
                   "Override": true, "CopyConfiguration": false}),
        )
        .await
        .ok();
    let replaced = client
        .post(
            "GetFunction",
            json!({"FunctionName": "copied", "Namespace": "team"}),
        )
        .await
        .ok();
    assert_eq!(replaced["Timeout"], 3);
    assert_each_refused_with(&client, "CopyFunction", [
        (
            json!({"FunctionName": "ghost", "NewFunctionName": "x1"}),
            "ResourceNotFound.Function",
        ),
        (
            json!({"FunctionName": "original", "NewFunctionName": "x1", "TargetNamespace": "nowhere"}),
            "ResourceNotFound.Namespace",
        ),
        (
            json!({"FunctionName": "original", "NewFunctionName": "-bad"}),
            "InvalidParameterValue.FunctionName",
        ),
    ]).await;
}

#[tokio::test]
async fn deleted_functions_are_gone_and_busy_ones_are_kept() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    create(&client, zip_request("brief")).await.ok();
    let busy = client
        .post("DeleteFunction", json!({"FunctionName": "brief"}))
        .await;
    assert_eq!(
        busy.code().as_deref(),
        Some("FailedOperation.DeleteFunction")
    );
    clock.advance(Duration::from_secs(1));
    client
        .post("DeleteFunction", json!({"FunctionName": "brief"}))
        .await
        .ok();
    let gone = get(&client, "brief").await;
    assert_eq!(gone.code().as_deref(), Some("ResourceNotFound.Function"));
    gone.assert_message_contains("`brief`");
    let listed = client
        .post("ListFunctions", json!({"SearchKey": "brief"}))
        .await
        .ok();
    assert_eq!(listed["TotalCount"], 0);
    let twice = client
        .post("DeleteFunction", json!({"FunctionName": "brief"}))
        .await;
    assert_eq!(twice.code().as_deref(), Some("ResourceNotFound.Function"));
    // The name is free again.
    create(&client, zip_request("brief")).await.ok();
}

async fn download(url: &str) -> (http::StatusCode, Option<String>, Bytes) {
    let http: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let response = http.get(url.parse().unwrap()).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, body)
}

#[tokio::test]
async fn the_function_address_serves_the_stored_zip() {
    let clock = ManualClock::starting_now();
    let (emulator, client) = start(&clock).await;
    let zip = handler_zip();
    create(&client, zip_request("packaged")).await.ok();
    let early = client
        .post("GetFunctionAddress", json!({"FunctionName": "packaged"}))
        .await;
    assert_eq!(
        early.code().as_deref(),
        Some("FailedOperation.FunctionStatusError")
    );
    clock.advance(Duration::from_secs(1));
    let address = client
        .post("GetFunctionAddress", json!({"FunctionName": "packaged"}))
        .await
        .ok();
    let url = address["Url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("http://{}/__code/", emulator.endpoint())),
        "{url}"
    );
    let (status, content_type, body) = download(url).await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("application/zip"));
    assert_eq!(body.as_ref(), zip.as_slice());
    assert_eq!(
        address["CodeSha256"].as_str().unwrap(),
        hex::encode(Sha256::digest(&body))
    );

    let (missing, _, _) = download(&format!(
        "http://{}/__code/{}.zip",
        emulator.endpoint(),
        "0".repeat(32)
    ))
    .await;
    assert_eq!(missing, 404);

    create(
        &client,
        json!({"FunctionName": "in-cos", "Code": {"CosBucketName": "b", "CosObjectName": "/o.zip"}}),
    )
    .await
    .ok();
    clock.advance(Duration::from_secs(1));
    assert_each_refused_with(
        &client,
        "GetFunctionAddress",
        [
            (
                json!({"FunctionName": "in-cos"}),
                "FailedOperation.GetFunctionAddress",
            ),
            (
                json!({"FunctionName": "packaged", "Qualifier": "3"}),
                "ResourceNotFound.FunctionVersion",
            ),
            (
                json!({"FunctionName": "ghost"}),
                "ResourceNotFound.Function",
            ),
        ],
    )
    .await;
}
