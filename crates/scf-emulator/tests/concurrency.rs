//! Concurrency settings, GetAccount and async retry settings over loopback, with the service's limits
//! and error codes; provisioned settings move from InProgress to Done on the emulator's clock.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::start::{config_without_rate_limits, start_with_client};
use common::{Reply, TestClient};
use scf_emulator::{Config, FunctionConfig, ManualClock, NamespaceConfig, RunningEmulator};
use serde_json::{Value, json};

const READY_MS: u64 = 1_000;

async fn start(clock: &ManualClock) -> (RunningEmulator, TestClient) {
    let mut config = Config {
        function_ready_ms: READY_MS,
        ..config_without_rate_limits()
    };
    config.namespaces[0]
        .functions
        .push(FunctionConfig::new("api", 1_000));
    config.namespaces.push(NamespaceConfig {
        name: "team".into(),
        functions: vec![FunctionConfig::new("job", 1_000)],
    });
    start_with_client(config, clock).await
}

async fn reserve(client: &TestClient, function: &str, namespace: &str, memory: u64) -> Reply {
    client
        .post(
            "PutReservedConcurrencyConfig",
            json!({"FunctionName": function, "Namespace": namespace, "ReservedConcurrencyMem": memory}),
        )
        .await
}

async fn provision(client: &TestClient, qualifier: &str, instances: u64) -> Reply {
    client
        .post(
            "PutProvisionedConcurrencyConfig",
            json!({"FunctionName": "api", "Qualifier": qualifier, "VersionProvisionedConcurrencyNum": instances}),
        )
        .await
}

async fn provisioned(client: &TestClient, qualifier: Option<&str>) -> Reply {
    let mut body = json!({"FunctionName": "api"});
    if let Some(qualifier) = qualifier {
        body["Qualifier"] = json!(qualifier);
    }
    client.post("GetProvisionedConcurrencyConfig", body).await
}

#[tokio::test]
async fn reserved_memory_stays_within_the_account_total() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    let get = |function: &str| {
        client.post(
            "GetReservedConcurrencyConfig",
            json!({"FunctionName": function}),
        )
    };
    assert_eq!(get("api").await.ok()["ReservedMem"], Value::Null);
    reserve(&client, "api", "default", 1_280).await.ok();
    assert_eq!(get("api").await.ok()["ReservedMem"], 1_280);

    // 128,000 MB in all, 12,800 of them never reserved: 115,200 MB for every function together.
    reserve(&client, "job", "team", 113_920).await.ok();
    let over = reserve(&client, "job", "team", 113_921).await;
    assert_eq!(
        over.code().as_deref(),
        Some("LimitExceeded.FunctionReservedConcurrencyMemory")
    );
    over.assert_message_contains("`job`");

    let account = client.post("GetAccount", json!({})).await.ok();
    assert_eq!(
        account["AccountUsage"]["TotalAllocatedConcurrencyMem"],
        115_200
    );
    assert_eq!(
        account["AccountUsage"]["Namespace"][0]["TotalAllocatedConcurrencyMem"],
        1_280
    );

    // The total cannot fall below what is reserved plus 12,800 MB, nor rise above the account's limit.
    let total = |memory: u64, namespace: &str| {
        client.post(
            "PutTotalConcurrencyConfig",
            json!({"TotalConcurrencyMem": memory, "Namespace": namespace}),
        )
    };
    assert_eq!(
        total(127_999, "default").await.code().as_deref(),
        Some("FailedOperation.ReservedExceedTotal")
    );
    assert_eq!(
        total(128_001, "default").await.code().as_deref(),
        Some("LimitExceeded.TotalConcurrencyMemory")
    );
    assert_eq!(
        total(128_000, "nowhere").await.code().as_deref(),
        Some("ResourceNotFound.Namespace")
    );
    client
        .post(
            "DeleteReservedConcurrencyConfig",
            json!({"FunctionName": "job", "Namespace": "team"}),
        )
        .await
        .ok();
    // Deleting what is not set succeeds too.
    client
        .post(
            "DeleteReservedConcurrencyConfig",
            json!({"FunctionName": "job", "Namespace": "team"}),
        )
        .await
        .ok();
    total(50_000, "default").await.ok();
    let account = client.post("GetAccount", json!({})).await.ok();
    assert_eq!(account["AccountUsage"]["TotalConcurrencyMem"], 50_000);
    reserve(&client, "job", "team", 35_920).await.ok();
    assert_eq!(
        reserve(&client, "job", "team", 35_921)
            .await
            .code()
            .as_deref(),
        Some("LimitExceeded.FunctionReservedConcurrencyMemory")
    );

    let ghost = reserve(&client, "ghost", "default", 128).await;
    assert_eq!(ghost.code().as_deref(), Some("ResourceNotFound.Function"));
    assert_eq!(
        get("ghost").await.code().as_deref(),
        Some("ResourceNotFound.Function")
    );
}

