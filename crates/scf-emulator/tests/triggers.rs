//! Triggers over loopback: created with their rules, listed with filters, order and paging, updated,
//! switched on and off, deleted, and kept in a state directory across a restart.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::listing::string_column;
use common::start::start_with_client;
use scf_emulator::{Config, FunctionConfig, ManualClock, NamespaceConfig};
use serde_json::{Value, json};

/// 2024-12-14 00:00:00 in UTC+8, the service's time zone.
const START_MS: u64 = 1_734_105_600_000;

/// Namespace `default` with `hello` (versions 1 and alias `prod`) and namespace `team` with `worker`.
fn config() -> Config {
    let mut hello = FunctionConfig::new("hello", 100);
    hello.qualifiers = vec!["$LATEST".into(), "1".into(), "prod".into()];
    Config {
        namespaces: vec![
            NamespaceConfig {
                name: "default".into(),
                functions: vec![hello],
            },
            NamespaceConfig {
                name: "team".into(),
                functions: vec![FunctionConfig::new("worker", 100)],
            },
        ],
        ..Config::default()
    }
}

fn timer(name: &str, cron: &str) -> Value {
    json!({"FunctionName": "hello", "TriggerName": name, "Type": "timer", "TriggerDesc": cron})
}

fn names(list: &Value) -> Vec<String> {
    string_column(list, "Triggers", "TriggerName")
}

