//! `cargo xtask bench`: every benchmark in release mode, gathered into one table of same-run ratios,
//! printed and written to `target/bench-report.md`.
//!
//! The benchmarks print their rows as `@report` lines when `SCF_BENCH_REPORT` is set (see the
//! `bench-support` crate); this task adds what only the finished product shows: the CLI's start-up
//! time and size, a clean build's duration, and `cargo tree -d`. A row whose tool is missing says so.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::python_sdk;

const REPORT_PREFIX: &str = "@report\t";
/// Runs of `scf --version` and of the baseline process whose medians are compared.
const STARTUP_RUNS: usize = 41;
/// The last commit before the model was generated from the spec (issue 13): the baseline of the clean
/// build's budget, built in the same run.
const BUILD_BASELINE_COMMIT: &str = "621d1da0324ca202c7c1dd06d406c5fe10ba7682";
/// The budgets of issue 13: start-up, stripped size (bytes), and the clean build against the baseline.
/// Since issue 14 they hold for the lean client (`--no-default-features`): the default binary embeds a
/// stateful emulator with SQLite, which the issues that followed asked for, and has budgets of its own.
const STARTUP_BUDGET_MS: f64 = 5.0;
const SIZE_BUDGET_BYTES: u64 = 8_000_000;
const BUILD_BUDGET_RATIO: f64 = 1.3;
/// The default binary's budgets: SQLite's C alone is about 1.2 MB and most of a minute of build.
const EMULATOR_SIZE_BUDGET_BYTES: u64 = 12_000_000;
const EMULATOR_BUILD_BUDGET_RATIO: f64 = 2.0;

/// The two builds of the CLI that are measured.
#[derive(Clone, Copy)]
enum Build {
    /// Default features: the embedded emulator included.
    Default,
    /// `--no-default-features`: the client alone.
    Lean,
}

impl Build {
    fn label(self) -> &'static str {
        match self {
            Self::Default => "`scf` (default features, embedded emulator)",
            Self::Lean => "lean `scf` (`--no-default-features`)",
        }
    }

    fn cargo_args(self) -> &'static [&'static str] {
        match self {
            Self::Default => &[],
            Self::Lean => &["--no-default-features"],
        }
    }

    fn size_budget(self) -> u64 {
        match self {
            Self::Default => EMULATOR_SIZE_BUDGET_BYTES,
            Self::Lean => SIZE_BUDGET_BYTES,
        }
    }

    fn build_budget(self) -> f64 {
        match self {
            Self::Default => EMULATOR_BUILD_BUDGET_RATIO,
            Self::Lean => BUILD_BUDGET_RATIO,
        }
    }

    fn directory(self) -> &'static str {
        match self {
            Self::Default => "clean-build",
            Self::Lean => "clean-build-lean",
        }
    }
}

struct Row {
    area: String,
    measurement: String,
    value: String,
    baseline: String,
    ratio: String,
    target: String,
}

impl Row {
    fn new(area: &str, measurement: &str, value: String) -> Self {
        Self {
            area: area.to_owned(),
            measurement: measurement.to_owned(),
            value,
            baseline: String::new(),
            ratio: String::new(),
            target: String::new(),
        }
    }

    fn parse(line: &str) -> Option<Self> {
        let mut fields = line.strip_prefix(REPORT_PREFIX)?.split('\t');
        let mut next = || fields.next().unwrap_or_default().to_owned();
        Some(Self {
            area: next(),
            measurement: next(),
            value: next(),
            baseline: next(),
            ratio: next(),
            target: next(),
        })
    }
}