#[tokio::test]
async fn provisioned_concurrency_is_set_on_versions_and_aliases_and_gets_ready_on_the_clock() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    client
        .post("PublishVersion", json!({"FunctionName": "api"}))
        .await
        .ok();
    // A version still publishing takes no provisioned concurrency yet.
    let early = provision(&client, "1", 5).await;
    assert_eq!(
        early.code().as_deref(),
        Some("FailedOperation.FunctionVersionStatusNotActive")
    );
    clock.advance(Duration::from_millis(READY_MS));

    assert_eq!(
        provision(&client, "$LATEST", 5).await.code().as_deref(),
        Some("InvalidParameterValue.Qualifier")
    );
    let absent = provision(&client, "9", 5).await;
    assert_eq!(absent.code().as_deref(), Some("ResourceNotFound.Version"));
    absent.assert_message_contains("`9`");

    provision(&client, "1", 5).await.ok();
    let setting_up = provisioned(&client, Some("1")).await.ok();
    assert_eq!(
        setting_up["Allocated"],
        json!([{"Qualifier": "1", "AllocatedProvisionedConcurrencyNum": 5,
                "AvailableProvisionedConcurrencyNum": 0, "Status": "InProgress",
                "StatusReason": "", "TriggerActions": []}])
    );
    assert_eq!(
        provision(&client, "1", 6).await.code().as_deref(),
        Some("FailedOperation.ProvisionedInProgress")
    );
    clock.advance(Duration::from_millis(READY_MS));
    let done = provisioned(&client, Some("1")).await.ok();
    assert_eq!(done["Allocated"][0]["Status"], "Done");
    assert_eq!(
        done["Allocated"][0]["AvailableProvisionedConcurrencyNum"],
        5
    );
    // 128,000 MB of 128 MB instances, less the 100 kept back, less the 5 provisioned.
    assert_eq!(done["UnallocatedConcurrencyNum"], 895);

    client
        .post(
            "CreateAlias",
            json!({"FunctionName": "api", "Name": "live", "FunctionVersion": "1"}),
        )
        .await
        .ok();
    provision(&client, "live", 3).await.ok();
    clock.advance(Duration::from_millis(READY_MS));
    let all = provisioned(&client, None).await.ok();
    let qualifiers: Vec<&str> = all["Allocated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["Qualifier"].as_str().unwrap())
        .collect();
    assert_eq!(qualifiers, ["1", "live"]);
    assert_eq!(all["UnallocatedConcurrencyNum"], 892);
    assert_eq!(
        provision(&client, "1", 898).await.code().as_deref(),
        Some("FailedOperation.ProvisionedExceedAvailable")
    );
    provision(&client, "1", 897).await.ok();
    clock.advance(Duration::from_millis(READY_MS));
    provision(&client, "1", 5).await.ok();
    clock.advance(Duration::from_millis(READY_MS));

    // Reserved memory bounds provisioned memory both ways: 8 instances of 128 MB are 1,024 MB.
    assert_eq!(
        reserve(&client, "api", "default", 1_023)
            .await
            .code()
            .as_deref(),
        Some("FailedOperation.ProvisionedExceedReserved")
    );
    reserve(&client, "api", "default", 1_024).await.ok();
    assert_eq!(
        provision(&client, "1", 6).await.code().as_deref(),
        Some("FailedOperation.ProvisionedExceedReserved")
    );
    let account = client.post("GetAccount", json!({})).await.ok();
    assert_eq!(
        account["AccountUsage"]["Namespace"][0]["TotalAllocatedProvisionedMem"],
        1_024
    );

    let delete = |qualifier: &str| {
        client.post(
            "DeleteProvisionedConcurrencyConfig",
            json!({"FunctionName": "api", "Qualifier": qualifier}),
        )
    };
    delete("1").await.ok();
    assert_eq!(
        delete("1").await.code().as_deref(),
        Some("ResourceNotFound")
    );
    assert_eq!(
        delete("$LATEST").await.code().as_deref(),
        Some("InvalidParameterValue.Qualifier")
    );
    // Deleting the alias drops its setting.
    client
        .post(
            "DeleteAlias",
            json!({"FunctionName": "api", "Name": "live"}),
        )
        .await
        .ok();
    let none = provisioned(&client, None).await.ok();
    assert_eq!(none["Allocated"], json!([]));
}

