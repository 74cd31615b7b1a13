//! SHA-256 and HMAC-SHA256 for the signing hot path, built on `sha2`'s compression function.
//!
//! The buffered `Digest` API costs about 40 ns per hash on top of the compressions (buffer copies, and
//! zeroizing state that holds only public data), a third of a whole signature's floor. Streaming straight
//! into [`compress256`] removes that. Only message padding and the HMAC key set-up live here; both are
//! checked against `sha2::Sha256` and `hmac::Hmac` in the tests below.
//! Key derivation runs here too, so the crate has one HMAC implementation rather than two.

use sha2::block_api::compress256;
use zeroize::{Zeroize, ZeroizeOnDrop};

const INITIAL_STATE: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];
const BLOCK: usize = 64;
/// Bytes gathered before compressing. A canonical request or string to sign fits, so each is
/// compressed in one call; the spare block leaves room for the padding.
const CAPACITY: usize = 4 * BLOCK;

/// An incremental SHA-256 that gathers input in a few blocks and compresses them in one call.
pub(crate) struct Sha256Writer {
    state: [u32; 8],
    buffer: [[u8; BLOCK]; CAPACITY / BLOCK + 1],
    filled: usize,
    /// Bytes compressed so far, including any absorbed before this writer resumed.
    length: u64,
}

impl Sha256Writer {
    pub(crate) fn new() -> Self {
        Self {
            state: INITIAL_STATE,
            buffer: [[0; BLOCK]; CAPACITY / BLOCK + 1],
            filled: 0,
            length: 0,
        }
    }

    /// Starts a new message. Reusing one writer spares zeroing a fresh buffer for every hash.
    pub(crate) fn restart(&mut self) {
        self.resume(INITIAL_STATE, 0);
    }

    /// Continues from `state`, reached after absorbing `length` bytes (a whole number of blocks).
    fn resume(&mut self, state: [u32; 8], length: u64) {
        self.state = state;
        self.filled = 0;
        self.length = length;
    }

    // Inlined so that writes of literal separators compile to a bounds check and a store.
    #[inline(always)]
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        if let Some(space) = self.space(bytes.len()) {
            space.copy_from_slice(bytes);
        } else {
            self.write_long(bytes);
        }
    }

    /// Writes `bytes` ASCII-lowercased, straight into the buffer when they fit.
    pub(crate) fn write_lowercase(&mut self, bytes: &[u8]) {
        if let Some(space) = self.space(bytes.len()) {
            space.copy_from_slice(bytes);
            space.make_ascii_lowercase();
        } else {
            for chunk in bytes.chunks(BLOCK) {
                let mut lowered = [0u8; BLOCK];
                let lowered = &mut lowered[..chunk.len()];
                lowered.copy_from_slice(chunk);
                lowered.make_ascii_lowercase();
                self.write(lowered);
            }
        }
    }

    /// The next `len` bytes of the buffer, if `len` more bytes fit.
    #[inline(always)]
    fn space(&mut self, len: usize) -> Option<&mut [u8]> {
        let start = self.filled;
        if len > CAPACITY - start {
            return None;
        }
        self.filled += len;
        Some(&mut self.buffer.as_flattened_mut()[start..start + len])
    }

    #[inline(never)]
    fn write_long(&mut self, mut bytes: &[u8]) {
        let take = CAPACITY - self.filled;
        self.buffer.as_flattened_mut()[self.filled..CAPACITY].copy_from_slice(&bytes[..take]);
        bytes = &bytes[take..];
        compress256(&mut self.state, &self.buffer[..CAPACITY / BLOCK]);
        self.length += CAPACITY as u64;
        let (blocks, rest) = bytes.as_chunks::<BLOCK>();
        if !blocks.is_empty() {
            compress256(&mut self.state, blocks);
            self.length += (blocks.len() * BLOCK) as u64;
        }
        self.buffer.as_flattened_mut()[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    /// Zeroes the state and buffer, for writers that hashed secrets.
    pub(crate) fn wipe(&mut self) {
        self.state.zeroize();
        self.buffer.as_flattened_mut().zeroize();
    }

    /// Pads the message in place (`0x80`, zeros, the bit length) and compresses what is left in one call.
    /// Call [`restart`](Self::restart) before writing the next message.
    pub(crate) fn finish(&mut self) -> [u8; 32] {
        let bits = (self.length + self.filled as u64) * 8;
        let end = (self.filled + 1 + 8).div_ceil(BLOCK) * BLOCK;
        let bytes = self.buffer.as_flattened_mut();
        bytes[self.filled] = 0x80;
        bytes[self.filled + 1..end - 8].fill(0);
        bytes[end - 8..end].copy_from_slice(&bits.to_be_bytes());
        compress256(&mut self.state, &self.buffer[..end / BLOCK]);
        let mut digest = [0u8; 32];
        for (out, word) in digest.chunks_exact_mut(4).zip(self.state) {
            out.copy_from_slice(&word.to_be_bytes());
        }
        digest
    }
}

/// SHA-256 of contiguous bytes.
#[cfg(test)]
fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut writer = Sha256Writer::new();
    writer.write(bytes);
    writer.finish()
}

