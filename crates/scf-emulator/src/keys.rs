//! The key pairs the emulator accepts, each with the signing key of the UTC day it last verified, so a
//! request's verification skips the four HMACs of key derivation; and the temporary credentials of the
//! functions' running code, accepted while their instance lives.

use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock};

use tc3_signer::{Credentials, KeyLookup, SigningKey};

use crate::runtime::credentials::TemporaryKeys;

/// The accepted credentials by SecretId.
#[derive(Debug, Default)]
pub(crate) struct Keys {
    /// A handful of short ids: comparing them costs less than hashing.
    configured: BTreeMap<String, Key>,
    temporary: TemporaryKeys,
}

#[derive(Debug)]
struct Key {
    credentials: Credentials,
    /// The key of the day of the last request derived, replaced when a request of another day comes.
    kept: RwLock<Option<SigningKey>>,
}

impl Keys {
    /// Accepts `credentials`; a second pair with the same SecretId replaces the first.
    pub(crate) fn insert(&mut self, credentials: Credentials) {
        self.configured.insert(
            credentials.secret_id().to_owned(),
            Key {
                credentials,
                kept: RwLock::new(None),
            },
        );
    }

    /// Also accepts the temporary credentials that `temporary` holds at the time of each request.
    pub(crate) fn with_temporary(mut self, temporary: TemporaryKeys) -> Self {
        self.temporary = temporary;
        self
    }
}

impl KeyLookup for Keys {
    fn lookup(&self, secret_id: &str) -> Option<Credentials> {
        match self.configured.get(secret_id) {
            Some(key) => Some(key.credentials.clone()),
            None => self.temporary.get(secret_id),
        }
    }

    fn signing_key(
        &self,
        credentials: &Credentials,
        service: &str,
        timestamp: u64,
    ) -> Option<SigningKey> {
        // Temporary keys live for one instance: the verifier derives theirs.
        let key = self.configured.get(credentials.secret_id())?;
        // A key is immutable once kept, so one left by a panicking thread is still whole.
        let kept = key
            .kept
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .filter(|kept| kept.covers(credentials, service, timestamp));
        if kept.is_some() {
            return kept;
        }
        let fresh = SigningKey::derive(credentials, service, timestamp).ok()?;
        *key.kept.write().unwrap_or_else(PoisonError::into_inner) = Some(fresh.clone());
        Some(fresh)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// 2023-11-14T22:13:20Z.
    const NOW: u64 = 1_700_000_000;

    fn keys() -> (Keys, Credentials) {
        let credentials = Credentials::new("AKIDkept", "secret").unwrap();
        let mut keys = Keys::default();
        keys.insert(credentials.clone());
        (keys, credentials)
    }

    #[test]
    fn keeps_the_key_of_the_day_and_derives_the_next_one() {
        let (keys, credentials) = keys();
        let first = keys.signing_key(&credentials, "scf", NOW).unwrap();
        assert_eq!(first.date(), "2023-11-14");
        let again = keys.signing_key(&credentials, "scf", NOW + 60).unwrap();
        assert_eq!(again.date(), "2023-11-14");
        let tomorrow = keys.signing_key(&credentials, "scf", NOW + 86_400).unwrap();
        assert_eq!(tomorrow.date(), "2023-11-15");
        assert!(tomorrow.covers(&credentials, "scf", NOW + 86_400));
    }

    #[test]
    fn gives_no_key_for_unknown_credentials_or_services_it_cannot_sign() {
        let (keys, credentials) = keys();
        let stranger = Credentials::new("AKIDother", "secret").unwrap();
        assert!(keys.lookup("AKIDother").is_none());
        assert!(keys.signing_key(&stranger, "scf", NOW).is_none());
        assert!(keys.signing_key(&credentials, "SCF", NOW).is_none());
        // A pair that shares the SecretId but not the key gets a key of its own, never the kept one.
        let rotated = Credentials::new("AKIDkept", "rotated").unwrap();
        keys.signing_key(&credentials, "scf", NOW).unwrap();
        let key = keys.signing_key(&rotated, "scf", NOW).unwrap();
        assert!(key.covers(&rotated, "scf", NOW));
        assert!(!key.covers(&credentials, "scf", NOW));
    }
}
