//! Signing: [`SignableRequest`] + [`SigningParams`] → [`SigningOutput`].

use std::cmp::Ordering;
use std::fmt;

use hmac::digest::FixedOutput;
use sha2::{Digest, Sha256};

use crate::canonical::{self, ALGORITHM, Sink};
use crate::credentials::Credentials;
use crate::date::Decimal;
use crate::error::{SigningError, SigningErrorKind};
use crate::headers::{
    AUTHORIZATION, UNSIGNED_PAYLOAD_VALUE, X_TC_CONTENT_SHA256, X_TC_TIMESTAMP, X_TC_TOKEN,
};
use crate::key::{DerivedKey, SigningKey};
use crate::secret::REDACTED;

/// The most headers one request may sign. TC3 needs two; the limit keeps sorting on the stack.
pub const MAX_SIGNED_HEADERS: usize = 32;

/// The request body as the signature covers it.
#[derive(Clone, Copy)]
pub enum SignablePayload<'a> {
    /// The exact bytes sent: the JSON body of a POST, or empty for a GET.
    Bytes(&'a [u8]),
    /// The SHA-256 of the bytes sent, computed by the caller (for a body streamed from elsewhere).
    Precomputed([u8; 32]),
    /// The body is not signed; the request must carry `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`,
    /// which [`SigningOutput::headers`] then includes.
    Unsigned,
}

impl fmt::Debug for SignablePayload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Self::Precomputed(hash) => write!(f, "Precomputed({})", hex::encode(hash)),
            Self::Unsigned => f.write_str("Unsigned"),
        }
    }
}

/// The parts of an HTTP request that TC3 signs.
///
/// `headers` are the headers to sign, in any order and letter case. They must include `Content-Type` and
/// `Host` with the values sent on the wire (the Host with its port, if it has one); sign only headers
/// whose value no proxy will change.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: &'a [(&'a str, &'a str)],
    payload: SignablePayload<'a>,
}

impl<'a> SignableRequest<'a> {
    /// A request to `/` with no query string, as every API 3.0 POST is.
    pub fn new(
        method: &'a str,
        headers: &'a [(&'a str, &'a str)],
        payload: SignablePayload<'a>,
    ) -> Self {
        Self {
            method,
            path: "/",
            query: "",
            headers,
            payload,
        }
    }

    /// The raw query string, exactly as sent and without the `?`: it is signed byte for byte.
    pub fn with_query(mut self, query: &'a str) -> Self {
        self.query = query;
        self
    }

    /// The canonical URI; `/` unless an API says otherwise.
    pub fn with_path(mut self, path: &'a str) -> Self {
        self.path = path;
        self
    }
}

/// Who signs, for which service, and when.
///
/// The service is always explicit: it cannot be read off a host such as `127.0.0.1:9000`.
/// The timestamp is Unix seconds; this crate never reads the clock.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    key: KeySource<'a>,
    timestamp: u64,
}

#[derive(Debug, Clone, Copy)]
enum KeySource<'a> {
    /// Derive the key during signing and drop it after.
    Derive {
        credentials: &'a Credentials,
        service: &'a str,
    },
    /// A key the caller derived and keeps.
    Derived(&'a SigningKey),
}

impl<'a> SigningParams<'a> {
    /// Parameters that derive the signing key of `credentials` for `service` afresh, in four HMACs.
    ///
    /// To sign many requests, derive a [`SigningKey`] once a day and use [`with_key`](Self::with_key).
    pub fn new(credentials: &'a Credentials, service: &'a str, timestamp: u64) -> Self {
        Self {
            key: KeySource::Derive {
                credentials,
                service,
            },
            timestamp,
        }
    }

