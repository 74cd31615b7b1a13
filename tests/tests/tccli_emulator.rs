//! The pinned tccli, unchanged but for plain HTTP, through the main steps of a deployment against the
//! emulator: a namespace, a function from a zip, a version, an alias, an async invocation through the
//! alias followed with GetAsyncEventStatus, the event listed, and the function deleted. Then, against the
//! emulator binary with `--run-code`, each runtime kind running its own code from a zip (Python, Node.js
//! when `node` is on PATH, and Tencent's bash sample as a CustomRuntime): sync and async invocations
//! followed with GetAsyncEventStatus and read back with GetFunctionLogs; and for Python, Node.js and a bash
//! Custom Runtime with a case for each outcome, each failure, sync and async: an exception (430), an exit
//! (439), a termination with and without GraceShutdown (ABORTED), and a timeout (433) after
//! UpdateFunctionConfiguration lowers the Timeout; and init failures: a Custom Runtime that exits before
//! it is ready (405) and a Python module that raises on import (437).
//!
//! It needs tccli installed (`cargo xtask tccli`); `cargo xtask ci` installs it and runs this test.
//! `SCF_TCCLI_PYTHON` picks another interpreter.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
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

/// A zip of `files` (name, text, Unix mode), base64-encoded as CreateFunction takes it.
fn package(files: &[(&str, &str, u32)]) -> String {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buffer);
    for &(name, text, mode) in files {
        let options = zip::write::SimpleFileOptions::default().unix_permissions(mode);
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
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
        package(&[(
            "index.py",
            "def main_handler(event, context):\n    return 'tccli'\n",
            0o644
        )])
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

/// A function whose code has a case for each outcome, the event's `action` saying which
/// (`tests/fixtures/handlers`): a Python or Node.js handler that the emulator's own bootstrap runs, or a
/// Custom Runtime bootstrap in bash.
struct Language {
    /// How the code names itself in what it prints: `python raise <request id>`.
    name: &'static str,
    runtime: &'static str,
    files: &'static [(&'static str, &'static str, u32)],
    /// What the log of a raised exception holds.
    raised: &'static str,
}

impl Language {
    /// Whether the emulator's bootstrap reports the code's errors, in SCF's error JSON; a Custom Runtime
    /// reports its own.
    fn shipped_bootstrap(&self) -> bool {
        self.runtime != "CustomRuntime"
    }
}

const PYTHON: Language = Language {
    name: "python",
    runtime: "Python3.9",
    files: &[(
        "index.py",
        include_str!("../fixtures/handlers/index.py"),
        0o644,
    )],
    raised: "ValueError: python refuses",
};

const NODE: Language = Language {
    name: "node",
    runtime: "Nodejs16.13",
    files: &[(
        "index.js",
        include_str!("../fixtures/handlers/index.js"),
        0o644,
    )],
    raised: "Error: node refuses",
};

const BASH: Language = Language {
    name: "bash",
    runtime: "CustomRuntime",
    files: &[(
        "bootstrap",
        include_str!("../fixtures/handlers/bootstrap"),
        0o755,
    )],
    raised: "bash raise",
};

/// Tencent's bash sample, verbatim, as the emulator's own tests keep it.
const BASH_BOOTSTRAP: &str =
    include_str!("../../crates/scf-emulator/tests/fixtures/custom-runtime-bash/bootstrap");
const BASH_HANDLER: &str =
    include_str!("../../crates/scf-emulator/tests/fixtures/custom-runtime-bash/index.sh");

/// One function, called through tccli.
struct Function<'a> {
    home: PathBuf,
    endpoint: &'a str,
    name: &'a str,
}

