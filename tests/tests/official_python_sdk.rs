//! The official Tencent Cloud Python SDK (`tencentcloud-sdk-python-common` and `-scf`, pinned) against the
//! emulator, through the SDK's own client.
//!
//! It needs the SDK installed: `cargo xtask python-sdk` puts it in a virtual environment under `target/`,
//! and `cargo xtask ci` does that and then runs this test. `SCF_PYTHON` picks another interpreter.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::path::PathBuf;
use std::process::Command;

use scf_emulator::{Config, CredentialConfig, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator};

fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("SCF_PYTHON") {
        return PathBuf::from(python);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/python-sdk/bin/python");
    assert!(
        venv.exists(),
        "the official Python SDK is not installed: run `cargo xtask python-sdk` (or set SCF_PYTHON)"
    );
    venv
}

#[test]
#[ignore = "needs the official Python SDK; `cargo xtask ci` installs it and runs this test"]
fn the_official_python_sdk_works_unchanged() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    config.credentials.push(CredentialConfig {
        token: Some("python-session-token".into()),
        ..CredentialConfig::new("AKIDpythontemporary", "python-temporary-key")
    });
    let emulator = runtime
        .block_on(Emulator::builder().config(config).start())
        .unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/sdk_interop.py");
    let output = Command::new(python())
        .arg(script)
        .env("SCF_ENDPOINT", emulator.endpoint())
        .env("SCF_SECRET_ID", DEMO_SECRET_ID)
        .env("SCF_SECRET_KEY", DEMO_SECRET_KEY)
        .env("SCF_TMP_SECRET_ID", "AKIDpythontemporary")
        .env("SCF_TMP_SECRET_KEY", "python-temporary-key")
        .env("SCF_TMP_TOKEN", "python-session-token")
        .output()
        .unwrap();
    assert_script_passed(&output, &String::from_utf8_lossy(&output.stdout));
}

/// The script exited 0 and printed its count of passed checks.
fn assert_script_passed(output: &std::process::Output, stdout: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
}

/// The `scf-emulator` binary of this build, beside this test's own directory.
fn emulator_binary() -> PathBuf {
    if let Some(binary) = std::env::var_os("SCF_EMULATOR_BIN") {
        return PathBuf::from(binary);
    }
    let exe = std::env::current_exe().unwrap();
    let binary = exe.parent().unwrap().parent().unwrap().join("scf-emulator");
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build -p scf-emulator` (or set SCF_EMULATOR_BIN)",
        binary.display()
    );
    binary
}

/// The emulator binary serving `state_dir`, and the endpoint it printed.
fn spawn_emulator(state_dir: &std::path::Path) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(emulator_binary())
        .args(["--listen", "127.0.0.1:0", "--state-dir"])
        .arg(state_dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    // The rest of the banner and the stop message still need somewhere to go.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = first
        .trim()
        .strip_prefix("SCF emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected banner: {first}"))
        .to_owned();
    (child, url.trim_start_matches("http://").to_owned())
}

#[test]
#[ignore = "needs the official Python SDK; `cargo xtask ci` installs it and runs this test"]
fn a_whole_deployment_through_the_official_python_sdk() {
    use std::io::{BufRead, BufReader, Write};
    let state_dir = std::env::temp_dir().join(format!("scf-deployment-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state_dir);
    let (mut emulator, endpoint) = spawn_emulator(&state_dir);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/sdk_deployment.py");
    let mut python = Command::new(python())
        .arg(script)
        .env("SCF_ENDPOINT", endpoint)
        .env("SCF_SECRET_ID", DEMO_SECRET_ID)
        .env("SCF_SECRET_KEY", DEMO_SECRET_KEY)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = python.stdin.take().unwrap();
    let mut printed = Vec::new();
    for line in BufReader::new(python.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line == "RESTART" {
            // SIGKILL: the emulator gets no chance to flush anything it had not committed.
            emulator.kill().unwrap();
            emulator.wait().unwrap();
            let (restarted, endpoint) = spawn_emulator(&state_dir);
            emulator = restarted;
            writeln!(stdin, "{endpoint}").unwrap();
        }
        printed.push(line);
    }
    let output = python.wait_with_output().unwrap();
    let _ = emulator.kill();
    let _ = emulator.wait();
    let _ = std::fs::remove_dir_all(&state_dir);
    assert_script_passed(&output, &printed.join("\n"));
}