pub(crate) fn run() -> Result<(), String> {
    let started = Instant::now();
    let mut rows = Vec::new();
    // The Python row needs the SDK; without it (no network, say) the row says why instead.
    if let Err(reason) = python_sdk::install() {
        println!("the official Python SDK is unavailable: {reason}");
    }
    rows.extend(benchmarks()?);
    // The clean builds' binaries are the ones measured, so each CLI is compiled once in release mode.
    let baseline = baseline_build(&crate::workspace_root());
    for build in [Build::Default, Build::Lean] {
        let (row, binary) = clean_build(build, &baseline);
        rows.extend(cli_rows(build, binary.as_deref()));
        rows.push(row);
    }
    let duplicates = duplicate_dependencies();
    rows.push(Row::new(
        "workspace",
        "extra versions of crates in the dependency graph (`cargo tree -d`)",
        duplicates.as_ref().map_or_else(
            |reason| format!("not measured: {reason}"),
            |tree| count_duplicates(tree).to_string(),
        ),
    ));

    let mut report = String::from("# Benchmark report\n\n");
    report.push_str(&format!(
        "Every ratio compares two measurements of the same run on this machine ({} CPUs); `cargo xtask bench` took {:.0} s.\n\n",
        std::thread::available_parallelism().map_or(0, usize::from),
        started.elapsed().as_secs_f64()
    ));
    report.push_str("| area | measurement | value | baseline (same run) | ratio | target |\n");
    report.push_str("|---|---|---|---|---:|---|\n");
    for row in &rows {
        let dash = |text: &str| {
            if text.is_empty() {
                "-".to_owned()
            } else {
                text.to_owned()
            }
        };
        report.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            row.area,
            row.measurement,
            row.value,
            dash(&row.baseline),
            dash(&row.ratio),
            dash(&row.target)
        ));
    }
    report.push_str("\n## `cargo tree -d`\n\n```text\n");
    report.push_str(duplicates.as_deref().unwrap_or("not available\n"));
    report.push_str("```\n");
    println!("\n{report}");
    let path = crate::workspace_root().join("target/bench-report.md");
    std::fs::write(&path, &report).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("written to {}", path.display());
    Ok(())
}

/// Every benchmark: the workspace's, then the ones kept in packages of their own outside it.
fn benchmarks() -> Result<Vec<Row>, String> {
    let mut rows = cargo_bench(&["bench", "--workspace", "--benches"])?;
    // aws-sigv4 stays out of the workspace's dependency graph; its target directory is the workspace's.
    let sigv4 = crate::workspace_root().join("benches/sigv4/Cargo.toml");
    let target = crate::workspace_root().join("target/sigv4");
    rows.extend(cargo_bench(&[
        "bench",
        "--manifest-path",
        &sigv4.display().to_string(),
        "--target-dir",
        &target.display().to_string(),
    ])?);
    Ok(rows)
}

/// `cargo <args>`, its output shown as it comes and its report lines kept.
fn cargo_bench(args: &[&str]) -> Result<Vec<Row>, String> {
    let command = format!("cargo {}", args.join(" "));
    println!("$ {command}");
    let mut child = Command::new(env!("CARGO"))
        .args(args)
        .env("SCF_BENCH_REPORT", "1")
        .current_dir(crate::workspace_root())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {command}: {e}"))?;
    let mut rows = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| format!("cannot read the output of {command}: {e}"))?;
            match Row::parse(&line) {
                Some(row) => rows.push(row),
                None => println!("{line}"),
            }
        }
    }
    let status = child.wait().map_err(|e| format!("{command}: {e}"))?;
    if !status.success() {
        return Err(format!("`{command}` failed ({status})"));
    }
    Ok(rows)
}

