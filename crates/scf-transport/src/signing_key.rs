//! The current day's signing key of one service, derived once per day and credentials.
//!
//! Deriving a TC3 key costs three HMACs; a client signs every attempt, so it keeps the key of the day it
//! last signed for and derives a new one only when the day, the credentials (after a refresh) or the
//! service change. Readers share the key; a new one replaces it for all.

use std::sync::RwLock;

use tc3_signer::{Credentials, SigningError, SigningKey};

#[derive(Debug, Default)]
pub(crate) struct KeyCache {
    current: RwLock<Option<SigningKey>>,
}

impl KeyCache {
    /// The key that signs for `service` with `credentials` at `timestamp`.
    pub(crate) fn key(
        &self,
        credentials: &Credentials,
        service: &str,
        timestamp: u64,
    ) -> Result<SigningKey, SigningError> {
        // A poisoned lock only means another thread panicked while replacing the key; it stays usable.
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        if let Some(key) = current
            .as_ref()
            .filter(|key| key.covers(credentials, service, timestamp))
        {
            return Ok(key.clone());
        }
        drop(current);
        let key = SigningKey::derive(credentials, service, timestamp)?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(key.clone());
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_key_per_day_credentials_and_service() {
        let cache = KeyCache::default();
        let first = Credentials::new("AKID1", "key-1").unwrap();
        let day = 1_700_000_000 / 86_400 * 86_400;
        let morning = cache.key(&first, "scf", day).unwrap();
        let evening = cache.key(&first, "scf", day + 86_399).unwrap();
        assert_eq!(format!("{morning:?}"), format!("{evening:?}"));
        assert!(morning.covers(&first, "scf", day + 86_399));

        let next_day = cache.key(&first, "scf", day + 86_400).unwrap();
        assert!(next_day.covers(&first, "scf", day + 86_400));
        assert!(!next_day.covers(&first, "scf", day));

        let refreshed = Credentials::new("AKID1", "key-2").unwrap();
        let key = cache.key(&refreshed, "scf", day + 86_400).unwrap();
        assert!(key.covers(&refreshed, "scf", day + 86_400));
        assert!(!key.covers(&first, "scf", day + 86_400));
    }
}
