//! `cargo xtask spec`: refreshes the vendored spec under `spec/` from PyPI.
//!
//! The services vendored are the `spec/<service>/<version>/` directories already there. For each, tccli's
//! wheel gives `api.json` and `examples.json`, and the service's Python SDK wheel gives `errorcodes.py`,
//! turned into `errorcodes.json`. `spec/PROVENANCE.toml` records every wheel and file with its sha256, and
//! `spec/LICENSE` is tccli's. Without `--latest` the versions pinned in PROVENANCE.toml are fetched again and
//! their sha256 checked, so the command reproduces the committed files; with it, PyPI's newest versions are
//! vendored. Nothing downloads at build time: only this command and the CI's all-services check use PyPI.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The package that ships every service's api.json and examples.json.
const TCCLI: &str = "tccli";

/// What PROVENANCE.toml says about one wheel.
#[derive(Debug, Deserialize)]
pub(crate) struct Package {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) wheel: String,
    pub(crate) sha256: String,
}

#[derive(Debug, Deserialize)]
struct Provenance {
    package: Vec<Package>,
}

/// A vendored service: `spec/<service>/<version>`.
struct Service {
    name: String,
    version: String,
}

/// Runs the command with its arguments (`--latest` or nothing).
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let latest = match args {
        [] => false,
        [flag] if flag == "--latest" => true,
        _ => return Err("usage: cargo xtask spec [--latest]".to_owned()),
    };
    let spec = spec_dir();
    let services = vendored_services(&spec)?;
    let pinned = pinned_packages()?;
    let wheels_dir = crate::workspace_root().join("target/spec-wheels");
    std::fs::create_dir_all(&wheels_dir)
        .map_err(|e| format!("cannot create {}: {e}", wheels_dir.display()))?;

    let mut names = vec![TCCLI.to_owned()];
    names.extend(services.iter().map(|s| sdk_package(&s.name)));
    let mut packages = Vec::new();
    for name in &names {
        let pin = if latest {
            None
        } else {
            Some(
                pinned
                    .iter()
                    .find(|p| &p.name == name)
                    .ok_or_else(|| format!("{name} is not in spec/PROVENANCE.toml"))?,
            )
        };
        packages.push(download(name, pin, &wheels_dir)?);
    }

    let mut tccli = open_wheel(&wheels_dir.join(&packages[0].wheel))?;
    let mut files = BTreeMap::new();
    for (service, sdk) in services.iter().zip(&packages[1..]) {
        let dir = format!("{}/{}", service.name, service.version);
        for file in ["api.json", "examples.json"] {
            let from = format!("tccli/services/{dir}/{file}");
            let text = read_entry(&mut tccli, &from)?;
            files.insert(format!("{dir}/{file}"), (format!("{TCCLI}:{from}"), text));
        }
        let mut sdk_wheel = open_wheel(&wheels_dir.join(&sdk.wheel))?;
        let from = format!("tencentcloud/{dir}/errorcodes.py");
        let codes = error_codes_json(&read_entry(&mut sdk_wheel, &from)?)?;
        files.insert(
            format!("{dir}/errorcodes.json"),
            (format!("{}:{from}", sdk.name), codes),
        );
    }
    let license = tccli_license(&mut tccli, &packages[0])?;

    for (path, (_, text)) in &files {
        write(&spec.join(path), text)?;
    }
    write(&spec.join("LICENSE"), &license)?;
    write(
        &spec.join("PROVENANCE.toml"),
        &provenance(&packages, &files),
    )?;
    println!(
        "spec: {} files from {}",
        files.len(),
        packages
            .iter()
            .map(|p| format!("{} {}", p.name, p.version))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// The vendored spec's directory.
pub(crate) fn spec_dir() -> PathBuf {
    crate::workspace_root().join("spec")
}

/// The wheels pinned in `spec/PROVENANCE.toml`.
pub(crate) fn pinned_packages() -> Result<Vec<Package>, String> {
    let path = spec_dir().join("PROVENANCE.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let provenance: Provenance =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(provenance.package)
}

/// Downloads one wheel with pip, at its pinned version (then checks its sha256) or the newest.
pub(crate) fn download(name: &str, pin: Option<&Package>, dir: &Path) -> Result<Package, String> {
    let requirement = match pin {
        Some(pin) => format!("{name}=={}", pin.version),
        None => name.to_owned(),
    };
    let cached = pin.map(|pin| dir.join(&pin.wheel)).filter(|p| p.exists());
    if cached.is_none() {
        let status = Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(["--no-deps", "--only-binary=:all:", "--dest"])
            .arg(dir)
            .arg(&requirement)
            .status()
            .map_err(|e| format!("cannot run pip: {e}"))?;
        if !status.success() {
            return Err(format!("pip could not download {requirement} ({status})"));
        }
    }
    let wheel = match pin {
        Some(pin) => pin.wheel.clone(),
        None => newest_wheel(name, dir)?,
    };
    let bytes = std::fs::read(dir.join(&wheel)).map_err(|e| format!("cannot read {wheel}: {e}"))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    if let Some(pin) = pin
        && pin.sha256 != sha256
    {
        return Err(format!(
            "{wheel} has sha256 {sha256}, but spec/PROVENANCE.toml pins {}",
            pin.sha256
        ));
    }
    let version = wheel
        .split('-')
        .nth(1)
        .ok_or_else(|| format!("{wheel} is not a wheel's name"))?
        .to_owned();
    Ok(Package {
        name: name.to_owned(),
        version,
        wheel,
        sha256,
    })
}

/// The wheel of `name` with the highest version in `dir`, after pip put the newest one there.
fn newest_wheel(name: &str, dir: &Path) -> Result<String, String> {
    let prefix = format!("{}-", name.replace('-', "_"));
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|file| file.starts_with(&prefix) && file.ends_with(".whl"))
        .max_by_key(|file| version_key(file.split('-').nth(1).unwrap_or_default()))
        .ok_or_else(|| format!("no wheel of {name} in {}", dir.display()))
}

fn version_key(version: &str) -> Vec<u64> {
    version
        .split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

/// The Python SDK package that ships `service`'s error codes.
fn sdk_package(service: &str) -> String {
    format!("tencentcloud-sdk-python-{service}")
}

fn vendored_services(spec: &Path) -> Result<Vec<Service>, String> {
    let mut services = Vec::new();
    for service in subdirectories(spec)? {
        for version in subdirectories(&spec.join(&service))? {
            if version.starts_with('v') {
                services.push(Service {
                    name: service.clone(),
                    version,
                });
            }
        }
    }
    Ok(services)
}

fn subdirectories(dir: &Path) -> Result<Vec<String>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    Ok(names)
}

type Wheel = zip::ZipArchive<std::fs::File>;

pub(crate) fn open_wheel(path: &Path) -> Result<Wheel, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    zip::ZipArchive::new(file).map_err(|e| format!("{} is not a wheel: {e}", path.display()))
}

