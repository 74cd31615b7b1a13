//! The official Tencent Cloud Python SDK, pinned, in a virtual environment under `target/`.

use std::path::PathBuf;

use crate::venv::Venv;

/// The SDK the interoperability test runs against (the versions the protocol spec cites).
fn venv() -> Venv {
    Venv {
        dir: "python-sdk",
        what: "the official Python SDK",
        requirements:
            "tencentcloud-sdk-python-common==3.1.195\ntencentcloud-sdk-python-scf==3.1.100\n"
                .to_owned(),
    }
}

/// The interpreter of the virtual environment.
pub(crate) fn python() -> PathBuf {
    venv().python()
}

/// Creates the environment and installs the pinned SDK, unless it is already there.
pub(crate) fn install() -> Result<(), String> {
    venv().install()
}