/// HMAC-SHA256 keyed with a 32-byte key, with the ipad and opad blocks already absorbed.
///
/// This is what the key cache holds, so a warm signature compresses only the string to sign and one
/// outer block. The states are secret-equivalent and are wiped on drop.
#[derive(Clone)]
pub(crate) struct HmacKey {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl Zeroize for HmacKey {
    fn zeroize(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl Drop for HmacKey {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for HmacKey {}

impl HmacKey {
    /// Absorbs the ipad and opad blocks of `key`; keys longer than a block are hashed first (RFC 2104).
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut pad = [0u8; BLOCK];
        if key.len() > BLOCK {
            let mut writer = Sha256Writer::new();
            writer.write(key);
            pad[..32].copy_from_slice(&writer.finish());
            writer.wipe();
        } else {
            pad[..key.len()].copy_from_slice(key);
        }
        let mut inner = INITIAL_STATE;
        let mut outer = INITIAL_STATE;
        pad.iter_mut().for_each(|b| *b ^= 0x36);
        compress256(&mut inner, std::slice::from_ref(&pad));
        pad.iter_mut().for_each(|b| *b ^= 0x36 ^ 0x5c);
        compress256(&mut outer, std::slice::from_ref(&pad));
        pad.zeroize();
        Self { inner, outer }
    }

    /// The MAC of whatever `message` writes.
    ///
    /// The writers need no wiping: once they have compressed anything, their state no longer equals the
    /// key's ipad or opad state, and their buffers hold only the public message and inner digest.
    pub(crate) fn mac(
        &self,
        writer: &mut Sha256Writer,
        message: impl FnOnce(&mut Sha256Writer),
    ) -> [u8; 32] {
        writer.resume(self.inner, BLOCK as u64);
        message(writer);
        let inner_digest = writer.finish();
        writer.resume(self.outer, BLOCK as u64);
        writer.write(&inner_digest);
        writer.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, KeyInit, Mac};
    use proptest::prelude::*;
    use sha2::Digest;

    proptest! {
        #[test]
        fn matches_sha2_for_any_split(data in proptest::collection::vec(any::<u8>(), 0..1200), cuts in proptest::collection::vec(0usize..1200, 0..8)) {
            let mut writer = Sha256Writer::new();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
            cuts.sort_unstable();
            let mut start = 0;
            for cut in cuts {
                writer.write(&data[start..cut]);
                start = cut;
            }
            writer.write(&data[start..]);
            let expected: [u8; 32] = sha2::Sha256::digest(&data).into();
            prop_assert_eq!(writer.finish(), expected);
        }

        #[test]
        fn matches_the_hmac_crate(key in proptest::collection::vec(any::<u8>(), 0..200), message in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut reference = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
            reference.update(&message);
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            prop_assert_eq!(HmacKey::new(&key).mac(&mut Sha256Writer::new(), |w| w.write(&message)), expected);
        }
    }

    #[test]
    fn every_padding_boundary_matches_sha2() {
        let mut reused = Sha256Writer::new();
        for len in 0..=2 * CAPACITY + BLOCK {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let expected: [u8; 32] = sha2::Sha256::digest(&data).into();
            assert_eq!(sha256(&data), expected, "length {len}");
            reused.restart();
            reused.write(&data);
            assert_eq!(reused.finish(), expected, "reused writer, length {len}");
        }
    }
}