    /// Parameters that sign with `key`, its credentials and its service at `timestamp`.
    ///
    /// Signing fails with [`SigningErrorKind::KeyDateMismatch`] unless `timestamp` falls on the key's
    /// UTC date.
    ///
    /// ```
    /// use tc3_signer::{Credentials, SignablePayload, SignableRequest, SigningErrorKind, SigningKey, SigningParams, sign};
    ///
    /// let credentials = Credentials::new("AKIDEXAMPLE", "secret")?;
    /// let key = SigningKey::derive(&credentials, "scf", 1_700_000_000)?;
    /// let headers = [("Content-Type", "application/json"), ("Host", "scf.tencentcloudapi.com")];
    /// let request = SignableRequest::new("POST", &headers, SignablePayload::Bytes(b"{}"));
    /// let output = sign(&request, &SigningParams::with_key(&key, 1_700_000_001))?;
    /// assert!(output.authorization().contains("Credential=AKIDEXAMPLE/2023-11-14/scf/tc3_request"));
    ///
    /// let error = sign(&request, &SigningParams::with_key(&key, 1_600_000_000)).unwrap_err();
    /// assert_eq!(error.kind(), SigningErrorKind::KeyDateMismatch);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_key(key: &'a SigningKey, timestamp: u64) -> Self {
        Self {
            key: KeySource::Derived(key),
            timestamp,
        }
    }
}

/// What a signature adds to a request.
pub struct SigningOutput {
    authorization: String,
    timestamp: Decimal,
    /// Temporary credentials, kept for their token; long-term ones are not kept, which spares two
    /// atomic reference-count updates per signature.
    temporary: Option<Credentials>,
    unsigned_payload: bool,
}

impl SigningOutput {
    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The `Authorization` header value, handed over so a caller can send it without a copy.
    /// Take the other [`headers`](Self::headers) first.
    pub fn into_authorization(self) -> String {
        self.authorization
    }

    /// The 64 lower-case hex digits of the signature.
    pub fn signature(&self) -> &str {
        &self.authorization[self.authorization.len() - 64..]
    }

    /// The `X-TC-Timestamp` header value: the signed timestamp in decimal.
    pub fn timestamp(&self) -> &str {
        self.timestamp.as_str()
    }

    fn token(&self) -> Option<&crate::SessionToken> {
        self.temporary.as_ref().and_then(Credentials::token)
    }

    /// Every header the request needs because of the signature, as `(name, value)`:
    /// `Authorization`, `X-TC-Timestamp`, `X-TC-Token` only with a session token, and
    /// `X-TC-Content-SHA256` only for an unsigned payload.
    ///
    /// The token value is the secret itself, for the wire; do not log these pairs.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let token = self
            .token()
            .map(|token| (X_TC_TOKEN, token.expose_secret()));
        let unsigned = self
            .unsigned_payload
            .then_some((X_TC_CONTENT_SHA256, UNSIGNED_PAYLOAD_VALUE));
        [
            Some((AUTHORIZATION, self.authorization())),
            Some((X_TC_TIMESTAMP, self.timestamp())),
            token,
            unsigned,
        ]
        .into_iter()
        .flatten()
    }
}

impl fmt::Debug for SigningOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The scope and signed headers help debugging; the signature authorises a request, so it is hidden.
        let scope = &self.authorization[..self.authorization.len() - 64];
        f.debug_struct("SigningOutput")
            .field("authorization", &format_args!("{scope}{REDACTED}"))
            .field("timestamp", &self.timestamp())
            .field("token", &self.token())
            .field("unsigned_payload", &self.unsigned_payload)
            .finish()
    }
}

/// The intermediate texts of one signature, for debugging and for comparing with other signers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningSteps {
    /// The canonical request, six lines joined by `\n`.
    pub canonical_request: String,
    /// The string to sign, four lines joined by `\n`.
    pub string_to_sign: String,
}

/// Signs a request.
///
/// ```
/// use tc3_signer::{Credentials, SignablePayload, SignableRequest, SigningParams, sign};
///
/// let credentials = Credentials::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
/// let body = br#"{"InvokeRequestId": "b379787f-8487-4bac-bd8c-17a20a9ce40e"}"#;
/// let headers = [("Content-Type", "application/json"), ("Host", "scf.tencentcloudapi.com")];
/// let request = SignableRequest::new("POST", &headers, SignablePayload::Bytes(body));
///
/// let output = sign(&request, &SigningParams::new(&credentials, "scf", 1_700_000_000))?;
/// assert_eq!(
///     output.authorization(),
///     "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/scf/tc3_request, \
///      SignedHeaders=content-type;host, \
///      Signature=564efc9793013f49cdcd81158c59c9ef0fcb69264548dfe9d8d48835495a631f"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<SigningOutput, SigningError> {
    sign_into(request, params, None)
}