impl Function<'_> {
    /// `tccli scf ACTION --FunctionName NAME ARGS`.
    fn call(&self, action: &str, args: &[&str]) -> Value {
        let args: Vec<&str> = [action, "--FunctionName", self.name]
            .into_iter()
            .chain(args.iter().copied())
            .collect();
        tccli(&self.home, self.endpoint, &args)
    }

    /// Creates the function from the zip of `files` (name, text, mode) and waits until it is Active;
    /// failed async events are not tried again, so each shows its first outcome.
    fn deploy(&self, runtime: &str, files: &[(&str, &str, u32)]) {
        let code = format!(r#"{{"ZipFile": "{}"}}"#, package(files));
        self.call(
            "CreateFunction",
            &[
                "--Handler",
                "index.main_handler",
                "--Runtime",
                runtime,
                "--Timeout",
                "300",
                "--AsyncRunEnable",
                "TRUE",
                "--Code",
                &code,
            ],
        );
        self.wait_until_active();
        self.call(
            "UpdateFunctionEventInvokeConfig",
            &[
                "--AsyncTriggerConfig",
                r#"{"RetryConfig": [{"RetryNum": 0}], "MsgTTL": 21600}"#,
            ],
        );
    }

    fn wait_until_active(&self) {
        poll(
            || self.call("GetFunction", &[]),
            |got| got["Status"] == "Active",
            &format!("{} becomes Active", self.name),
        );
    }

    /// A sync Invoke of `event` with the log's tail; its Result.
    fn invoke(&self, event: &Value) -> Value {
        let event = event.to_string();
        let invoked = self.call("Invoke", &["--ClientContext", &event, "--LogType", "Tail"]);
        invoked["Result"].clone()
    }

    /// An async Invoke of `event`; its event's id.
    fn invoke_async(&self, event: &Value) -> String {
        let event = event.to_string();
        let invoked = self.call(
            "Invoke",
            &["--InvocationType", "Event", "--ClientContext", &event],
        );
        invoked["Result"]["FunctionRequestId"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Follows the event with GetAsyncEventStatus until it ends; its status and status code.
    fn wait_for_end(&self, event: &str) -> (String, i64) {
        let status = poll(
            || {
                tccli(
                    &self.home,
                    self.endpoint,
                    &["GetAsyncEventStatus", "--InvokeRequestId", event],
                )
            },
            |status| status["Result"]["Status"] != "RUNNING",
            &format!("{}'s event {event} ends", self.name),
        );
        let result = &status["Result"];
        (
            result["Status"].as_str().unwrap().to_owned(),
            result["StatusCode"].as_i64().unwrap(),
        )
    }

    /// The one log GetFunctionLogs keeps for `request`.
    fn log_of(&self, request: &str) -> Value {
        let logs = self.call("GetFunctionLogs", &["--FunctionRequestId", request]);
        assert_eq!(logs["TotalCount"], 1, "{logs}");
        assert_eq!(logs["Data"][0]["RequestId"], request, "{logs}");
        logs["Data"][0].clone()
    }

    /// A sync and an async invocation succeed: `check_returned` checks the RetMsg for an event, and
    /// `printed` is what the handler printed for a request id and an event.
    fn check_success(
        &self,
        check_returned: impl Fn(&Value, &str),
        printed: impl Fn(&str, &Value) -> String,
    ) {
        let event = serde_json::json!({"echo": format!("{} sync", self.name)});
        let result = self.invoke(&event);
        assert_eq!(result["ErrMsg"], "", "{}: {result}", self.name);
        check_returned(&event, result["RetMsg"].as_str().unwrap());
        let request = result["FunctionRequestId"].as_str().unwrap();
        let log = result["Log"].as_str().unwrap();
        assert!(
            log.contains(&printed(request, &event)),
            "{}: {log}",
            self.name
        );
        assert!(result["Duration"].as_f64().unwrap() > 0.0, "{result}");
        assert!(result["BillDuration"].as_i64().unwrap() > 0, "{result}");
        assert!(result["MemUsage"].as_i64().unwrap() > 0, "{result}");

        let event = serde_json::json!({"echo": format!("{} async", self.name)});
        let id = self.invoke_async(&event);
        assert_eq!(
            self.wait_for_end(&id),
            ("FINISHED".to_owned(), 200),
            "{}",
            self.name
        );
        let log = self.log_of(&id);
        assert_eq!(
            (&log["RetCode"], &log["InvokeFinished"]),
            (&0.into(), &1.into()),
            "{log}"
        );
        check_returned(&event, log["RetMsg"].as_str().unwrap());
        assert!(
            log["Log"].as_str().unwrap().contains(&printed(&id, &event)),
            "{log}"
        );
    }

    /// Each failure of `language`'s handler, sync and async: an exception, an exit, a termination with
    /// and without GraceShutdown, and, after UpdateFunctionConfiguration lowers the Timeout, a timeout.
    fn check_failures(&self, language: &Language, markers: &Path) {
        let what = self.name;
        let result = self.invoke(&serde_json::json!({"action": "raise"}));
        let error = error_of(&result);
        let refuses = format!("{} refuses", language.name);
        if language.shipped_bootstrap() {
            assert_eq!(error["statusCode"], 430, "{what}: {error}");
            let trace = error["stackTrace"].as_str().unwrap();
            assert!(trace.contains(&refuses), "{what}: {error}");
        } else {
            // What the Custom Runtime posted to /runtime/invocation/error, as it is.
            assert_eq!(
                error,
                serde_json::json!({"errorMessage": refuses}),
                "{what}"
            );
        }
        assert_eq!(result["RetMsg"], "", "{what}: {result}");
        assert!(
            result["Log"].as_str().unwrap().contains(language.raised),
            "{what}: {result}"
        );
        let id = self.invoke_async(&serde_json::json!({"action": "raise"}));
        assert_eq!(self.wait_for_end(&id), ("FAILED".to_owned(), 430), "{what}");
        let log = self.log_of(&id);
        assert_eq!(log["InvokeFinished"], 1, "{log}");
        assert!(
            ![0, 2, 3].contains(&log["RetCode"].as_i64().unwrap()),
            "{log}"
        );
        assert!(
            log["Log"].as_str().unwrap().contains(language.raised),
            "{log}"
        );

        let error = error_of(&self.invoke(&serde_json::json!({"action": "exit"})));
        assert_eq!(error["statusCode"], 439, "{what}: {error}");
        let id = self.invoke_async(&serde_json::json!({"action": "exit"}));
        assert_eq!(self.wait_for_end(&id), ("FAILED".to_owned(), 439), "{what}");
        let printed = format!("{} exit {id}", language.name);
        assert!(self.log_of(&id)["Log"].as_str().unwrap().contains(&printed));

        // The handler traps SIGTERM and sleeps on, so only the kill ends it; GraceShutdown sends SIGTERM
        // before the kill.
        for graceful in [false, true] {
            let marker = markers.join(format!("{what}-graceful-{graceful}"));
            let event = serde_json::json!({"action": "trap", "seconds": 60, "marker": marker});
            let id = self.invoke_async(&event);
            let pid = wait_for_marker(&marker);
            let mut terminate = vec!["--InvokeRequestId", id.as_str()];
            if graceful {
                terminate.extend(["--GraceShutdown", "true"]);
            }
            self.call("TerminateAsyncEvent", &terminate);
            let (status, _) = self.wait_for_end(&id);
            assert_eq!(status, "ABORTED", "{what} (GraceShutdown {graceful})");
            let ended = emulator_process::wait_for_process_end(pid, Instant::now() + DEADLINE);
            assert!(ended, "{what}: the terminated handler {pid} still runs");
            let log = self.log_of(&id);
            assert_eq!(log["RetCode"], 3, "{log}");
            let text = log["Log"].as_str().unwrap();
            assert!(
                text.contains(&format!("{} trap {id}", language.name)),
                "{text}"
            );
            let got_sigterm = text.contains(&format!("{} got SIGTERM", language.name));
            assert_eq!(
                got_sigterm, graceful,
                "{what} (GraceShutdown {graceful}): {text}"
            );
        }

        self.call("UpdateFunctionConfiguration", &["--Timeout", "1"]);
        self.wait_until_active();
        let sleep = serde_json::json!({"action": "sleep", "seconds": 60});
        let error = error_of(&self.invoke(&sleep));
        assert_eq!(error["statusCode"], 433, "{what}: {error}");
        let id = self.invoke_async(&sleep);
        assert_eq!(self.wait_for_end(&id), ("FAILED".to_owned(), 433), "{what}");
    }

    /// A sync and an async invocation fail to start the code: `status_code` in ErrMsg and the event,
    /// and the code's output, each of `printed`, in the Tail log and GetFunctionLogs.
    fn check_init_failure(&self, status_code: i64, printed: &[&str]) {
        let what = self.name;
        let result = self.invoke(&serde_json::json!({}));
        assert_eq!(
            error_of(&result)["statusCode"],
            status_code,
            "{what}: {result}"
        );
        let log = result["Log"].as_str().unwrap();
        for text in printed {
            assert!(log.contains(text), "{what}: {text:?} is not in {log}");
        }
        let id = self.invoke_async(&serde_json::json!({}));
        assert_eq!(
            self.wait_for_end(&id),
            ("FAILED".to_owned(), status_code),
            "{what}"
        );
        let log = self.log_of(&id);
        let text = log["Log"].as_str().unwrap();
        for printed in printed {
            assert!(
                text.contains(printed),
                "{what}: {printed:?} is not in {text}"
            );
        }
    }
}

/// The ErrMsg of a failed sync Invoke's Result, decoded.
fn error_of(result: &Value) -> Value {
    let message = result["ErrMsg"].as_str().unwrap();
    serde_json::from_str(message).unwrap_or_else(|e| panic!("ErrMsg {message:?}: {e}"))
}

/// The pid a handler wrote into `marker` once it runs.
fn wait_for_marker(marker: &Path) -> u32 {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(pid) = std::fs::read_to_string(marker)
            .ok()
            .and_then(|text| text.trim().parse().ok())
        {
            return pid;
        }
        assert!(
            Instant::now() < deadline,
            "the handler never wrote {}",
            marker.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Checks that `returned`, a RetMsg, is what the Python and Node.js handlers return for `event`: an
/// object their runtimes JSON-encode, with the pid of the instance besides.
fn check_returned_json(language: &str, function: &str, event: &Value, returned: &str) {
    let value: Value = serde_json::from_str(returned).unwrap_or_else(|e| panic!("{returned}: {e}"));
    assert_eq!(value["runtime"], language, "{returned}");
    assert_eq!(value["echo"], event["echo"], "{returned}");
    assert_eq!(value["function"], function, "{returned}");
    assert!(value["pid"].as_u64().is_some(), "{returned}");
}

#[test]
#[ignore = "needs tccli; `cargo xtask ci` installs it and runs this test"]
fn tccli_runs_each_runtime_kind_through_each_outcome() {
    // Declared first, so it is removed after the emulator has stopped, even when the test fails.
    let scratch = tempfile::tempdir().unwrap();
    let emulator = EmulatorProcess::start(&scratch.path().join("state"), &["--run-code"]);
    let homes = scratch.path().join("homes");
    let markers = scratch.path().join("markers");
    std::fs::create_dir_all(&markers).unwrap();
    // A home per function: tccli writes its configuration there as it starts, and the functions' calls
    // run side by side.
    let function = |name: &'static str| {
        let home = homes.join(name);
        std::fs::create_dir_all(&home).unwrap();
        Function {
            home,
            endpoint: emulator.endpoint(),
            name,
        }
    };
    let mut languages = vec![("py-kinds", &PYTHON), ("bash-cases", &BASH)];
    match scf_emulator::can_run(NODE.runtime) {
        Ok(()) => languages.push(("node-kinds", &NODE)),
        Err(why) => eprintln!("skipped Node.js: {why}"),
    }
    // The kinds run side by side: each tccli call starts a Python interpreter, which is most of its time.
    std::thread::scope(|scope| {
        for &(name, language) in &languages {
            let function = function(name);
            let markers = &markers;
            scope.spawn(move || {
                function.deploy(language.runtime, language.files);
                function.check_success(
                    |event, returned| check_returned_json(language.name, name, event, returned),
                    |request, _| format!("{} echo {request}", language.name),
                );
                function.check_failures(language, markers);
            });
        }
        let bash = function("bash-kinds");
        scope.spawn(move || {
            bash.deploy(
                "CustomRuntime",
                &[
                    ("bootstrap", BASH_BOOTSTRAP, 0o755),
                    ("index.sh", BASH_HANDLER, 0o755),
                ],
            );
            // The sample answers with plain text, which is the RetMsg as it is, and echoes the event to
            // stderr.
            bash.check_success(
                |event, returned| assert_eq!(returned, format!("Echoing request: '{event}'")),
                |_, event| event.to_string(),
            );
        });
        scope.spawn(|| {
            // A Custom Runtime that exits before it is ready: an init failure, status 405.
            let crashing = function("bash-init-crash");
            let bootstrap = include_str!("../fixtures/init-failures/bootstrap");
            crashing.deploy("CustomRuntime", &[("bootstrap", bootstrap, 0o755)]);
            crashing.check_init_failure(405, &["loading config", "config missing"]);
            // A Python module that raises on import: its handler cannot be loaded, status 437.
            let broken = function("py-import-fails");
            let source = include_str!("../fixtures/init-failures/index.py");
            broken.deploy("Python3.9", &[("index.py", source, 0o644)]);
            broken.check_init_failure(437, &["no config at import"]);
        });
    });
}