#[tokio::test]
async fn tracking_provisioning_and_trigger_actions_are_checked() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    client
        .post("PublishVersion", json!({"FunctionName": "api"}))
        .await
        .ok();
    clock.advance(Duration::from_millis(READY_MS));
    let put = |extra: Value| {
        let mut body =
            json!({"FunctionName": "api", "Qualifier": "1", "VersionProvisionedConcurrencyNum": 0});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        client.post("PutProvisionedConcurrencyConfig", body)
    };
    let tracking = |target: f64, min: u64, max: u64| {
        json!({"ProvisionedType": "ConcurrencyUtilizationTracking", "TrackingTarget": target,
               "MinCapacity": min, "MaxCapacity": max})
    };
    for (extra, code) in [
        (tracking(1.0, 1, 2), "InvalidParameterValue.TrackingTarget"),
        (tracking(0.5, 0, 2), "InvalidParameterValue.MinCapacity"),
        (tracking(0.5, 3, 2), "LimitExceeded.MaxCapacity"),
        (
            json!({"ProvisionedType": "Sometimes"}),
            "InvalidParameterValue.ProvisionType",
        ),
        (
            json!({"TriggerActions": [
                {"TriggerName": "t", "TriggerProvisionedConcurrencyNum": 1, "TriggerCronConfig": "0 0 1 * * * *"},
                {"TriggerName": "t", "TriggerProvisionedConcurrencyNum": 2, "TriggerCronConfig": "0 0 2 * * * *"}]}),
            "InvalidParameterValue.ProvisionTriggerNameDuplicate",
        ),
        (
            json!({"TriggerActions": [
                {"TriggerName": "a", "TriggerProvisionedConcurrencyNum": 1, "TriggerCronConfig": "0 0 1 * * * *"},
                {"TriggerName": "b", "TriggerProvisionedConcurrencyNum": 2, "TriggerCronConfig": "0 0 1 * * * *"}]}),
            "InvalidParameterValue.ProvisionTriggerCronConfigDuplicate",
        ),
    ] {
        assert_eq!(
            put(extra.clone()).await.code().as_deref(),
            Some(code),
            "{extra}"
        );
    }
    let actions = json!([{"TriggerName": "morning", "TriggerProvisionedConcurrencyNum": 4,
                          "TriggerCronConfig": "0 0 8 * * * *", "ProvisionedType": "Default"}]);
    let mut body = tracking(0.6, 2, 9);
    body["TriggerActions"] = actions.clone();
    put(body).await.ok();
    clock.advance(Duration::from_millis(READY_MS));
    let got = provisioned(&client, Some("1")).await.ok();
    assert_eq!(got["Allocated"][0]["AllocatedProvisionedConcurrencyNum"], 2);
    assert_eq!(got["Allocated"][0]["TriggerActions"], actions);
}

