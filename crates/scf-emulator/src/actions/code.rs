//! Deployment packages: zips checked once on upload and stored once by their SHA-256.
//!
//! A zip is accepted when it decodes from base64, opens as a zip archive, every entry reads back with its
//! CRC-32 intact, no entry name escapes the directory it unpacks into (absolute paths, drive letters, `..`),
//! the zip is at most 50 MiB (the documented `Code.ZipFile` cap; `UpdateFunctionCode.ZipFile` documents
//! 20 MiB) and its entries unpack to at most 500 MiB (the documented quota for unzipped code).
//!
//! Choices where the docs are silent: an oversized zip answers `InvalidParameter.RequestTooLarge`, an entry
//! that escapes or too much unzipped content answers `InvalidParameterValue.ZipFile` naming the entry or the
//! size. Stored zips are shared by every function, version and layer with the same bytes and are kept for
//! the life of the state (they are content-addressed, so keeping one costs nothing twice). Each stored zip
//! has a random 128-bit token from SQLite's `randomblob` (a ChaCha20 stream the OS seeds), which names it in
//! the unsigned download URL of `GetFunctionAddress` without revealing or guessing anything else.

use std::io::{Cursor, Read};

use base64::Engine;
use rusqlite::{Connection, OptionalExtension, params};
use scf_model::ErrorCode;
use sha2::{Digest, Sha256};

use super::functions::CodeRef;
use crate::failure::Failure;

/// The tables of this module.
pub(crate) const SCHEMA: &str = "
CREATE TABLE code (
    id INTEGER PRIMARY KEY,
    -- Lower-case hex SHA-256 of the zip.
    sha256 TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    -- Names the zip in its download URL.
    token TEXT NOT NULL UNIQUE,
    zip BLOB NOT NULL
);
";

/// The largest zip a `Code.ZipFile` may carry: 50 MiB.
pub(crate) const MAX_ZIP: usize = 50 * 1024 * 1024;
/// The largest zip the top-level `UpdateFunctionCode.ZipFile` may carry: 20 MiB.
pub(crate) const MAX_UPDATE_ZIP: usize = 20 * 1024 * 1024;
/// The most a zip may unpack to: 500 MiB.
pub(crate) const MAX_UNZIPPED: u64 = 500 * 1024 * 1024;

/// Decodes and checks a base64 zip of at most [`MAX_ZIP`] bytes, stores it once and returns the reference.
pub(crate) fn store_zip(
    connection: &Connection,
    zip_base64: &str,
    member: &str,
) -> Result<CodeRef, Failure> {
    store_zip_within(connection, zip_base64, member, MAX_ZIP)
}

/// [`store_zip`] with another cap on the zip's size.
pub(crate) fn store_zip_within(
    connection: &Connection,
    zip_base64: &str,
    member: &str,
    max_zip: usize,
) -> Result<CodeRef, Failure> {
    let zip = decode(zip_base64, member, max_zip)?;
    check_zip(&zip, member)?;
    let sha256 = hex::encode(Sha256::digest(&zip));
    let size = zip.len() as i64;
    connection
        .prepare_cached(
            "INSERT INTO code (sha256, size, token, zip) VALUES (?1, ?2, lower(hex(randomblob(16))), ?3) \
             ON CONFLICT (sha256) DO NOTHING",
        )?
        .execute(params![sha256, size, zip])?;
    Ok(CodeRef {
        sha256: Some(sha256),
        size,
        cos: None,
    })
}

/// The stored zip whose SHA-256 is `sha256`.
pub(crate) fn zip(connection: &Connection, sha256: &str) -> Result<Option<Vec<u8>>, Failure> {
    Ok(connection
        .prepare_cached("SELECT zip FROM code WHERE sha256 = ?1")?
        .query_row([sha256], |row| row.get(0))
        .optional()?)
}

/// The download token of the stored zip whose SHA-256 is `sha256`.
pub(crate) fn token(connection: &Connection, sha256: &str) -> Result<Option<String>, Failure> {
    Ok(connection
        .prepare_cached("SELECT token FROM code WHERE sha256 = ?1")?
        .query_row([sha256], |row| row.get(0))
        .optional()?)
}

/// The stored zip a download token names.
pub(crate) fn zip_by_token(
    connection: &Connection,
    token: &str,
) -> Result<Option<Vec<u8>>, Failure> {
    Ok(connection
        .prepare_cached("SELECT zip FROM code WHERE token = ?1")?
        .query_row([token], |row| row.get(0))
        .optional()?)
}

/// The text of the top-level file `stem.*` in `zip` (the file a handler names), when it is UTF-8 and at
/// most 1 MB, as GetFunction's `CodeInfo` shows it.
pub(crate) fn entry_text(zip: &[u8], stem: &str) -> Option<String> {
    const MAX_SHOWN: u64 = 1024 * 1024;
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).ok()?;
    let index = (0..archive.len()).find(|&index| {
        archive.name_for_index(index).is_some_and(|name| {
            !name.contains('/') && name.rsplit_once('.').map_or(name, |(stem, _)| stem) == stem
        })
    })?;
    let entry = archive.by_index(index).ok()?;
    if entry.size() > MAX_SHOWN {
        return None;
    }
    let mut text = String::new();
    entry.take(MAX_SHOWN).read_to_string(&mut text).ok()?;
    Some(text)
}

