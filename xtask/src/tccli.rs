//! tccli, pinned, in a virtual environment under `target/`, and the test that holds `scf` to it.

use crate::spec;
use crate::venv::Venv;

/// The tccli the parity test compares `scf` with: the version whose spec is vendored. tccli imports every
/// service at start, so it needs the whole Python SDK, not only SCF's.
fn venv() -> Result<Venv, String> {
    let pinned = spec::pinned_packages()?;
    let tccli = pinned
        .iter()
        .find(|p| p.name == spec::TCCLI)
        .ok_or("spec/PROVENANCE.toml pins no tccli")?;
    Ok(Venv {
        // Beside the wheel `cargo xtask codegen` unpacks into `target/tccli`.
        dir: "tccli/venv",
        what: "tccli",
        requirements: format!(
            "tccli=={}\ntencentcloud-sdk-python==3.1.189\n",
            tccli.version
        ),
    })
}

/// Creates the environment and installs the pinned tccli, unless it is already there.
pub(crate) fn install() -> Result<(), String> {
    venv()?.install()
}

/// Installs tccli, builds `scf` and `scf-emulator`, and runs the parity test against both and tccli against the emulator.
pub(crate) fn check() -> Result<(), String> {
    let venv = venv()?;
    venv.install()?;
    crate::cargo(&["build", "-p", "scf-cli"], &[])?;
    // tccli also drives the emulator binary running a function's code.
    crate::cargo(
        &["build", "-p", "scf-emulator", "--bin", "scf-emulator"],
        &[],
    )?;
    let python = venv.python();
    crate::cargo(
        &[
            "test",
            "-p",
            "scf-tests",
            "--test",
            "tccli_parity",
            "--test",
            "tccli_emulator",
            "--",
            "--ignored",
        ],
        &[("SCF_TCCLI_PYTHON", python.to_str().unwrap_or("python3"))],
    )
}
