//! The pinned tccli, unchanged but for plain HTTP, through the main steps of a deployment against the
//! emulator: a namespace, a function from a zip, a version, an alias, an async invocation through the
//! alias followed with GetAsyncEventStatus, the event listed, and the function deleted. Then, against the
//! emulator binary with `--run-code`, a Python function running its own code: sync and async invocations,
//! the event followed until it finishes, and its output read back with GetFunctionLogs.
//!
//! It needs tccli installed (`cargo xtask tccli`); `cargo xtask ci` installs it and runs this test.
//! `SCF_TCCLI_PYTHON` picks another interpreter.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use scf_emulator::{Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator};
use serde_json::Value;

#[path = "support/emulator_process.rs"]
mod emulator_process;
#[path = "support/tccli_python.rs"]
mod tccli_python;

use emulator_process::EmulatorProcess;
use tccli_python::python;

/// Long enough for a loaded machine, and never reached when the code behaves.
const DEADLINE: Duration = Duration::from_secs(120);

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

/// A zip holding `index.py` with `source`, base64-encoded as CreateFunction takes it.
fn package(source: &str) -> String {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buffer);
    let options = zip::write::SimpleFileOptions::default().unix_permissions(0o644);
    zip.start_file("index.py", options).unwrap();
    zip.write_all(source.as_bytes()).unwrap();
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
    let code = format!(
        r#"{{"ZipFile": "{}"}}"#,
        package("def main_handler(event, context):\n    return 'tccli'\n")
    );
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

/// Calls `action` until `done` accepts its answer, which it returns; panics at the deadline.
fn poll(mut action: impl FnMut() -> Value, done: impl Fn(&Value) -> bool, what: &str) -> Value {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let answer = action();
        if done(&answer) {
            return answer;
        }
        assert!(Instant::now() < deadline, "{what}: still {answer}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
#[ignore = "needs tccli; `cargo xtask ci` installs it and runs this test"]
fn tccli_runs_a_python_function_and_reads_its_logs() {
    // Declared first, so it is removed after the emulator has stopped, even when the test fails.
    let scratch = tempfile::tempdir().unwrap();
    let emulator = EmulatorProcess::start(&scratch.path().join("state"), &["--run-code"]);
    let home = scratch.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let call = |args: &[&str]| tccli(&home, emulator.endpoint(), args);
    let source = "def main_handler(event, context):\n    \
        print('greeting', event['name'], context['request_id'])\n    \
        return 'hello ' + event['name']\n";
    let code = format!(r#"{{"ZipFile": "{}"}}"#, package(source));
    let function = ["--FunctionName", "greeter"];
    let on_function = |action: &str, extra: &[&str]| {
        let args: Vec<&str> = std::iter::once(action)
            .chain(function)
            .chain(extra.iter().copied())
            .collect();
        call(&args)
    };

    on_function(
        "CreateFunction",
        &[
            "--Handler",
            "index.main_handler",
            "--Runtime",
            "Python3.9",
            "--Timeout",
            "30",
            "--AsyncRunEnable",
            "TRUE",
            "--Code",
            &code,
        ],
    );
    poll(
        || on_function("GetFunction", &[]),
        |got| got["Status"] == "Active",
        "the function becomes Active",
    );

    let invoked = on_function(
        "Invoke",
        &[
            "--ClientContext",
            r#"{"name": "sync"}"#,
            "--LogType",
            "Tail",
        ],
    );
    let result = &invoked["Result"];
    // The Python runtime JSON-encodes what the handler returns.
    assert_eq!(result["RetMsg"], r#""hello sync""#, "{invoked}");
    assert_eq!(result["ErrMsg"], "", "{invoked}");
    let request = result["FunctionRequestId"].as_str().unwrap();
    let log = result["Log"].as_str().unwrap();
    assert!(log.contains(&format!("greeting sync {request}")), "{log}");

    let invoked = on_function(
        "Invoke",
        &[
            "--InvocationType",
            "Event",
            "--ClientContext",
            r#"{"name": "async"}"#,
        ],
    );
    let event = invoked["Result"]["FunctionRequestId"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = poll(
        || call(&["GetAsyncEventStatus", "--InvokeRequestId", &event]),
        |status| status["Result"]["Status"] != "RUNNING",
        "the async event ends",
    );
    assert_eq!(status["Result"]["Status"], "FINISHED", "{status}");
    assert_eq!(status["Result"]["StatusCode"], 200, "{status}");

    let logs = on_function("GetFunctionLogs", &["--FunctionRequestId", &event]);
    assert_eq!(logs["TotalCount"], 1, "{logs}");
    let kept = &logs["Data"][0];
    assert_eq!(kept["RequestId"], event.as_str(), "{logs}");
    assert_eq!(kept["RetCode"], 0, "{logs}");
    assert_eq!(kept["RetMsg"], r#""hello async""#, "{logs}");
    let log = kept["Log"].as_str().unwrap();
    assert!(log.contains(&format!("greeting async {event}")), "{log}");
}