/// Signs a request and also returns the canonical request and string to sign.
///
/// It runs the same code as [`sign`], writing a copy of each text as it is hashed.
pub fn sign_with_steps(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<(SigningOutput, SigningSteps), SigningError> {
    let mut canonical_request = Vec::new();
    let mut string_to_sign = Vec::new();
    let output = sign_into(
        request,
        params,
        Some((&mut canonical_request, &mut string_to_sign)),
    )?;
    let steps = SigningSteps {
        canonical_request: String::from_utf8_lossy(&canonical_request).into_owned(),
        string_to_sign: String::from_utf8_lossy(&string_to_sign).into_owned(),
    };
    Ok((output, steps))
}

/// Copies of the canonical request and string to sign, when the caller asked for them.
type Capture<'c> = Option<(&'c mut Vec<u8>, &'c mut Vec<u8>)>;

fn sign_into(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    capture: Capture<'_>,
) -> Result<SigningOutput, SigningError> {
    check_method(request.method)?;
    check_target(request.path, request.query)?;
    if let KeySource::Derive { service, .. } = params.key {
        check_service(service)?;
    }
    let order = HeaderOrder::new(request.headers)?;
    let derived_here;
    let (credentials, service, key) = match params.key {
        KeySource::Derive {
            credentials,
            service,
        } => {
            derived_here = DerivedKey::derive(credentials.secret_key(), service, params.timestamp)
                .ok_or_else(|| SigningError::new(SigningErrorKind::TimestampOutOfRange, None))?;
            (credentials, service, &derived_here)
        }
        KeySource::Derived(key) => (
            key.credentials(),
            key.service(),
            key.derived_for(params.timestamp)?,
        ),
    };

    let secret_id = credentials.secret_id();
    let mut authorization = String::with_capacity(
        ALGORITHM.len()
            + " Credential=".len()
            + secret_id.len()
            + "/YYYY-MM-DD/".len()
            + service.len()
            + "/tc3_request, SignedHeaders=".len()
            + order.signed_headers_len()
            + ", Signature=".len()
            + 64,
    );
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(secret_id);
    authorization.push('/');
    authorization.push_str(key.date());
    authorization.push('/');
    authorization.push_str(service);
    authorization.push_str("/tc3_request, SignedHeaders=");
    let signed_headers_start = authorization.len();
    order.write_signed_headers(&mut authorization);
    let signed_headers = signed_headers_start..authorization.len();

    let payload_hash = match request.payload {
        SignablePayload::Bytes(bytes) => canonical::payload_hash_hex(bytes),
        SignablePayload::Precomputed(hash) => canonical::hex32(&hash),
        SignablePayload::Unsigned => *canonical::UNSIGNED_PAYLOAD_HASH,
    };
    let signed_headers = &authorization.as_bytes()[signed_headers];
    let mut hasher = Sha256::new();
    write_canonical_request(&mut hasher, request, &order, signed_headers, &payload_hash);
    let canonical_hash = canonical::hex32(&hasher.finalize().into());

    let timestamp = Decimal::new(params.timestamp);
    let (ts, date) = (timestamp.as_str(), &key.date);
    let mut mac = key.mac.clone();
    canonical::write_string_to_sign(&mut mac, ts, date, service, &canonical_hash);
    let signature: [u8; 32] = mac.finalize_fixed().into();
    if let Some((canonical_copy, string_to_sign_copy)) = capture {
        write_canonical_request(
            canonical_copy,
            request,
            &order,
            signed_headers,
            &payload_hash,
        );
        canonical::write_string_to_sign(string_to_sign_copy, ts, date, service, &canonical_hash);
    }
    let signature = canonical::hex32(&signature);

    authorization.push_str(", Signature=");
    // Hex digits are ASCII.
    authorization.push_str(std::str::from_utf8(&signature).unwrap_or_default());

    Ok(SigningOutput {
        authorization,
        timestamp,
        temporary: credentials.token().is_some().then(|| credentials.clone()),
        unsigned_payload: matches!(request.payload, SignablePayload::Unsigned),
    })
}

fn write_canonical_request(
    sink: &mut impl Sink,
    request: &SignableRequest<'_>,
    order: &HeaderOrder<'_>,
    signed_headers: &[u8],
    payload_hash: &[u8; 64],
) {
    canonical::write_head(
        sink,
        request.method.as_bytes(),
        request.path.as_bytes(),
        request.query.as_bytes(),
    );
    for (name, value) in order.iter() {
        canonical::write_header(sink, name.as_bytes(), value.as_bytes());
    }
    canonical::write_tail(sink, signed_headers, payload_hash);
}

fn check_method(method: &str) -> Result<(), SigningError> {
    match method {
        "GET" | "POST" => Ok(()),
        _ => Err(SigningError::new(
            SigningErrorKind::InvalidMethod,
            Some(method.escape_debug().to_string()),
        )),
    }
}

fn check_target(path: &str, query: &str) -> Result<(), SigningError> {
    let breaks_line = |c: char| c.is_ascii_control() || c == ' ' || c == '#';
    if !path.starts_with('/') || path.contains(breaks_line) || path.contains('?') {
        return Err(SigningError::new(
            SigningErrorKind::InvalidPath,
            Some(path.escape_debug().to_string()),
        ));
    }
    if query.contains(breaks_line) {
        return Err(SigningError::new(SigningErrorKind::InvalidQuery, None));
    }
    Ok(())
}

pub(crate) fn check_service(service: &str) -> Result<(), SigningError> {
    let valid = !service.is_empty()
        && service.len() <= 64
        && service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(SigningError::new(
            SigningErrorKind::InvalidService,
            Some(service.escape_debug().to_string()),
        ))
    }
}

