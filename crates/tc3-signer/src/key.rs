//! Signing keys: TC3 key derivation, and the derived key a caller keeps for one secret, service and UTC day.

use std::fmt;
use std::sync::Arc;

use hmac::digest::FixedOutput;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::credentials::Credentials;
use crate::date::utc_date;
use crate::error::{SigningError, SigningErrorKind};
use crate::secret::SecretKey;
use crate::sign::check_service;

/// HMAC-SHA256 keyed with `key`.
fn keyed(key: &[u8]) -> Hmac<Sha256> {
    // HMAC hashes keys longer than a block and pads shorter ones, so every length is accepted.
    <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

/// HMAC-SHA256 of `message` under `key`, written straight into memory that is zeroed on drop.
fn hmac(key: &[u8], message: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut tag = Zeroizing::new([0u8; 32]);
    keyed(key)
        .chain_update(message)
        .finalize_into((&mut *tag).into());
    tag
}

/// SecretDate, SecretService and SecretSigning: every step of TC3 key derivation, so tests can name
/// the step that broke.
fn derive_steps(
    secret_key: &SecretKey,
    date: &[u8; 10],
    service: &str,
) -> [Zeroizing<[u8; 32]>; 3] {
    let secret_date = hmac(secret_key.derivation_key(), date);
    let secret_service = hmac(&*secret_date, service.as_bytes());
    let secret_signing = hmac(&*secret_service, b"tc3_request");
    [secret_date, secret_service, secret_signing]
}

/// Days since 1970-01-01 UTC; a Unix day has exactly 86 400 seconds.
fn utc_day(timestamp: u64) -> u64 {
    timestamp / 86_400
}

/// The scope date and the HMAC keyed with SecretSigning for one UTC day, ready to absorb a string to sign.
///
/// Keeping the keyed state rather than SecretSigning spares each signature the two key-block compressions
/// of HMAC set-up. With the `zeroize` features of `hmac` and `sha2`, the state is wiped on drop.
pub(crate) struct DerivedKey {
    pub(crate) day: u64,
    pub(crate) date: [u8; 10],
    pub(crate) mac: Hmac<Sha256>,
}

impl DerivedKey {
    /// The key of `timestamp`'s UTC day, or `None` if the timestamp lies past year 9999.
    pub(crate) fn derive(secret_key: &SecretKey, service: &str, timestamp: u64) -> Option<Self> {
        let date = utc_date(timestamp)?;
        let [_, _, secret_signing] = derive_steps(secret_key, &date, service);
        Some(Self {
            day: utc_day(timestamp),
            date,
            mac: keyed(&*secret_signing),
        })
    }

    pub(crate) fn date(&self) -> &str {
        // `utc_date` writes only ASCII digits and dashes.
        std::str::from_utf8(&self.date).unwrap_or_default()
    }
}

/// A derived signing key: the key of one set of credentials for one service and one UTC date.
///
/// Deriving a key costs four HMACs; signing with one costs none. Keep a `SigningKey` for the current day
/// and service and sign with [`SigningParams::with_key`](crate::SigningParams::with_key); derive a new one
/// when [`covers`](Self::covers) says it no longer fits. Clones share one immutable key, so a `SigningKey`
/// is cheap to clone and to share between threads, and signing with it takes no lock.
///
/// It holds the credentials it came from, for the SecretId and session token a signature carries.
/// `Debug` shows the SecretId, service and date only; the keyed state is wiped when the last clone drops.
///
/// ```
/// use tc3_signer::{Credentials, SignablePayload, SignableRequest, SigningKey, SigningParams, sign};
///
/// let credentials = Credentials::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
/// let key = SigningKey::derive(&credentials, "scf", 1_700_000_000)?;
/// assert_eq!((key.date(), key.service()), ("2023-11-14", "scf"));
///
/// let body = br#"{"InvokeRequestId":"b379787f-8487-4bac-bd8c-17a20a9ce40e"}"#;
/// let headers = [("Content-Type", "application/json"), ("Host", "scf.tencentcloudapi.com")];
/// let request = SignableRequest::new("POST", &headers, SignablePayload::Bytes(body));
/// let warm = sign(&request, &SigningParams::with_key(&key, 1_700_000_000))?;
/// let cold = sign(&request, &SigningParams::new(&credentials, "scf", 1_700_000_000))?;
/// assert_eq!(warm.authorization(), cold.authorization());
///
/// // The key of 2023-11-14 does not sign a request of the next UTC day.
/// let tomorrow = 1_700_006_400;
/// assert!(!key.covers(&credentials, "scf", tomorrow));
/// assert!(sign(&request, &SigningParams::with_key(&key, tomorrow)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    inner: Arc<Inner>,
}

