//! The `scf` binary as a subprocess against an emulator: stdout, stderr and exit codes.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use heck::ToKebabCase;
use scf_emulator::{Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator, RunningEmulator};
use serde_json::{Value, json};
use tc_api::schema::{Kind, MemberSchema, ObjectSchema};

struct Fixture {
    runtime: tokio::runtime::Runtime,
    emulator: RunningEmulator,
    home: PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let emulator = runtime.block_on(start_emulator());
        let home = std::env::temp_dir().join(format!("scf-cli-home-{}", std::process::id()));
        std::fs::create_dir_all(&home).unwrap();
        Fixture {
            runtime,
            emulator,
            home,
        }
    })
}

async fn start_emulator() -> RunningEmulator {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    Emulator::builder().config(config).start().await.unwrap()
}

/// An emulator of the test's own, whose events no other test touches.
fn own_emulator() -> RunningEmulator {
    let fixture = fixture();
    fixture.runtime.block_on(start_emulator())
}

/// `scf` with `endpoint` and the demo keys in the environment, and nothing else to find.
fn scf_at(endpoint: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scf"));
    command
        .args(["--endpoint", endpoint])
        .args(args)
        .env_clear()
        .env("HOME", &fixture().home)
        .env("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY);
    command
}

/// `scf` against the shared emulator.
fn scf(args: &[&str]) -> Command {
    scf_at(&fixture().emulator.url(), args)
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

fn json_of(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
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
    json_of(&stdout)["Result"]["FunctionRequestId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A file in a directory of the test run's own.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scf-cli-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A port nothing listens on: a call that reached it would fail with exit code 4. Port 1 (tcpmux) is
/// privileged and unused, so no emulator another test starts can take it, as a freed ephemeral port can be.
fn dead_endpoint() -> String {
    "http://127.0.0.1:1".to_owned()
}

#[test]
fn the_async_event_actions_in_both_spellings() {
    let id = invoke_async(r#"{"scf_emulator": {"duration_ms": 60000}}"#);
    let (output, stdout, _) = run(scf(&["get-async-event-status", "--invoke-request-id", &id]));
    assert_eq!(code(&output), 0);
    let json = json_of(&stdout);
    assert_eq!(
        json["Result"]["Status"], "RUNNING",
        "tccli shape: the content of Response"
    );
    assert!(json["RequestId"].is_string());
    assert!(
        stdout.starts_with("{\n    \"Result\": {\n        \"Status\": \"RUNNING\""),
        "indented by four spaces, in the spec's order: {stdout}"
    );

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

    let (output, stdout, stderr) = run(scf(&[
        "Invoke",
        "--FunctionName",
        "hello",
        "--InvocationType",
        "Event",
        "--ClientContext",
        r#"{"scf_emulator": {"duration_ms": 60000}}"#,
    ]));
    assert_eq!(code(&output), 0, "{stderr}");
    let pascal_id = json_of(&stdout)["Result"]["FunctionRequestId"]
        .as_str()
        .unwrap()
        .to_owned();

    let (output, stdout, _) = run(scf(&[
        "ListAsyncEvents",
        "--FunctionName",
        "hello",
        "--Status",
        r#"["RUNNING"]"#,
        "--Limit",
        "100",
    ]));
    assert_eq!(code(&output), 0);
    assert!(
        stdout.contains(&id) && stdout.contains(&pascal_id),
        "{stdout}"
    );
    let (output, stdout, _) = run(scf(&[
        "list-async-events",
        "--function-name",
        "hello",
        "--status",
        r#"["FINISHED"]"#,
        "--invoke-request-id",
        &id,
    ]));
    assert_eq!(code(&output), 0);
    assert_eq!(json_of(&stdout)["TotalCount"], 0, "{stdout}");

    let (output, stdout, _) = run(scf(&[
        "TerminateAsyncEvent",
        "--FunctionName",
        "hello",
        "--InvokeRequestId",
        &pascal_id,
    ]));
    assert_eq!(code(&output), 0);
    assert!(stdout.contains("RequestId"));
    let (output, _, stderr) = run(scf(&[
        "terminate-async-event",
        "--function-name",
        "hello",
        "--invoke-request-id",
        &id,
        "--grace-shutdown",
        "true",
    ]));
    assert_eq!(code(&output), 0, "{stderr}");

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
fn api_errors_name_the_code_the_request_and_the_event() {
    let id = invoke_async(r#"{"scf_emulator": {"duration_ms": 60000}}"#);
    let terminate = [
        "terminate-async-event",
        "--function-name",
        "hello",
        "--invoke-request-id",
        &id,
    ];
    assert_eq!(code(&run(scf(&terminate)).0), 0);
    let (output, stdout, stderr) = run(scf(&terminate));
    assert_eq!(code(&output), 3, "API error");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("FailedOperation.AsyncEventStatus") && stderr.contains("RequestId: "),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches(&format!("InvokeRequestId: {id}")).count(),
        1,
        "{stderr}"
    );

    let (output, _, stderr) = run(scf(&["list-async-events", "--function-name", "missing"]));
    assert_eq!(code(&output), 3);
    assert!(stderr.contains("ResourceNotFound.Function"), "{stderr}");
}

#[test]
fn all_walks_every_page() {
    let emulator = own_emulator();
    let endpoint = emulator.url();
    let mut ids = Vec::new();
    for _ in 0..5 {
        let (output, stdout, stderr) = run(scf_at(
            &endpoint,
            &[
                "invoke",
                "--function-name",
                "hello",
                "--async",
                "--client-context",
                r#"{"scf_emulator": {"duration_ms": 60000}}"#,
            ],
        ));
        assert_eq!(code(&output), 0, "{stderr}");
        ids.push(json_of(&stdout)["Result"]["FunctionRequestId"].clone());
    }
    let page = [
        "list-async-events",
        "--function-name",
        "hello",
        "--limit",
        "2",
    ];
    let (_, stdout, _) = run(scf_at(&endpoint, &page));
    assert_eq!(json_of(&stdout)["EventList"].as_array().unwrap().len(), 2);
    let (output, stdout, stderr) = run(scf_at(&endpoint, &page).arg("--all"));
    assert_eq!(code(&output), 0, "{stderr}");
    let json = json_of(&stdout);
    let listed: Vec<&Value> = json["EventList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| &event["InvokeRequestId"])
        .collect();
    assert_eq!(listed.len(), 5, "{stdout}");
    for id in &ids {
        assert!(listed.contains(&id), "{id} not in {stdout}");
    }
    assert_eq!(json["TotalCount"], 5);

    let (output, stdout, _) = run(scf_at(&endpoint, &page).args(["--all", "--output", "table"]));
    assert_eq!(code(&output), 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].contains("InvokeRequestId"), "{stdout}");
    assert_eq!(
        lines.iter().filter(|line| line.contains("RUNNING")).count(),
        5,
        "{stdout}"
    );
    fixture().runtime.block_on(emulator.shutdown());
}

#[test]
fn filter_picks_a_part_of_the_result() {
    let id = invoke_async(r#"{"scf_emulator": {"duration_ms": 60000}}"#);
    let status = ["get-async-event-status", "--invoke-request-id", &id];
    let (output, stdout, _) = run(scf(&status).args(["--filter", "Result.Status"]));
    assert_eq!(code(&output), 0);
    assert_eq!(stdout, "\"RUNNING\"\n");
    let (output, stdout, _) = run(scf(&status).args(["--filter", "Result"]));
    assert_eq!(code(&output), 0);
    assert_eq!(json_of(&stdout)["InvokeRequestId"], id.as_str());
    let (output, stdout, _) = run(scf(&status).args(["--filter", "Nothing"]));
    assert_eq!(
        (code(&output), stdout.as_str()),
        (0, ""),
        "null prints nothing"
    );
    let (output, stdout, _) = run(scf(&[
        "list-async-events",
        "--function-name",
        "hello",
        "--filter",
        "EventList[].InvokeRequestId",
        "--limit",
        "100",
    ]));
    assert_eq!(code(&output), 0);
    assert!(json_of(&stdout).as_array().unwrap().contains(&json!(id)));
}

#[test]
fn cli_input_json_reads_the_parameters_from_a_file() {
    let id = invoke_async(r#"{"scf_emulator": {"duration_ms": 60000}}"#);
    let path = temp_file("status.json", &json!({"InvokeRequestId": id}).to_string());
    let scheme = format!("file://{}", path.display());
    for argument in [scheme.as_str(), path.to_str().unwrap()] {
        let (output, stdout, stderr) =
            run(scf(&["GetAsyncEventStatus", "--cli-input-json", argument]));
        assert_eq!(code(&output), 0, "{stderr}");
        assert_eq!(json_of(&stdout)["Result"]["InvokeRequestId"], id.as_str());
    }
    let path = temp_file("list.json", r#"{"FunctionName": "missing", "Limit": 100}"#);
    let (output, stdout, stderr) = run(scf(&[
        "list-async-events",
        "--cli-input-json",
        path.to_str().unwrap(),
        "--function-name",
        "hello",
        "--invoke-request-id",
        &id,
    ]));
    assert_eq!(
        code(&output),
        0,
        "flags override the file's members: {stderr}"
    );
    assert_eq!(json_of(&stdout)["TotalCount"], 1, "{stdout}");
}

/// The position of `"name":` in `text`, for the order of a skeleton's keys.
fn key_position(text: &str, name: &str) -> usize {
    text.find(&format!("\"{name}\":"))
        .unwrap_or_else(|| panic!("{name} not in {text}"))
}

#[test]
fn generate_cli_skeleton_prints_the_input_in_the_spec_s_order_offline() {
    for action in [
        "GetAsyncEventStatus",
        "Invoke",
        "ListAsyncEvents",
        "TerminateAsyncEvent",
    ] {
        let schema = scf::model::action_schema(action).unwrap();
        let mut keyless = Command::new(env!("CARGO_BIN_EXE_scf"));
        keyless
            .args([
                "--endpoint",
                &dead_endpoint(),
                action,
                "--generate-cli-skeleton",
            ])
            .env_clear()
            .env("HOME", &fixture().home);
        let (output, stdout, stderr) = run(keyless);
        assert_eq!(code(&output), 0, "{action}: {stderr}");
        let skeleton = json_of(&stdout);
        let names: Vec<&str> = schema.input.members.iter().map(|m| m.name).collect();
        assert_eq!(skeleton.as_object().unwrap().len(), names.len(), "{stdout}");
        let positions: Vec<usize> = names.iter().map(|n| key_position(&stdout, n)).collect();
        assert!(
            positions.is_sorted(),
            "{action}: not in {names:?} order: {stdout}"
        );
        assert!(stdout.starts_with("{\n    \""), "{stdout}");
    }
    let (_, stdout, _) = run(scf(&["list-async-events", "--generate-cli-skeleton"]));
    let skeleton = json_of(&stdout);
    assert_eq!(skeleton["FunctionName"], "String");
    assert_eq!(skeleton["Status"], json!(["String"]));
    assert_eq!(skeleton["Limit"], "Integer");

    // The skeleton, filled in, is a request.
    let id = invoke_async(r#"{"scf_emulator": {"duration_ms": 60000}}"#);
    let (_, stdout, _) = run(scf(&["terminate-async-event", "--generate-cli-skeleton"]));
    let mut request = json_of(&stdout);
    request["FunctionName"] = json!("hello");
    request["InvokeRequestId"] = json!(id);
    request["GraceShutdown"] = json!(false);
    request.as_object_mut().unwrap().remove("Namespace");
    let path = temp_file("terminate.json", &request.to_string());
    let (output, _, stderr) = run(scf(&[
        "terminate-async-event",
        "--cli-input-json",
        path.to_str().unwrap(),
    ]));
    assert_eq!(code(&output), 0, "{stderr}");
}

/// Runs `args` against `endpoint` and expects exit code 2 with `expected` in stderr and nothing on stdout.
fn assert_refused(endpoint: &str, args: &[&str], expected: &str) {
    let (output, stdout, stderr) = run(scf_at(endpoint, args));
    assert_eq!(code(&output), 2, "{args:?}: {stderr}");
    assert!(stdout.is_empty(), "{args:?}: {stdout}");
    assert!(
        stderr.contains(expected),
        "{args:?}: {expected:?} not in {stderr}"
    );
}

#[test]
fn bad_input_is_refused_with_exit_code_2_and_nothing_sent() {
    let emulator = own_emulator();
    let endpoint = emulator.url();
    let missing = Path::new(&std::env::temp_dir()).join("scf-cli-no-such-file.json");
    let missing = missing.to_str().unwrap();
    let invokes: &[(&[&str], &str)] = &[
        (
            &["invoke", "--async"],
            "missing required parameter --FunctionName (--function-name)",
        ),
        (
            &[
                "invoke",
                "--function-name",
                "hello",
                "--async",
                "--Bogus",
                "1",
            ],
            "unexpected argument '--Bogus'",
        ),
        (
            &[
                "Invoke",
                "--FunctionName",
                "hello",
                "--InvocationType",
                "Later",
            ],
            "invalid value for --InvocationType (--invocation-type): expected one of",
        ),
        (
            &[
                "invoke",
                "--function-name",
                "hello",
                "--invocation-type",
                "RequestResponse",
                "--async",
            ],
            "contradicts",
        ),
        (
            &[
                "invoke",
                "--function-name",
                "hello",
                "--async",
                "--client-context-file",
                missing,
            ],
            "--client-context-file: cannot read",
        ),
        (
            &[
                "invoke",
                "--function-name",
                "hello",
                "--async",
                "--filter",
                "[[",
            ],
            "--filter: ",
        ),
        (&["invoke", "--function-name", "hello", "--wait"], "--async"),
    ];
    for (args, expected) in invokes {
        assert_refused(&endpoint, args, expected);
    }
    assert_eq!(emulator.event_count(), 0, "no invoke reached the emulator");

    // Sent, these would fail to connect (exit code 4); and no credentials are needed to refuse them.
    let dead = dead_endpoint();
    let unknown = temp_file("unknown.json", r#"{"FunctionName": "hello", "Bogus": 1}"#);
    let not_json = temp_file("not.json", "{");
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "list-async-events",
                "--function-name",
                "hello",
                "--limit",
                "abc",
            ],
            "invalid value for --Limit (--limit): expected an integer",
        ),
        (
            &[
                "put-total-concurrency-config",
                "--total-concurrency-mem",
                "-1",
            ],
            "invalid value for --TotalConcurrencyMem (--total-concurrency-mem): expected a non-negative integer",
        ),
        (
            &[
                "ListAsyncEvents",
                "--FunctionName",
                "hello",
                "--Status",
                "RUNNING",
            ],
            "invalid value for --Status (--status): expected JSON text",
        ),
        (
            &[
                "ListAsyncEvents",
                "--FunctionName",
                "hello",
                "--Status",
                "[1]",
            ],
            "--Status (--status): invalid value at `Status.0`: expected a string",
        ),
        (
            &[
                "list-async-events",
                "--function-name",
                "hello",
                "--order",
                "UP",
            ],
            "expected one of ASC, DESC",
        ),
        (
            &[
                "terminate-async-event",
                "--function-name",
                "hello",
                "--grace-shutdown",
                "maybe",
            ],
            "--GraceShutdown (--grace-shutdown): expected true or false",
        ),
        (
            &["terminate-async-event", "--function-name", "hello"],
            "missing required parameter --InvokeRequestId (--invoke-request-id)",
        ),
        (
            &["get-async-event-status"],
            "missing required parameter --InvokeRequestId",
        ),
        (
            &[
                "list-async-events",
                "--cli-input-json",
                unknown.to_str().unwrap(),
            ],
            "unknown parameter `Bogus`",
        ),
        (
            &[
                "list-async-events",
                "--cli-input-json",
                not_json.to_str().unwrap(),
            ],
            "is not JSON",
        ),
        (
            &["list-async-events", "--cli-input-json", missing],
            "cannot read",
        ),
        (
            &[
                "get-async-event-status",
                "--invoke-request-id",
                "x",
                "--filter",
                "[[",
            ],
            "--filter: ",
        ),
        (
            &["list-functions", "--Limit", "1", "--Limit", "2"],
            "cannot be used multiple times",
        ),
        (
            &[
                "update-function-configuration",
                "--function-name",
                "f",
                "--environment",
                r#"{"Variables": [{"Key": 1}]}"#,
            ],
            "--Environment (--environment): invalid value at `Environment.Variables.0.Key`: expected a string",
        ),
    ];
    for (args, expected) in cases {
        assert_refused(&dead, args, expected);
        let mut keyless = scf_at(&dead, args);
        keyless
            .env_remove("TENCENTCLOUD_SECRET_ID")
            .env_remove("TENCENTCLOUD_SECRET_KEY");
        assert_eq!(code(&run(keyless).0), 2, "{args:?} without credentials");
    }
    fixture().runtime.block_on(emulator.shutdown());
}

/// The smallest valid value of `member`: its first allowed value, one item for a list, and the
/// required members of an object.
fn minimal_value(member: &MemberSchema) -> Value {
    let item = match member.kind {
        Kind::String => json!(member.values.first().copied().unwrap_or("x")),
        Kind::Int | Kind::UInt => json!(1),
        Kind::Float => json!(1.0),
        Kind::Bool => json!(true),
        Kind::Object(object) => minimal_request(object),
    };
    if member.list { json!([item]) } else { item }
}

fn minimal_request(object: &ObjectSchema) -> Value {
    Value::Object(
        object
            .members
            .iter()
            .filter(|member| member.required)
            .map(|member| (member.name.to_owned(), minimal_value(member)))
            .collect(),
    )
}

#[test]
fn every_action_reaches_the_emulator_and_shows_its_answer() {
    let mut reached = 0;
    for action in scf::model::ACTIONS {
        let name = action.name();
        let path = temp_file(
            &format!("{name}.json"),
            &minimal_request(action.input).to_string(),
        );
        let kebab = name.to_kebab_case();
        let (output, stdout, stderr) =
            run(scf(&[&kebab, "--cli-input-json", path.to_str().unwrap()]));
        // The smallest request mostly names resources that do not exist: exit 3 with the service's code,
        // or 0 and the answer.
        match code(&output) {
            0 => {
                json_of(&stdout);
            }
            3 => {
                assert!(stdout.is_empty(), "{name}: {stdout}");
                assert!(stderr.contains("RequestId"), "{name}: {stderr}");
                assert!(
                    !stderr.contains("UnsupportedOperation") && !stderr.contains("InternalError"),
                    "{name}: {stderr}"
                );
            }
            other => panic!("{name} exited {other}: {stderr}"),
        }
        reached += 1;
    }
    assert_eq!(reached, scf::model::ACTIONS.len());
}

#[test]
fn help_shows_the_spec_s_description_and_parameters() {
    let schema = scf::model::action_schema("ListFunctions").unwrap();
    for args in [
        &["help", "ListFunctions"][..],
        &["list-functions", "--help"],
        &["ListFunctions", "--help"],
    ] {
        let (output, stdout, _) = run(Command::new(env!("CARGO_BIN_EXE_scf")).args(args));
        assert_eq!(code(&output), 0, "{args:?}");
        assert!(stdout.contains(schema.title), "{args:?}: {stdout}");
        assert!(stdout.contains(schema.doc.trim()), "{args:?}: {stdout}");
        for member in schema.input.members {
            assert!(
                stdout.contains(&format!("--{}", member.name)),
                "{}: {stdout}",
                member.name
            );
            let first = member.doc.lines().next().unwrap_or("").trim();
            assert!(stdout.contains(first), "{first}: {stdout}");
        }
        assert!(
            stdout.contains("--limit") && stdout.contains("<Integer>"),
            "{stdout}"
        );
        assert!(stdout.contains("--all"), "ListFunctions pages: {stdout}");
    }
    let (_, stdout, _) = run(Command::new(env!("CARGO_BIN_EXE_scf")).args(["help", "Invoke"]));
    assert!(
        stdout.contains("one of: RequestResponse, Event") && stdout.contains("required"),
        "{stdout}"
    );
    let (output, stdout, _) = run(Command::new(env!("CARGO_BIN_EXE_scf")).arg("--help"));
    assert_eq!(code(&output), 0);
    for action in scf::model::ACTIONS {
        assert!(
            stdout.contains(action.name()),
            "{}: {stdout}",
            action.name()
        );
    }
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

    let context = temp_file(
        "event.json",
        r#"{"scf_emulator": {"duration_ms": 100, "outcome": "failed"}}"#,
    );
    let (output, _, stderr) = run(scf(&[
        "Invoke",
        "--FunctionName",
        "hello",
        "--async",
        "--wait",
        "--client-context-file",
        context.to_str().unwrap(),
    ])
    .args(fast));
    assert_eq!(code(&output), 10, "{stderr}");
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

    assert_eq!(code(&run(scf(&["no-such-action"])).0), 2, "usage error");
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
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
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
    assert!(stdout.contains("get-async-event-status") && stdout.contains("--invoke-request-id"));
    assert!(stdout.contains("list-functions") && stdout.contains("--Namespace"));
    for subcommand in [
        "get-async-event-status",
        "invoke",
        "list-async-events",
        "terminate-async-event",
        "list-functions",
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
    let (output, stdout, stderr) = run(scf_at(
        &dead_endpoint(),
        &["get-async-event-status", "--invoke-request-id", "event-1"],
    ));
    assert_eq!(code(&output), 4, "network error: {stderr}");
    assert!(stdout.is_empty());
    assert_eq!(
        stderr.matches("[InvokeRequestId: event-1]").count(),
        1,
        "{stderr}"
    );
}