/// Start-up time against the cheapest process there is, and the stripped binary's size.
fn cli_rows(build: Build, binary: Option<&Path>) -> Vec<Row> {
    let Some(binary) = binary else {
        return vec![Row::new(
            "scf-cli",
            &format!("start-up and size of {}", build.label()),
            "not measured: the release build failed".to_owned(),
        )];
    };
    let mut rows = Vec::new();
    let startup = median_duration(binary, &["--version"]);
    let baseline = median_duration(Path::new("true"), &[]);
    rows.push(match (startup, baseline) {
        (Ok(startup), Ok(baseline)) => Row {
            baseline: format!("`true`: {:.2} ms", millis(baseline)),
            ratio: format!("{:.1}x", startup.as_secs_f64() / baseline.as_secs_f64()),
            target: budget(
                millis(startup) < STARTUP_BUDGET_MS,
                &format!("< {STARTUP_BUDGET_MS} ms"),
            ),
            ..Row::new(
                "scf-cli",
                &format!(
                    "start-up of {}: `scf --version`, median of {STARTUP_RUNS} runs",
                    build.label()
                ),
                format!("{:.2} ms", millis(startup)),
            )
        },
        (Err(reason), _) | (_, Err(reason)) => Row::new(
            "scf-cli",
            &format!("start-up of {}: `scf --version`", build.label()),
            format!("not measured: {reason}"),
        ),
    });
    let size = Command::new("strip")
        .arg(binary)
        .status()
        .map_err(|e| format!("`strip` is not available: {e}"))
        .and_then(|status| {
            if !status.success() {
                return Err(format!("`strip` failed ({status})"));
            }
            std::fs::metadata(binary)
                .map(|m| m.len())
                .map_err(|e| e.to_string())
        });
    let mut size_row = Row::new(
        "scf-cli",
        &format!("size of the stripped release binary: {}", build.label()),
        size.as_ref().map_or_else(
            |reason| format!("not measured: {reason}"),
            |bytes| format!("{:.2} MB ({bytes} bytes)", *bytes as f64 / 1e6),
        ),
    );
    if let Ok(bytes) = size {
        let limit = build.size_budget();
        size_row.target = budget(bytes < limit, &format!("< {} MB", limit / 1_000_000));
    }
    rows.push(size_row);
    rows
}

/// A target column: the budget and whether this run met it.
fn budget(met: bool, budget: &str) -> String {
    format!("{budget}: {}", if met { "met" } else { "MISSED" })
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn median_duration(program: &Path, args: &[&str]) -> Result<Duration, String> {
    let mut samples = Vec::with_capacity(STARTUP_RUNS);
    for _ in 0..STARTUP_RUNS {
        let start = Instant::now();
        let status = Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
        samples.push(start.elapsed());
        if !status.success() {
            return Err(format!("{} failed ({status})", program.display()));
        }
    }
    samples.sort();
    Ok(samples[samples.len() / 2])
}

/// A release build of the CLI from nothing, in a target directory of its own, and a copy of its binary;
/// the same build of the baseline commit, in the same run, gives the ratio the budget is about.
fn clean_build(build: Build, baseline: &Result<Duration, String>) -> (Row, Option<PathBuf>) {
    let root = crate::workspace_root();
    let measurement = format!(
        "clean release build of {} (all dependencies compiled)",
        build.label()
    );
    let current = timed_release_build(
        &root,
        &root.join("target").join(build.directory()),
        build.cargo_args(),
    );
    let kept = root
        .join("target")
        .join(format!("bench-{}", build.directory()));
    let binary = current.as_ref().ok().and_then(|(_, dir)| {
        let copied = std::fs::copy(dir.join("release/scf"), &kept)
            .ok()
            .map(|_| kept.clone());
        let _ = std::fs::remove_dir_all(dir);
        copied
    });
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let mut row = match &current {
        Ok((elapsed, _)) => Row::new(
            "workspace",
            &measurement,
            format!("{:.0} s on {cpus} CPUs", elapsed.as_secs_f64()),
        ),
        Err(reason) => {
            return (
                Row::new("workspace", &measurement, format!("not measured: {reason}")),
                None,
            );
        }
    };
    match baseline {
        Ok(baseline) => {
            let ratio = current
                .as_ref()
                .map_or(0.0, |(elapsed, _)| elapsed.as_secs_f64())
                / baseline.as_secs_f64();
            row.baseline = format!(
                "{:.0} s at {} (default features)",
                baseline.as_secs_f64(),
                &BUILD_BASELINE_COMMIT[..7]
            );
            row.ratio = format!("{ratio:.2}x");
            let limit = build.build_budget();
            row.target = budget(ratio <= limit, &format!("<= {limit}x"));
        }
        Err(reason) => row.baseline = format!("not measured: {reason}"),
    }
    (row, binary)
}

/// The clean build of the baseline commit, checked out in a worktree of its own under `target/`.
fn baseline_build(root: &Path) -> Result<Duration, String> {
    let source = root.join("target/build-baseline-src");
    // Left over only if an earlier run was cut short; git's complaint that it is absent is noise.
    let _ = Command::new("git")
        .args(["worktree", "remove", "--force"])
        .arg(&source)
        .current_dir(root)
        .stderr(Stdio::null())
        .status();
    let added = Command::new("git")
        .args(["worktree", "add", "--detach", "--quiet"])
        .arg(&source)
        .arg(BUILD_BASELINE_COMMIT)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !added.success() {
        return Err(format!(
            "cannot check out {BUILD_BASELINE_COMMIT} ({added})"
        ));
    }
    let built = timed_release_build(&source, &root.join("target/clean-build-baseline"), &[]);
    if let Ok((_, dir)) = &built {
        let _ = std::fs::remove_dir_all(dir);
    }
    let _ = Command::new("git")
        .args(["worktree", "remove", "--force"])
        .arg(&source)
        .current_dir(root)
        .status();
    built.map(|(elapsed, _)| elapsed)
}

/// `cargo build --release -p scf-cli` (with `extra` arguments) of the workspace at `source` into the
/// empty directory `target`.
fn timed_release_build(
    source: &Path,
    target: &Path,
    extra: &[&str],
) -> Result<(Duration, PathBuf), String> {
    let _ = std::fs::remove_dir_all(target);
    println!(
        "$ cargo build --release -p scf-cli --target-dir {} {} (in {})",
        target.display(),
        extra.join(" "),
        source.display()
    );
    let start = Instant::now();
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--quiet",
            "--offline",
            "-p",
            "scf-cli",
            "--target-dir",
        ])
        .arg(target)
        .args(extra)
        .current_dir(source)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok((start.elapsed(), target.to_path_buf()))
    } else {
        Err(format!("the build failed ({status})"))
    }
}

