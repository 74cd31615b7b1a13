//! `scf wait-function` as a subprocess against an emulator: what it prints, and its exit codes for a
//! function that became Active, one that ended CreateFailed, a missing one and one still Creating.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use scf::model::{Code, Tag};
use scf_emulator::{
    Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator, ManualClock, RunningEmulator,
};
use serde_json::Value;

/// Polling flags that keep the tests short.
const FAST: [&str; 4] = ["--min-delay-ms", "50", "--max-delay-ms", "200"];

struct Fixture {
    runtime: tokio::runtime::Runtime,
    emulator: RunningEmulator,
    home: PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let emulator = runtime.block_on(start(Emulator::builder()));
        let home = std::env::temp_dir().join(format!("scf-wait-function-{}", std::process::id()));
        std::fs::create_dir_all(&home).unwrap();
        Fixture {
            runtime,
            emulator,
            home,
        }
    })
}

async fn start(builder: scf_emulator::EmulatorBuilder) -> RunningEmulator {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    builder.config(config).start().await.unwrap()
}

/// `scf` against `emulator`, with the demo keys in the environment and nothing else to find.
fn scf(emulator: &RunningEmulator, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scf"));
    command
        .args(["--endpoint", &emulator.url()])
        .args(args)
        .env_clear()
        .env("HOME", &fixture().home)
        .env("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY)
        .stdin(Stdio::null());
    command
}

fn run(command: &mut Command) -> (Output, String, String) {
    let output = command.output().unwrap();
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

fn client(emulator: &RunningEmulator) -> scf::Client {
    let _entered = fixture().runtime.enter();
    scf::Client::builder()
        .endpoint(scf::Endpoint::url(&emulator.url()).unwrap())
        .credentials(scf::Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).unwrap())
        .proxy(scf::ProxyConfig::None)
        .build()
        .unwrap()
}

/// Creates `name` with COS code, which the emulator keeps as given, and `tags`.
fn create(emulator: &RunningEmulator, name: &str, tags: Vec<Tag>) {
    let client = client(emulator);
    let code = Code::default()
        .cos_bucket_name("code")
        .cos_object_name("/function.zip")
        .cos_bucket_region("ap-guangzhou");
    let mut create = client.create_function().function_name(name).code(code);
    if !tags.is_empty() {
        create = create.tags(tags);
    }
    fixture().runtime.block_on(create.send()).unwrap();
}

#[test]
fn a_new_function_is_printed_once_active() {
    let emulator = &fixture().emulator;
    create(emulator, "fresh", Vec::new());
    let (output, stdout, stderr) =
        run(scf(emulator, &["wait-function", "--function-name", "fresh"]).args(FAST));
    assert_eq!(code(&output), 0, "{stderr}");
    let function = json_of(&stdout);
    assert_eq!(function["FunctionName"], "fresh", "{stdout}");
    assert_eq!(function["Status"], "Active", "{stdout}");
    // As `scf get-function` prints it: every member of the response, in the spec's order.
    let (_, get, _) = run(&mut scf(
        emulator,
        &["get-function", "--function-name", "fresh"],
    ));
    let keys = |value: &Value| {
        value
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&function), keys(&json_of(&get)));
    assert!(
        stderr.contains("waiting for function fresh: Creating"),
        "{stderr}"
    );

    // tccli's spellings, the namespace and the version, and a filter.
    let (output, stdout, stderr) = run(scf(
        emulator,
        &[
            "--filter",
            "Status",
            "wait-function",
            "--FunctionName",
            "fresh",
            "--Namespace",
            "default",
            "--Qualifier",
            "$LATEST",
        ],
    )
    .args(FAST));
    assert_eq!(code(&output), 0, "{stderr}");
    assert_eq!(stdout.trim(), "\"Active\"");
}

#[test]
fn a_failed_function_exits_with_the_api_code_naming_its_status_and_reason() {
    let emulator = &fixture().emulator;
    create(
        emulator,
        "broken",
        vec![
            Tag::default()
                .key("scf-emulator/status")
                .value("CreateFailed"),
        ],
    );
    let (output, stdout, stderr) =
        run(scf(emulator, &["wait-function", "--function-name", "broken"]).args(FAST));
    assert_eq!(code(&output), 3, "{stderr}");
    let function = json_of(&stdout);
    assert_eq!(function["Status"], "CreateFailed", "{stdout}");
    let reason = function["StatusReasons"][0]["ErrorMessage"]
        .as_str()
        .unwrap();
    assert!(!reason.is_empty(), "{stdout}");
    let error = stderr.lines().last().unwrap();
    for part in [
        "error: function broken ended CreateFailed",
        reason,
        "RequestId",
    ] {
        assert!(error.contains(part), "{part:?} not in {stderr}");
    }
}

#[test]
fn a_missing_function_exits_with_the_api_code() {
    let emulator = &fixture().emulator;
    let (output, stdout, stderr) = run(scf(
        emulator,
        &["wait-function", "--function-name", "no-such-function"],
    )
    .args(FAST));
    assert_eq!(code(&output), 3, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    for part in ["no-such-function", "ResourceNotFound.Function"] {
        assert!(stderr.contains(part), "{part:?} not in {stderr}");
    }
}

#[test]
fn a_function_still_creating_at_max_wait_exits_with_the_timeout_code() {
    // On a clock that never moves, a new function stays Creating.
    let stopped = Emulator::builder().clock(ManualClock::starting_now());
    let emulator = fixture().runtime.block_on(start(stopped));
    create(&emulator, "frozen", Vec::new());
    let (output, stdout, stderr) = run(scf(
        &emulator,
        &[
            "wait-function",
            "--function-name",
            "frozen",
            "--max-wait",
            "1",
        ],
    )
    .args(FAST));
    assert_eq!(code(&output), 12, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("function frozen was still Creating after"),
        "{stderr}"
    );
}

#[test]
fn the_help_shows_an_example_and_the_polling_flags() {
    let (output, stdout, _) =
        run(Command::new(env!("CARGO_BIN_EXE_scf")).args(["wait-function", "--help"]));
    assert_eq!(code(&output), 0);
    for part in [
        "Example",
        "--function-name",
        "--qualifier",
        "--namespace",
        "--max-wait",
        "--min-delay-ms",
    ] {
        assert!(stdout.contains(part), "{part:?} not in {stdout}");
    }
    let (_, stdout, _) = run(Command::new(env!("CARGO_BIN_EXE_scf")).arg("--help"));
    assert!(stdout.contains("wait-function"), "{stdout}");
}
