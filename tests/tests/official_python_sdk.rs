//! The official Tencent Cloud Python SDK (`tencentcloud-sdk-python-common` and `-scf`, pinned) against the
//! emulator, through the SDK's own client: in process, then the emulator binary through a whole deployment
//! and, with `--run-code`, each runtime kind running its own code.
//!
//! It needs the SDK installed: `cargo xtask python-sdk` puts it in a virtual environment under `target/`,
//! and `cargo xtask ci` does that and then runs this test. `SCF_PYTHON` picks another interpreter.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::path::PathBuf;
use std::process::Command;

use scf_emulator::{Config, CredentialConfig, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator};

#[path = "support/emulator_process.rs"]
mod emulator_process;

use emulator_process::EmulatorProcess;

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

#[test]
#[ignore = "needs the official Python SDK; `cargo xtask ci` installs it and runs this test"]
fn a_whole_deployment_through_the_official_python_sdk() {
    use std::io::{BufRead, BufReader, Write};
    let state_dir = std::env::temp_dir().join(format!("scf-deployment-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state_dir);
    let mut emulator = EmulatorProcess::start(&state_dir, &[]);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/sdk_deployment.py");
    let mut python = Command::new(python())
        .arg(script)
        .env("SCF_ENDPOINT", emulator.endpoint())
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
            emulator.kill();
            emulator = EmulatorProcess::start(&state_dir, &[]);
            writeln!(stdin, "{}", emulator.endpoint()).unwrap();
        }
        printed.push(line);
    }
    let output = python.wait_with_output().unwrap();
    drop(emulator);
    let _ = std::fs::remove_dir_all(&state_dir);
    assert_script_passed(&output, &printed.join("\n"));
}

/// Long enough for a loaded machine, and never reached when stopping works.
#[cfg(unix)]
const INSTANCE_END_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

#[test]
#[cfg(unix)]
#[ignore = "needs the official Python SDK; `cargo xtask ci` installs it and runs this test"]
fn each_runtime_kind_runs_its_own_code_through_the_official_python_sdk() {
    use std::io::{BufRead, BufReader};
    // Declared first, so it is removed after the emulator has stopped, even when the test fails.
    let state_dir = tempfile::tempdir().unwrap();
    let emulator = EmulatorProcess::start(state_dir.path(), &["--run-code"]);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/sdk_run_code.py");
    let mut python = Command::new(python())
        .arg(script)
        .env("SCF_ENDPOINT", emulator.endpoint())
        .env("SCF_SECRET_ID", DEMO_SECRET_ID)
        .env("SCF_SECRET_KEY", DEMO_SECRET_KEY)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut printed = Vec::new();
    for line in BufReader::new(python.stdout.take().unwrap()).lines() {
        printed.push(line.unwrap());
    }
    let output = python.wait_with_output().unwrap();
    assert_script_passed(&output, &printed.join("\n"));

    // The warm instances the script named are alive until the emulator stops, and end with it.
    let instances: Vec<u32> = printed
        .iter()
        .filter_map(|line| line.strip_prefix("INSTANCE "))
        .map(|pid| pid.parse().unwrap())
        .collect();
    assert!(!instances.is_empty(), "the script named no instance");
    for &pid in &instances {
        assert!(
            !emulator_process::process_has_ended(pid),
            "instance {pid} ended before the emulator stopped"
        );
    }
    let status = emulator.stop();
    assert!(status.success(), "the emulator stopped with {status}");
    let deadline = std::time::Instant::now() + INSTANCE_END_DEADLINE;
    for pid in instances {
        assert!(
            emulator_process::wait_for_process_end(pid, deadline),
            "instance {pid} outlived the emulator"
        );
    }
}
