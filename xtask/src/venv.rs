//! A Python virtual environment under `target/` holding pinned packages from PyPI, installed once and again
//! only when the pins change.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// Pinned packages in a virtual environment of their own.
pub(crate) struct Venv {
    /// The directory under `target/`.
    pub(crate) dir: &'static str,
    /// What is installed, for messages (`tccli`).
    pub(crate) what: &'static str,
    /// The requirements file's text: one `package==version` per line.
    pub(crate) requirements: String,
}

impl Venv {
    fn root(&self) -> PathBuf {
        crate::workspace_root().join("target").join(self.dir)
    }

    /// The environment's interpreter.
    pub(crate) fn python(&self) -> PathBuf {
        self.root().join("bin/python")
    }

    /// Creates the environment and installs the pinned packages, unless they are already there.
    pub(crate) fn install(&self) -> Result<(), String> {
        let root = self.root();
        let marker = root.join("requirements.txt");
        let installed =
            std::fs::read_to_string(&marker).is_ok_and(|text| text == self.requirements);
        if self.python().exists() && installed {
            println!("{} already installed in {}", self.what, root.display());
            return Ok(());
        }
        let started = Instant::now();
        run(
            Command::new("python3").args(["-m", "venv"]).arg(&root),
            "create the virtual environment",
        )?;
        std::fs::write(&marker, &self.requirements)
            .map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
        run(
            Command::new(self.python())
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                ])
                .arg(&marker),
            &format!("install {} from PyPI", self.what),
        )?;
        println!(
            "{} installed in {} in {:.0} s",
            self.what,
            root.display(),
            started.elapsed().as_secs_f64()
        );
        Ok(())
    }
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
