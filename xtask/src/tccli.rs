//! tccli, pinned, in a virtual environment under `target/`, and the test that holds `scf` to it.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// The tccli the parity test compares `scf` with. tccli imports every service at start, so it needs the
/// whole Python SDK, not only SCF's.
const REQUIREMENTS: &str = "tccli==3.1.189.1\ntencentcloud-sdk-python==3.1.189\n";

/// The virtual environment's directory, beside the wheel `cargo xtask codegen` unpacks into `target/tccli`.
fn venv() -> PathBuf {
    crate::workspace_root().join("target/tccli/venv")
}

/// The interpreter of the virtual environment.
fn python() -> PathBuf {
    venv().join("bin/python")
}

/// Creates the environment and installs the pinned tccli, unless it is already there.
pub(crate) fn install() -> Result<(), String> {
    let venv = venv();
    let marker = venv.join("requirements.txt");
    if python().exists() && std::fs::read_to_string(&marker).is_ok_and(|text| text == REQUIREMENTS)
    {
        println!("tccli already installed in {}", venv.display());
        return Ok(());
    }
    let started = Instant::now();
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "create the virtual environment",
    )?;
    std::fs::write(&marker, REQUIREMENTS)
        .map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    run(
        Command::new(python())
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&marker),
        "install tccli from PyPI",
    )?;
    println!(
        "tccli installed in {} in {:.0} s",
        venv.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Installs tccli, builds `scf`, and runs the parity test against both.
pub(crate) fn check() -> Result<(), String> {
    install()?;
    crate::cargo(&["build", "-p", "scf-cli"], &[])?;
    let python = python();
    crate::cargo(
        &[
            "test",
            "-p",
            "scf-tests",
            "--test",
            "tccli_parity",
            "--",
            "--ignored",
        ],
        &[("SCF_TCCLI_PYTHON", python.to_str().unwrap_or("python3"))],
    )
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cannot {what}: {status}"))
    }
}
