//! The store never disagrees with what it acknowledged: random sequences of changing actions, and many
//! clients changing one function at once, leave `GetFunction` and the `List*` actions showing exactly the
//! changes that were answered with success.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::TestClient;
use proptest::prelude::*;
use scf_emulator::{Config, Emulator, SystemClock};
use serde_json::{Value, json};

const NAMESPACES: [&str; 2] = ["default", "team"];
const FUNCTIONS: [&str; 3] = ["alpha", "beta", "gamma"];
const ALIASES: [&str; 2] = ["live", "canary"];

/// One changing action on a small set of names, so sequences collide often.
#[derive(Debug, Clone)]
enum Step {
    CreateNamespace(usize),
    DeleteNamespace(usize),
    CreateFunction(usize, usize),
    DeleteFunction(usize, usize),
    Describe(usize, usize, u8),
    Publish(usize, usize),
    CreateAlias(usize, usize, usize),
    DeleteAlias(usize, usize, usize),
}

fn step() -> impl Strategy<Value = Step> {
    let ns = 0..NAMESPACES.len();
    let f = 0..FUNCTIONS.len();
    let a = 0..ALIASES.len();
    prop_oneof![
        ns.clone().prop_map(Step::CreateNamespace),
        ns.clone().prop_map(Step::DeleteNamespace),
        (ns.clone(), f.clone()).prop_map(|(n, f)| Step::CreateFunction(n, f)),
        (ns.clone(), f.clone()).prop_map(|(n, f)| Step::DeleteFunction(n, f)),
        (ns.clone(), f.clone(), any::<u8>()).prop_map(|(n, f, d)| Step::Describe(n, f, d)),
        (ns.clone(), f.clone()).prop_map(|(n, f)| Step::Publish(n, f)),
        (ns.clone(), f.clone(), a.clone()).prop_map(|(n, f, a)| Step::CreateAlias(n, f, a)),
        (ns, f, a).prop_map(|(n, f, a)| Step::DeleteAlias(n, f, a)),
    ]
}

/// What the acknowledged answers say the store holds.
#[derive(Debug, Default)]
struct Model {
    namespaces: BTreeSet<String>,
    /// (namespace, function) → (description, published versions, aliases).
    functions: BTreeMap<(String, String), (String, usize, BTreeSet<String>)>,
}

fn zip_base64() -> String {
    common::zips::base64_zip_of(&[(
        "index.py",
        b"def main_handler(event, context):\n    return 1\n",
    )])
}

async fn apply(client: &TestClient, model: &mut Model, step: &Step) {
    let function =
        |n: usize, f: usize| json!({"Namespace": NAMESPACES[n], "FunctionName": FUNCTIONS[f]});
    let key = |n: usize, f: usize| (NAMESPACES[n].to_owned(), FUNCTIONS[f].to_owned());
    let (action, body) = match step {
        Step::CreateNamespace(n) => ("CreateNamespace", json!({"Namespace": NAMESPACES[*n]})),
        Step::DeleteNamespace(n) => ("DeleteNamespace", json!({"Namespace": NAMESPACES[*n]})),
        Step::CreateFunction(n, f) => {
            let mut body = function(*n, *f);
            body["Code"] = json!({"ZipFile": zip_base64()});
            body["Handler"] = json!("index.main_handler");
            body["Runtime"] = json!("Python3.9");
            ("CreateFunction", body)
        }
        Step::DeleteFunction(n, f) => ("DeleteFunction", function(*n, *f)),
        Step::Describe(n, f, d) => {
            let mut body = function(*n, *f);
            body["Description"] = json!(format!("description {d}"));
            ("UpdateFunctionConfiguration", body)
        }
        Step::Publish(n, f) => ("PublishVersion", function(*n, *f)),
        Step::CreateAlias(n, f, a) | Step::DeleteAlias(n, f, a) => {
            let mut body = function(*n, *f);
            body["Name"] = json!(ALIASES[*a]);
            if matches!(step, Step::CreateAlias(..)) {
                body["FunctionVersion"] = json!("$LATEST");
                ("CreateAlias", body)
            } else {
                ("DeleteAlias", body)
            }
        }
    };
    let reply = client.post(action, body.clone()).await;
    if let Some(code) = reply.code() {
        assert!(
            !code.starts_with("InternalError") && !code.starts_with("UnsupportedOperation"),
            "{action} {body} answered {code}"
        );
        return;
    }
    match step {
        Step::CreateNamespace(n) => {
            model.namespaces.insert(NAMESPACES[*n].to_owned());
        }
        Step::DeleteNamespace(n) => {
            model.namespaces.remove(NAMESPACES[*n]);
        }
        Step::CreateFunction(n, f) => {
            // Every function has the `$DEFAULT` alias on `$LATEST`.
            let aliases = BTreeSet::from(["$DEFAULT".to_owned()]);
            model
                .functions
                .insert(key(*n, *f), (String::new(), 0, aliases));
        }
        Step::DeleteFunction(n, f) => {
            model.functions.remove(&key(*n, *f));
        }
        Step::Describe(n, f, d) => {
            model.functions.get_mut(&key(*n, *f)).unwrap().0 = format!("description {d}");
        }
        Step::Publish(n, f) => model.functions.get_mut(&key(*n, *f)).unwrap().1 += 1,
        Step::CreateAlias(n, f, a) => {
            model
                .functions
                .get_mut(&key(*n, *f))
                .unwrap()
                .2
                .insert(ALIASES[*a].to_owned());
        }
        Step::DeleteAlias(n, f, a) => {
            model
                .functions
                .get_mut(&key(*n, *f))
                .unwrap()
                .2
                .remove(ALIASES[*a]);
        }
    }
}

