//! The official Tencent Cloud Python SDK, pinned, in a virtual environment under `target/`.

use std::path::PathBuf;
use std::process::Command;

/// The SDK versions the interoperability test runs against (the versions the protocol spec cites).
const REQUIREMENTS: &str =
    "tencentcloud-sdk-python-common==3.1.195\ntencentcloud-sdk-python-scf==3.1.100\n";

/// The virtual environment's directory.
pub(crate) fn venv() -> PathBuf {
    crate::workspace_root().join("target/python-sdk")
}

/// The interpreter of the virtual environment.
pub(crate) fn python() -> PathBuf {
    venv().join("bin/python")
}

/// Creates the environment and installs the pinned SDK, unless it is already there.
pub(crate) fn install() -> Result<(), String> {
    let venv = venv();
    let marker = venv.join("requirements.txt");
    if python().exists() && std::fs::read_to_string(&marker).is_ok_and(|text| text == REQUIREMENTS)
    {
        println!(
            "official Python SDK already installed in {}",
            venv.display()
        );
        return Ok(());
    }
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
        "install the official Python SDK from PyPI",
    )?;
    println!("official Python SDK installed in {}", venv.display());
    Ok(())
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