fn duplicate_dependencies() -> Result<String, String> {
    let output = Command::new(env!("CARGO"))
        .args(["tree", "--workspace", "-d", "-e", "normal,build"])
        .current_dir(crate::workspace_root())
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Crates that appear in more than one version. `cargo tree -d` also lists one version built twice with
/// different features (for a proc-macro and for the target), which is not a duplicate of code.
fn count_duplicates(tree: &str) -> usize {
    let mut versions: Vec<(&str, &str)> = tree
        .lines()
        .filter(|line| {
            line.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        })
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?, words.next()?))
        })
        .collect();
    versions.sort_unstable();
    versions.dedup();
    let mut names: Vec<&str> = versions.iter().map(|(name, _)| *name).collect();
    names.dedup();
    // Each name beyond its first version is one extra copy.
    versions.len() - names.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lines_become_rows_and_other_lines_do_not() {
        let row = Row::parse("@report\tscf\tcalls\t9 req/s\t1 req/s\t9.0x\t-").unwrap();
        assert_eq!(
            (
                row.area.as_str(),
                row.measurement.as_str(),
                row.ratio.as_str()
            ),
            ("scf", "calls", "9.0x")
        );
        // A row with fields left off still parses, with the missing ones empty.
        assert_eq!(Row::parse("@report\tscf\tcalls\t9").unwrap().target, "");
        assert!(Row::parse("| bare hyper | 1 | 12000 |").is_none());
    }

    #[test]
    fn a_crate_built_twice_in_one_version_is_not_a_duplicate() {
        let tree = "\
once_cell v1.21.4
├── rustls v0.23.46

once_cell v1.21.4
└── const-random-macro v0.1.16 (proc-macro)

syn v1.0.109
└── old-derive v0.1.0

syn v2.0.100
└── serde_derive v1.0.228 (proc-macro)
";
        assert_eq!(count_duplicates(tree), 1);
        assert_eq!(count_duplicates(""), 0);
    }
}
