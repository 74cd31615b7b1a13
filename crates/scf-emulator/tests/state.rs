//! The state directory: what a restarted emulator finds again, and answers when the disk is read-only or
//! full, with nothing half-stored.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use common::TestClient;
use scf_emulator::{Config, Emulator, RunningEmulator, StartError, StateErrorKind, SystemClock};
use serde_json::{Value, json};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scf-state-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn start(state_dir: Option<&PathBuf>) -> RunningEmulator {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    config.state_dir = state_dir.cloned();
    Emulator::builder().config(config).start().await.unwrap()
}

fn names(listing: &Value, list: &str, key: &str) -> Vec<String> {
    let mut names: Vec<String> = listing[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// A stored zip of `size` incompressible bytes, base64.
fn zip_of(size: usize) -> String {
    use std::io::Write;
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buffer);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("index.py", options).unwrap();
    let noise: Vec<u8> = (0..size).map(|_| fastrand::u8(..)).collect();
    zip.write_all(&noise).unwrap();
    zip.finish().unwrap();
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(buffer.into_inner())
}

#[tokio::test]
async fn a_restarted_emulator_keeps_what_it_acknowledged() {
    let dir = scratch("restart");
    let emulator = start(Some(&dir)).await;
    let client = TestClient::new(&emulator, SystemClock);
    client
        .post("CreateNamespace", json!({"Namespace": "kept"}))
        .await
        .ok();
    client
        .post(
            "CreateFunction",
            json!({"Namespace": "kept", "FunctionName": "survivor", "Code": {"ZipFile": zip_of(64)},
                   "Handler": "index.main_handler", "Runtime": "Python3.9"}),
        )
        .await
        .ok();
    emulator.shutdown().await;

    let emulator = start(Some(&dir)).await;
    let client = TestClient::new(&emulator, SystemClock);
    let namespaces = client.post("ListNamespaces", json!({})).await.ok();
    assert_eq!(
        names(&namespaces, "Namespaces", "Name"),
        ["default", "kept"]
    );
    let functions = client
        .post("ListFunctions", json!({"Namespace": "kept"}))
        .await
        .ok();
    assert_eq!(names(&functions, "Functions", "FunctionName"), ["survivor"]);
    emulator.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_read_only_state_refuses_writes_and_keeps_serving_reads() {
    let dir = scratch("read-only");
    let emulator = start(Some(&dir)).await;
    let client = TestClient::new(&emulator, SystemClock);
    emulator.set_state_read_only(true);
    let refused = client
        .post("CreateNamespace", json!({"Namespace": "blocked"}))
        .await;
    assert_eq!(refused.code().as_deref(), Some("FailedOperation"));
    let message = refused.json()["Response"]["Error"]["Message"].clone();
    assert!(
        message.as_str().unwrap().contains("nothing was stored"),
        "{message}"
    );
    let namespaces = client.post("ListNamespaces", json!({})).await.ok();
    assert_eq!(names(&namespaces, "Namespaces", "Name"), ["default"]);
    emulator.set_state_read_only(false);
    client
        .post("CreateNamespace", json!({"Namespace": "blocked"}))
        .await
        .ok();
    emulator.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_full_state_refuses_what_does_not_fit_and_stores_none_of_it() {
    let emulator = start(None).await;
    let client = TestClient::new(&emulator, SystemClock);
    emulator.limit_state_size(Some(1));
    let refused = client
        .post(
            "CreateFunction",
            json!({"FunctionName": "too-big", "Code": {"ZipFile": zip_of(2 * 1024 * 1024)},
                   "Handler": "index.main_handler", "Runtime": "Python3.9"}),
        )
        .await;
    assert_eq!(refused.code().as_deref(), Some("ResourceInsufficient"));
    let functions = client.post("ListFunctions", json!({})).await.ok();
    assert!(
        !names(&functions, "Functions", "FunctionName").contains(&"too-big".to_owned()),
        "{functions}"
    );
    emulator.limit_state_size(None);
    client
        .post(
            "CreateFunction",
            json!({"FunctionName": "too-big", "Code": {"ZipFile": zip_of(2 * 1024 * 1024)},
                   "Handler": "index.main_handler", "Runtime": "Python3.9"}),
        )
        .await
        .ok();
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_unusable_state_directory_stops_the_start_with_its_path() {
    let file = scratch("not-a-dir");
    std::fs::write(&file, b"a file where a directory should be").unwrap();
    let config = Config {
        state_dir: Some(file.clone()),
        ..Config::default()
    };
    let error = match Emulator::builder().config(config).start().await {
        Err(StartError::State(error)) => error,
        other => panic!("expected a state error, got {other:?}"),
    };
    assert_eq!(error.kind(), StateErrorKind::Unusable);
    assert!(
        error.to_string().contains(&file.display().to_string()),
        "{error}"
    );
    let _ = std::fs::remove_file(&file);
}

#[tokio::test]
async fn a_restart_removes_the_unpacked_code_of_functions_the_store_no_longer_holds() {
    let dir = scratch("code-sweep");
    let start_running_code = || {
        let config = Config {
            state_dir: Some(dir.clone()),
            run_code: true,
            ..Config::default()
        };
        Emulator::builder().config(config).start()
    };
    start_running_code().await.unwrap().shutdown().await;
    // Left as a killed emulator or an older layout would leave them. The configured `hello` is the
    // first row of an empty table, so its row id is 1.
    let code = dir.join("runtime").join("code");
    let planted = |relative: &str| {
        let file = code.join(relative);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "def main_handler(event, context): pass\n").unwrap();
        file
    };
    let kept = planted(&format!("1/{}/index.py", "a".repeat(64)));
    let interrupted = planted("1/.unpacking-x1/index.py");
    let gone = [
        planted("999/unpacked/index.py"),
        planted(&format!("{}/index.py", "b".repeat(64))),
        planted("01/index.py"),
    ];
    // A link goes, never what it points to.
    let outside = dir.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("keep.txt"), "mine").unwrap();
    std::os::unix::fs::symlink(&outside, code.join("7")).unwrap();

    let restarted = start_running_code().await.unwrap();
    assert!(kept.is_file(), "{} was removed", kept.display());
    assert!(
        !interrupted.parent().unwrap().exists(),
        "{}",
        interrupted.display()
    );
    assert!(
        std::fs::symlink_metadata(code.join("7")).is_err(),
        "the link is still there"
    );
    assert!(
        outside.join("keep.txt").is_file(),
        "the link's target was emptied"
    );
    for file in &gone {
        let top = code.join(file.strip_prefix(&code).unwrap().iter().next().unwrap());
        assert!(!top.exists(), "{} is still there", top.display());
    }
    restarted.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