/// One file of a wheel as text.
pub(crate) fn read_entry(wheel: &mut Wheel, name: &str) -> Result<String, String> {
    let mut entry = wheel
        .by_name(name)
        .map_err(|e| format!("the wheel has no {name}: {e}"))?;
    let mut text = String::new();
    entry
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    Ok(text)
}

fn tccli_license(wheel: &mut Wheel, tccli: &Package) -> Result<String, String> {
    let dist_info = format!("{TCCLI}-{}.dist-info", tccli.version);
    read_entry(wheel, &format!("{dist_info}/licenses/LICENSE"))
        .or_else(|_| read_entry(wheel, &format!("{dist_info}/LICENSE")))
}

/// `errorcodes.py` as JSON: each constant's code with the one-line comment above it.
///
/// The file is a list of `# description` lines, each followed by `NAME = 'Code'`.
pub(crate) fn error_codes_json(python: &str) -> Result<String, String> {
    let mut codes = Vec::new();
    let mut description: Option<&str> = None;
    for line in python.lines() {
        if let Some(comment) = line.strip_prefix("# ") {
            description = Some(comment.trim());
        } else if let Some((name, value)) = line.split_once(" = ") {
            let is_constant = name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            let code = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .filter(|code| is_constant && !code.contains('\''))
                .ok_or_else(|| format!("errorcodes.py: cannot read `{line}`"))?;
            codes.push(serde_json::json!({
                "code": code,
                "description": description.take().unwrap_or_default(),
            }));
        }
    }
    if codes.is_empty() {
        return Err("errorcodes.py lists no codes".to_owned());
    }
    let mut json = serde_json::to_string_pretty(&codes).map_err(|e| e.to_string())?;
    json.push('\n');
    Ok(json)
}

fn provenance(packages: &[Package], files: &BTreeMap<String, (String, String)>) -> String {
    let mut out = String::from(
        "# Where every vendored spec file came from. Written by `cargo xtask spec`; do not edit by hand.\n\
         # The packages are Apache-2.0 (LICENSE beside this file, from the tccli wheel).\n",
    );
    for package in packages {
        let _ = write!(
            out,
            "\n[[package]]\nname = \"{}\"\nversion = \"{}\"\nwheel = \"{}\"\nsha256 = \"{}\"\n",
            package.name, package.version, package.wheel, package.sha256
        );
    }
    for (path, (from, text)) in files {
        let _ = write!(
            out,
            "\n[[file]]\npath = \"{path}\"\nfrom = \"{from}\"\nsha256 = \"{}\"\n",
            hex(&Sha256::digest(text.as_bytes()))
        );
    }
    out
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::error_codes_json;

    #[test]
    fn error_codes_keep_their_description_and_order() {
        let python = "# Copyright header\n#\n\n\n# 操作失败。\nFAILEDOPERATION = 'FailedOperation'\n\n\
                      # 异步事件状态错误。\nFAILEDOPERATION_ASYNCEVENTSTATUS = 'FailedOperation.AsyncEventStatus'\n";
        let json: serde_json::Value =
            serde_json::from_str(&error_codes_json(python).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                {"code": "FailedOperation", "description": "操作失败。"},
                {"code": "FailedOperation.AsyncEventStatus", "description": "异步事件状态错误。"},
            ])
        );
        assert!(error_codes_json("X = 'a' + 'b'\n").is_err());
        assert!(error_codes_json("# nothing\n").is_err());
    }
}
