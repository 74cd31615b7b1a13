//! The `scf` binary as a subprocess against an emulator: stdout, stderr and exit codes.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use scf_emulator::{Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator, RunningEmulator};

struct Fixture {
    _runtime: tokio::runtime::Runtime,
    emulator: RunningEmulator,
    home: std::path::PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let mut config = Config::default();
        config.rate_limits.enabled = false;
        let emulator = runtime
            .block_on(Emulator::builder().config(config).start())
            .unwrap();
        let home = std::env::temp_dir().join(format!("scf-cli-home-{}", std::process::id()));
        std::fs::create_dir_all(&home).unwrap();
        Fixture {
            _runtime: runtime,
            emulator,
            home,
        }
    })
}

/// `scf` with the emulator's endpoint and demo keys in the environment, and nothing else to find.
fn scf(args: &[&str]) -> Command {
    let fixture = fixture();
    let mut command = Command::new(env!("CARGO_BIN_EXE_scf"));
    command
        .args(["--endpoint", &fixture.emulator.url()])
        .args(args)
        .env_clear()
        .env("HOME", &fixture.home)
        .env("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY);
    command
}

fn run(mut command: impl std::borrow::BorrowMut<Command>) -> (Output, String, String) {
    let output = command.borrow_mut().stdin(Stdio::null()).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn invoke_async(context: &str) -> String {
    let (output, stdout, stderr) = run(scf(&[
        "invoke",
        "--function-name",
        "hello",
        "--async",
        "--client-context",
        context,
    ]));
    assert_eq!(code(&output), 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    json["Result"]["FunctionRequestId"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn invoke_status_and_the_tccli_spelling() {
    let id = invoke_async(r#"{"scf_emulator": {"duration_ms": 60000}}"#);
    let (output, stdout, _) = run(scf(&["get-async-event-status", "--invoke-request-id", &id]));
    assert_eq!(code(&output), 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        json["Result"]["Status"], "RUNNING",
        "tccli shape: the content of Response"
    );
    assert!(json["RequestId"].is_string());

    let (output, stdout, _) = run(scf(&[
        "GetAsyncEventStatus",
        "--InvokeRequestId",
        &id,
        "--output",
        "text",
    ]));
    assert_eq!(code(&output), 0);
    assert!(
        stdout.contains("Status=RUNNING") && stdout.contains(&format!("InvokeRequestId={id}")),
        "{stdout}"
    );

    let (output, stdout, _) = run(scf(&[
        "invoke",
        "--function-name",
        "hello",
        "--client-context",
        r#"{"scf_emulator": {"duration_ms": 5}}"#,
    ]));
    assert_eq!(code(&output), 0);
    assert!(stdout.contains("Hello World"), "{stdout}");
}

#[test]
fn list_terminate_and_api_errors() {
    let id = invoke_async(r#"{"scf_emulator": {"duration_ms": 60000}}"#);
    let (output, stdout, _) = run(scf(&[
        "list-async-events",
        "--function-name",
        "hello",
        "--all",
        "--output",
        "table",
    ]));
    assert_eq!(code(&output), 0);
    assert!(
        stdout.lines().next().unwrap().contains("InvokeRequestId") && stdout.contains(&id),
        "{stdout}"
    );

    let (output, stdout, _) = run(scf(&[
        "TerminateAsyncEvent",
        "--FunctionName",
        "hello",
        "--InvokeRequestId",
        &id,
    ]));
    assert_eq!(code(&output), 0);
    assert!(stdout.contains("RequestId"));

    let (output, stdout, stderr) = run(scf(&[
        "terminate-async-event",
        "--function-name",
        "hello",
        "--invoke-request-id",
        &id,
    ]));
    assert_eq!(code(&output), 3, "API error");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("FailedOperation.AsyncEventStatus") && stderr.contains("RequestId: "),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("InvokeRequestId: {id}")),
        "{stderr}"
    );

    let (output, _, stderr) = run(scf(&["list-async-events", "--function-name", "missing"]));
    assert_eq!(code(&output), 3);
    assert!(stderr.contains("ResourceNotFound.Function"), "{stderr}");
}

#[test]
fn wait_outcomes_have_distinct_exit_codes() {
    let fast = ["--min-delay-ms", "50", "--max-delay-ms", "200"];
    let finished = invoke_async(r#"{"scf_emulator": {"duration_ms": 300}}"#);
    let (output, stdout, stderr) = run(scf(&["wait", "--invoke-request-id", &finished]).args(fast));
    assert_eq!(code(&output), 0, "{stderr}");
    assert!(stdout.contains("FINISHED"));
    assert!(
        stderr.contains("waiting for") && stderr.contains("RUNNING"),
        "plain progress lines off a terminal: {stderr}"
    );

    let failed = invoke_async(r#"{"scf_emulator": {"duration_ms": 100, "outcome": "failed"}}"#);
    assert_eq!(
        code(&run(scf(&["wait", "--invoke-request-id", &failed]).args(fast)).0),
        10
    );

    let aborted = invoke_async(r#"{"scf_emulator": {"duration_ms": 60000}}"#);
    run(scf(&[
        "terminate-async-event",
        "--function-name",
        "hello",
        "--invoke-request-id",
        &aborted,
    ]));
    assert_eq!(
        code(&run(scf(&["wait", "--invoke-request-id", &aborted]).args(fast)).0),
        11
    );

    let slow = invoke_async(r#"{"scf_emulator": {"duration_ms": 60000}}"#);
    let (output, _, stderr) =
        run(scf(&["wait", "--invoke-request-id", &slow, "--max-wait", "1"]).args(fast));
    assert_eq!(code(&output), 12, "{stderr}");
    assert!(stderr.contains("still RUNNING"), "{stderr}");

    let (output, stdout, stderr) = run(scf(&[
        "invoke",
        "--function-name",
        "hello",
        "--async",
        "--wait",
        "--client-context",
        r#"{"scf_emulator": {"duration_ms": 200}}"#,
    ])
    .args(fast));
    assert_eq!(code(&output), 0, "{stderr}");
    assert!(stderr.contains("started async event") && stdout.contains("FINISHED"));
}

/// On a terminal, `scf wait` keeps one live line: a spinner redrawn in place with `\r` at each poll, ended
/// by a newline once the event settles, so the JSON that follows starts on a line of its own. `script`
/// (util-linux, part of every Debian system) gives the command a pseudo-terminal.
#[cfg(target_os = "linux")]
#[test]
fn wait_on_a_terminal_redraws_one_live_line() {
    let id = invoke_async(r#"{"scf_emulator": {"duration_ms": 400}}"#);
    let quote = |arg: &str| format!("'{}'", arg.replace('\'', r"'\''"));
    let fixture = fixture();
    let command = [
        env!("CARGO_BIN_EXE_scf"),
        "--endpoint",
        &fixture.emulator.url(),
        "wait",
        "--invoke-request-id",
        &id,
        "--min-delay-ms",
        "50",
        "--max-delay-ms",
        "100",
    ]
    .map(quote)
    .join(" ");
    let (output, terminal, _) = run(Command::new("script")
        .args([
            "--quiet",
            "--return",
            "--flush",
            "--command",
            &command,
            "/dev/null",
        ])
        .env_clear()
        .env("HOME", &fixture.home)
        .env("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY));
    assert_eq!(code(&output), 0, "{terminal}");
    let redraws = terminal.matches('\r').count();
    let live_lines = terminal
        .split('\r')
        .filter(|line| line.contains("polls"))
        .count();
    assert!(
        live_lines >= 2 && redraws >= live_lines,
        "one line redrawn at each poll: {terminal:?}"
    );
    assert!(
        !terminal.contains("waiting for"),
        "no plain progress lines on a terminal: {terminal:?}"
    );
    let settled = terminal
        .find("FINISHED")
        .expect("the final status is shown");
    let json = terminal.find('{').expect("the result follows");
    assert!(
        settled < json && terminal[settled..json].contains('\n'),
        "the live line ends before the result: {terminal:?}"
    );
}

#[test]
fn network_credential_and_usage_errors() {
    let (output, _, stderr) = run(scf(&[
        "get-async-event-status",
        "--invoke-request-id",
        "x",
        "--endpoint",
        "http://127.0.0.1:1",
        "--timeout",
        "3",
    ]));
    assert_eq!(code(&output), 4, "network error: {stderr}");

    let mut keyless = scf(&[
        "get-async-event-status",
        "--invoke-request-id",
        "x",
        "--timeout",
        "5",
    ]);
    keyless
        .env_remove("TENCENTCLOUD_SECRET_ID")
        .env_remove("TENCENTCLOUD_SECRET_KEY");
    let (output, _, stderr) = run(&mut keyless);
    assert_eq!(code(&output), 5, "{stderr}");
    assert!(stderr.contains("no credentials found"), "{stderr}");

    assert_eq!(
        code(&run(scf(&["get-async-event-status"])).0),
        2,
        "usage error"
    );
    assert_eq!(
        code(&run(scf(&["invoke", "--function-name", "f", "--wait"])).0),
        2,
        "--wait needs --async"
    );
}

#[test]
fn debug_dumps_requests_without_secrets() {
    let (output, _, stderr) = run(scf(&[
        "--debug",
        "get-async-event-status",
        "--invoke-request-id",
        "x",
    ]));
    assert_eq!(code(&output), 3);
    assert!(
        stderr.contains("x-tc-action: GetAsyncEventStatus"),
        "{stderr}"
    );
    assert!(stderr.contains("authorization: ** redacted **"), "{stderr}");
    assert!(
        !stderr.contains(DEMO_SECRET_KEY) && !stderr.contains("Signature="),
        "{stderr}"
    );
}

#[test]
fn sign_reproduces_the_official_vector_offline() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scf"));
    command
        .args([
            "sign",
            "--action",
            "GetAsyncEventStatus",
            "--timestamp",
            "1700000000",
            "--json",
        ])
        .args([
            "--secret-id",
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "--secret-key-env",
            "SIGN_KEY",
        ])
        .env_clear()
        .env("SIGN_KEY", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"InvokeRequestId": "b379787f-8487-4bac-bd8c-17a20a9ce40e"}"#)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(code(&output), 0);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["authorization"],
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/scf/tc3_request, SignedHeaders=content-type;host, Signature=564efc9793013f49cdcd81158c59c9ef0fcb69264548dfe9d8d48835495a631f"
    );
    assert!(
        json["canonical_request"]
            .as_str()
            .unwrap()
            .starts_with("POST\n/\n\ncontent-type:application/json\n")
    );
    assert!(
        json["string_to_sign"]
            .as_str()
            .unwrap()
            .contains("2023-11-14/scf/tc3_request")
    );
}

#[test]
fn completions_and_help() {
    let (output, stdout, _) =
        run(Command::new(env!("CARGO_BIN_EXE_scf")).args(["completions", "bash"]));
    assert_eq!(code(&output), 0);
    assert!(stdout.contains("get-async-event-status"));
    for subcommand in [
        "get-async-event-status",
        "invoke",
        "list-async-events",
        "terminate-async-event",
        "wait",
        "sign",
        #[cfg(feature = "emulator")]
        "emulator",
        "completions",
    ] {
        let (output, stdout, _) =
            run(Command::new(env!("CARGO_BIN_EXE_scf")).args([subcommand, "--help"]));
        assert_eq!(code(&output), 0);
        assert!(
            stdout.contains("Example"),
            "{subcommand} --help has no example:\n{stdout}"
        );
    }
}

#[cfg(feature = "emulator")]
#[test]
fn the_demo_runs_the_whole_lifecycle() {
    let (output, stdout, stderr) = run(Command::new(env!("CARGO_BIN_EXE_scf"))
        .arg("demo")
        .env_clear());
    assert_eq!(code(&output), 0, "{stderr}");
    assert!(
        stdout.contains("FINISHED") && stdout.contains("ABORTED") && stdout.contains("TotalCount"),
        "{stdout}"
    );
}

/// Built with `--no-default-features`, the binary is a lean client without the emulator's commands.
#[cfg(not(feature = "emulator"))]
#[test]
fn a_lean_build_has_no_emulator() {
    for subcommand in ["emulator", "demo"] {
        let (output, _, stderr) = run(Command::new(env!("CARGO_BIN_EXE_scf")).arg(subcommand));
        assert_eq!(code(&output), 2, "{stderr}");
        assert!(stderr.contains("unrecognized subcommand"), "{stderr}");
    }
}

#[test]
fn a_network_error_names_the_event_once() {
    // A port that was just free refuses every connect.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (output, stdout, stderr) = run(Command::new(env!("CARGO_BIN_EXE_scf"))
        .args(["--endpoint", &format!("http://127.0.0.1:{port}")])
        .args(["get-async-event-status", "--invoke-request-id", "event-1"])
        .env_clear()
        .env("HOME", &fixture().home)
        .env("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY));
    assert_eq!(code(&output), 4, "network error: {stderr}");
    assert!(stdout.is_empty());
    assert_eq!(
        stderr.matches("[InvokeRequestId: event-1]").count(),
        1,
        "{stderr}"
    );
}
