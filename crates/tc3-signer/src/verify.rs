//! Verification, for servers: a received request, the keys you hold, and the time you trust.

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;

use hmac::digest::FixedOutput;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::authorization::ParsedAuthorization;
use crate::canonical;
use crate::credentials::Credentials;
use crate::date::Decimal;
use crate::headers::{UNSIGNED_PAYLOAD_VALUE, X_TC_CONTENT_SHA256, X_TC_TIMESTAMP, X_TC_TOKEN};
use crate::key::{DerivedKey, SigningKey};

/// The skew between a request's `X-TC-Timestamp` and the server clock that Tencent Cloud accepts.
pub const DEFAULT_MAX_SKEW_SECS: u64 = 300;

/// Finds the credentials of a SecretId.
pub trait KeyLookup {
    /// The credentials whose SecretId is `secret_id`, or `None` if it is unknown.
    ///
    /// Credentials with a token are temporary: their requests must carry that token in `X-TC-Token`.
    fn lookup(&self, secret_id: &str) -> Option<Credentials>;

    /// A signing key the lookup keeps for `credentials`, `service` and `timestamp`'s UTC day, so the
    /// verifier skips the four HMACs of key derivation; `None` (the default) makes it derive the key.
    ///
    /// The verifier uses the key only if it [`covers`](SigningKey::covers) exactly these credentials,
    /// service and day, so a stale or mismatched key costs a derivation, never a wrong answer. A server
    /// verifying many requests keeps the current day's key per SecretId here; the verifier itself holds
    /// no cache and no lock.
    fn signing_key(
        &self,
        credentials: &Credentials,
        service: &str,
        timestamp: u64,
    ) -> Option<SigningKey> {
        let _ = (credentials, service, timestamp);
        None
    }
}

impl<S: BuildHasher> KeyLookup for HashMap<String, Credentials, S> {
    fn lookup(&self, secret_id: &str) -> Option<Credentials> {
        self.get(secret_id).cloned()
    }
}

impl KeyLookup for [Credentials] {
    fn lookup(&self, secret_id: &str) -> Option<Credentials> {
        self.iter().find(|c| c.secret_id() == secret_id).cloned()
    }
}

impl KeyLookup for Vec<Credentials> {
    fn lookup(&self, secret_id: &str) -> Option<Credentials> {
        self.as_slice().lookup(secret_id)
    }
}

impl<T: KeyLookup + ?Sized> KeyLookup for &T {
    fn lookup(&self, secret_id: &str) -> Option<Credentials> {
        (**self).lookup(secret_id)
    }

    fn signing_key(
        &self,
        credentials: &Credentials,
        service: &str,
        timestamp: u64,
    ) -> Option<SigningKey> {
        (**self).signing_key(credentials, service, timestamp)
    }
}

impl<T: KeyLookup + ?Sized> KeyLookup for Arc<T> {
    fn lookup(&self, secret_id: &str) -> Option<Credentials> {
        (**self).lookup(secret_id)
    }

    fn signing_key(
        &self,
        credentials: &Credentials,
        service: &str,
        timestamp: u64,
    ) -> Option<SigningKey> {
        (**self).signing_key(credentials, service, timestamp)
    }
}

/// Read access to the headers of a received request.
pub trait HeaderSource {
    /// The value of header `name` (matched ignoring ASCII case), or `None` when it is absent or
    /// appears more than once, since a repeated signed header is ambiguous.
    fn header(&self, name: &str) -> Option<&[u8]>;
}

impl<N: AsRef<str>, V: AsRef<[u8]>> HeaderSource for [(N, V)] {
    fn header(&self, name: &str) -> Option<&[u8]> {
        let mut matches = self
            .iter()
            .filter(|(n, _)| n.as_ref().eq_ignore_ascii_case(name));
        let (_, value) = matches.next()?;
        matches.next().is_none().then_some(value.as_ref())
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>> HeaderSource for Vec<(N, V)> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().header(name)
    }
}

/// A request as the server received it: nothing decoded, re-encoded or re-ordered.
#[derive(Clone, Copy)]
pub struct VerifiableRequest<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: &'a dyn HeaderSource,
    body: &'a [u8],
}

impl<'a> VerifiableRequest<'a> {
    /// A request to `/` with no query string.
    pub fn new(method: &'a str, headers: &'a dyn HeaderSource, body: &'a [u8]) -> Self {
        Self {
            method,
            path: "/",
            query: "",
            headers,
            body,
        }
    }

    /// The raw query string as received, without the `?`.
    pub fn with_query(mut self, query: &'a str) -> Self {
        self.query = query;
        self
    }

    /// The path as received.
    pub fn with_path(mut self, path: &'a str) -> Self {
        self.path = path;
        self
    }
}