#[tokio::test]
async fn a_trigger_is_created_listed_updated_switched_and_deleted() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start_with_client(config(), &clock).await;

    let created = client
        .post("CreateTrigger", timer("every-2-min", "0 */2 * * * * *"))
        .await
        .ok();
    let info = &created["TriggerInfo"];
    assert_eq!(info["TriggerDesc"], r#"{"cron":"0 */2 * * * * *"}"#);
    assert_eq!(info["Enable"], 1);
    assert_eq!(info["Qualifier"], "$LATEST");
    assert_eq!(info["Type"], "timer");
    assert_eq!(info["AddTime"], "2024-12-14 00:00:00");
    assert_eq!(info["AvailableStatus"], "Available");
    assert_eq!(
        info["ResourceId"],
        "qcs::scf:ap-guangzhou:uin/100000000001:function/hello/every-2-min"
    );

    let again = client
        .post("CreateTrigger", timer("every-2-min", "0 0 * * * * *"))
        .await;
    assert_eq!(again.code().as_deref(), Some("ResourceInUse.Trigger"));
    again.assert_message_contains("`every-2-min`");

    // The same name with another type is another trigger; a cos trigger keeps its JSON as given.
    clock.advance(Duration::from_secs(60));
    let cos_desc = r#"{"event":"cos:ObjectCreated:*","filter":{"Prefix":"in/","Suffix":""}}"#;
    let cos_name = "bucket-1250000000.cos.ap-guangzhou.myqcloud.com";
    let cos = client
        .post(
            "CreateTrigger",
            json!({"FunctionName": "hello", "TriggerName": cos_name, "Type": "cos",
                   "TriggerDesc": cos_desc, "Enable": "CLOSE", "Qualifier": "prod"}),
        )
        .await
        .ok();
    assert_eq!(cos["TriggerInfo"]["TriggerDesc"], cos_desc);
    assert_eq!(cos["TriggerInfo"]["Enable"], 0);
    assert_eq!(cos["TriggerInfo"]["Qualifier"], "prod");

    let list = client
        .post("ListTriggers", json!({"FunctionName": "hello"}))
        .await
        .ok();
    assert_eq!(list["TotalCount"], 2);
    assert_eq!(
        names(&list),
        [cos_name, "every-2-min"],
        "newest change first"
    );

    // UpdateTrigger sets what it is given and bumps ModTime, which reorders the list.
    clock.advance(Duration::from_secs(60));
    client
        .post(
            "UpdateTrigger",
            json!({"FunctionName": "hello", "TriggerName": "every-2-min", "Type": "timer",
                   "TriggerDesc": "{\"cron\":\"0 0 0 */2 * * *\"}", "Description": "nightly",
                   "CustomArgument": "中文测试", "Enable": "CLOSE"}),
        )
        .await
        .ok();
    let list = client
        .post("ListTriggers", json!({"FunctionName": "hello"}))
        .await
        .ok();
    assert_eq!(names(&list), ["every-2-min", cos_name]);
    let updated = &list["Triggers"][0];
    assert_eq!(updated["TriggerDesc"], r#"{"cron":"0 0 0 */2 * * *"}"#);
    assert_eq!(updated["Description"], "nightly");
    assert_eq!(updated["CustomArgument"], "中文测试");
    assert_eq!(updated["Enable"], 0);
    assert_eq!(updated["AddTime"], "2024-12-14 00:00:00");
    assert_eq!(updated["ModTime"], "2024-12-14 00:02:00");

    let open = json!({"FunctionName": "hello", "TriggerName": "every-2-min", "Type": "timer", "Enable": "OPEN"});
    client.post("UpdateTriggerStatus", open.clone()).await.ok();
    let same = client.post("UpdateTriggerStatus", open).await;
    assert_eq!(
        same.code().as_deref(),
        Some("FailedOperation.UpdateTriggerStatus")
    );
    let list = client
        .post(
            "ListTriggers",
            json!({"FunctionName": "hello", "Filters": [{"Name": "TriggerName", "Values": ["every-2-min"]}]}),
        )
        .await
        .ok();
    assert_eq!(list["Triggers"][0]["Enable"], 1);

    // A cos trigger is switched and deleted with its TriggerDesc, and only on its own qualifier.
    let cos_status =
        json!({"FunctionName": "hello", "TriggerName": cos_name, "Type": "cos", "Enable": "OPEN"});
    let without_desc = client.post("UpdateTriggerStatus", cos_status.clone()).await;
    assert_eq!(
        without_desc.code().as_deref(),
        Some("InvalidParameterValue.TriggerDesc")
    );
    let mut wrong_qualifier = cos_status.clone();
    wrong_qualifier["TriggerDesc"] = json!(cos_desc);
    wrong_qualifier["Qualifier"] = json!("$LATEST");
    let wrong = client.post("UpdateTriggerStatus", wrong_qualifier).await;
    assert_eq!(wrong.code().as_deref(), Some("ResourceNotFound.Trigger"));
    let delete_cos = json!({"FunctionName": "hello", "TriggerName": cos_name, "Type": "cos",
                            "TriggerDesc": cos_desc, "Qualifier": "prod"});
    client.post("DeleteTrigger", delete_cos.clone()).await.ok();
    let gone = client.post("DeleteTrigger", delete_cos).await;
    assert_eq!(gone.code().as_deref(), Some("ResourceNotFound.Trigger"));
    gone.assert_message_contains(cos_name);

    let list = client
        .post("ListTriggers", json!({"FunctionName": "hello"}))
        .await
        .ok();
    assert_eq!(names(&list), ["every-2-min"]);
}

#[tokio::test]
async fn bad_requests_get_the_services_codes_and_store_nothing() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start_with_client(config(), &clock).await;
    let with = |changes: Value| {
        let mut body = timer("t1", "0 */2 * * * * *");
        for (key, value) in changes.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    let cases = [
        (json!({"Type": "sms"}), "InvalidParameterValue.Type"),
        (json!({"Type": "apigw"}), "UnsupportedOperation.Trigger"),
        (
            json!({"TriggerName": "1starts-with-digit"}),
            "InvalidParameterValue.TriggerName",
        ),
        (
            json!({"TriggerName": "a".repeat(101)}),
            "InvalidParameterValue.TriggerName",
        ),
        (
            json!({"Type": "cos", "TriggerName": "not-a-bucket", "TriggerDesc": "{\"event\":\"cos:ObjectCreated:*\"}"}),
            "InvalidParameterValue.TriggerName",
        ),
        (
            json!({"TriggerDesc": "*/2****"}),
            "InvalidParameterValue.TriggerDesc",
        ),
        (
            json!({"TriggerDesc": "0 0 25 * * * *"}),
            "InvalidParameterValue.TriggerDesc",
        ),
        (
            json!({"TriggerDesc": "{\"schedule\":\"0 0 1 * * * *\"}"}),
            "InvalidParameterValue.TriggerDesc",
        ),
        (
            json!({"TriggerDesc": ""}),
            "InvalidParameterValue.TriggerDesc",
        ),
        (
            json!({"Type": "ckafka", "TriggerName": "k1", "TriggerDesc": "not json"}),
            "InvalidParameterValue.TriggerDesc",
        ),
        (
            json!({"Type": "cos", "TriggerName": "b-1.cos.ap-guangzhou.myqcloud.com", "TriggerDesc": "{\"filter\":{}}"}),
            "InvalidParameterValue.TriggerDesc",
        ),
        (json!({"Enable": "ON"}), "InvalidParameterValue.Enable"),
        (
            json!({"CustomArgument": "x".repeat(4097)}),
            "InvalidParameterValue.CustomArgument",
        ),
        (
            json!({"Description": "d".repeat(1001)}),
            "InvalidParameterValue.Description",
        ),
        (json!({"Qualifier": "2"}), "ResourceNotFound.Qualifier"),
        (
            json!({"Qualifier": "staging"}),
            "ResourceNotFound.Qualifier",
        ),
        (
            json!({"FunctionName": "nobody"}),
            "ResourceNotFound.Function",
        ),
        (
            json!({"Namespace": "nowhere"}),
            "ResourceNotFound.Namespace",
        ),
    ];
    for (changes, code) in cases {
        let reply = client.post("CreateTrigger", with(changes.clone())).await;
        assert_eq!(
            reply.code().as_deref(),
            Some(code),
            "{changes}: {}",
            reply.error_message()
        );
    }
    let list = client
        .post("ListTriggers", json!({"FunctionName": "hello"}))
        .await
        .ok();
    assert_eq!(list["TotalCount"], 0);

    // Later actions check the types their docs allow, and find nothing that was not created.
    let update = |kind: &str| json!({"FunctionName": "hello", "TriggerName": "t1", "Type": kind});
    let reply = client.post("UpdateTrigger", update("cos")).await;
    assert_eq!(reply.code().as_deref(), Some("InvalidParameterValue.Type"));
    let reply = client.post("UpdateTrigger", update("timer")).await;
    assert_eq!(reply.code().as_deref(), Some("ResourceNotFound.Trigger"));
    let mut status = update("http");
    status["Enable"] = json!("OPEN");
    let reply = client.post("UpdateTriggerStatus", status).await;
    assert_eq!(reply.code().as_deref(), Some("InvalidParameterValue.Type"));
    let reply = client.post("DeleteTrigger", update("eb")).await;
    assert_eq!(reply.code().as_deref(), Some("InvalidParameterValue.Type"));

    // A bad update leaves the trigger as it was.
    client
        .post("CreateTrigger", timer("t1", "0 */2 * * * * *"))
        .await
        .ok();
    let mut bad = update("timer");
    bad["TriggerDesc"] = json!("0 0 0 32 * * *");
    bad["Description"] = json!("never stored");
    let reply = client.post("UpdateTrigger", bad).await;
    assert_eq!(
        reply.code().as_deref(),
        Some("InvalidParameterValue.TriggerDesc")
    );
    let list = client
        .post("ListTriggers", json!({"FunctionName": "hello"}))
        .await
        .ok();
    assert_eq!(list["Triggers"][0]["Description"], "");
    assert_eq!(
        list["Triggers"][0]["TriggerDesc"],
        r#"{"cron":"0 */2 * * * * *"}"#
    );
}

#[tokio::test]
async fn a_function_holds_ten_triggers_of_a_type() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start_with_client(config(), &clock).await;
    for n in 0..10 {
        client
            .post("CreateTrigger", timer(&format!("t{n}"), "0 0 * * * * *"))
            .await
            .ok();
    }
    let eleventh = client
        .post("CreateTrigger", timer("t10", "0 0 * * * * *"))
        .await;
    assert_eq!(eleventh.code().as_deref(), Some("LimitExceeded.Trigger"));
    // Another type has its own count.
    client
        .post(
            "CreateTrigger",
            json!({"FunctionName": "hello", "TriggerName": "url", "Type": "http"}),
        )
        .await
        .ok();
}

