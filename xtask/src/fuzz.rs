//! `cargo xtask fuzz [seconds]`: every fuzz target in `fuzz/` under cargo-fuzz (libFuzzer), in turn.
//!
//! cargo-fuzz is installed from crates.io when missing. It needs nightly-only compiler flags
//! (sanitizers); `RUSTC_BOOTSTRAP=1` lets the stable toolchain, the only one this project uses, accept
//! them. New corpus entries go to `fuzz/corpus/<target>` (not committed); the committed seeds in
//! `fuzz/seeds/<target>` start each run. A crash stops the task and leaves its input in
//! `fuzz/artifacts/<target>`; it then becomes a regression test in the crate it broke.

use std::process::Command;

/// Every target, named as in `fuzz/Cargo.toml`.
pub(crate) const TARGETS: [&str; 5] = [
    "envelope",
    "authorization",
    "emulator_parameters",
    "emulator_request",
    "credential_files",
];
const CARGO_FUZZ_VERSION: &str = "0.13.2";

pub(crate) fn run(seconds_per_target: u64) -> Result<(), String> {
    install()?;
    let root = crate::workspace_root();
    for target in TARGETS {
        let corpus = root.join("fuzz/corpus").join(target);
        let seeds = root.join("fuzz/seeds").join(target);
        std::fs::create_dir_all(&corpus)
            .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        println!("$ cargo fuzz run {target} ({seconds_per_target} s)");
        let status = Command::new(env!("CARGO"))
            .args(["fuzz", "run", target])
            .arg(&corpus)
            .arg(&seeds)
            .args([
                "--",
                &format!("-max_total_time={seconds_per_target}"),
                "-rss_limit_mb=4096",
                "-print_final_stats=1",
            ])
            .env("RUSTC_BOOTSTRAP", "1")
            .current_dir(&root)
            .status()
            .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
        if !status.success() {
            return Err(format!(
                "fuzz target {target} failed ({status}); its input is in fuzz/artifacts/{target}"
            ));
        }
    }
    println!(
        "xtask fuzz: {} targets, {seconds_per_target} s each, no crash",
        TARGETS.len()
    );
    Ok(())
}

fn install() -> Result<(), String> {
    let installed = Command::new(env!("CARGO"))
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if installed {
        return Ok(());
    }
    crate::cargo(
        &[
            "install",
            "cargo-fuzz",
            "--locked",
            "--version",
            CARGO_FUZZ_VERSION,
        ],
        &[],
    )
}
