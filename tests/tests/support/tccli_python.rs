//! The interpreter of the pinned tccli that `cargo xtask tccli` installs.

use std::path::{Path, PathBuf};

/// `SCF_TCCLI_PYTHON`, else the virtual environment under `target/tccli`.
pub(crate) fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("SCF_TCCLI_PYTHON") {
        return PathBuf::from(python);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tccli/venv/bin/python");
    assert!(
        venv.exists(),
        "tccli is not installed: run `cargo xtask tccli` (or set SCF_TCCLI_PYTHON)"
    );
    venv
}
