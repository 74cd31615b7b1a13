//! With `run_code`, invocations run the function's own code through the Custom Runtime API: outcomes,
//! status codes, logs, termination and concurrency follow what the code does. Real processes on real
//! loopback sockets; every wait has a generous deadline and no duration is asserted.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::time::Duration;

use common::TestClient;
use common::zips::base64;
use scf_emulator::{Config, Emulator, RunningEmulator, SystemClock};
use serde_json::{Value, json};

/// Long enough for a loaded machine, and never reached when the code behaves.
const DEADLINE: Duration = Duration::from_secs(60);

async fn start() -> (RunningEmulator, TestClient) {
    start_with(|_| {}).await
}

/// The emulator of [`start`], with `configure` applied to its configuration.
async fn start_with(configure: impl FnOnce(&mut Config)) -> (RunningEmulator, TestClient) {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    config.function_ready_ms = 0;
    config.run_code = true;
    config.retry_interval_ms = 0;
    configure(&mut config);
    let emulator = Emulator::builder()
        .config(config)
        .clock(SystemClock)
        .start()
        .await
        .unwrap();
    let client = TestClient::new(&emulator, SystemClock);
    (emulator, client)
}

/// A zip of `(path, content, mode)` entries.
fn zip_with_modes(entries: &[(&str, &str, u32)]) -> String {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content, mode) in entries {
        let options = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
        writer.start_file(*name, options).unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    base64(&writer.finish().unwrap().into_inner())
}

fn python(source: &str) -> String {
    zip_with_modes(&[("index.py", source, 0o644)])
}

/// Creates `name` from `zip` with `runtime` and the given extra settings, async runs enabled.
async fn deploy(client: &TestClient, name: &str, runtime: &str, zip: String, extra: Value) {
    let mut request = json!({
        "FunctionName": name,
        "Runtime": runtime,
        "Handler": "index.main_handler",
        "Code": {"ZipFile": zip},
        "AsyncRunEnable": "TRUE",
        "Timeout": 10,
    });
    for (key, value) in extra.as_object().unwrap() {
        request[key] = value.clone();
    }
    client.post("CreateFunction", request).await.ok();
}

async fn invoke(client: &TestClient, name: &str, event: Value) -> Value {
    client
        .post(
            "Invoke",
            json!({"FunctionName": name, "ClientContext": event.to_string(), "LogType": "Tail"}),
        )
        .await
        .ok()["Result"]
        .clone()
}

