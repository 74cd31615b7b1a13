//! The proof that the generator is not SCF's: every service of a tccli `services` tree generated in memory
//! without a panic or a name left colliding, and a sample of different shapes compiled.

use std::collections::BTreeSet;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::model::Stats;
use super::{File, load, model_sources, spec};

/// The services compiled, each for a shape the others lack: SCF and STS themselves, a large service
/// (cvm), snake_case collisions (dnspod: `DnsFormat`/`DNSFormat`; cdwch: `RequestId`/`RequestID`) and a
/// self-recursive object (cls: `EscalateNoticeInfo`).
const SAMPLE: &[(&str, &str)] = &[
    ("scf", "v20180416"),
    ("sts", "v20180813"),
    ("cvm", "v20170312"),
    ("dnspod", "v20210323"),
    ("cdwch", "v20200915"),
    ("cls", "v20201016"),
];

/// What the check found.
pub(crate) struct Report {
    specs: usize,
    services: usize,
    actions: usize,
    types: usize,
    files: usize,
    bytes: usize,
    stats: Stats,
    seconds: f64,
    sample: Vec<String>,
}

impl Report {
    pub(crate) fn print(&self) {
        let s = &self.stats;
        println!(
            "codegen --all-services: {} services ({} api.json), {} actions, {} types, {} files ({:.1} MB) in {:.1} s",
            self.services,
            self.specs,
            self.actions,
            self.types,
            self.files,
            self.bytes as f64 / 1e6,
            self.seconds
        );
        println!(
            "  collisions resolved: {} ({} snake_case fields, {} type names, {} modules, statics or error variants); types renamed: {}; boxes added: {}; keywords escaped: {}",
            s.collisions(),
            s.field_collisions,
            s.type_collisions,
            s.other_collisions,
            s.renamed_types,
            s.boxes,
            s.keywords
        );
        for line in &s.resolved {
            println!("    {line}");
        }
        println!(
            "  sample compiled with clippy -D warnings and documented: {}",
            self.sample.join(", ")
        );
    }
}

/// Generates every `<service>/<version>/api.json` under `dir`, then compiles the sample.
pub(crate) fn run(dir: &Path) -> Result<Report, String> {
    let root = crate::workspace_root();
    let overrides = spec::read_overrides(&root.join("spec/overrides.toml"))?;
    let common = spec::read_error_codes(&root.join("spec/common/errorcodes.json"))?;
    let specs = find_specs(dir)?;
    if specs.is_empty() {
        return Err(format!(
            "{} holds no <service>/<version>/api.json",
            dir.display()
        ));
    }
    let started = Instant::now();
    let mut report = Report {
        specs: specs.len(),
        services: specs
            .iter()
            .map(|(service, _)| service)
            .collect::<BTreeSet<_>>()
            .len(),
        actions: 0,
        types: 0,
        files: 0,
        bytes: 0,
        stats: Stats::default(),
        seconds: 0.0,
        sample: Vec::new(),
    };
    let mut sample_sources = Vec::new();
    let mut sample_stats = Stats::default();
    for (service, version) in &specs {
        let label = format!("tccli/services/{service}/{version}/api.json");
        let generated = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let resolved = load(dir, service, version, label, &common, &overrides)?;
            let files = model_sources(&resolved)?;
            Ok::<_, String>((resolved, files))
        }));
        let (resolved, files) = match generated {
            Ok(Ok(generated)) => generated,
            Ok(Err(e)) => return Err(format!("{service} {version}: {e}")),
            Err(_) => return Err(format!("generating {service} {version} panicked")),
        };
        report.actions += resolved.actions.len();
        report.types += resolved.objects.len() + resolved.enums.len();
        report.files += files.len();
        report.bytes += files.iter().map(|f| f.text.len()).sum::<usize>();
        report.stats.add(&resolved.stats);
        if SAMPLE.contains(&(service.as_str(), version.as_str())) {
            sample_stats.add(&resolved.stats);
            sample_sources.push((service.clone(), version.clone(), files));
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    if sample_sources.len() != SAMPLE.len() {
        return Err(format!(
            "{} lacks some of the sample services {SAMPLE:?}",
            dir.display()
        ));
    }
    if sample_stats.field_collisions == 0 || sample_stats.boxes == 0 || sample_stats.keywords == 0 {
        return Err(
            "the sample no longer has a field collision, a boxed type and a keyword".to_owned(),
        );
    }
    compile_sample(&root, &sample_sources)?;
    report.sample = sample_sources
        .iter()
        .map(|(service, version, _)| format!("{service} {version}"))
        .collect();
    Ok(report)
}

/// `(service, version)` of every `<service>/<version>/api.json` under `dir`, sorted.
fn find_specs(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let list = |path: &Path| -> Result<Vec<PathBuf>, String> {
        let entries =
            std::fs::read_dir(path).map_err(|e| format!("cannot list {}: {e}", path.display()))?;
        let mut dirs = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
                .path();
            if path.is_dir() {
                dirs.push(path);
            }
        }
        Ok(dirs)
    };
    let name = |path: &Path| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut specs = Vec::new();
    for service in list(dir)? {
        for version in list(&service)? {
            if version.join("api.json").is_file() {
                specs.push((name(&service), name(&version)));
            }
        }
    }
    specs.sort();
    Ok(specs)
}

/// Writes the sample as modules of a throwaway crate under `target/` and runs clippy and rustdoc on it,
/// offline, with the workspace's lock file, so nothing new is downloaded.
fn compile_sample(root: &Path, sources: &[(String, String, Vec<File>)]) -> Result<(), String> {
    let crate_dir = root.join("target/codegen-sample");
    let src = crate_dir.join("src");
    if src.exists() {
        std::fs::remove_dir_all(&src)
            .map_err(|e| format!("cannot clear {}: {e}", src.display()))?;
    }
    let write = |path: &Path, text: &str| -> Result<(), String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let manifest = format!(
        "[package]\nname = \"codegen-sample\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\ntc-api = {{ path = {:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\n\
         # Not a member of the project's workspace.\n[workspace]\n",
        root.join("crates/tc-api").display().to_string()
    );
    write(&crate_dir.join("Cargo.toml"), &manifest)?;
    std::fs::copy(root.join("Cargo.lock"), crate_dir.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy the workspace's Cargo.lock: {e}"))?;
    let mut lib = String::from(
        "//! Generated models of a sample of tccli's services, compiled by `cargo xtask codegen --all-services`.\n\
         #![deny(warnings, missing_docs, unreachable_pub)]\n",
    );
    for (service, version, files) in sources {
        lib.push_str(&format!(
            "\n/// The `{service}` {version} model.\npub mod {service};\n"
        ));
        for file in files {
            write(&src.join(service).join(&file.path), &file.text)?;
        }
    }
    write(&src.join("lib.rs"), &lib)?;
    let manifest = crate_dir.join("Cargo.toml").to_string_lossy().into_owned();
    let target = crate_dir.join("target").to_string_lossy().into_owned();
    let sample = [
        "--manifest-path",
        &manifest,
        "--target-dir",
        &target,
        "--offline",
        "--quiet",
    ];
    let clippy = [&["clippy", "--lib"], &sample[..], &["--", "-D", "warnings"]].concat();
    crate::cargo(&clippy, &[])
        .map_err(|e| format!("the generated sample does not pass clippy: {e}"))?;
    let doc = [&["doc", "--no-deps", "--lib"], &sample[..]].concat();
    crate::cargo(&doc, &[("RUSTDOCFLAGS", "-D warnings")])
        .map_err(|e| format!("the generated sample is not documented cleanly: {e}"))
}
