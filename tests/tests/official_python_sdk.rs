//! The official Tencent Cloud Python SDK (`tencentcloud-sdk-python-common` and `-scf`, pinned) against the
//! emulator, through the SDK's own client.
//!
//! It needs the SDK installed: `cargo xtask python-sdk` puts it in a virtual environment under `target/`,
//! and `cargo xtask ci` does that and then runs this test. `SCF_PYTHON` picks another interpreter.

#![allow(clippy::unwrap_used)]

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
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
}