/// Follows event `id` until it ends; returns its status and status code.
async fn wait_for_end(client: &TestClient, id: &str) -> (String, i64) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let reply = client.status(id).await;
        let result = reply.ok()["Result"].clone();
        let status = result["Status"].as_str().unwrap().to_owned();
        if status != "RUNNING" {
            return (status, result["StatusCode"].as_i64().unwrap());
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "event {id} still running"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until process `pid` is gone.
async fn wait_until_gone(pid: u64) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while !common::process::process_gone(pid as u32) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "process {pid} still runs"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The pid a handler of [`PID_SOURCE`] returned.
fn returned_pid(result: &Value) -> u64 {
    let returned: Value = serde_json::from_str(result["RetMsg"].as_str().unwrap()).unwrap();
    returned["pid"].as_u64().unwrap()
}

/// A Python handler that creates the file `marker` names, if any, then sleeps `sleep` seconds.
const SLEEPER_SOURCE: &str = "import time\n\
    def main_handler(event, context):\n    \
        if 'marker' in event:\n        open(event['marker'], 'w').close()\n    \
        time.sleep(event.get('sleep', 0))\n    \
        return 'done'\n";

/// A Python handler that returns its process's pid.
const PID_SOURCE: &str =
    "import os\ndef main_handler(event, context):\n    return {'pid': os.getpid()}\n";

/// Waits, up to the deadline, until `path` exists (a file the running code creates) or, with `exists`
/// false, until it is gone.
async fn wait_until_exists(path: &std::path::Path, exists: bool) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while path.exists() != exists {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} {}",
            path.display(),
            if exists {
                "never appeared"
            } else {
                "is still there"
            }
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_handler_returns_its_value_logs_its_output_and_stays_warm() {
    let (_emulator, client) = start().await;
    let source = "import os\n\
        def main_handler(event, context):\n    \
            print('handling', event['n'])\n    \
            return {'n': event['n'], 'pid': os.getpid(), 'function': context['function_name'], \
            'namespace': os.environ['SCF_NAMESPACE'], 'mode': os.environ['MODE']}\n";
    deploy(
        &client,
        "py-ok",
        "Python3.9",
        python(source),
        json!({"Environment": {"Variables": [{"Key": "MODE", "Value": "test"}]}}),
    )
    .await;
    let first = invoke(&client, "py-ok", json!({"n": 1})).await;
    let returned: Value = serde_json::from_str(first["RetMsg"].as_str().unwrap()).unwrap();
    assert_eq!(returned["n"], 1);
    assert_eq!(returned["function"], "py-ok");
    assert_eq!(returned["namespace"], "default");
    assert_eq!(returned["mode"], "test");
    assert_eq!(first["ErrMsg"], "");
    assert_eq!(first["InvokeResult"], 0);
    assert!(first["MemUsage"].as_i64().unwrap() > 0, "{first}");
    let log = first["Log"].as_str().unwrap();
    assert!(log.contains("handling 1"), "{log}");
    assert!(log.starts_with("START RequestId:"), "{log}");

    let second = invoke(&client, "py-ok", json!({"n": 2})).await;
    let returned_again: Value = serde_json::from_str(second["RetMsg"].as_str().unwrap()).unwrap();
    assert_eq!(
        returned_again["pid"], returned["pid"],
        "the warm instance ran it"
    );
    let log = second["Log"].as_str().unwrap();
    assert!(
        log.contains("handling 2") && !log.contains("handling 1"),
        "{log}"
    );

    // GetFunctionLogs keeps each request's own log.
    let logs = client
        .post("GetFunctionLogs", json!({"FunctionName": "py-ok"}))
        .await
        .ok();
    let data = logs["Data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    let first_id = first["FunctionRequestId"].as_str().unwrap();
    let kept = data
        .iter()
        .find(|log| log["RequestId"] == first_id)
        .unwrap();
    assert!(kept["Log"].as_str().unwrap().contains("handling 1"));
    assert_eq!(kept["RetCode"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exceptions_timeouts_and_exits_get_their_status_codes_sync_and_async() {
    let (_emulator, client) = start().await;
    let source = "import os, time\n\
        def main_handler(event, context):\n    \
            if event['do'] == 'raise':\n        raise ValueError('bad input')\n    \
            if event['do'] == 'sleep':\n        time.sleep(30)\n    \
            if event['do'] == 'exit':\n        os._exit(3)\n    \
            return 'ok'\n";
    deploy(
        &client,
        "py-outcomes",
        "Python3.9",
        python(source),
        json!({"Timeout": 1}),
    )
    .await;

    let raised = invoke(&client, "py-outcomes", json!({"do": "raise"})).await;
    assert_eq!(raised["InvokeResult"], -1);
    let error: Value = serde_json::from_str(raised["ErrMsg"].as_str().unwrap()).unwrap();
    assert_eq!(error["statusCode"], 430);
    assert_eq!(error["errorCode"], -1);
    assert!(error["stackTrace"].as_str().unwrap().contains("bad input"));

    let slept = invoke(&client, "py-outcomes", json!({"do": "sleep"})).await;
    let error: Value = serde_json::from_str(slept["ErrMsg"].as_str().unwrap()).unwrap();
    assert_eq!(error["statusCode"], 433, "{slept}");

    let exited = invoke(&client, "py-outcomes", json!({"do": "exit"})).await;
    let error: Value = serde_json::from_str(exited["ErrMsg"].as_str().unwrap()).unwrap();
    assert_eq!(error["statusCode"], 439, "{exited}");

    for (what, status, code) in [
        ("ok", "FINISHED", 200),
        ("raise", "FAILED", 430),
        ("sleep", "FAILED", 433),
        ("exit", "FAILED", 439),
    ] {
        let id = client
            .invoke_async("py-outcomes", Some(json!({"do": what})))
            .await;
        assert_eq!(
            wait_for_end(&client, &id).await,
            (status.to_owned(), code),
            "{what}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminate_kills_the_running_code_and_the_event_is_aborted() {
    let (_emulator, client) = start().await;
    let source = "import time\n\
        def main_handler(event, context):\n    \
            open(event['marker'], 'w').close()\n    \
            time.sleep(60)\n    \
            return 'too late'\n";
    deploy(
        &client,
        "py-forever",
        "Python3.9",
        python(source),
        json!({"Timeout": 120}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("started");
    let id = client
        .invoke_async("py-forever", Some(json!({"marker": marker})))
        .await;
    wait_until_exists(&marker, true).await;
    client
        .post(
            "TerminateAsyncEvent",
            json!({"FunctionName": "py-forever", "InvokeRequestId": id}),
        )
        .await
        .ok();
    assert_eq!(
        wait_for_end(&client, &id).await,
        ("ABORTED".to_owned(), 439)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_bash_custom_runtime_sample_runs_unchanged() {
    let bootstrap = include_str!("fixtures/custom-runtime-bash/bootstrap");
    let handler = include_str!("fixtures/custom-runtime-bash/index.sh");
    let (_emulator, client) = start().await;
    let zip = zip_with_modes(&[
        ("bootstrap", bootstrap, 0o755),
        ("index.sh", handler, 0o755),
    ]);
    deploy(
        &client,
        "bash-echo",
        "CustomRuntime",
        zip,
        json!({"InitTimeout": 10}),
    )
    .await;
    let result = invoke(&client, "bash-echo", json!({"key1": "test value 1"})).await;
    assert_eq!(
        result["RetMsg"],
        r#"Echoing request: '{"key1":"test value 1"}'"#
    );
    assert!(
        result["Log"]
            .as_str()
            .unwrap()
            .contains(r#"{"key1":"test value 1"}"#)
    );
    let id = client
        .invoke_async("bash-echo", Some(json!({"key1": "again"})))
        .await;
    assert_eq!(
        wait_for_end(&client, &id).await,
        ("FINISHED".to_owned(), 200)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_handler_runs_async_and_its_errors_fail_the_event() {
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: `node` is not on PATH");
        return;
    }
    let (_emulator, client) = start().await;
    let source = "exports.main_handler = async (event, context) => {\n\
        console.log('node got', event.n);\n\
        if (event.n < 0) { throw new Error('negative'); }\n\
        return { doubled: event.n * 2, request: context.request_id };\n\
        };\n";
    let zip = zip_with_modes(&[("index.js", source, 0o644)]);
    deploy(&client, "node-double", "Nodejs16.13", zip, json!({})).await;
    let result = invoke(&client, "node-double", json!({"n": 21})).await;
    let returned: Value = serde_json::from_str(result["RetMsg"].as_str().unwrap()).unwrap();
    assert_eq!(returned["doubled"], 42);
    assert_eq!(returned["request"], result["FunctionRequestId"]);
    assert!(result["Log"].as_str().unwrap().contains("node got 21"));
    let id = client
        .invoke_async("node-double", Some(json!({"n": -1})))
        .await;
    assert_eq!(wait_for_end(&client, &id).await, ("FAILED".to_owned(), 430));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserved_concurrency_caps_the_instances_and_the_rest_get_432() {
    let (_emulator, client) = start().await;
    deploy(
        &client,
        "py-single",
        "Python3.9",
        python(SLEEPER_SOURCE),
        json!({"MemorySize": 128}),
    )
    .await;
    client
        .post(
            "PutReservedConcurrencyConfig",
            json!({"FunctionName": "py-single", "ReservedConcurrencyMem": 128}),
        )
        .await
        .ok();
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("started");
    let busy = client
        .invoke_async("py-single", Some(json!({"sleep": 3, "marker": marker})))
        .await;
    // The first one holds the only instance once its code runs.
    wait_until_exists(&marker, true).await;
    let refused = client.invoke_async("py-single", None).await;
    assert_eq!(
        wait_for_end(&client, &refused).await,
        ("FAILED".to_owned(), 432)
    );
    assert_eq!(
        wait_for_end(&client, &busy).await,
        ("FINISHED".to_owned(), 200)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions_without_reserved_concurrency_share_the_account_total() {
    let (_emulator, client) = start().await;
    // The least total there may be: 12,800 MB, four instances of 3,072 MB.
    client
        .post(
            "PutTotalConcurrencyConfig",
            json!({"TotalConcurrencyMem": 12800}),
        )
        .await
        .ok();
    deploy(
        &client,
        "py-big",
        "Python3.9",
        python(SLEEPER_SOURCE),
        json!({"MemorySize": 3072}),
    )
    .await;
    client
        .post(
            "UpdateFunctionEventInvokeConfig",
            json!({"FunctionName": "py-big", "AsyncTriggerConfig": {"RetryConfig": [{"RetryNum": 0}], "MsgTTL": 3600}}),
        )
        .await
        .ok();
    let dir = tempfile::tempdir().unwrap();
    let mut busy = Vec::new();
    for n in 0..4 {
        let marker = dir.path().join(format!("started-{n}"));
        let event = json!({"sleep": 3, "marker": marker});
        busy.push((client.invoke_async("py-big", Some(event)).await, marker));
    }
    for (_, marker) in &busy {
        wait_until_exists(marker, true).await;
    }
    let refused = client.invoke_async("py-big", None).await;
    assert_eq!(
        wait_for_end(&client, &refused).await,
        ("FAILED".to_owned(), 432)
    );
    for (id, _) in &busy {
        assert_eq!(
            wait_for_end(&client, id).await,
            ("FINISHED".to_owned(), 200)
        );
    }
    // Their memory is free again.
    let result = invoke(&client, "py-big", json!({})).await;
    assert_eq!(result["RetMsg"], r#""done""#, "{result}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runtimes_the_emulator_cannot_run_are_refused_at_invocation() {
    let (_emulator, client) = start().await;
    deploy(
        &client,
        "go-function",
        "Go1",
        zip_with_modes(&[("main", "binary", 0o755)]),
        json!({"Handler": "main"}),
    )
    .await;
    let reply = client
        .post("Invoke", json!({"FunctionName": "go-function"}))
        .await;
    assert_eq!(reply.code().as_deref(), Some("FailedOperation"));
    reply.assert_message_contains("Go1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_async_events_are_retried_as_the_invoke_config_says() {
    let (_emulator, client) = start().await;
    // Fails until it has been called `succeed_on` times, counting calls in a file.
    let source = "import os\n\
        def main_handler(event, context):\n    \
            with open(event['count'], 'a') as f:\n        f.write('x')\n    \
            calls = len(open(event['count']).read())\n    \
            print('attempt', calls)\n    \
            if calls < event['succeed_on']:\n        raise RuntimeError('not yet')\n    \
            return calls\n";
    deploy(&client, "py-flaky", "Python3.9", python(source), json!({})).await;
    let dir = tempfile::tempdir().unwrap();
    let configure = |retries: i64| json!({"FunctionName": "py-flaky", "AsyncTriggerConfig": {"RetryConfig": [{"RetryNum": retries}], "MsgTTL": 3600}});

    client
        .post("UpdateFunctionEventInvokeConfig", configure(2))
        .await
        .ok();
    let count = dir.path().join("third-time-lucky");
    let id = client
        .invoke_async("py-flaky", Some(json!({"count": count, "succeed_on": 3})))
        .await;
    assert_eq!(
        wait_for_end(&client, &id).await,
        ("FINISHED".to_owned(), 200)
    );
    let logs = client
        .post(
            "GetFunctionLogs",
            json!({"FunctionName": "py-flaky", "FunctionRequestId": id}),
        )
        .await
        .ok();
    let log = &logs["Data"][0];
    assert_eq!(log["RetryNum"], 2);
    assert_eq!(log["RetMsg"], "3");
    let text = log["Log"].as_str().unwrap();
    for attempt in ["attempt 1", "attempt 2", "attempt 3"] {
        assert!(text.contains(attempt), "{attempt} missing from {text}");
    }

    client
        .post("UpdateFunctionEventInvokeConfig", configure(0))
        .await
        .ok();
    let count = dir.path().join("no-second-chance");
    let id = client
        .invoke_async("py-flaky", Some(json!({"count": count, "succeed_on": 2})))
        .await;
    assert_eq!(wait_for_end(&client, &id).await, ("FAILED".to_owned(), 430));
    assert_eq!(std::fs::read_to_string(&count).unwrap(), "x", "tried once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_failures_are_reported_with_their_output() {
    let (_emulator, client) = start().await;
    let crashing = "#!/bin/sh\necho 'loading config'\necho 'config missing' >&2\nexit 3\n";
    deploy(
        &client,
        "init-crash",
        "CustomRuntime",
        zip_with_modes(&[("bootstrap", crashing, 0o755)]),
        json!({"InitTimeout": 10}),
    )
    .await;
    let result = invoke(&client, "init-crash", json!({})).await;
    let error: Value = serde_json::from_str(result["ErrMsg"].as_str().unwrap()).unwrap();
    assert_eq!(error["statusCode"], 405, "{result}");
    let log = result["Log"].as_str().unwrap();
    assert!(
        log.contains("loading config") && log.contains("config missing"),
        "{log}"
    );

    deploy(
        &client,
        "no-bootstrap",
        "CustomRuntime",
        zip_with_modes(&[("index.sh", "echo hi", 0o755)]),
        json!({}),
    )
    .await;
    let result = invoke(&client, "no-bootstrap", json!({})).await;
    let error: Value = serde_json::from_str(result["ErrMsg"].as_str().unwrap()).unwrap();
    assert_eq!(error["statusCode"], 445, "{result}");
    assert_eq!(result["InvokeResult"], -1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_instances_are_stopped_after_the_keep_warm_period_and_with_their_function() {
    let (_emulator, client) = start_with(|config| config.keep_warm_ms = 0).await;
    deploy(
        &client,
        "py-cold",
        "Python3.9",
        python(PID_SOURCE),
        json!({}),
    )
    .await;
    let first = returned_pid(&invoke(&client, "py-cold", json!({})).await);
    wait_until_gone(first).await;
    let second = returned_pid(&invoke(&client, "py-cold", json!({})).await);
    assert_ne!(second, first, "a new instance ran it");

    let (_emulator, client) = start().await;
    deploy(
        &client,
        "py-gone",
        "Python3.9",
        python(PID_SOURCE),
        json!({}),
    )
    .await;
    let pid = returned_pid(&invoke(&client, "py-gone", json!({})).await);
    assert!(!common::process::process_gone(pid as u32), "kept warm");
    client
        .post("DeleteFunction", json!({"FunctionName": "py-gone"}))
        .await
        .ok();
    wait_until_gone(pid).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_replaced_by_an_overriding_copy_leaves_its_directory() {
    let (_emulator, client) = start().await;
    let source = "import os\ndef main_handler(event, context):\n    return os.path.dirname(os.path.abspath(__file__))\n";
    for name in ["py-source", "py-target"] {
        deploy(&client, name, "Python3.9", python(source), json!({})).await;
    }
    let result = invoke(&client, "py-target", json!({})).await;
    let directory: String = serde_json::from_str(result["RetMsg"].as_str().unwrap()).unwrap();
    let replaced = std::path::Path::new(&directory);
    assert!(replaced.is_dir());

    client
        .post(
            "CopyFunction",
            json!({"FunctionName": "py-source", "NewFunctionName": "py-target", "Override": true}),
        )
        .await
        .ok();
    wait_until_exists(replaced, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_function_runs_its_code_from_a_directory_of_its_own() {
    let (_emulator, client) = start().await;
    let source = "import os\ndef main_handler(event, context):\n    return os.path.dirname(os.path.abspath(__file__))\n";
    let mut directories = Vec::new();
    for name in ["py-here", "py-there"] {
        // The same bytes for both.
        deploy(&client, name, "Python3.9", python(source), json!({})).await;
        let result = invoke(&client, name, json!({})).await;
        let directory: String = serde_json::from_str(result["RetMsg"].as_str().unwrap()).unwrap();
        assert!(std::path::Path::new(&directory).join("index.py").is_file());
        directories.push(directory);
    }
    assert_ne!(
        directories[0], directories[1],
        "two functions share a directory"
    );

    client
        .post("DeleteFunction", json!({"FunctionName": "py-here"}))
        .await
        .ok();
    wait_until_exists(std::path::Path::new(&directories[0]), false).await;
    assert!(std::path::Path::new(&directories[1]).is_dir());
}