#[tokio::test]
async fn async_retry_settings_have_documented_defaults_and_ranges() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    let get = |qualifier: Option<&str>| {
        let mut body = json!({"FunctionName": "api"});
        if let Some(qualifier) = qualifier {
            body["Qualifier"] = json!(qualifier);
        }
        client.post("GetFunctionEventInvokeConfig", body)
    };
    assert_eq!(
        get(None).await.ok()["AsyncTriggerConfig"],
        json!({"RetryConfig": [{"RetryNum": 2}], "MsgTTL": 21600})
    );
    let update = |config: Value| {
        client.post(
            "UpdateFunctionEventInvokeConfig",
            json!({"FunctionName": "api", "AsyncTriggerConfig": config}),
        )
    };
    update(json!({"RetryConfig": [{"RetryNum": 0}], "MsgTTL": 60}))
        .await
        .ok();
    assert_eq!(
        get(Some("$LATEST")).await.ok()["AsyncTriggerConfig"],
        json!({"RetryConfig": [{"RetryNum": 0}], "MsgTTL": 60})
    );
    for (config, code) in [
        (
            json!({"RetryConfig": [{"RetryNum": 3}], "MsgTTL": 3600}),
            "LimitExceeded.RetryNum",
        ),
        (
            json!({"RetryConfig": [{"RetryNum": -1}], "MsgTTL": 3600}),
            "LimitExceeded.RetryNum",
        ),
        (
            json!({"RetryConfig": [{"RetryNum": 1}], "MsgTTL": 59}),
            "LimitExceeded.MsgTTL",
        ),
        (
            json!({"RetryConfig": [{"RetryNum": 1}], "MsgTTL": 21601}),
            "LimitExceeded.MsgTTL",
        ),
        (
            json!({"RetryConfig": [], "MsgTTL": 3600}),
            "InvalidParameterValue.AsyncTriggerConfig",
        ),
    ] {
        assert_eq!(
            update(config.clone()).await.code().as_deref(),
            Some(code),
            "{config}"
        );
    }
    // Refused updates left the stored settings alone.
    assert_eq!(get(None).await.ok()["AsyncTriggerConfig"]["MsgTTL"], 60);

    let absent = get(Some("4")).await;
    assert_eq!(
        absent.code().as_deref(),
        Some("ResourceNotFound.FunctionVersion")
    );
    client
        .post("PublishVersion", json!({"FunctionName": "api"}))
        .await
        .ok();
    assert_eq!(
        get(Some("1")).await.code().as_deref(),
        Some("FailedOperation.FunctionVersionStatusNotActive")
    );
    clock.advance(Duration::from_millis(READY_MS));
    assert_eq!(
        get(Some("1")).await.ok()["AsyncTriggerConfig"]["MsgTTL"],
        60
    );
    let ghost = client
        .post(
            "UpdateFunctionEventInvokeConfig",
            json!({"FunctionName": "ghost", "AsyncTriggerConfig": {"RetryConfig": [{"RetryNum": 1}], "MsgTTL": 60}}),
        )
        .await;
    assert_eq!(ghost.code().as_deref(), Some("ResourceNotFound.Function"));
}

#[tokio::test]
async fn get_account_reports_usage_from_the_store_and_the_documented_limits() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    client
        .post("CreateNamespace", json!({"Namespace": "empty"}))
        .await
        .ok();
    let account = client.post("GetAccount", json!({})).await.ok();
    let usage = &account["AccountUsage"];
    assert_eq!(usage["NamespacesCount"], 3);
    assert_eq!(usage["TotalConcurrencyMem"], 128_000);
    assert_eq!(usage["UserConcurrencyMemLimit"], 128_000);
    assert_eq!(usage["TotalAllocatedConcurrencyMem"], 0);
    let namespaces: Vec<(&str, Value, i64)> = usage["Namespace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["Namespace"].as_str().unwrap(),
                n["Functions"].clone(),
                n["FunctionsCount"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        namespaces,
        [
            ("default", json!(["api", "hello"]), 2),
            ("empty", json!([]), 0),
            ("team", json!(["job"]), 1)
        ]
    );
    let limits = &account["AccountLimit"];
    assert_eq!(limits["NamespacesCount"], 5);
    let default = &limits["Namespace"][0];
    assert_eq!(default["Namespace"], "default");
    for (field, value) in [
        ("FunctionsCount", 50),
        ("TimeoutLimit", 900),
        ("InitTimeoutLimit", 300),
        ("RetryNumLimit", 2),
        ("MinMsgTTL", 60),
        ("MaxMsgTTL", 21600),
        ("ConcurrentExecutions", 100),
        ("TestModelLimit", 20),
    ] {
        assert_eq!(default[field], value, "{field}");
    }
    assert_eq!(default["Trigger"]["Timer"], 10);
    assert_eq!(default["Trigger"]["Total"], 110);

    client
        .post("DeleteNamespace", json!({"Namespace": "empty"}))
        .await
        .ok();
    let after = client.post("GetAccount", json!({})).await.ok();
    assert_eq!(after["AccountUsage"]["NamespacesCount"], 2);
}
