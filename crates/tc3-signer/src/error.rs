//! Why a request could not be signed.

use std::fmt;

/// What was wrong with the request or parameters given to [`sign`](crate::sign).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningErrorKind {
    /// The method is not `GET` or `POST`, the only two API 3.0 accepts.
    InvalidMethod,
    /// The canonical URI does not start with `/`, or holds a space, `?`, `#` or a control character.
    InvalidPath,
    /// The query string holds a space, `#` or a control character, so it was not URL-encoded.
    InvalidQuery,
    /// A header name is empty or holds characters other than ASCII letters, digits and `-`.
    InvalidHeaderName,
    /// A header value holds a control character such as CR or LF.
    InvalidHeaderValue,
    /// The same header name appears twice, ignoring letter case.
    DuplicateHeader,
    /// `Content-Type` or `Host` is not among the headers to sign.
    MissingHeader,
    /// More headers than [`MAX_SIGNED_HEADERS`](crate::MAX_SIGNED_HEADERS).
    TooManyHeaders,
    /// The service name is empty, too long, or not lower-case ASCII letters, digits, `-` and `_`.
    InvalidService,
    /// The timestamp lies after year 9999, which a `YYYY-MM-DD` scope cannot name.
    TimestampOutOfRange,
    /// The timestamp's UTC date is not the date of the [`SigningKey`](crate::SigningKey) given to
    /// [`SigningParams::with_key`](crate::SigningParams::with_key): derive the key of that date.
    KeyDateMismatch,
}

/// A request that cannot be signed, with the offending name where there is one (never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningError {
    kind: SigningErrorKind,
    detail: Option<String>,
}

impl SigningError {
    pub(crate) fn new(kind: SigningErrorKind, detail: Option<String>) -> Self {
        Self { kind, detail }
    }

    /// What went wrong.
    pub fn kind(&self) -> SigningErrorKind {
        self.kind
    }
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let detail = self.detail.as_deref().unwrap_or_default();
        match self.kind {
            SigningErrorKind::InvalidMethod => write!(
                f,
                "method \"{detail}\" cannot be signed: Tencent Cloud API 3.0 accepts only GET and POST"
            ),
            SigningErrorKind::InvalidPath => write!(
                f,
                "canonical URI \"{detail}\" must start with '/' and hold no space, '?', '#' or control character"
            ),
            SigningErrorKind::InvalidQuery => f.write_str(
                "the query string holds a space, '#' or control character; send it URL-encoded",
            ),
            SigningErrorKind::InvalidHeaderName => write!(
                f,
                "header name \"{detail}\" cannot be signed: use ASCII letters, digits and '-'"
            ),
            SigningErrorKind::InvalidHeaderValue => {
                write!(f, "the value of header {detail} holds a control character")
            }
            SigningErrorKind::DuplicateHeader => {
                write!(f, "header {detail} is listed more than once")
            }
            SigningErrorKind::MissingHeader => {
                write!(
                    f,
                    "header {detail} must be signed but is not among the headers"
                )
            }
            SigningErrorKind::TooManyHeaders => write!(
                f,
                "at most {} headers can be signed",
                crate::MAX_SIGNED_HEADERS
            ),
            SigningErrorKind::InvalidService => write!(
                f,
                "service \"{detail}\" is not a Tencent Cloud service name (lower-case letters, digits, '-', '_')"
            ),
            SigningErrorKind::TimestampOutOfRange => {
                f.write_str("the timestamp lies after 9999-12-31T23:59:59Z")
            }
            SigningErrorKind::KeyDateMismatch => write!(
                f,
                "the signing key is for the UTC date {detail}: derive the key of the timestamp's date"
            ),
        }
    }
}

impl std::error::Error for SigningError {}
