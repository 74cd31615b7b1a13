//! Versions and aliases over loopback: publishing (Publishing then Active on the emulator's clock),
//! listing, deleting, and aliases with their routing checked, with the service's error codes.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::TestClient;
use common::start::{config_without_rate_limits, start_with_client};
use scf_emulator::{Config, FunctionConfig, ManualClock, RunningEmulator};
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
    start_with_client(config, clock).await
}

async fn publish(client: &TestClient, clock: &ManualClock) -> String {
    let published = client
        .post("PublishVersion", json!({"FunctionName": "api"}))
        .await
        .ok();
    clock.advance(Duration::from_millis(READY_MS));
    published["FunctionVersion"].as_str().unwrap().to_owned()
}

fn versions(list: &Value) -> Vec<String> {
    list["FunctionVersion"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn published_versions_are_publishing_then_active_and_never_renumbered() {
    let clock = ManualClock::new(1_734_000_000_000);
    let (_emulator, client) = start(&clock).await;

    clock.advance(Duration::from_secs(1));
    let first = client
        .post(
            "PublishVersion",
            json!({"FunctionName": "api", "Description": "first"}),
        )
        .await
        .ok();
    assert_eq!(first["FunctionVersion"], "1");
    assert_eq!(first["Description"], "first");
    assert_eq!(first["Namespace"], "default");
    assert_eq!(first["MemorySize"], 128);
    assert_eq!(first["Timeout"], 3);
    assert_eq!(first["Handler"], "index.main_handler");
    assert_eq!(first["Runtime"], "Python3.9");

    let list = client
        .post("ListVersionByFunction", json!({"FunctionName": "api"}))
        .await
        .ok();
    assert_eq!(list["TotalCount"], 2);
    assert_eq!(versions(&list), ["$LATEST", "1"]);
    let one = &list["Versions"][1];
    assert_eq!(one["Status"], "Publishing");
    assert_eq!(one["Description"], "first");
    assert_eq!(one["AddTime"], "2024-12-12 18:40:01");
    clock.advance(Duration::from_millis(READY_MS - 1));
    let still = client
        .post("ListVersionByFunction", json!({"FunctionName": "api"}))
        .await
        .ok();
    assert_eq!(still["Versions"][1]["Status"], "Publishing");
    clock.advance(Duration::from_millis(1));
    let active = client
        .post("ListVersionByFunction", json!({"FunctionName": "api"}))
        .await
        .ok();
    assert_eq!(active["Versions"][1]["Status"], "Active");
    assert_eq!(active["Versions"][0]["Status"], "Active");

    assert_eq!(publish(&client, &clock).await, "2");
    client
        .post(
            "DeleteFunctionVersion",
            json!({"FunctionName": "api", "Qualifier": "2"}),
        )
        .await
        .ok();
    assert_eq!(publish(&client, &clock).await, "3");

    let newest_first = client
        .post(
            "ListVersionByFunction",
            json!({"FunctionName": "api", "Order": "DESC"}),
        )
        .await
        .ok();
    assert_eq!(versions(&newest_first), ["3", "1", "$LATEST"]);
    let page = client
        .post(
            "ListVersionByFunction",
            json!({"FunctionName": "api", "Offset": 1, "Limit": 1}),
        )
        .await
        .ok();
    assert_eq!(page["TotalCount"], 3);
    assert_eq!(versions(&page), ["1"]);
    assert_eq!(page["Versions"][0]["Version"], "1");

    let bad = client
        .post(
            "ListVersionByFunction",
            json!({"FunctionName": "api", "OrderBy": "Name"}),
        )
        .await;
    assert_eq!(bad.code().as_deref(), Some("InvalidParameterValue.OrderBy"));
    let missing = client
        .post("PublishVersion", json!({"FunctionName": "ghost"}))
        .await;
    assert_eq!(missing.code().as_deref(), Some("ResourceNotFound.Function"));
    missing.assert_message_contains("`ghost`");
}

#[tokio::test]
async fn a_version_is_deleted_only_when_published_active_and_unrouted() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    let delete = |qualifier: &str| {
        client.post(
            "DeleteFunctionVersion",
            json!({"FunctionName": "api", "Qualifier": qualifier}),
        )
    };
    assert_eq!(
        delete("$LATEST").await.code().as_deref(),
        Some("InvalidParameterValue.Qualifier")
    );
    assert_eq!(
        delete("$DEFAULT").await.code().as_deref(),
        Some("InvalidParameterValue.Qualifier")
    );
    let absent = delete("9").await;
    assert_eq!(absent.code().as_deref(), Some("ResourceNotFound.Qualifier"));
    absent.assert_message_contains("`9`");

    let one = publish(&client, &clock).await;
    client
        .post("PublishVersion", json!({"FunctionName": "api"}))
        .await
        .ok();
    assert_eq!(
        delete("2").await.code().as_deref(),
        Some("FailedOperation.FunctionStatusError")
    );
    clock.advance(Duration::from_millis(READY_MS));

    client
        .post(
            "CreateAlias",
            json!({"FunctionName": "api", "Name": "stable", "FunctionVersion": one}),
        )
        .await
        .ok();
    client
        .post(
            "CreateAlias",
            json!({"FunctionName": "api", "Name": "canary", "FunctionVersion": "$LATEST",
                   "RoutingConfig": {"AdditionalVersionWeights": [{"Version": "2", "Weight": 0.1}]}}),
        )
        .await
        .ok();
    let main = delete("1").await;
    assert_eq!(
        main.code().as_deref(),
        Some("UnsupportedOperation.AliasBind")
    );
    main.assert_message_contains("`stable`");
    let additional = delete("2").await;
    assert_eq!(
        additional.code().as_deref(),
        Some("UnsupportedOperation.AliasBind")
    );
    additional.assert_message_contains("`canary`");

    client
        .post(
            "DeleteAlias",
            json!({"FunctionName": "api", "Name": "canary"}),
        )
        .await
        .ok();
    delete("2").await.ok();
    let list = client
        .post("ListVersionByFunction", json!({"FunctionName": "api"}))
        .await
        .ok();
    assert_eq!(versions(&list), ["$LATEST", "1"]);
}

#[tokio::test]
async fn aliases_are_created_read_listed_updated_and_deleted() {
    let clock = ManualClock::new(1_734_000_000_000);
    let (_emulator, client) = start(&clock).await;
    let one = publish(&client, &clock).await;
    let two = publish(&client, &clock).await;

    clock.advance(Duration::from_secs(1));
    client
        .post(
            "CreateAlias",
            json!({"FunctionName": "api", "Name": "prod", "FunctionVersion": one,
                   "Description": "live traffic",
                   "RoutingConfig": {"AdditionalVersionWeights": [{"Version": "$LATEST", "Weight": 0.3}]}}),
        )
        .await
        .ok();
    let prod = client
        .post("GetAlias", json!({"FunctionName": "api", "Name": "prod"}))
        .await
        .ok();
    assert_eq!(prod["FunctionVersion"], "1");
    assert_eq!(prod["Description"], "live traffic");
    assert_eq!(
        prod["RoutingConfig"],
        json!({"AdditionalVersionWeights": [{"Version": "$LATEST", "Weight": 0.3}], "AddtionVersionMatchs": []})
    );
    assert_eq!(prod["AddTime"], "2024-12-12 18:40:03");

    // Every function has $DEFAULT on $LATEST; the filter matches main and additional versions.
    let list = |filter: Value| {
        let mut body = json!({"FunctionName": "api"});
        if let Value::Object(extra) = filter {
            body.as_object_mut().unwrap().extend(extra);
        }
        client.post("ListAliases", body)
    };
    let all = list(json!({})).await.ok();
    assert_eq!(all["TotalCount"], 2);
    assert_eq!(all["Aliases"][0]["Name"], "$DEFAULT");
    assert_eq!(all["Aliases"][0]["FunctionVersion"], "$LATEST");
    assert_eq!(
        all["Aliases"][0]["RoutingConfig"],
        json!({"AdditionalVersionWeights": [], "AddtionVersionMatchs": []})
    );
    assert_eq!(all["Aliases"][1]["Name"], "prod");
    assert_eq!(
        list(json!({"FunctionVersion": "$LATEST"})).await.ok()["TotalCount"],
        2
    );
    let on_one = list(json!({"FunctionVersion": "1"})).await.ok();
    assert_eq!(on_one["TotalCount"], 1);
    assert_eq!(on_one["Aliases"][0]["Name"], "prod");
    assert_eq!(
        list(json!({"FunctionVersion": "7"})).await.ok()["TotalCount"],
        0
    );
    let paged = list(json!({"Offset": "1", "Limit": "1"})).await.ok();
    assert_eq!(paged["Aliases"].as_array().unwrap().len(), 1);
    assert_eq!(paged["Aliases"][0]["Name"], "prod");
    assert_eq!(
        list(json!({"Offset": "one"})).await.code().as_deref(),
        Some("InvalidParameterValue.Offset")
    );

    // Without RoutingConfig the alias sends everything to its version; the description stays.
    clock.advance(Duration::from_secs(1));
    client
        .post(
            "UpdateAlias",
            json!({"FunctionName": "api", "Name": "prod", "FunctionVersion": two}),
        )
        .await
        .ok();
    let updated = client
        .post("GetAlias", json!({"FunctionName": "api", "Name": "prod"}))
        .await
        .ok();
    assert_eq!(updated["FunctionVersion"], "2");
    assert_eq!(updated["Description"], "live traffic");
    assert_eq!(
        updated["RoutingConfig"],
        json!({"AdditionalVersionWeights": [], "AddtionVersionMatchs": []})
    );
    assert_eq!(updated["ModTime"], "2024-12-12 18:40:04");
    assert_eq!(updated["AddTime"], "2024-12-12 18:40:03");

    // Invocations through an alias resolve it.
    client
        .post(
            "Invoke",
            json!({"FunctionName": "api", "Qualifier": "prod"}),
        )
        .await
        .ok();

    client
        .post(
            "DeleteAlias",
            json!({"FunctionName": "api", "Name": "prod"}),
        )
        .await
        .ok();
    let gone = client
        .post("GetAlias", json!({"FunctionName": "api", "Name": "prod"}))
        .await;
    assert_eq!(gone.code().as_deref(), Some("ResourceNotFound.Alias"));
    gone.assert_message_contains("`prod`");
    let invoke = client
        .post(
            "Invoke",
            json!({"FunctionName": "api", "Qualifier": "prod"}),
        )
        .await;
    assert_eq!(invoke.code().as_deref(), Some("ResourceNotFound.Qualifier"));
    let delete = client
        .post(
            "DeleteAlias",
            json!({"FunctionName": "api", "Name": "prod"}),
        )
        .await;
    assert_eq!(delete.code().as_deref(), Some("ResourceNotFound.Alias"));
    let update = client
        .post(
            "UpdateAlias",
            json!({"FunctionName": "api", "Name": "prod", "FunctionVersion": "1"}),
        )
        .await;
    assert_eq!(update.code().as_deref(), Some("ResourceNotFound.Alias"));
    let default = client
        .post(
            "DeleteAlias",
            json!({"FunctionName": "api", "Name": "$DEFAULT"}),
        )
        .await;
    assert_eq!(
        default.code().as_deref(),
        Some("InvalidParameterValue.Alias")
    );
}

#[tokio::test]
async fn alias_names_versions_and_routing_are_checked() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start(&clock).await;
    publish(&client, &clock).await;
    publish(&client, &clock).await;
    let create = |name: &str, version: &str, routing: Value| {
        let mut body = json!({"FunctionName": "api", "Name": name, "FunctionVersion": version});
        if !routing.is_null() {
            body["RoutingConfig"] = routing;
        }
        client.post("CreateAlias", body)
    };
    for bad in [
        "1st",
        "has space",
        "$DEFAULT",
        &format!("a{}", "b".repeat(64)),
    ] {
        assert_eq!(
            create(bad, "1", Value::Null).await.code().as_deref(),
            Some("InvalidParameterValue.Name"),
            "{bad:?}"
        );
    }
    create(&format!("a{}", "b".repeat(63)), "1", Value::Null)
        .await
        .ok();
    let missing = create("later", "5", Value::Null).await;
    assert_eq!(
        missing.code().as_deref(),
        Some("ResourceNotFound.FunctionVersion")
    );
    missing.assert_message_contains("`5`");

    let weights = |list: Value| json!({"AdditionalVersionWeights": list});
    let cases = [
        (
            weights(json!([{"Version": "2", "Weight": 1.5}])),
            "InvalidParameterValue.AdditionalVersionWeights",
        ),
        (
            weights(json!([{"Version": "2", "Weight": -0.1}])),
            "InvalidParameterValue.AdditionalVersionWeights",
        ),
        (
            weights(
                json!([{"Version": "2", "Weight": 0.5}, {"Version": "$LATEST", "Weight": 0.4}]),
            ),
            "InvalidParameterValue.RoutingConfig",
        ),
        (
            weights(json!([{"Version": "1", "Weight": 0.5}])),
            "InvalidParameterValue.RoutingConfig",
        ),
        (
            weights(json!([{"Version": "8", "Weight": 0.5}])),
            "ResourceNotFound.FunctionVersion",
        ),
        (
            json!({"AdditionalVersionWeights": [{"Version": "2", "Weight": 0.5}],
                   "AddtionVersionMatchs": [{"Version": "2", "Key": "invoke.headers.User", "Method": "exact", "Expression": "a"}]}),
            "InvalidParameterValue.RoutingConfig",
        ),
        (
            json!({"AddtionVersionMatchs": [{"Version": "2", "Key": "invoke.headers.User", "Method": "regex", "Expression": "a"}]}),
            "InvalidParameterValue.RoutingConfig",
        ),
        (
            json!({"AddtionVersionMatchs": [{"Version": "2", "Key": "invoke.headers.Age", "Method": "range", "Expression": "[9,1]"}]}),
            "InvalidParameterValue.RoutingConfig",
        ),
        (
            json!({"AddtionVersionMatchs": [{"Version": "2", "Key": "User", "Method": "exact", "Expression": "a"}]}),
            "InvalidParameterValue.RoutingConfig",
        ),
    ];
    for (routing, code) in cases {
        let reply = create("routed", "1", routing.clone()).await;
        assert_eq!(reply.code().as_deref(), Some(code), "{routing}");
    }
    // Nothing refused was stored.
    let list = client
        .post("ListAliases", json!({"FunctionName": "api"}))
        .await
        .ok();
    assert_eq!(list["TotalCount"], 2);

    create(
        "matched",
        "1",
        json!({"AddtionVersionMatchs": [{"Version": "2", "Key": "invoke.headers.Age", "Method": "range", "Expression": "[1,9)"}]}),
    )
    .await
    .ok();
    let duplicate = create("matched", "1", Value::Null).await;
    assert_eq!(duplicate.code().as_deref(), Some("ResourceInUse.Alias"));
    let update = client
        .post(
            "UpdateAlias",
            json!({"FunctionName": "api", "Name": "matched", "FunctionVersion": "2",
                   "RoutingConfig": {"AdditionalVersionWeights": [{"Version": "2", "Weight": 0.5}]}}),
        )
        .await;
    assert_eq!(
        update.code().as_deref(),
        Some("InvalidParameterValue.RoutingConfig")
    );

    // Two aliases exist besides $DEFAULT; eight more reach the limit of ten.
    for i in 0..8 {
        create(&format!("extra{i}"), "$LATEST", Value::Null)
            .await
            .ok();
    }
    let over = create("eleventh", "$LATEST", Value::Null).await;
    assert_eq!(over.code().as_deref(), Some("LimitExceeded.Alias"));

    let ghost = client
        .post(
            "CreateAlias",
            json!({"FunctionName": "ghost", "Name": "x", "FunctionVersion": "1"}),
        )
        .await;
    assert_eq!(ghost.code().as_deref(), Some("ResourceNotFound.Function"));
}