struct Inner {
    credentials: Credentials,
    service: Box<str>,
    key: DerivedKey,
}

impl SigningKey {
    /// Derives the key of `credentials` for `service` on the UTC date of `timestamp` (Unix seconds).
    ///
    /// Fails with [`SigningErrorKind::InvalidService`] or [`SigningErrorKind::TimestampOutOfRange`].
    pub fn derive(
        credentials: &Credentials,
        service: &str,
        timestamp: u64,
    ) -> Result<Self, SigningError> {
        check_service(service)?;
        let key = DerivedKey::derive(credentials.secret_key(), service, timestamp)
            .ok_or_else(|| SigningError::new(SigningErrorKind::TimestampOutOfRange, None))?;
        Ok(Self {
            inner: Arc::new(Inner {
                credentials: credentials.clone(),
                service: service.into(),
                key,
            }),
        })
    }

    /// Whether this key signs for `credentials` and `service` at `timestamp`: the same SecretId, SecretKey
    /// (compared in constant time) and session token, the same service, and the same UTC date.
    ///
    /// ```
    /// use tc3_signer::{Credentials, SigningKey};
    ///
    /// let credentials = Credentials::new("AKIDEXAMPLE", "secret")?;
    /// let key = SigningKey::derive(&credentials, "scf", 1_700_000_000)?;
    /// assert!(key.covers(&credentials, "scf", 1_700_006_399)); // 23:59:59 UTC, same day.
    /// assert!(!key.covers(&credentials, "sts", 1_700_000_000));
    /// let rotated = Credentials::new("AKIDEXAMPLE", "new-secret")?;
    /// assert!(!key.covers(&rotated, "scf", 1_700_000_000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn covers(&self, credentials: &Credentials, service: &str, timestamp: u64) -> bool {
        let inner = &*self.inner;
        utc_day(timestamp) == inner.key.day
            && *inner.service == *service
            && inner.credentials.same_secret(credentials)
    }

    /// The UTC date the key signs for, `YYYY-MM-DD` as the credential scope spells it.
    pub fn date(&self) -> &str {
        self.inner.key.date()
    }

    /// The service the key signs for.
    pub fn service(&self) -> &str {
        &self.inner.service
    }

    /// The credentials the key was derived from.
    pub fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    /// The derived key, if `timestamp` falls on its UTC date.
    pub(crate) fn derived_for(&self, timestamp: u64) -> Result<&DerivedKey, SigningError> {
        let key = &self.inner.key;
        if utc_day(timestamp) == key.day {
            return Ok(key);
        }
        let date = utc_date(timestamp).map_or_else(
            || "after 9999-12-31".to_owned(),
            |date| String::from_utf8_lossy(&date).into_owned(),
        );
        Err(SigningError::new(
            SigningErrorKind::KeyDateMismatch,
            Some(format!("{}, the timestamp's is {date}", key.date())),
        ))
    }
}