impl fmt::Debug for VerifiableRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiableRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query_len", &self.query.len())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// Checks TC3 signatures against a set of keys, for one service.
///
/// ```
/// use std::collections::HashMap;
/// use tc3_signer::{Credentials, SignablePayload, SignableRequest, SigningParams, VerifiableRequest, Verifier, VerifyErrorKind, sign};
///
/// let credentials = Credentials::new("AKIDEXAMPLE", "secret")?;
/// let keys = HashMap::from([("AKIDEXAMPLE".to_owned(), credentials.clone())]);
/// let verifier = Verifier::new("scf", keys);
///
/// let body = b"{}";
/// let mut headers = vec![
///     ("Content-Type".to_owned(), "application/json".to_owned()),
///     ("Host".to_owned(), "127.0.0.1:9000".to_owned()),
/// ];
/// let signed = {
///     let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
///     let request = SignableRequest::new("POST", &pairs, SignablePayload::Bytes(body));
///     sign(&request, &SigningParams::new(&credentials, "scf", 1_700_000_000))?
/// };
/// headers.extend(signed.headers().map(|(n, v)| (n.to_owned(), v.to_owned())));
///
/// let received = VerifiableRequest::new("POST", &headers, body);
/// assert!(verifier.verify(&received, 1_700_000_100).is_ok());
/// let late = verifier.verify(&received, 1_700_000_301).unwrap_err();
/// assert_eq!(late.kind(), VerifyErrorKind::SignatureExpire);
/// assert_eq!(late.code(), "AuthFailure.SignatureExpire");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Verifier<K> {
    service: String,
    keys: K,
    max_skew_secs: u64,
}

impl<K: KeyLookup> Verifier<K> {
    /// A verifier for `service` (such as `scf`) holding `keys`, with Tencent's 300 s skew window.
    pub fn new(service: impl Into<String>, keys: K) -> Self {
        Self {
            service: service.into(),
            keys,
            max_skew_secs: DEFAULT_MAX_SKEW_SECS,
        }
    }

    /// Accepts timestamps at most `secs` away from `now`.
    pub fn with_max_skew_secs(mut self, secs: u64) -> Self {
        self.max_skew_secs = secs;
        self
    }

    /// The keys this verifier holds.
    pub fn keys(&self) -> &K {
        &self.keys
    }

    /// Verifies `request` with the server clock at `now` (Unix seconds).
    ///
    /// The checks run in the order Tencent Cloud applies them, so the first failure decides the code:
    /// the Authorization format, the SecretId, the timestamp window, the credential scope, the
    /// signature (compared in constant time), and the session token of temporary keys.
    pub fn verify(
        &self,
        request: &VerifiableRequest<'_>,
        now: u64,
    ) -> Result<Verified, VerifyError> {
        use VerifyErrorKind as Kind;
        let headers = request.headers;
        let authorization = headers.header("authorization").ok_or_else(|| {
            VerifyError::new(
                Kind::InvalidAuthorization,
                "the Authorization header is missing or repeated",
            )
        })?;
        let authorization = std::str::from_utf8(authorization)
            .ok()
            .and_then(ParsedAuthorization::parse)
            .ok_or_else(|| {
                VerifyError::new(
                    Kind::InvalidAuthorization,
                    "the Authorization header is not in the TC3-HMAC-SHA256 format",
                )
            })?;
        let credentials = self.keys.lookup(authorization.secret_id()).ok_or_else(|| {
            VerifyError::new(
                Kind::SecretIdNotFound,
                format!(
                    "SecretId {} is unknown, deleted or disabled",
                    authorization.secret_id().escape_debug()
                ),
            )
        })?;

        let timestamp = headers.header(X_TC_TIMESTAMP).ok_or_else(|| {
            VerifyError::new(
                Kind::MissingTimestamp,
                "the X-TC-Timestamp header is missing or repeated",
            )
        })?;
        let timestamp = parse_timestamp(timestamp).ok_or_else(|| {
            VerifyError::new(
                Kind::InvalidTimestamp,
                "X-TC-Timestamp must be Unix seconds in decimal",
            )
        })?;
        if timestamp.abs_diff(now) > self.max_skew_secs {
            return Err(VerifyError::new(
                Kind::SignatureExpire,
                format!(
                    "the request timestamp {timestamp} is {} s {} the server time {now}; at most {} s are allowed",
                    timestamp.abs_diff(now),
                    if timestamp < now {
                        "behind"
                    } else {
                        "ahead of"
                    },
                    self.max_skew_secs
                ),
            ));
        }

        // A key the lookup keeps spares the four HMACs of derivation, most of a verification's hashing.
        let kept = self
            .keys
            .signing_key(&credentials, &self.service, timestamp)
            .filter(|key| key.covers(&credentials, &self.service, timestamp));
        let derived;
        let key = match kept
            .as_ref()
            .and_then(|key| key.derived_for(timestamp).ok())
        {
            Some(key) => key,
            None => {
                derived = DerivedKey::derive(credentials.secret_key(), &self.service, timestamp)
                    .ok_or_else(|| {
                        VerifyError::new(
                            Kind::InvalidTimestamp,
                            "X-TC-Timestamp lies after year 9999",
                        )
                    })?;
                &derived
            }
        };
        if authorization.date().as_bytes() != key.date {
            return Err(VerifyError::new(
                Kind::SignatureFailure,
                format!(
                    "the credential scope date {} is not the UTC date of X-TC-Timestamp",
                    authorization.date()
                ),
            ));
        }
        if authorization.service() != self.service {
            return Err(VerifyError::new(
                Kind::SignatureFailure,
                format!(
                    "the credential scope service {} is not {}",
                    authorization.service().escape_debug(),
                    self.service
                ),
            ));
        }
        for required in ["content-type", "host"] {
            if !authorization.signed_headers().any(|name| name == required) {
                return Err(VerifyError::new(
                    Kind::SignatureFailure,
                    format!("SignedHeaders must include {required}"),
                ));
            }
        }

        let unsigned = headers
            .header(X_TC_CONTENT_SHA256)
            .is_some_and(|value| value.trim_ascii() == UNSIGNED_PAYLOAD_VALUE.as_bytes());
        let payload_hash = if unsigned {
            *canonical::UNSIGNED_PAYLOAD_HASH
        } else {
            canonical::payload_hash_hex(request.body)
        };
        let mut hasher = Sha256::new();
        canonical::write_head(
            &mut hasher,
            request.method.as_bytes(),
            request.path.as_bytes(),
            request.query.as_bytes(),
        );
        for name in authorization.signed_headers() {
            let value = headers.header(name).ok_or_else(|| {
                VerifyError::new(
                    Kind::SignatureFailure,
                    format!("signed header {name} is missing from the request or repeated"),
                )
            })?;
            canonical::write_header(&mut hasher, name.as_bytes(), value);
        }
        canonical::write_tail(
            &mut hasher,
            authorization.signed_headers_list().as_bytes(),
            &payload_hash,
        );
        let canonical_hash = canonical::hex32(&hasher.finalize().into());

        let timestamp_text = Decimal::new(timestamp);
        let mut mac = key.mac.clone();
        canonical::write_string_to_sign(
            &mut mac,
            timestamp_text.as_str(),
            &key.date,
            &self.service,
            &canonical_hash,
        );
        let expected: [u8; 32] = mac.finalize_fixed().into();
        let matches: bool = expected.ct_eq(authorization.signature()).into();
        if !matches {
            return Err(VerifyError::new(
                Kind::SignatureFailure,
                "the signature does not match the request",
            ));
        }

        if let Some(expected) = credentials.token() {
            let presented = headers.header(X_TC_TOKEN).unwrap_or_default();
            let matches: bool = presented.ct_eq(expected.expose_secret().as_bytes()).into();
            if !matches {
                return Err(VerifyError::new(
                    Kind::TokenFailure,
                    "the X-TC-Token of these temporary credentials is missing or wrong",
                ));
            }
        }
        Ok(Verified {
            credentials,
            timestamp,
        })
    }
}

