//! Secret values that never print and are wiped from memory on drop.

use std::fmt;
use zeroize::Zeroizing;

/// The text every redacted value prints instead of itself.
pub(crate) const REDACTED: &str = "** redacted **";

/// A SecretKey. `Debug` and `Display` print a redaction; the bytes are zeroed on drop.
///
/// The key is stored with the `TC3` prefix that key derivation needs, so signing never copies it.
#[derive(Clone)]
pub struct SecretKey {
    prefixed: Zeroizing<Vec<u8>>,
}

impl SecretKey {
    pub(crate) fn new(key: &str) -> Self {
        let mut prefixed = Zeroizing::new(Vec::with_capacity(3 + key.len()));
        prefixed.extend_from_slice(b"TC3");
        prefixed.extend_from_slice(key.as_bytes());
        Self { prefixed }
    }

    /// The key itself. Call this only to hand the key to something that needs it.
    pub fn expose_secret(&self) -> &str {
        // The bytes after the prefix were copied from a `&str`, so they are valid UTF-8.
        std::str::from_utf8(&self.prefixed[3..]).unwrap_or_default()
    }

    /// `"TC3" + SecretKey`, the HMAC key of the first derivation step.
    pub(crate) fn derivation_key(&self) -> &[u8] {
        &self.prefixed
    }
}

/// A session token of temporary credentials, sent as `X-TC-Token`.
/// `Debug` and `Display` print a redaction; the bytes are zeroed on drop.
#[derive(Clone)]
pub struct SessionToken {
    token: Zeroizing<String>,
}

impl SessionToken {
    pub(crate) fn new(token: Zeroizing<String>) -> Self {
        Self { token }
    }

    /// The token itself, for the `X-TC-Token` header.
    pub fn expose_secret(&self) -> &str {
        &self.token
    }
}

/// `Debug` and `Display` that print [`REDACTED`] whatever the value.
macro_rules! redacted_formatting {
    ($($secret:ty),*) => {$(
        impl fmt::Debug for $secret {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(REDACTED)
            }
        }

        impl fmt::Display for $secret {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(REDACTED)
            }
        }
    )*};
}

redacted_formatting!(SecretKey, SessionToken);
