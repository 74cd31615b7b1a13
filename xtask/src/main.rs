//! `cargo xtask`: the project's build system for everything beyond `cargo build`.
//!
//! - `cargo xtask ci`: what CI runs, in order; stops at the first failure.
//! - `cargo xtask bench`: every benchmark in release mode, as one table in `target/bench-report.md`.
//! - `cargo xtask fuzz [seconds]`: every fuzz target in `fuzz/`, in turn.
//! - `cargo xtask soak`: one client through 100,000 calls with 1% of requests failing in each way.
//! - `cargo xtask load`: the emulator alone under 64 connections for 60 seconds.
//! - `cargo xtask python-sdk`: the pinned official Python SDK, for the interoperability test.
//! - `cargo xtask tccli`: the pinned tccli, for the parity test of the `scf` command.
//! - `cargo xtask spec [--latest]`: the vendored spec under `spec/`, fetched again from PyPI.
//! - `cargo xtask codegen [--check]`: the model crates and the SCF facade, generated from `spec/`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod bench;
mod codegen;
mod deps;
mod fuzz;
mod python_sdk;
mod spec;
mod tccli;
mod venv;

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "ci" => ci(),
        "bench" => bench::run(),
        "python-sdk" => python_sdk::install(),
        "tccli" => tccli::install(),
        "spec" => spec::run(&std::env::args().skip(2).collect::<Vec<_>>()),
        "codegen" => codegen::run(&std::env::args().skip(2).collect::<Vec<_>>()),
        "fuzz" => match std::env::args().nth(2).map(|s| s.parse::<u64>()) {
            None => fuzz::run(60),
            Some(Ok(seconds)) => fuzz::run(seconds),
            Some(Err(_)) => Err("usage: cargo xtask fuzz [seconds per target]".to_owned()),
        },
        "soak" => release_binary("soak"),
        "load" => release_binary("load"),
        _ => {
            eprintln!("usage: cargo xtask <ci|bench|fuzz|soak|load|python-sdk|tccli|spec|codegen>");
            eprintln!(
                "  ci     format check, clippy, tests (with doc tests), docs, dependency rules"
            );
            eprintln!(
                "  bench  every benchmark, one table of same-run ratios in target/bench-report.md"
            );
            eprintln!("  fuzz   every fuzz target for [seconds] each (60 by default)");
            eprintln!(
                "  soak   100,000 calls and 1,000 waited invokes through one client, 1% faults"
            );
            eprintln!("  load   the emulator alone: 64 connections for 60 s, memory flat");
            eprintln!("  python-sdk  the pinned official Python SDK under target/python-sdk");
            eprintln!("  tccli  the pinned tccli under target/tccli/venv");
            eprintln!(
                "  spec [--latest]  the vendored spec, fetched again from PyPI (pinned or newest)"
            );
            eprintln!(
                "  codegen  the models and the SCF facade from spec/ (--check: fail when stale;"
            );
            eprintln!(
                "           --service NAME --version V --spec-dir DIR --out DIR; --all-services [DIR])"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask {task}: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Seconds each fuzz target runs in CI.
const CI_FUZZ_SECONDS: u64 = 15;

fn ci() -> Result<(), String> {
    // Stale generated code would make every later step report the wrong thing, so it is checked first.
    codegen::check()?;
    cargo(&["fmt", "--all", "--check"], &[])?;
    // The generator must work for every tccli service, not only the ones this workspace ships.
    codegen::all_services::run(&codegen::tccli::services_tree()?)?.print();
    cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    cargo(&["test", "--workspace", "--all-features"], &[])?;
    // The lean command line, without its default emulator feature, builds, passes clippy and works.
    cargo(
        &[
            "clippy",
            "-p",
            "scf-cli",
            "--no-default-features",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    cargo(&["test", "-p", "scf-cli", "--no-default-features"], &[])?;
    python_sdk::install()?;
    let python = python_sdk::python();
    // The deployment test drives the emulator binary, restarting it on its state directory.
    cargo(
        &["build", "-p", "scf-emulator", "--bin", "scf-emulator"],
        &[],
    )?;
    cargo(
        &[
            "test",
            "-p",
            "scf-tests",
            "--all-features",
            "--test",
            "official_python_sdk",
            "--",
            "--ignored",
        ],
        &[("SCF_PYTHON", python.to_str().unwrap_or("python3"))],
    )?;
    tccli::check()?;
    cargo(
        &["doc", "--workspace", "--no-deps", "--all-features"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    deps::check()?;
    // Long enough to shake out a shallow crash in each target; `cargo xtask fuzz` runs them for longer.
    fuzz::run(CI_FUZZ_SECONDS)?;
    println!("xtask ci: all checks passed");
    Ok(())
}

/// The workspace's root directory.
pub(crate) fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Builds and runs a binary of the cross-crate test package in release mode.
fn release_binary(name: &str) -> Result<(), String> {
    cargo(
        &[
            "run",
            "--release",
            "--quiet",
            "-p",
            "scf-tests",
            "--bin",
            name,
        ],
        &[],
    )
}

/// Runs cargo with `args`, echoing the command, and fails if it fails.
pub(crate) fn cargo(args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    println!("$ cargo {}", args.join(" "));
    let status = Command::new(env!("CARGO"))
        .args(args)
        .envs(env.iter().copied())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}