fn parse_timestamp(value: &[u8]) -> Option<u64> {
    let value = value.trim_ascii();
    if value.is_empty() || value.len() > 20 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    value.iter().try_fold(0u64, |acc, &digit| {
        acc.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
    })
}

/// A request whose signature checked out.
#[derive(Debug, Clone)]
pub struct Verified {
    credentials: Credentials,
    timestamp: u64,
}

impl Verified {
    /// The credentials that signed it.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Its `X-TC-Timestamp`.
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }
}

/// Why a request failed verification, each cause with its Tencent Cloud error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// The Authorization header is missing or not in the TC3 format.
    InvalidAuthorization,
    /// No key has the SecretId of the credential scope.
    SecretIdNotFound,
    /// `X-TC-Timestamp` is missing.
    MissingTimestamp,
    /// `X-TC-Timestamp` is not Unix seconds in decimal.
    InvalidTimestamp,
    /// The timestamp is further from the server clock than the window allows.
    SignatureExpire,
    /// The scope, the signed header list or the signature does not match the request.
    SignatureFailure,
    /// Temporary credentials came without their token, or with another one.
    TokenFailure,
}

impl VerifyErrorKind {
    /// The Tencent Cloud error code a server answers with.
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidAuthorization => "AuthFailure.InvalidAuthorization",
            Self::SecretIdNotFound => "AuthFailure.SecretIdNotFound",
            Self::MissingTimestamp => "MissingParameter",
            Self::InvalidTimestamp => "InvalidParameterValue",
            Self::SignatureExpire => "AuthFailure.SignatureExpire",
            Self::SignatureFailure => "AuthFailure.SignatureFailure",
            Self::TokenFailure => "AuthFailure.TokenFailure",
        }
    }
}

/// A failed verification. The message is safe to return to the caller: it never holds a key,
/// a token or the expected signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    kind: VerifyErrorKind,
    message: String,
}

impl VerifyError {
    fn new(kind: VerifyErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The cause.
    pub fn kind(&self) -> VerifyErrorKind {
        self.kind
    }

    /// The Tencent Cloud error code of the cause.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// What was wrong, in words.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message)
    }
}

impl std::error::Error for VerifyError {}