#[tokio::test]
async fn list_filters_orders_and_pages() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start_with_client(config(), &clock).await;
    for (n, qualifier) in ["$LATEST", "1", "prod", "1", "$LATEST"].iter().enumerate() {
        let mut body = timer(&format!("t{n}"), "0 0 * * * * *");
        body["Qualifier"] = json!(qualifier);
        body["Description"] = json!(if n % 2 == 0 {
            "even number"
        } else {
            "odd number"
        });
        client.post("CreateTrigger", body).await.ok();
        clock.advance(Duration::from_secs(1));
    }
    // Touching t0 makes it the most recently modified, not the most recently added.
    client
        .post(
            "UpdateTrigger",
            json!({"FunctionName": "hello", "TriggerName": "t0", "Type": "timer", "Description": "even, touched"}),
        )
        .await
        .ok();
    let list = |body: Value| {
        let client = &client;
        async move {
            let mut body = body;
            body["FunctionName"] = json!("hello");
            client.post("ListTriggers", body).await
        }
    };
    let by_modified = list(json!({})).await.ok();
    assert_eq!(names(&by_modified), ["t0", "t4", "t3", "t2", "t1"]);
    let by_added = list(json!({"OrderBy": "add_time", "Order": "ASC"}))
        .await
        .ok();
    assert_eq!(names(&by_added), ["t0", "t1", "t2", "t3", "t4"]);
    let page = list(json!({"OrderBy": "add_time", "Order": "ASC", "Offset": 1, "Limit": 2}))
        .await
        .ok();
    assert_eq!(page["TotalCount"], 5);
    assert_eq!(names(&page), ["t1", "t2"]);
    let past_the_end = list(json!({"Offset": 9})).await.ok();
    assert_eq!(
        (
            past_the_end["TotalCount"].clone(),
            names(&past_the_end).len()
        ),
        (json!(5), 0)
    );

    let version_one = list(json!({"Filters": [{"Name": "Qualifier", "Values": ["1"]}], "OrderBy": "add_time", "Order": "ASC"})).await.ok();
    assert_eq!(names(&version_one), ["t1", "t3"]);
    let either = list(json!({"Filters": [{"Name": "Qualifier", "Values": ["1", "prod"]}], "OrderBy": "add_time", "Order": "ASC"})).await.ok();
    assert_eq!(names(&either), ["t1", "t2", "t3"]);
    let both = list(json!({"Filters": [
        {"Name": "Qualifier", "Values": ["$LATEST"]},
        {"Name": "Description", "Values": ["touched"]}
    ]}))
    .await
    .ok();
    assert_eq!(names(&both), ["t0"]);

    for (body, code) in [
        (
            json!({"Filters": [{"Name": "Type", "Values": ["timer"]}]}),
            "InvalidParameterValue.Filters",
        ),
        (
            json!({"OrderBy": "AddTime"}),
            "InvalidParameterValue.OrderBy",
        ),
        (json!({"Limit": 101}), "InvalidParameterValue.Limit"),
        (json!({"Order": "UP"}), "InvalidParameterValue.Order"),
    ] {
        let reply = list(body.clone()).await;
        assert_eq!(reply.code().as_deref(), Some(code), "{body}");
    }
    let elsewhere = client
        .post(
            "ListTriggers",
            json!({"FunctionName": "worker", "Namespace": "team"}),
        )
        .await
        .ok();
    assert_eq!(elsewhere["TotalCount"], 0);
}

