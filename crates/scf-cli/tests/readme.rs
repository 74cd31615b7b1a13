//! README's Rust examples, exactly as written, in a new crate of their own: each one built as a program
//! and run, the client example against `scf emulator` with only the credentials variables and
//! `SCF_ENDPOINT` set. An example that no longer compiles or runs fails this test, and so CI.

#![cfg(feature = "emulator")]
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use scf_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY};

#[path = "support/emulator_process.rs"]
mod emulator_process;

use emulator_process::EmulatorProcess;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

/// Every ```` ```rust ```` block of `markdown`, in order.
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match current.as_mut() {
            None if line.trim_start() == "```rust" => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_start() == "```" => blocks.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

/// A new crate depending on what README says to add (`scf`, tokio, futures-util) and `tc3-signer`, with
/// one program per block, built offline
/// with the workspace's lock file so it uses the versions the workspace was tested with.
fn build(blocks: &[String]) -> Vec<PathBuf> {
    let root = workspace_root();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-example");
    let bin = dir.join("src").join("bin");
    let _ = std::fs::remove_dir_all(&bin);
    std::fs::create_dir_all(&bin).unwrap();
    let crates = root.join("crates");
    let manifest = format!(
        r#"[package]
name = "readme-example"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
scf = {{ path = {scf:?} }}
tc3-signer = {{ path = {signer:?} }}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}
futures-util = {{ version = "0.3", default-features = false, features = ["std"] }}

# Its own workspace, though it sits inside this one's target directory.
[workspace]
"#,
        scf = crates.join("scf"),
        signer = crates.join("tc3-signer"),
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    for (index, block) in blocks.iter().enumerate() {
        std::fs::write(bin.join(format!("example_{index}.rs")), block).unwrap();
    }

    let target = dir.join("target");
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .args(["build", "--offline", "--quiet", "--bins"])
        .current_dir(&dir);
    // The variables cargo set for this test describe this package's build, not the new crate's.
    for (name, _) in std::env::vars() {
        if name.starts_with("CARGO_") && name != "CARGO_HOME" {
            cargo.env_remove(name);
        }
    }
    cargo.env("CARGO_TARGET_DIR", &target);
    let status = cargo.status().unwrap();
    assert!(status.success(), "README's Rust examples do not build");
    (0..blocks.len())
        .map(|index| target.join("debug").join(format!("example_{index}")))
        .collect()
}

#[test]
fn every_rust_example_of_the_readme_builds_and_runs_as_written() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let blocks = rust_blocks(&readme);
    assert!(blocks.len() >= 2, "README has lost its Rust examples");
    let programs = build(&blocks);

    let emulator = EmulatorProcess::start(&[]);
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-example-home");
    std::fs::create_dir_all(&home).unwrap();
    for (block, program) in blocks.iter().zip(&programs) {
        // Nothing else to find: no profile files, no region, only what README says to set.
        let output = Command::new(program)
            .env_clear()
            .env("HOME", &home)
            .env("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY)
            .env("SCF_ENDPOINT", &emulator.url)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "this README example failed:\n{block}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        if block.contains("invoke_async") {
            assert!(
                stdout.contains("ended FINISHED with status code 200"),
                "{stdout}"
            );
            assert!(stdout.contains("is FINISHED"), "{stdout}");
            assert!(stdout.contains("events of hello: 1"), "{stdout}");
        }
    }
}

#[test]
fn rust_blocks_are_found_in_order() {
    let markdown = "text\n```rust\nfn a() {}\n```\n```sh\nls\n```\n  ```rust\nfn b() {}\n  ```\n";
    assert_eq!(rust_blocks(markdown), ["fn a() {}\n", "fn b() {}\n"]);
}
