//! A whole deployment through the `scf` command against `scf emulator` running as its own process: a
//! namespace, a function from a zip, waiting for it, a version, an alias, an async invocation through the
//! alias followed to its end, new code, and deletion.

#![allow(clippy::unwrap_used)]
#![cfg(feature = "emulator")]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

#[path = "support/emulator_process.rs"]
mod emulator_process;

use emulator_process::EmulatorProcess;

use scf_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY};
use serde_json::Value;

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scf-cli-deployment-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn scf(
    server: &EmulatorProcess,
    home: &std::path::Path,
    args: &[&str],
) -> (Output, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_scf"))
        .args(["--endpoint", &server.url])
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

/// Runs `scf args`, requires exit code 0, and returns its JSON output.
fn ok(server: &EmulatorProcess, home: &std::path::Path, args: &[&str]) -> Value {
    let (output, stdout, stderr) = scf(server, home, args);
    assert_eq!(output.status.code(), Some(0), "scf {args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("scf {args:?}: {e}: {stdout}"))
}

fn args(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

fn package(source: &str) -> String {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buffer);
    zip.start_file("index.py", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(source.as_bytes()).unwrap();
    zip.finish().unwrap();
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(buffer.into_inner())
}

#[test]
fn a_whole_deployment_through_the_command_line() {
    let home = scratch();
    let state = home.join("state");
    let server = EmulatorProcess::start(&["--state-dir", state.to_str().unwrap()]);
    let function = ["--namespace", "cli-ns", "--function-name", "thumbnails"];
    let with = |extra: &[&str]| -> Vec<String> {
        function
            .iter()
            .chain(extra)
            .map(|s| (*s).to_owned())
            .collect()
    };

    ok(
        &server,
        &home,
        &["create-namespace", "--namespace", "cli-ns"],
    );
    let code = format!(
        r#"{{"ZipFile":"{}"}}"#,
        package("def main_handler(event, context):\n    return 'v1'\n")
    );
    let create = with(&[
        "--handler",
        "index.main_handler",
        "--runtime",
        "Python3.9",
        "--async-run-enable",
        "TRUE",
        "--code",
        &code,
    ]);
    let mut command = vec!["create-function".to_owned()];
    command.extend(create);
    ok(&server, &home, &args(&command));

    let mut wait = vec!["wait-function".to_owned()];
    wait.extend(with(&[]));
    let waited = ok(&server, &home, &args(&wait));
    assert_eq!(waited["Status"], "Active", "{waited}");

    let mut publish = vec!["publish-version".to_owned()];
    publish.extend(with(&["--description", "first"]));
    let published = ok(&server, &home, &args(&publish));
    assert_eq!(published["FunctionVersion"], "1", "{published}");

    let mut alias = vec!["create-alias".to_owned()];
    alias.extend(with(&["--name", "live", "--function-version", "1"]));
    ok(&server, &home, &args(&alias));

    let mut invoke = vec!["invoke".to_owned()];
    invoke.extend(with(&[
        "--qualifier",
        "live",
        "--async",
        "--wait",
        "--client-context",
        r#"{"scf_emulator": {"duration_ms": 200}}"#,
    ]));
    let (output, stdout, stderr) = scf(&server, &home, &args(&invoke));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("FINISHED"), "{stdout}");

    let mut list = vec!["list-async-events".to_owned()];
    list.extend(with(&[]));
    let listed = ok(&server, &home, &args(&list));
    assert_eq!(listed["TotalCount"], 1, "{listed}");
    assert_eq!(listed["EventList"][0]["Status"], "FINISHED", "{listed}");

    let mut update = vec!["update-function-code".to_owned()];
    let zip = package("def main_handler(event, context):\n    return 'v2'\n");
    update.extend(with(&[
        "--handler",
        "index.main_handler",
        "--zip-file",
        &zip,
    ]));
    ok(&server, &home, &args(&update));
    let waited = ok(&server, &home, &args(&wait));
    assert_eq!(waited["Status"], "Active", "{waited}");

    let mut delete = vec!["delete-function".to_owned()];
    delete.extend(with(&[]));
    ok(&server, &home, &args(&delete));
    let mut get = vec!["get-function".to_owned()];
    get.extend(with(&[]));
    let (output, _, stderr) = scf(&server, &home, &args(&get));
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("ResourceNotFound.Function"), "{stderr}");
    drop(server);
    let _ = std::fs::remove_dir_all(&home);
}
