//! The dependency rules of ARCHITECTURE.md, checked against `cargo tree`.

use std::process::Command;

/// Which features a rule is checked with.
#[derive(Clone, Copy)]
enum Features {
    /// Every feature on: what the most a user compiles.
    All,
    /// No default features: the leanest build a user can ask for.
    NoDefault,
}

impl Features {
    fn flag(self) -> &'static str {
        match self {
            Self::All => "--all-features",
            Self::NoDefault => "--no-default-features",
        }
    }
}

/// A crate, the features it is checked with, the crates it must not pull in, and the reason.
type Rule = (
    &'static str,
    Features,
    &'static [&'static str],
    &'static str,
);

const RULES: &[Rule] = &[
    (
        "tc3-signer",
        Features::All,
        &["tokio", "hyper", "serde", "http-body", "reqwest", "openssl"],
        "the signer is pure: no runtime, no network stack, no serialisation",
    ),
    (
        "tc-api",
        Features::All,
        &[
            "tokio",
            "hyper",
            "reqwest",
            "openssl",
            "tc3-signer",
            "scf-model",
            "sts-model",
        ],
        "the protocol layer is data and parsing for every service: no I/O, no signing, no service's model",
    ),
    (
        "scf-transport",
        Features::All,
        &[
            "reqwest",
            "openssl",
            "openssl-sys",
            "aws-lc-rs",
            "aws-lc-sys",
            "scf-emulator",
        ],
        "the generic client stays small: rustls with ring, no OpenSSL, no heavy HTTP stack",
    ),
    (
        "scf-transport",
        Features::All,
        &["scf-model"],
        "the generic client knows services only as metadata: it speaks the protocol (tc-api), not SCF's model",
    ),
    (
        "scf",
        Features::All,
        &[
            "reqwest",
            "openssl",
            "openssl-sys",
            "aws-lc-sys",
            "scf-emulator",
            "clap",
        ],
        "the library users embed carries no emulator and no command-line parser",
    ),
    (
        "scf-cli",
        Features::All,
        &[
            "reqwest",
            "openssl",
            "openssl-sys",
            "aws-lc-rs",
            "aws-lc-sys",
        ],
        "the command line is built on the workspace's own stack: rustls with ring over hyper",
    ),
    (
        "scf-cli",
        Features::NoDefault,
        &["scf-emulator", "toml"],
        "without its default `emulator` feature the command line is a lean client",
    ),
    (
        "scf-emulator",
        Features::All,
        &["reqwest", "openssl", "scf-transport", "scf"],
        "the emulator is a server built on the signer and the model only, never on the client it tests",
    ),
    (
        "scf-model",
        Features::All,
        &["tokio", "hyper", "reqwest", "openssl", "tc3-signer"],
        "the model is data only: no I/O and no signing",
    ),
    (
        "sts-model",
        Features::All,
        &[
            "tokio",
            "hyper",
            "reqwest",
            "openssl",
            "tc3-signer",
            "scf-model",
        ],
        "the STS model is data only, beside SCF's, not on it",
    ),
];

pub(crate) fn check() -> Result<(), String> {
    let crates = crate::workspace_root().join("crates");
    for (package, features, forbidden, why) in RULES {
        if !crates.join(package).join("Cargo.toml").is_file() {
            continue;
        }
        // Normal edges only: what a user of the crate compiles, with every feature on.
        let output = Command::new(env!("CARGO"))
            .args([
                "tree",
                "-p",
                package,
                "-e",
                "normal",
                features.flag(),
                "--prefix",
                "none",
            ])
            .output()
            .map_err(|e| format!("cannot run cargo tree: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "cargo tree -p {package} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let tree = String::from_utf8_lossy(&output.stdout);
        for line in tree.lines() {
            let name = line.split_whitespace().next().unwrap_or_default();
            if forbidden.contains(&name) {
                return Err(format!("{package} depends on {name}, but {why}"));
            }
        }
        println!(
            "dependency rule holds: {package} {} ({why})",
            features.flag()
        );
    }
    Ok(())
}
