//! Zip packages built in memory, as the API takes them in `ZipFile` members.

use std::io::Write;

use base64::Engine;

/// A deflated zip holding `entries` as (path, content).
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// `bytes` in standard base64, the encoding of `ZipFile`.
pub fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A zip of `entries` in base64, ready for a `ZipFile` member.
pub fn base64_zip_of(entries: &[(&str, &[u8])]) -> String {
    base64(&zip_of(entries))
}