fn strings(list: &Value, key: &str) -> BTreeSet<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect()
}

async fn check(client: &TestClient, model: &Model) {
    let namespaces = client
        .post("ListNamespaces", json!({"Limit": 100}))
        .await
        .ok();
    assert_eq!(strings(&namespaces["Namespaces"], "Name"), model.namespaces);
    for namespace in &model.namespaces {
        let listed = client
            .post(
                "ListFunctions",
                json!({"Namespace": namespace, "Limit": 100}),
            )
            .await
            .ok();
        let expected: BTreeSet<String> = model
            .functions
            .keys()
            .filter(|(n, _)| n == namespace)
            .map(|(_, f)| f.clone())
            .collect();
        assert_eq!(strings(&listed["Functions"], "FunctionName"), expected);
        assert_eq!(listed["TotalCount"], json!(expected.len()));
    }
    for ((namespace, name), (description, versions, aliases)) in &model.functions {
        let function = json!({"Namespace": namespace, "FunctionName": name});
        let got = client.post("GetFunction", function.clone()).await.ok();
        assert_eq!(got["Description"], json!(description), "{namespace}/{name}");
        let listed = client
            .post("ListVersionByFunction", function.clone())
            .await
            .ok();
        let published: BTreeSet<String> = (1..=*versions).map(|v| v.to_string()).collect();
        let mut listed_versions = strings(&listed["Versions"], "Version");
        listed_versions.remove("$LATEST");
        assert_eq!(listed_versions, published, "{namespace}/{name}");
        let listed = client.post("ListAliases", function).await.ok();
        assert_eq!(
            &strings(&listed["Aliases"], "Name"),
            aliases,
            "{namespace}/{name}"
        );
    }
}

fn config() -> Config {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    config.function_ready_ms = 0;
    // No configured functions: the model starts from an empty store.
    config.namespaces.clear();
    config
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn listings_agree_with_every_acknowledged_change(steps in proptest::collection::vec(step(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let emulator = Emulator::builder().config(config()).start().await.unwrap();
            let client = TestClient::new(&emulator, SystemClock);
            let mut model = Model::default();
            model.namespaces.insert("default".to_owned());
            for step in &steps {
                apply(&client, &mut model, step).await;
            }
            check(&client, &model).await;
            emulator.shutdown().await;
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_changing_one_function_leave_one_consistent_answer() {
    let emulator = Emulator::builder().config(config()).start().await.unwrap();
    let setup = TestClient::new(&emulator, SystemClock);
    setup
        .post(
            "CreateFunction",
            json!({"FunctionName": "shared", "Code": {"ZipFile": zip_base64()},
                   "Handler": "index.main_handler", "Runtime": "Python3.9"}),
        )
        .await
        .ok();
    let mut tasks = tokio::task::JoinSet::new();
    for writer in 0..16 {
        let client = TestClient::new(&emulator, SystemClock);
        tasks.spawn(async move {
            let described = client
                .post(
                    "UpdateFunctionConfiguration",
                    json!({"FunctionName": "shared", "Description": format!("writer {writer}")}),
                )
                .await;
            let published = client
                .post("PublishVersion", json!({"FunctionName": "shared"}))
                .await;
            let version = published.code().is_none().then(|| {
                published.ok()["FunctionVersion"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            });
            (writer, described.code(), version)
        });
    }
    let mut described = BTreeSet::new();
    let mut versions = BTreeSet::new();
    while let Some(result) = tasks.join_next().await {
        let (writer, code, version) = result.unwrap();
        match code {
            None => {
                described.insert(format!("writer {writer}"));
            }
            Some(code) => assert!(code.starts_with("FailedOperation"), "{code}"),
        }
        if let Some(version) = version {
            assert!(
                versions.insert(version.clone()),
                "version {version} published twice"
            );
        }
    }
    let function = setup
        .post("GetFunction", json!({"FunctionName": "shared"}))
        .await
        .ok();
    let description = function["Description"].as_str().unwrap().to_owned();
    assert!(
        described.contains(&description),
        "{description} was never acknowledged"
    );
    // Versions are numbered 1..n with no gap and no repeat.
    let expected: BTreeSet<String> = (1..=versions.len()).map(|v| v.to_string()).collect();
    assert_eq!(versions, expected);
    emulator.shutdown().await;
}
