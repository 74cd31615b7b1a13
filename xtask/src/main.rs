//! `cargo xtask`: the project's build system for everything beyond `cargo build`.
//!
//! - `cargo xtask ci`: what CI runs, in order; stops at the first failure.
//! - `cargo xtask bench`: every benchmark, in release mode.
//! - `cargo xtask python-sdk`: the pinned official Python SDK, for the interoperability test.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::{Command, ExitCode};

mod deps;
mod python_sdk;

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "ci" => ci(),
        "bench" => bench(),
        "python-sdk" => python_sdk::install(),
        _ => {
            eprintln!("usage: cargo xtask <ci|bench>");
            eprintln!(
                "  ci     format check, clippy, tests (with doc tests), docs, dependency rules"
            );
            eprintln!("  bench  every benchmark, in release mode");
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

fn ci() -> Result<(), String> {
    cargo(&["fmt", "--all", "--check"], &[])?;
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
    python_sdk::install()?;
    let python = python_sdk::python();
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
    cargo(
        &["doc", "--workspace", "--no-deps", "--all-features"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    deps::check()?;
    println!("xtask ci: all checks passed");
    Ok(())
}

fn bench() -> Result<(), String> {
    cargo(&["bench", "--workspace"], &[])
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