fn decode(zip_base64: &str, member: &str, max_zip: usize) -> Result<Vec<u8>, Failure> {
    let too_large = || {
        Failure::new(
            ErrorCode::InvalidParameterRequestTooLarge,
            format!(
                "The zip in `{member}` exceeds the limit of {} MB.",
                max_zip / (1024 * 1024)
            ),
        )
    };
    // Four base64 characters carry three bytes: refuse a zip too large before decoding it.
    if zip_base64.len() / 4 * 3 > max_zip + 3 {
        return Err(too_large());
    }
    let zip = base64::engine::general_purpose::STANDARD
        .decode(zip_base64.trim())
        .map_err(|e| {
            Failure::new(
                ErrorCode::InvalidParameterValueZipFileBase64BinasciiError,
                format!("The base64 of `{member}` could not be decoded: {e}."),
            )
        })?;
    if zip.len() > max_zip {
        return Err(too_large());
    }
    Ok(zip)
}

/// Fails unless `zip` is a whole zip archive whose entries stay inside their directory and fit the quota.
fn check_zip(zip: &[u8], member: &str) -> Result<(), Failure> {
    let invalid = |why: String| {
        Failure::new(
            ErrorCode::InvalidParameterValueZipFile,
            format!("`{member}` is not a usable zip file: {why}."),
        )
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(zip))
        .map_err(|e| invalid(format!("it cannot be opened as a zip archive ({e})")))?;
    let declared = archive.decompressed_size().unwrap_or(u128::MAX);
    if declared > u128::from(MAX_UNZIPPED) {
        return Err(invalid(format!(
            "its entries unpack to more than the limit of {} MB",
            MAX_UNZIPPED / (1024 * 1024)
        )));
    }
    let mut unpacked = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| invalid(format!("entry {index} cannot be read ({e})")))?;
        let name = entry.name().to_owned();
        if escapes(&name) {
            return Err(invalid(format!(
                "the entry `{name}` escapes the directory it unpacks into"
            )));
        }
        // Reading each entry to its end verifies its CRC-32; the cap stops entries that lie about their size.
        let limit = MAX_UNZIPPED - unpacked;
        let read = std::io::copy(&mut (&mut entry).take(limit + 1), &mut std::io::sink())
            .map_err(|e| invalid(format!("the entry `{name}` is corrupt ({e})")))?;
        unpacked += read;
        if unpacked > MAX_UNZIPPED {
            return Err(invalid(format!(
                "its entries unpack to more than the limit of {} MB",
                MAX_UNZIPPED / (1024 * 1024)
            )));
        }
    }
    Ok(())
}

/// Whether an entry name would unpack outside its directory: absolute, with a drive, or through `..`.
pub(crate) fn escapes(name: &str) -> bool {
    let absolute = name.starts_with('/') || name.starts_with('\\');
    let drive = name.as_bytes().get(1) == Some(&b':');
    absolute || drive || name.contains('\0') || name.split(['/', '\\']).any(|part| part == "..")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::Write;

    use base64::Engine;
    use scf_model::ErrorCode;

    use super::{escapes, store_zip, token, zip};
    use crate::db::Db;

    fn zip_of(entries: &[(&str, &[u8])]) -> String {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(bytes).unwrap();
        }
        let bytes = writer.finish().unwrap().into_inner();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn a_zip_is_stored_once_and_read_back_by_its_sha256() {
        let db = Db::open(None).unwrap();
        let encoded = zip_of(&[("index.py", b"def main_handler(e, c): return 1")]);
        let (first, second) = db
            .write(|tx| {
                Ok((
                    store_zip(tx, &encoded, "Code.ZipFile")?,
                    store_zip(tx, &encoded, "Code.ZipFile")?,
                ))
            })
            .unwrap();
        assert_eq!(first, second);
        let sha = first.sha256.clone().unwrap();
        let (stored, rows, token) = db
            .read(|c| {
                Ok((
                    zip(c, &sha)?.unwrap(),
                    c.query_row("SELECT count(*) FROM code", [], |r| r.get::<_, i64>(0))?,
                    token(c, &sha)?.unwrap(),
                ))
            })
            .unwrap();
        assert_eq!(
            base64::engine::general_purpose::STANDARD.encode(&stored),
            encoded
        );
        assert_eq!(
            (rows, first.size, token.len()),
            (1, stored.len() as i64, 32)
        );
    }

    #[test]
    fn bad_zips_are_refused_with_their_codes() {
        let db = Db::open(None).unwrap();
        let code = |encoded: &str| {
            db.write(|tx| store_zip(tx, encoded, "Code.ZipFile"))
                .unwrap_err()
                .code
        };
        assert_eq!(
            code("not base64!"),
            ErrorCode::InvalidParameterValueZipFileBase64BinasciiError
        );
        assert_eq!(
            code("aGVsbG8gd29ybGQ="),
            ErrorCode::InvalidParameterValueZipFile
        );
        assert_eq!(
            code(&zip_of(&[("../x.py", b"x")])),
            ErrorCode::InvalidParameterValueZipFile
        );
    }

    #[test]
    fn names_escaping_their_directory_are_recognised() {
        for bad in ["/etc/passwd", "\\x", "C:/x", "a/../../b", "..", "a\\..\\b"] {
            assert!(escapes(bad), "{bad}");
        }
        for good in ["index.py", "lib/a.py", "a..b/c", "dir/", "./x"] {
            assert!(!escapes(good), "{good}");
        }
    }
}
