//! tccli's spec tree for the all-services check: the wheel pinned in `spec/PROVENANCE.toml`, fetched and
//! verified like the vendored spec's (`crate::spec`), with its services' `api.json` files unpacked under
//! `target/`.

use std::io::Read;
use std::path::PathBuf;

use crate::spec;

/// The `tccli/services` directory of the pinned wheel, fetched and unpacked unless it already is.
pub(crate) fn services_tree() -> Result<PathBuf, String> {
    let pinned = spec::pinned_packages()?;
    let pin = pinned
        .iter()
        .find(|p| p.name == spec::TCCLI)
        .ok_or("spec/PROVENANCE.toml pins no tccli wheel")?;
    let dir = crate::workspace_root()
        .join("target/tccli")
        .join(&pin.version);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let package = spec::download(spec::TCCLI, Some(pin), &dir)?;
    let services = dir.join("tccli/services");
    let marker = dir.join("extracted.sha256");
    if std::fs::read_to_string(&marker).is_ok_and(|sha| sha == package.sha256) {
        return Ok(services);
    }
    let mut wheel = spec::open_wheel(&dir.join(&package.wheel))?;
    let mut unpacked = 0;
    for index in 0..wheel.len() {
        let mut entry = wheel
            .by_index(index)
            .map_err(|e| format!("{}: {e}", package.wheel))?;
        // Only the services' api.json files are read, and only names of that shape are written.
        let Some(name) = entry.enclosed_name() else {
            continue;
        };
        if !(name.starts_with("tccli/services") && name.ends_with("api.json")) {
            continue;
        }
        let mut text = Vec::new();
        entry
            .read_to_end(&mut text)
            .map_err(|e| format!("{}: {e}", name.display()))?;
        let path = dir.join(&name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        unpacked += 1;
    }
    std::fs::write(&marker, &package.sha256)
        .map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    println!("unpacked {unpacked} api.json files of {}", package.wheel);
    Ok(services)
}
