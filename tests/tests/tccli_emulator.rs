//! The pinned tccli, unchanged but for plain HTTP, through the main steps of a deployment against the
//! emulator: a namespace, a function from a zip, a version, an alias, an async invocation through the
//! alias followed with GetAsyncEventStatus, the event listed, and the function deleted.
//!
//! It needs tccli installed (`cargo xtask tccli`); `cargo xtask ci` installs it and runs this test.
//! `SCF_TCCLI_PYTHON` picks another interpreter.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::Command;

use scf_emulator::{Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator};
use serde_json::Value;

#[path = "support/tccli_python.rs"]
mod tccli_python;

use tccli_python::python;

/// `tccli scf ARGS --endpoint ENDPOINT`, which must succeed; returns its JSON output.
fn tccli(home: &Path, endpoint: &str, args: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/tccli_emulator.py");
    let output = Command::new(python())
        .arg(script)
        .arg("scf")
        .args(args)
        .args(["--endpoint", endpoint, "--region", "ap-guangzhou"])
        .env_clear()
        .env("HOME", home)
        .env("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "tccli scf {args:?}: {stdout}\n{stderr}"
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("tccli scf {args:?}: {e}: {stdout}"))
}

fn package() -> String {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buffer);
    zip.start_file("index.py", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"def main_handler(event, context):\n    return 'tccli'\n")
        .unwrap();
    zip.finish().unwrap();
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(buffer.into_inner())
}

#[test]
#[ignore = "needs tccli; `cargo xtask ci` installs it and runs this test"]
fn tccli_deploys_and_follows_an_async_invocation() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    config.function_ready_ms = 0;
    let emulator = runtime
        .block_on(Emulator::builder().config(config).start())
        .unwrap();
    let endpoint = emulator.endpoint();
    let home = std::env::temp_dir().join(format!("tccli-emulator-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let call = |args: &[&str]| tccli(&home, &endpoint, args);
    let function = ["--Namespace", "tccli-ns", "--FunctionName", "worker"];
    let with = |action: &str, extra: &[&str]| -> Vec<String> {
        std::iter::once(action)
            .chain(function)
            .chain(extra.iter().copied())
            .map(str::to_owned)
            .collect()
    };
    let run = |args: Vec<String>| call(&args.iter().map(String::as_str).collect::<Vec<_>>());

    call(&["CreateNamespace", "--Namespace", "tccli-ns"]);
    let code = format!(r#"{{"ZipFile": "{}"}}"#, package());
    run(with(
        "CreateFunction",
        &[
            "--Handler",
            "index.main_handler",
            "--Runtime",
            "Python3.9",
            "--AsyncRunEnable",
            "TRUE",
            "--Code",
            &code,
        ],
    ));
    let got = run(with("GetFunction", &[]));
    assert_eq!(got["Status"], "Active", "{got}");
    let published = run(with("PublishVersion", &[]));
    assert_eq!(published["FunctionVersion"], "1", "{published}");
    run(with(
        "CreateAlias",
        &["--Name", "live", "--FunctionVersion", "1"],
    ));
    let invoked = run(with(
        "Invoke",
        &[
            "--Qualifier",
            "live",
            "--InvocationType",
            "Event",
            "--ClientContext",
            r#"{"scf_emulator": {"duration_ms": 0}}"#,
        ],
    ));
    let event = invoked["Result"]["FunctionRequestId"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = call(&["GetAsyncEventStatus", "--InvokeRequestId", &event]);
    assert_eq!(status["Result"]["Status"], "FINISHED", "{status}");
    let listed = run(with("ListAsyncEvents", &[]));
    assert_eq!(
        listed["EventList"][0]["InvokeRequestId"],
        event.as_str(),
        "{listed}"
    );
    run(with("DeleteFunction", &[]));
    let functions = call(&["ListFunctions", "--Namespace", "tccli-ns"]);
    assert_eq!(functions["TotalCount"], 0, "{functions}");
    runtime.block_on(emulator.shutdown());
    let _ = std::fs::remove_dir_all(&home);
}