/// The headers to sign, validated and sorted by lower-cased name without touching the heap.
struct HeaderOrder<'r> {
    headers: &'r [(&'r str, &'r str)],
    order: [u8; MAX_SIGNED_HEADERS],
}

impl<'r> HeaderOrder<'r> {
    fn new(headers: &'r [(&'r str, &'r str)]) -> Result<Self, SigningError> {
        if headers.len() > MAX_SIGNED_HEADERS {
            return Err(SigningError::new(SigningErrorKind::TooManyHeaders, None));
        }
        for (name, value) in headers {
            // Folds without early exit, so the compiler can check many bytes at once.
            let name_ok = name.bytes().fold(!name.is_empty(), |ok, b| {
                ok & (b.is_ascii_alphanumeric() | (b == b'-'))
            });
            let value_ok = value.bytes().fold(true, |ok, b| {
                ok & ((b >= 0x20) | (b == b'\t')) & (b != 0x7f)
            });
            if !name_ok {
                return Err(SigningError::new(
                    SigningErrorKind::InvalidHeaderName,
                    Some(name.escape_debug().to_string()),
                ));
            }
            if !value_ok {
                return Err(SigningError::new(
                    SigningErrorKind::InvalidHeaderValue,
                    Some((*name).to_owned()),
                ));
            }
        }
        let mut order = [0u8; MAX_SIGNED_HEADERS];
        for (slot, index) in order.iter_mut().zip(0u8..) {
            *slot = index;
        }
        order[..headers.len()].sort_unstable_by(|&a, &b| {
            compare_names(headers[usize::from(a)].0, headers[usize::from(b)].0)
        });
        let sorted = Self { headers, order };

        let (mut content_type, mut host, mut previous) = (false, false, "");
        for (name, _) in sorted.iter() {
            if name.eq_ignore_ascii_case(previous) {
                return Err(SigningError::new(
                    SigningErrorKind::DuplicateHeader,
                    Some(name.to_ascii_lowercase()),
                ));
            }
            content_type |= name.eq_ignore_ascii_case("content-type");
            host |= name.eq_ignore_ascii_case("host");
            previous = name;
        }
        for (present, required) in [(content_type, "content-type"), (host, "host")] {
            if !present {
                return Err(SigningError::new(
                    SigningErrorKind::MissingHeader,
                    Some(required.to_owned()),
                ));
            }
        }
        Ok(sorted)
    }