// The documentation promises keys that threads share; this fails to compile if that stops being true.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<SigningKey>();
};

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("secret_id", &self.inner.credentials.secret_id())
            .field("service", &self.service())
            .field("date", &self.date())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::MAX_TIMESTAMP;

    fn hex(bytes: &[u8; 32]) -> String {
        hex::encode(bytes)
    }

    /// Spec section 1.7, example A: the doc's masked key is the real input.
    #[test]
    fn derivation_steps_match_official_example_a() {
        let [secret_date, secret_service, secret_signing] = derive_steps(
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
        let [secret_date, secret_service, secret_signing] = derive_steps(
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

    fn tag(key: &DerivedKey) -> [u8; 32] {
        key.mac
            .clone()
            .chain_update(b"probe")
            .finalize_fixed()
            .into()
    }

    #[test]
    fn derived_key_is_keyed_with_secret_signing_of_the_utc_date() {
        let secret_key = SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3*******");
        // 1551139199 is 2019-02-25T23:59:59Z.
        let key = DerivedKey::derive(&secret_key, "cvm", 1_551_139_199).unwrap();
        assert_eq!(key.date(), "2019-02-25");
        let [_, _, secret_signing] = derive_steps(&secret_key, b"2019-02-25", "cvm");
        assert_eq!(tag(&key), *hmac(&*secret_signing, b"probe"));
        let next_day = DerivedKey::derive(&secret_key, "cvm", 1_551_139_200).unwrap();
        assert_eq!(next_day.date(), "2019-02-26");
        assert_ne!(tag(&key), tag(&next_day));
        assert!(DerivedKey::derive(&secret_key, "cvm", MAX_TIMESTAMP + 1).is_none());
    }

    #[test]
    fn covers_only_the_same_secret_service_and_utc_day() {
        let credentials = Credentials::with_token("AKID", "key", "token").unwrap();
        // 1551139200 is 2019-02-26T00:00:00Z.
        let key = SigningKey::derive(&credentials, "scf", 1_551_139_200).unwrap();
        let same = Credentials::with_token("AKID", "key", "token").unwrap();
        assert!(key.covers(&credentials, "scf", 1_551_139_200));
        assert!(
            key.covers(&same, "scf", 1_551_225_599),
            "an equal copy, last second"
        );
        assert!(!key.covers(&same, "scf", 1_551_139_199), "the day before");
        assert!(!key.covers(&same, "scf", 1_551_225_600), "the day after");
        assert!(!key.covers(&same, "sts", 1_551_139_200), "another service");
        let others = [
            Credentials::with_token("AKID2", "key", "token").unwrap(),
            Credentials::with_token("AKID", "key2", "token").unwrap(),
            Credentials::with_token("AKID", "key", "token2").unwrap(),
            Credentials::new("AKID", "key").unwrap(),
        ];
        for other in &others {
            assert!(!key.covers(other, "scf", 1_551_139_200), "{other:?}");
        }
        assert!(!key.covers(&credentials, "scf", u64::MAX));
    }

    #[test]
    fn derive_rejects_what_cannot_be_signed() {
        let credentials = Credentials::new("AKID", "key").unwrap();
        let kind = |service: &str, timestamp: u64| {
            SigningKey::derive(&credentials, service, timestamp)
                .unwrap_err()
                .kind()
        };
        assert_eq!(kind("SCF", 0), SigningErrorKind::InvalidService);
        assert_eq!(
            kind("scf", MAX_TIMESTAMP + 1),
            SigningErrorKind::TimestampOutOfRange
        );
        assert!(SigningKey::derive(&credentials, "scf", MAX_TIMESTAMP).is_ok());
    }

    #[test]
    fn debug_shows_the_scope_but_no_secret() {
        let credentials =
            Credentials::with_token("AKIDvisible", "hunter2-key", "hunter2-token").unwrap();
        let key = SigningKey::derive(&credentials, "scf", 1_700_000_000).unwrap();
        let debug = format!("{key:?} {key:#?}");
        assert!(
            debug.contains("AKIDvisible") && debug.contains("2023-11-14"),
            "{debug}"
        );
        assert!(!debug.contains("hunter2"), "{debug}");
    }
}
