//! Namespaces over loopback: created, listed (order, search, paging), described and deleted, with the
//! service's error codes, and kept across a restart with a state directory.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::listing::string_column;
use common::start::{config_without_rate_limits, start_with_client};
use scf_emulator::{Config, FunctionConfig, ManualClock, NamespaceConfig};
use serde_json::{Value, json};

fn config() -> Config {
    let mut config = config_without_rate_limits();
    config.namespaces.push(NamespaceConfig {
        name: "busy".into(),
        functions: vec![FunctionConfig::new("worker", 1_000)],
    });
    config
}

fn names(list: &Value) -> Vec<String> {
    string_column(list, "Namespaces", "Name")
}

#[tokio::test]
async fn namespaces_are_created_listed_described_and_deleted() {
    let clock = ManualClock::new(1_734_000_000_000);
    let (_emulator, client) = start_with_client(config(), &clock).await;

    clock.advance(Duration::from_secs(1));
    client
        .post(
            "CreateNamespace",
            json!({"Namespace": "team-a", "Description": "the A team"}),
        )
        .await
        .ok();
    clock.advance(Duration::from_secs(1));
    client
        .post("CreateNamespace", json!({"Namespace": "team_b"}))
        .await
        .ok();

    // Newest first by default; `busy` and `default` were made together at start, so the name breaks the tie.
    let list = client.post("ListNamespaces", json!({})).await.ok();
    assert_eq!(list["TotalCount"], 4);
    assert_eq!(names(&list), ["team_b", "team-a", "default", "busy"]);
    let a = &list["Namespaces"][1];
    assert_eq!(a["Description"], "the A team");
    assert_eq!(a["Type"], "default");
    assert_eq!(a["AddTime"], "2024-12-12 18:40:01");
    assert_eq!(a["ModTime"], a["AddTime"]);

    clock.advance(Duration::from_secs(60));
    client
        .post(
            "UpdateNamespace",
            json!({"Namespace": "team-a", "Description": "renamed"}),
        )
        .await
        .ok();
    let by_update = client
        .post(
            "ListNamespaces",
            json!({"Orderby": "Updatetime", "Order": "DESC"}),
        )
        .await
        .ok();
    assert_eq!(names(&by_update)[0], "team-a");
    assert_eq!(by_update["Namespaces"][0]["Description"], "renamed");
    assert_eq!(by_update["Namespaces"][0]["ModTime"], "2024-12-12 18:41:02");
    assert_eq!(by_update["Namespaces"][0]["AddTime"], "2024-12-12 18:40:01");

    // Search keys all apply; they match parts of the name or the description.
    let search = |keys: Value| client.post("ListNamespaces", json!({"SearchKey": keys}));
    let team = search(json!([{"Key": "Namespace", "Value": "team"}]))
        .await
        .ok();
    assert_eq!(team["TotalCount"], 2);
    let both = search(json!([
        {"Key": "Namespace", "Value": "team"},
        {"Key": "Description", "Value": "name"}
    ]))
    .await
    .ok();
    assert_eq!(names(&both), ["team-a"]);

    client
        .post("DeleteNamespace", json!({"Namespace": "team-a"}))
        .await
        .ok();
    let after = client.post("ListNamespaces", json!({})).await.ok();
    assert_eq!(names(&after), ["team_b", "default", "busy"]);
    let again = client
        .post("DeleteNamespace", json!({"Namespace": "team-a"}))
        .await;
    assert_eq!(again.code().as_deref(), Some("ResourceNotFound.Namespace"));
    again.assert_message_contains("`team-a`");
}

#[tokio::test]
async fn pages_walk_the_namespaces_in_order_without_overlap() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start_with_client(config(), &clock).await;
    for name in ["c3", "a1", "b2"] {
        client
            .post("CreateNamespace", json!({"Namespace": name}))
            .await
            .ok();
    }
    let mut walked = Vec::new();
    for offset in [0, 2, 4] {
        let page = client
            .post(
                "ListNamespaces",
                json!({"Orderby": "Name", "Order": "ASC", "Offset": offset, "Limit": 2}),
            )
            .await
            .ok();
        assert_eq!(page["TotalCount"], 5);
        walked.extend(names(&page));
    }
    assert_eq!(walked, ["a1", "b2", "busy", "c3", "default"]);
    // Query-string requests page the same way.
    let get = client
        .get("ListNamespaces", "Orderby=Name&Order=DESC&Limit=1&Offset=1")
        .await
        .ok();
    assert_eq!(names(&get), ["c3"]);
}

