//! tccli's spec tree for the all-services check: the wheel pinned in `spec/PROVENANCE.toml`, downloaded
//! with pip into `target/`, verified by its sha256 and unpacked with python3's `zipfile`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Deserialize)]
struct Provenance {
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    wheel: String,
    sha256: String,
}

/// The `tccli/services` directory of the pinned wheel, fetched and unpacked unless it already is.
pub(crate) fn services_tree() -> Result<PathBuf, String> {
    let root = crate::workspace_root();
    let provenance_path = root.join("spec/PROVENANCE.toml");
    let text = std::fs::read_to_string(&provenance_path)
        .map_err(|e| format!("cannot read {}: {e}", provenance_path.display()))?;
    let provenance: Provenance =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", provenance_path.display()))?;
    let package = provenance
        .package
        .into_iter()
        .find(|p| p.name == "tccli")
        .ok_or("spec/PROVENANCE.toml pins no tccli wheel")?;
    let dir = root.join("target/tccli").join(&package.version);
    let wheel = dir.join(&package.wheel);
    if !wheel.exists() {
        download(&package, &dir)?;
    }
    verify(&wheel, &package.sha256)?;
    let services = dir.join("tccli/services");
    let marker = dir.join("extracted.sha256");
    if std::fs::read_to_string(&marker).is_ok_and(|sha| sha == package.sha256) {
        return Ok(services);
    }
    extract(&wheel, &dir)?;
    std::fs::write(&marker, &package.sha256)
        .map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    Ok(services)
}

fn download(package: &Package, dir: &Path) -> Result<(), String> {
    println!("downloading tccli {} from PyPI", package.version);
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--only-binary=:all:",
        ])
        .arg(format!("tccli=={}", package.version))
        .arg("-d")
        .arg(dir)
        .status()
        .map_err(|e| format!("cannot run pip: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "pip could not download tccli {} ({status})",
            package.version
        ))
    }
}

/// Fails unless the file's sha256 is `expected`.
fn verify(path: &Path, expected: &str) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let actual = hex::encode(Sha256::digest(&bytes));
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "{} has sha256 {actual}, PROVENANCE.toml pins {expected}",
            path.display()
        ))
    }
}

/// Unpacks the services' `api.json` files, the only part of the wheel the check reads.
fn extract(wheel: &Path, dir: &Path) -> Result<(), String> {
    const SCRIPT: &str = "import sys, zipfile\n\
        archive = zipfile.ZipFile(sys.argv[1])\n\
        names = [n for n in archive.namelist() if n.startswith('tccli/services/') and n.endswith('/api.json')]\n\
        archive.extractall(sys.argv[2], names)\n\
        print(len(names))\n";
    let output = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(wheel)
        .arg(dir)
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cannot unpack {}: {}",
            wheel.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    println!(
        "unpacked {} api.json files of {}",
        String::from_utf8_lossy(&output.stdout).trim(),
        wheel.display()
    );
    Ok(())
}
