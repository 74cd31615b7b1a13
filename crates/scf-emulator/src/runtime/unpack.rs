//! A stored code zip unpacked into a directory of its own, named by the zip's SHA-256.
//!
//! The zip is unpacked into a fresh temporary directory beside the final one and renamed into place, so a
//! half-written directory is never used, and a directory that exists is used as it is: code with the same
//! bytes is unpacked once. Unix modes stored in the zip are kept (a `bootstrap` must stay executable). An
//! entry that would land outside the directory (absolute, or through `..`) refuses the whole zip, as the
//! upload check of [`crate::actions::code`] does; symbolic links are created, but never followed out of the
//! directory while unpacking (the `zip` crate's extraction checks both).

use std::io::{self, Cursor};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::actions::code::{MAX_UNZIPPED, escapes};

/// How the directory a zip is extracted into before it takes its final name begins.
pub(crate) const STAGING_PREFIX: &str = ".unpacking-";

/// Why a code zip could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UnpackError {
    /// The zip's entries are unusable: unreadable, escaping the directory, or too large.
    #[error("the code zip cannot be unpacked: {0}")]
    Zip(String),
    /// The directory could not be written.
    #[error("the code could not be written to {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Unpacks `zip` into `<root>/<sha256 of zip>` unless that directory exists, and returns its path.
pub(crate) fn unpack(zip: &[u8], root: &Path) -> Result<PathBuf, UnpackError> {
    let directory = root.join(hex::encode(Sha256::digest(zip)));
    if directory.is_dir() {
        return Ok(directory);
    }
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source| UnpackError::Io { path, source }
    };
    std::fs::create_dir_all(root).map_err(io_error(root))?;
    let mut archive = zip::ZipArchive::new(Cursor::new(zip))
        .map_err(|e| UnpackError::Zip(format!("it is not a zip archive ({e})")))?;
    // Stored zips were read through once on upload; this guards against a zip that did not come that way.
    if archive.decompressed_size().unwrap_or(u128::MAX) > u128::from(MAX_UNZIPPED) {
        return Err(UnpackError::Zip(format!(
            "its entries unpack to more than {} MB",
            MAX_UNZIPPED / (1024 * 1024)
        )));
    }
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| UnpackError::Zip(format!("entry {index} cannot be read ({e})")))?;
        // The upload check first, then the `zip` crate's own reading of the same rule.
        if escapes(entry.name()) || entry.enclosed_name().is_none() {
            return Err(UnpackError::Zip(format!(
                "the entry `{}` escapes the directory it unpacks into",
                entry.name()
            )));
        }
    }
    let staging = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(root)
        .map_err(io_error(root))?;
    archive
        .extract(staging.path())
        .map_err(|e| UnpackError::Zip(e.to_string()))?;
    match std::fs::rename(staging.path(), &directory) {
        Ok(()) => {
            // The directory now lives under its final name; there is nothing left to remove.
            let _ = staging.keep();
            Ok(directory)
        }
        // Another unpack of the same zip got there first; its directory is as good as this one.
        Err(_) if directory.is_dir() => Ok(directory),
        Err(source) => Err(UnpackError::Io {
            path: directory,
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    use zip::write::SimpleFileOptions;

    use super::{UnpackError, unpack};

    /// A zip of `(name, mode, bytes)` entries.
    fn zip_of(entries: &[(&str, u32, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, mode, bytes) in entries {
            let options = SimpleFileOptions::default().unix_permissions(*mode);
            writer.start_file(*name, options).unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn modes_are_kept_and_the_same_zip_reuses_its_directory() {
        let root = tempfile::tempdir().unwrap();
        let zip = zip_of(&[
            ("bootstrap", 0o755, b"#!/bin/sh\n"),
            ("lib/data.txt", 0o644, b"data"),
        ]);
        let directory = unpack(&zip, root.path()).unwrap();
        assert_eq!(mode(&directory.join("bootstrap")), 0o755);
        assert_eq!(mode(&directory.join("lib/data.txt")), 0o644);
        assert_eq!(
            std::fs::read(directory.join("lib/data.txt")).unwrap(),
            b"data"
        );
        // A marker left in the directory survives a second unpack: it was reused, not rewritten.
        std::fs::write(directory.join("marker"), b"").unwrap();
        assert_eq!(unpack(&zip, root.path()).unwrap(), directory);
        assert!(directory.join("marker").exists());
        // Nothing but the one directory is left under the root.
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_entry_escaping_the_directory_refuses_the_zip() {
        let root = tempfile::tempdir().unwrap();
        for name in ["../evil.sh", "/etc/evil", "a/../../evil"] {
            let zip = zip_of(&[("ok.txt", 0o644, b"x"), (name, 0o755, b"x")]);
            let error = unpack(&zip, &root.path().join("code")).unwrap_err();
            assert!(
                matches!(&error, UnpackError::Zip(why) if why.contains("escapes")),
                "{name}: {error}"
            );
        }
        assert!(!root.path().join("evil.sh").exists());
        // No code directory was made, and no staging directory is left.
        assert_eq!(
            std::fs::read_dir(root.path().join("code")).unwrap().count(),
            0
        );
    }

    #[test]
    fn bytes_that_are_not_a_zip_are_refused() {
        let root = tempfile::tempdir().unwrap();
        assert!(matches!(
            unpack(b"not a zip", root.path()),
            Err(UnpackError::Zip(_))
        ));
    }
}