#[tokio::test]
async fn bad_names_defaults_duplicates_and_limits_get_the_service_codes() {
    let clock = ManualClock::starting_now();
    let (_emulator, client) = start_with_client(config(), &clock).await;
    let create = |name: &str| client.post("CreateNamespace", json!({"Namespace": name}));
    assert_eq!(
        create("default").await.code().as_deref(),
        Some("InvalidParameterValue.DefaultNamespace")
    );
    for bad in ["", "has space", "dot.ted", &"n".repeat(31)] {
        let reply = create(bad).await;
        assert_eq!(
            reply.code().as_deref(),
            Some("InvalidParameterValue.NamespaceInvalid"),
            "{bad:?}"
        );
    }
    create(&"n".repeat(30)).await.ok();
    let duplicate = create("busy").await;
    assert_eq!(duplicate.code().as_deref(), Some("ResourceInUse.Namespace"));
    duplicate.assert_message_contains("`busy`");
    let long = client
        .post(
            "CreateNamespace",
            json!({"Namespace": "wordy", "Description": "d".repeat(1001)}),
        )
        .await;
    assert_eq!(
        long.code().as_deref(),
        Some("InvalidParameterValue.Description")
    );

    // default, busy and the 30-letter one are three of the region's five.
    create("four").await.ok();
    create("five").await.ok();
    let sixth = create("six").await;
    assert_eq!(sixth.code().as_deref(), Some("LimitExceeded.Namespace"));

    let delete = |name: &str| client.post("DeleteNamespace", json!({"Namespace": name}));
    assert_eq!(
        delete("default").await.code().as_deref(),
        Some("FailedOperation.DeleteNamespace")
    );
    let busy = delete("busy").await;
    assert_eq!(busy.code().as_deref(), Some("ResourceInUse.Namespace"));
    busy.assert_message_contains("holds 1 function");

    let update = client
        .post(
            "UpdateNamespace",
            json!({"Namespace": "nope", "Description": ""}),
        )
        .await;
    assert_eq!(update.code().as_deref(), Some("ResourceNotFound.Namespace"));
    client
        .post(
            "UpdateNamespace",
            json!({"Namespace": "default", "Description": "main"}),
        )
        .await
        .ok();

    let list = |body: Value| client.post("ListNamespaces", body);
    assert_eq!(
        list(json!({"SearchKey": [{"Key": "Name", "Value": "x"}]}))
            .await
            .code()
            .as_deref(),
        Some("InvalidParameterValue.SearchKey")
    );
    assert_eq!(
        list(json!({"Orderby": "AddTime"})).await.code().as_deref(),
        Some("InvalidParameterValue.OrderBy")
    );
    assert_eq!(
        list(json!({"Limit": 101})).await.code().as_deref(),
        Some("InvalidParameterValue.Limit")
    );
    assert_eq!(
        list(json!({"Offset": -1})).await.code().as_deref(),
        Some("InvalidParameterValue.Offset")
    );
}

#[tokio::test]
async fn namespaces_outlive_a_restart_with_a_state_directory() {
    let dir = std::env::temp_dir().join(format!(
        "scf-emulator-namespaces-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let mut config = config();
    config.state_dir = Some(dir.clone());
    let clock = ManualClock::starting_now();
    let (emulator, client) = start_with_client(config.clone(), &clock).await;
    client
        .post(
            "CreateNamespace",
            json!({"Namespace": "kept", "Description": "still here"}),
        )
        .await
        .ok();
    emulator.shutdown().await;

    let (_emulator, client) = start_with_client(config, &clock).await;
    let list = client
        .post(
            "ListNamespaces",
            json!({"SearchKey": [{"Key": "Namespace", "Value": "kept"}]}),
        )
        .await
        .ok();
    assert_eq!(list["Namespaces"][0]["Description"], "still here");
    let _ = std::fs::remove_dir_all(&dir);
}
