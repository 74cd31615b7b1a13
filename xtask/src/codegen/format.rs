//! Formatting with rustfmt, so the committed files are what `cargo fmt --check` wants.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// `text` as `rustfmt --edition 2024` formats it, run from the workspace root so its configuration (if
/// any) applies as it does for `cargo fmt`.
pub(crate) fn rustfmt(text: &str, root: &Path, what: &str) -> Result<String, String> {
    let mut child = Command::new(rustfmt_binary())
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    // A writer thread, so rustfmt never blocks on a full stdout while we still write its input.
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed on {what}: {e}"))?;
    writer
        .join()
        .map_err(|_| format!("writing {what} to rustfmt panicked"))?
        .map_err(|e| format!("cannot write {what} to rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt rejected the generated {what}: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt wrote non-UTF-8 for {what}: {e}"))
}

/// The rustfmt of the toolchain cargo runs with.
fn rustfmt_binary() -> String {
    std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned())
}