#[tokio::test]
async fn triggers_outlive_a_restart_with_a_state_directory() {
    let dir = std::env::temp_dir().join(format!("scf-emulator-triggers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let clock = ManualClock::new(START_MS);
    let config = Config {
        state_dir: Some(dir.clone()),
        ..config()
    };
    let (emulator, client) = start_with_client(config.clone(), &clock).await;
    client
        .post("CreateTrigger", timer("kept", "0 30 9 ? * MON-FRI *"))
        .await
        .ok();
    emulator.shutdown().await;

    let (_emulator, client) = start_with_client(config, &clock).await;
    let list = client
        .post("ListTriggers", json!({"FunctionName": "hello"}))
        .await
        .ok();
    assert_eq!(names(&list), ["kept"]);
    assert_eq!(
        list["Triggers"][0]["TriggerDesc"],
        r#"{"cron":"0 30 9 ? * MON-FRI *"}"#
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn function_zip() -> String {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer
        .start_file("index.py", zip::write::SimpleFileOptions::default())
        .unwrap();
    writer
        .write_all(b"def main_handler(event, context):\n    return 1\n")
        .unwrap();
    let bytes = writer.finish().unwrap().into_inner();
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
}

#[tokio::test]
async fn triggers_follow_their_functions_status_get_and_delete() {
    let clock = ManualClock::new(START_MS);
    let (_emulator, client) = start_with_client(config(), &clock).await;
    let create_function = json!({"FunctionName": "fresh", "Runtime": "Python3.9", "Code": {"ZipFile": function_zip()}});
    client
        .post("CreateFunction", create_function.clone())
        .await
        .ok();
    let mut trigger = timer("nightly", "0 0 2 * * * *");
    trigger["FunctionName"] = json!("fresh");

    let creating = client.post("CreateTrigger", trigger.clone()).await;
    assert_eq!(
        creating.code().as_deref(),
        Some("FailedOperation.CreateTrigger")
    );
    clock.advance(Duration::from_secs(5));
    client.post("CreateTrigger", trigger.clone()).await.ok();

    let got = client
        .post("GetFunction", json!({"FunctionName": "fresh"}))
        .await
        .ok();
    assert_eq!(got["Triggers"][0]["TriggerName"], "nightly");
    assert_eq!(
        got["Triggers"][0]["TriggerDesc"],
        r#"{"cron":"0 0 2 * * * *"}"#
    );

    // While the function is Updating its triggers wait too.
    client
        .post(
            "UpdateFunctionConfiguration",
            json!({"FunctionName": "fresh", "Description": "changed"}),
        )
        .await
        .ok();
    let close = json!({"FunctionName": "fresh", "TriggerName": "nightly", "Type": "timer", "Enable": "CLOSE"});
    let updating = client.post("UpdateTriggerStatus", close.clone()).await;
    assert_eq!(
        updating.code().as_deref(),
        Some("FailedOperation.CreateTrigger")
    );
    clock.advance(Duration::from_secs(5));
    client.post("UpdateTriggerStatus", close).await.ok();

    // A function created again under the same name starts without the old one's triggers.
    client
        .post("DeleteFunction", json!({"FunctionName": "fresh"}))
        .await
        .ok();
    let gone = client
        .post("ListTriggers", json!({"FunctionName": "fresh"}))
        .await;
    assert_eq!(gone.code().as_deref(), Some("ResourceNotFound.Function"));
    client.post("CreateFunction", create_function).await.ok();
    let list = client
        .post("ListTriggers", json!({"FunctionName": "fresh"}))
        .await
        .ok();
    assert_eq!(list["TotalCount"], 0);
}
