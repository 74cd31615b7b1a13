//! Temporary credentials for the code of a running function, as SCF gives it its role's temporary key
//! in `TENCENTCLOUD_SECRETID`, `TENCENTCLOUD_SECRETKEY` and `TENCENTCLOUD_SESSIONTOKEN`.
//!
//! Each instance gets a pair and a token of its own, drawn from the operating system's random source.
//! The emulator accepts them, token required, for as long as the instance lives.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::sync::{Arc, PoisonError, RwLock};

use tc3_signer::Credentials;

/// The temporary credentials of live instances, by SecretId.
#[derive(Debug, Clone, Default)]
pub(crate) struct TemporaryKeys(Arc<RwLock<HashMap<String, Credentials>>>);

impl TemporaryKeys {
    /// New credentials, accepted until the lease is dropped.
    pub(crate) fn lease(&self) -> io::Result<Lease> {
        let secret_id = format!("AKIDtmp{}", random_text(16)?);
        let secret_key = random_text(20)?;
        let token = random_text(32)?;
        let credentials = Credentials::with_token(&secret_id, &secret_key, &token)
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(secret_id.clone(), credentials);
        Ok(Lease {
            keys: self.clone(),
            secret_id,
            secret_key,
            token,
        })
    }

    /// The live temporary credentials with this SecretId.
    pub(crate) fn get(&self, secret_id: &str) -> Option<Credentials> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(secret_id)
            .cloned()
    }
}

/// `bytes` random bytes as lower-case hex.
fn random_text(bytes: usize) -> io::Result<String> {
    let mut buffer = vec![0; bytes];
    getrandom::fill(&mut buffer).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(hex::encode(buffer))
}

/// One instance's temporary credentials; dropping it revokes them.
pub(crate) struct Lease {
    keys: TemporaryKeys,
    secret_id: String,
    secret_key: String,
    token: String,
}

impl Lease {
    /// The variables that hand the credentials to the function's code.
    pub(crate) fn environment(&self) -> [(String, String); 3] {
        [
            ("TENCENTCLOUD_SECRETID".to_owned(), self.secret_id.clone()),
            ("TENCENTCLOUD_SECRETKEY".to_owned(), self.secret_key.clone()),
            ("TENCENTCLOUD_SESSIONTOKEN".to_owned(), self.token.clone()),
        ]
    }
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease")
            .field("secret_id", &self.secret_id)
            .finish_non_exhaustive()
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.keys
            .0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.secret_id);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_lease_is_accepted_until_dropped_and_never_shows_its_secrets() {
        let keys = TemporaryKeys::default();
        let lease = keys.lease().unwrap();
        let other = keys.lease().unwrap();
        let [(_, id), (_, key), (_, token)] = lease.environment();
        assert!(id.starts_with("AKID") && key.len() == 40 && token.len() == 64);
        assert_ne!(id, other.environment()[0].1);
        let accepted = keys.get(&id).unwrap();
        assert_eq!(accepted.secret_id(), id);
        assert!(
            accepted.token().is_some(),
            "a temporary key needs its token"
        );
        let shown = format!("{lease:?}");
        assert!(!shown.contains(&key) && !shown.contains(&token), "{shown}");
        drop(lease);
        assert!(keys.get(&id).is_none());
        assert!(keys.get(&other.environment()[0].1).is_some());
    }
}
