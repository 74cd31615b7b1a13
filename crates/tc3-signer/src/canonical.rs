//! The canonical request and string to sign, written once for signer and verifier alike.
//!
//! Both are streamed into a [`Sink`] (a hasher, an HMAC, or a buffer for debugging) instead of
//! being built as strings, so signing allocates nothing for them.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The algorithm name that opens the string to sign and the Authorization header.
pub(crate) const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The hash the canonical request carries for `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`: SHA-256 of that text.
pub(crate) const UNSIGNED_PAYLOAD_HASH: &[u8; 64] =
    b"438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96";

/// Something canonical text can be written into.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);

    /// Writes `bytes` ASCII-lowercased, through a stack buffer rather than a copy on the heap.
    fn put_lowercase(&mut self, bytes: &[u8]) {
        let mut buffer = [0u8; 64];
        for chunk in bytes.chunks(buffer.len()) {
            let lowered = &mut buffer[..chunk.len()];
            lowered.copy_from_slice(chunk);
            lowered.make_ascii_lowercase();
            self.put(lowered);
        }
    }
}

impl Sink for Sha256 {
    fn put(&mut self, bytes: &[u8]) {
        Digest::update(self, bytes);
    }
}

impl Sink for Hmac<Sha256> {
    fn put(&mut self, bytes: &[u8]) {
        Mac::update(self, bytes);
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn put(&mut self, bytes: &[u8]) {
        (**self).put(bytes);
    }

    fn put_lowercase(&mut self, bytes: &[u8]) {
        (**self).put_lowercase(bytes);
    }
}

/// `Method \n CanonicalURI \n CanonicalQueryString \n`
pub(crate) fn write_head(
    sink: &mut (impl Sink + ?Sized),
    method: &[u8],
    path: &[u8],
    query: &[u8],
) {
    sink.put(method);
    sink.put(b"\n");
    sink.put(path);
    sink.put(b"\n");
    sink.put(query);
    sink.put(b"\n");
}

/// One CanonicalHeaders line: the lower-cased name, and the value trimmed and lower-cased.
pub(crate) fn write_header(sink: &mut (impl Sink + ?Sized), name: &[u8], value: &[u8]) {
    let value = value.trim_ascii();
    // A usual line is assembled and lower-cased on the stack and written in one piece: four small
    // writes into a hasher cost more than the copy.
    let mut buffer = [0u8; 128];
    if let Some(line) = buffer.get_mut(..name.len() + value.len() + 2) {
        let (head, tail) = line.split_at_mut(name.len());
        head.copy_from_slice(name);
        let (colon, tail) = tail.split_at_mut(1);
        colon[0] = b':';
        let (text, newline) = tail.split_at_mut(value.len());
        text.copy_from_slice(value);
        newline[0] = b'\n';
        line.make_ascii_lowercase();
        sink.put(line);
    } else {
        sink.put_lowercase(name);
        sink.put(b":");
        sink.put_lowercase(value);
        sink.put(b"\n");
    }
}

/// `\n SignedHeaders \n HashedRequestPayload`, closing the canonical request (no trailing newline).
pub(crate) fn write_tail(
    sink: &mut (impl Sink + ?Sized),
    signed_headers: &[u8],
    payload_hash_hex: &[u8; 64],
) {
    sink.put(b"\n");
    sink.put(signed_headers);
    sink.put(b"\n");
    sink.put(payload_hash_hex);
}

/// `TC3-HMAC-SHA256 \n Timestamp \n Date/service/tc3_request \n hex(SHA256(CanonicalRequest))`
pub(crate) fn write_string_to_sign(
    sink: &mut (impl Sink + ?Sized),
    timestamp: &str,
    date: &[u8; 10],
    service: &str,
    canonical_hash_hex: &[u8; 64],
) {
    sink.put(ALGORITHM.as_bytes());
    sink.put(b"\n");
    sink.put(timestamp.as_bytes());
    sink.put(b"\n");
    sink.put(date);
    sink.put(b"/");
    sink.put(service.as_bytes());
    sink.put(b"/tc3_request\n");
    sink.put(canonical_hash_hex);
}

/// Lower-case hex of a 32-byte digest, written so the compiler can vectorise it.
pub(crate) fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    fn digit(nibble: u8) -> u8 {
        nibble + b'0' + u8::from(nibble > 9) * (b'a' - b'0' - 10)
    }
    let mut out = [0u8; 64];
    for (pair, &byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = digit(byte >> 4);
        pair[1] = digit(byte & 0x0f);
    }
    out
}

/// Lower-case hex SHA-256 of a payload.
pub(crate) fn payload_hash_hex(payload: &[u8]) -> [u8; 64] {
    hex32(&Sha256::digest(payload).into())
}