    fn iter(&self) -> impl Iterator<Item = &'r (&'r str, &'r str)> + '_ {
        self.order[..self.headers.len()]
            .iter()
            .map(|&index| &self.headers[usize::from(index)])
    }

    fn signed_headers_len(&self) -> usize {
        self.headers
            .iter()
            .map(|(name, _)| name.len() + 1)
            .sum::<usize>()
            - 1
    }

    fn write_signed_headers(&self, out: &mut String) {
        let start = out.len();
        for (position, (name, _)) in self.iter().enumerate() {
            if position > 0 {
                out.push(';');
            }
            out.push_str(name);
        }
        out[start..].make_ascii_lowercase();
    }
}

fn compare_names(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|b| b.to_ascii_lowercase())
        .cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> Credentials {
        Credentials::new(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        )
        .unwrap()
    }

    const JSON: (&str, &str) = ("Content-Type", "application/json");
    const HOST: (&str, &str) = ("Host", "scf.tencentcloudapi.com");

    fn sign_headers(headers: &[(&str, &str)]) -> Result<SigningOutput, SigningError> {
        let credentials = credentials();
        let request = SignableRequest::new("POST", headers, SignablePayload::Bytes(b"{}"));
        sign(
            &request,
            &SigningParams::new(&credentials, "scf", 1_700_000_000),
        )
    }

    #[test]
    fn rejects_what_the_canonical_form_cannot_carry() {
        let kind = |headers: &[(&str, &str)]| sign_headers(headers).unwrap_err().kind();
        assert_eq!(kind(&[HOST]), SigningErrorKind::MissingHeader);
        assert_eq!(kind(&[JSON]), SigningErrorKind::MissingHeader);
        assert_eq!(
            kind(&[JSON, HOST, ("HOST", "x")]),
            SigningErrorKind::DuplicateHeader
        );
        assert_eq!(
            kind(&[JSON, HOST, ("x_tc", "1")]),
            SigningErrorKind::InvalidHeaderName
        );
        assert_eq!(
            kind(&[JSON, HOST, ("", "1")]),
            SigningErrorKind::InvalidHeaderName
        );
        assert_eq!(
            kind(&[JSON, HOST, ("X-Injected", "a\r\nb")]),
            SigningErrorKind::InvalidHeaderValue
        );
        let many: Vec<(String, &str)> = (0..=MAX_SIGNED_HEADERS)
            .map(|i| (format!("x-h{i}"), "v"))
            .collect();
        let many: Vec<(&str, &str)> = many.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        assert_eq!(kind(&many), SigningErrorKind::TooManyHeaders);
    }

    #[test]
    fn rejects_bad_method_path_query_service_and_time() {
        let credentials = credentials();
        let headers = [JSON, HOST];
        let params = SigningParams::new(&credentials, "scf", 1_700_000_000);
        let payload = SignablePayload::Bytes(b"");
        let kind = |request: SignableRequest<'_>, params: SigningParams<'_>| {
            sign(&request, &params).unwrap_err().kind()
        };
        let request = SignableRequest::new("POST", &headers, payload);
        assert_eq!(
            kind(SignableRequest::new("PUT", &headers, payload), params),
            SigningErrorKind::InvalidMethod
        );
        assert_eq!(
            kind(SignableRequest::new("post", &headers, payload), params),
            SigningErrorKind::InvalidMethod
        );
        assert_eq!(
            kind(request.with_path("x"), params),
            SigningErrorKind::InvalidPath
        );
        assert_eq!(
            kind(request.with_path("/?a"), params),
            SigningErrorKind::InvalidPath
        );
        assert_eq!(
            kind(request.with_query("a=\n"), params),
            SigningErrorKind::InvalidQuery
        );
        for service in ["", "SCF", "scf/x", "s c f"] {
            let params = SigningParams::new(&credentials, service, 1_700_000_000);
            assert_eq!(
                kind(request, params),
                SigningErrorKind::InvalidService,
                "{service:?}"
            );
        }
        let params = SigningParams::new(&credentials, "scf", u64::MAX);
        assert_eq!(kind(request, params), SigningErrorKind::TimestampOutOfRange);
    }

    #[test]
    fn headers_to_add_follow_token_and_payload_mode() {
        let plain = sign_headers(&[JSON, HOST]).unwrap();
        let names: Vec<_> = plain.headers().map(|(name, _)| name).collect();
        assert_eq!(names, ["Authorization", "X-TC-Timestamp"]);
        assert_eq!(plain.timestamp(), "1700000000");

        let temporary = Credentials::with_token("AKIDtmp", "key", "session-token").unwrap();
        let headers = [JSON, HOST];
        let request = SignableRequest::new("POST", &headers, SignablePayload::Unsigned);
        let output = sign(&request, &SigningParams::new(&temporary, "scf", 1)).unwrap();
        let pairs: Vec<_> = output.headers().collect();
        assert_eq!(pairs[2], ("X-TC-Token", "session-token"));
        assert_eq!(pairs[3], ("X-TC-Content-SHA256", "UNSIGNED-PAYLOAD"));
    }

    #[test]
    fn debug_output_hides_signature_and_token() {
        let temporary = Credentials::with_token("AKIDtmp", "key", "session-token").unwrap();
        let headers = [JSON, HOST];
        let request = SignableRequest::new("POST", &headers, SignablePayload::Bytes(b"{}"));
        let output = sign(&request, &SigningParams::new(&temporary, "scf", 1)).unwrap();
        let debug = format!("{output:?}");
        assert!(!debug.contains(output.signature()), "{debug}");
        assert!(!debug.contains("session-token"), "{debug}");
        assert!(debug.contains("SignedHeaders=content-type;host"), "{debug}");
    }

    #[test]
    fn kept_and_fresh_keys_sign_alike() {
        let credentials = credentials();
        let headers = [JSON, HOST];
        let request = SignableRequest::new("POST", &headers, SignablePayload::Bytes(b"{}"));
        let params = SigningParams::new(&credentials, "scf", 1_700_000_000);
        let fresh = sign(&request, &params).unwrap();
        let again = sign(&request, &params).unwrap();
        let key = SigningKey::derive(&credentials, "scf", 1_699_920_000).unwrap();
        let kept = sign(&request, &SigningParams::with_key(&key, 1_700_000_000)).unwrap();
        assert_eq!(fresh.authorization(), again.authorization());
        assert_eq!(fresh.authorization(), kept.authorization());
        assert_eq!(fresh.timestamp(), kept.timestamp());
    }

    #[test]
    fn a_kept_key_signs_only_on_its_utc_date() {
        let temporary = Credentials::with_token("AKIDtmp", "key", "session-token").unwrap();
        let headers = [JSON, HOST];
        let request = SignableRequest::new("POST", &headers, SignablePayload::Bytes(b"{}"));
        // 1551139199 is 2019-02-25T23:59:59Z, the last second of the key's date.
        let key = SigningKey::derive(&temporary, "scf", 1_551_052_800).unwrap();
        let last = sign(&request, &SigningParams::with_key(&key, 1_551_139_199)).unwrap();
        assert!(last.authorization().contains("/2019-02-25/scf/"));
        let pairs: Vec<_> = last.headers().collect();
        assert_eq!(pairs[2], ("X-TC-Token", "session-token"));
        for timestamp in [1_551_139_200, 1_551_052_799, u64::MAX] {
            let error = sign(&request, &SigningParams::with_key(&key, timestamp)).unwrap_err();
            assert_eq!(
                error.kind(),
                SigningErrorKind::KeyDateMismatch,
                "{timestamp}"
            );
        }
        let error = sign(&request, &SigningParams::with_key(&key, 1_551_139_200)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the signing key is for the UTC date 2019-02-25, the timestamp's is 2019-02-26: \
             derive the key of the timestamp's date"
        );
    }
}
