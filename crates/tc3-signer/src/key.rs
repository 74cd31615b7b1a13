//! Signing-key derivation and its per-credentials cache.

use std::sync::Mutex;

use zeroize::Zeroizing;

use crate::date::utc_date;
use crate::secret::SecretKey;
use crate::sha256::{HmacKey, Sha256Writer};

fn hmac(key: &[u8], message: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut writer = Sha256Writer::new();
    let tag = Zeroizing::new(HmacKey::new(key).mac(&mut writer, |w| w.write(message)));
    // The writer's final state is the tag itself, a derived key.
    writer.wipe();
    tag
}

/// SecretDate, SecretService and SecretSigning: every step of TC3 key derivation, so tests can name
/// the step that broke.
fn derive_keys(secret_key: &SecretKey, date: &[u8; 10], service: &str) -> [Zeroizing<[u8; 32]>; 3] {
    let secret_date = hmac(secret_key.derivation_key(), date);
    let secret_service = hmac(&*secret_date, service.as_bytes());
    let secret_signing = hmac(&*secret_service, b"tc3_request");
    [secret_date, secret_service, secret_signing]
}

/// The HMAC keyed with SecretSigning, ready to absorb a string to sign.
fn derive(secret_key: &SecretKey, date: &[u8; 10], service: &str) -> HmacKey {
    let [_, _, secret_signing] = derive_keys(secret_key, date, service);
    HmacKey::new(&*secret_signing)
}

/// Services longer than this are derived every time rather than cached, which keeps entries inline.
const MAX_CACHED_SERVICE: usize = 32;
/// A client usually talks to one or two services (say `scf` and `sts`) around one date change.
const SLOTS: usize = 4;

/// The scope date and signing key of one timestamp.
pub(crate) struct ScopeKey {
    pub(crate) date: [u8; 10],
    pub(crate) key: HmacKey,
}

#[derive(Clone)]
struct Entry {
    /// Days since 1970-01-01 UTC: comparing one integer is cheaper than formatting the date.
    day: u64,
    date: [u8; 10],
    service: [u8; MAX_CACHED_SERVICE],
    service_len: u8,
    key: HmacKey,
}

impl Entry {
    fn matches(&self, day: u64, service: &str) -> bool {
        self.day == day && &self.service[..usize::from(self.service_len)] == service.as_bytes()
    }
}

/// Derived signing keys of one SecretKey, per (UTC day, service).
///
/// The cached value is the keyed HMAC state, so a warm signature also skips the two key-block
/// compressions of HMAC set-up. Entries are wiped on drop.
#[derive(Default)]
pub(crate) struct KeyCache {
    slots: Mutex<Slots>,
}

#[derive(Default)]
struct Slots {
    entries: [Option<Entry>; SLOTS],
    next: usize,
}

impl KeyCache {
    /// The scope date and signing key for `timestamp`, or `None` if the timestamp lies past year 9999.
    pub(crate) fn signing_key(
        &self,
        secret_key: &SecretKey,
        timestamp: u64,
        service: &str,
        use_cache: bool,
    ) -> Option<ScopeKey> {
        let day = timestamp / 86_400;
        let derive = || {
            let date = utc_date(timestamp)?;
            let key = derive(secret_key, &date, service);
            Some(ScopeKey { date, key })
        };
        if !use_cache || service.len() > MAX_CACHED_SERVICE {
            return derive();
        }
        // A poisoned lock only means another thread panicked mid-insert; the entries stay valid.
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = slots
            .entries
            .iter()
            .flatten()
            .find(|e| e.matches(day, service))
        {
            return Some(ScopeKey {
                date: entry.date,
                key: entry.key.clone(),
            });
        }
        let scope = derive()?;
        let mut entry = Entry {
            day,
            date: scope.date,
            service: [0; MAX_CACHED_SERVICE],
            service_len: service.len() as u8,
            key: scope.key.clone(),
        };
        entry.service[..service.len()].copy_from_slice(service.as_bytes());
        let slot = slots.next;
        slots.entries[slot] = Some(entry);
        slots.next = (slot + 1) % SLOTS;
        Some(scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8; 32]) -> String {
        hex::encode(bytes)
    }

    /// Spec section 1.7, example A: the doc's masked key is the real input.
    #[test]
    fn derivation_steps_match_official_example_a() {
        let [secret_date, secret_service, secret_signing] = derive_keys(
            &SecretKey::new("********************************"),
            b"2019-02-25",
            "cvm",
        );
        assert_eq!(
            hex(&secret_date),
            "da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0",
            "SecretDate"
        );
        assert_eq!(
            hex(&secret_service),
            "8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f",
            "SecretService"
        );
        assert_eq!(
            hex(&secret_signing),
            "b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af",
            "SecretSigning"
        );
    }

    /// Spec section 1.7, example B.
    #[test]
    fn derivation_steps_match_official_example_b() {
        let [secret_date, secret_service, secret_signing] = derive_keys(
            &SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3*******"),
            b"2019-02-25",
            "cvm",
        );
        assert_eq!(
            hex(&secret_date),
            "f1cb4d518a0eda9d5cbbfdb7850983f1e603eeae484edea76e4dd8d8deb5556e",
            "SecretDate"
        );
        assert_eq!(
            hex(&secret_service),
            "e7c609ce81bea53546bed2cc904778bef9ca14082e48e67883443ed64e227cd7",
            "SecretService"
        );
        assert_eq!(
            hex(&secret_signing),
            "8aa8ab5755582f576e94bcfe383b8e29325b0ca90c3590d569221c6a63a091ed",
            "SecretSigning"
        );
    }

    fn tag(key: &HmacKey) -> [u8; 32] {
        key.mac(&mut Sha256Writer::new(), |writer| writer.write(b"probe"))
    }

    #[test]
    fn cache_returns_the_key_of_the_requested_day_and_service() {
        let key = SecretKey::new("key");
        let cache = KeyCache::default();
        let services = ["scf", "sts", "cvm", "cam", "tke", "scf"];
        for (day, service) in services.iter().enumerate() {
            let timestamp = 1_700_000_000 + day as u64 * 86_400;
            let date = utc_date(timestamp).unwrap();
            let fresh = tag(&derive(&key, &date, service));
            for _ in 0..2 {
                // The second call is served from the cache and must agree.
                let scope = cache.signing_key(&key, timestamp, service, true).unwrap();
                assert_eq!((scope.date, tag(&scope.key)), (date, fresh));
            }
        }
        let long_service = "s".repeat(MAX_CACHED_SERVICE + 1);
        let scope = cache.signing_key(&key, 0, &long_service, true).unwrap();
        assert_eq!(
            tag(&scope.key),
            tag(&derive(&key, b"1970-01-01", &long_service))
        );
        assert!(cache.signing_key(&key, u64::MAX, "scf", true).is_none());
    }
}
