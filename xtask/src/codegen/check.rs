//! `--check`: the committed generated files against what the generator writes now.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::File;

/// Fails with the first difference: a missing file, the first differing line, or a file in the
/// generated directory `dir` that the generator does not write. Paths are relative to `root`.
pub(crate) fn compare(root: &Path, dir: &Path, files: &[File]) -> Result<(), String> {
    for file in files {
        let path = root.join(&file.path);
        let committed = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "{} is missing ({e}); run `cargo xtask codegen`",
                file.path.display()
            )
        })?;
        if let Some(difference) = first_difference(&committed, &file.text) {
            return Err(format!(
                "{}:{difference}\nrun `cargo xtask codegen` and commit the result",
                file.path.display()
            ));
        }
    }
    if dir.as_os_str().is_empty() {
        return Ok(());
    }
    match extra_files(&root.join(dir), files, root)?.first() {
        Some(extra) => Err(format!(
            "{} is in a generated directory but is not generated; run `cargo xtask codegen`",
            extra.display()
        )),
        None => Ok(()),
    }
}

/// `line: ...` naming the first line where `committed` and `generated` differ, if they do.
pub(crate) fn first_difference(committed: &str, generated: &str) -> Option<String> {
    if committed == generated {
        return None;
    }
    let mut committed_lines = committed.lines();
    let mut generated_lines = generated.lines();
    let mut number = 1;
    loop {
        match (committed_lines.next(), generated_lines.next()) {
            (Some(old), Some(new)) if old == new => number += 1,
            (Some(old), Some(new)) => {
                return Some(format!("{number}: committed `{old}`, generated `{new}`"));
            }
            (Some(old), None) => {
                return Some(format!("{number}: committed `{old}`, generated nothing"));
            }
            (None, Some(new)) => {
                return Some(format!("{number}: committed nothing, generated `{new}`"));
            }
            // Only line endings differ, e.g. a missing final newline.
            (None, None) => return Some(format!("{number}: line endings differ")),
        }
    }
}

/// Files under `dir` (recursively) that are not among `files`, relative to `root`, sorted.
pub(crate) fn extra_files(dir: &Path, files: &[File], root: &Path) -> Result<Vec<PathBuf>, String> {
    let expected: BTreeSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let mut extra = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot list {}: {e}", current.display())),
        };
        for entry in entries {
            let path = entry
                .map_err(|e| format!("cannot list {}: {e}", current.display()))?
                .path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            if !expected.contains(&relative) {
                extra.push(relative);
            }
        }
    }
    extra.sort();
    Ok(extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_differing_line_is_named() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(
            first_difference("a\nb\nc\n", "a\nB\nc\n").as_deref(),
            Some("2: committed `b`, generated `B`")
        );
        assert_eq!(
            first_difference("a\n", "a\nb\n").as_deref(),
            Some("2: committed nothing, generated `b`")
        );
        assert_eq!(
            first_difference("a", "a\n").as_deref(),
            Some("2: line endings differ")
        );
    }

    #[test]
    fn stale_missing_and_extra_files_fail() {
        let root = std::env::temp_dir().join(format!("xtask-codegen-check-{}", std::process::id()));
        let dir = root.join("gen");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.rs"), "fn a() {}\n").unwrap();
        let files = |text: &str| {
            vec![File {
                path: PathBuf::from("gen/a.rs"),
                text: text.to_owned(),
            }]
        };
        assert_eq!(
            compare(&root, Path::new("gen"), &files("fn a() {}\n")),
            Ok(())
        );
        let stale = compare(&root, Path::new("gen"), &files("fn b() {}\n")).unwrap_err();
        assert!(
            stale.starts_with("gen/a.rs:1: committed `fn a() {}`"),
            "{stale}"
        );
        std::fs::write(dir.join("old.rs"), "").unwrap();
        let extra = compare(&root, Path::new("gen"), &files("fn a() {}\n")).unwrap_err();
        assert!(
            extra.starts_with("gen/old.rs is in a generated directory"),
            "{extra}"
        );
        std::fs::remove_file(dir.join("a.rs")).unwrap();
        let missing = compare(&root, Path::new("gen"), &files("fn a() {}\n")).unwrap_err();
        assert!(missing.starts_with("gen/a.rs is missing"), "{missing}");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
