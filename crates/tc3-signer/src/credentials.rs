//! Credentials: a SecretId, its SecretKey and, for temporary keys, a session token.

use crate::secret::{SecretKey, SessionToken};
use std::fmt;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// An immutable, cheaply cloned set of credentials: clones share one copy of the values.
///
/// `Debug` shows the SecretId only; the SecretKey and token are zeroed when the last clone drops.
/// To sign many requests without deriving the key for each, keep a [`SigningKey`](crate::SigningKey).
///
/// ```
/// use tc3_signer::Credentials;
///
/// let credentials = Credentials::new("AKIDEXAMPLE", "secret-key")?;
/// assert_eq!(credentials.secret_id(), "AKIDEXAMPLE");
/// assert!(!format!("{credentials:?}").contains("secret-key"));
/// assert!(Credentials::new("AKIDEXAMPLE", " secret-key").is_err());
/// # Ok::<(), tc3_signer::CredentialsError>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<Inner>,
}

struct Inner {
    secret_id: Box<str>,
    secret_key: SecretKey,
    token: Option<SessionToken>,
}

impl Credentials {
    /// Long-term credentials: a SecretId and its SecretKey.
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Result<Self, CredentialsError> {
        Self::build(secret_id.into(), Zeroizing::new(secret_key.into()), None)
    }

    /// Temporary credentials: a TmpSecretId, TmpSecretKey and the session token sent as `X-TC-Token`.
    pub fn with_token(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
        token: impl Into<String>,
    ) -> Result<Self, CredentialsError> {
        Self::build(
            secret_id.into(),
            Zeroizing::new(secret_key.into()),
            Some(Zeroizing::new(token.into())),
        )
    }

    fn build(
        secret_id: String,
        secret_key: Zeroizing<String>,
        token: Option<Zeroizing<String>>,
    ) -> Result<Self, CredentialsError> {
        check(CredentialField::SecretId, &secret_id, |c| {
            c.is_ascii_graphic() && c != '/' && c != ','
        })?;
        check(CredentialField::SecretKey, &secret_key, |_| true)?;
        if let Some(token) = &token {
            check(CredentialField::Token, token, |c| c.is_ascii_graphic())?;
        }
        Ok(Self {
            inner: Arc::new(Inner {
                secret_id: secret_id.into_boxed_str(),
                secret_key: SecretKey::new(&secret_key),
                token: token.map(SessionToken::new),
            }),
        })
    }

    /// The SecretId. It is an identifier, not a secret: it travels in every Authorization header.
    pub fn secret_id(&self) -> &str {
        &self.inner.secret_id
    }

    /// The SecretKey, redacted in `Debug` and `Display`.
    pub fn secret_key(&self) -> &SecretKey {
        &self.inner.secret_key
    }

    /// The session token of temporary credentials.
    pub fn token(&self) -> Option<&SessionToken> {
        self.inner.token.as_ref()
    }

    /// Whether `other` holds the same SecretId, SecretKey and token, the secrets compared in constant time.
    pub(crate) fn same_secret(&self, other: &Credentials) -> bool {
        if Arc::ptr_eq(&self.inner, &other.inner) {
            return true;
        }
        let same_key = self
            .secret_key()
            .derivation_key()
            .ct_eq(other.secret_key().derivation_key());
        let same_token = match (self.token(), other.token()) {
            (Some(a), Some(b)) => a
                .expose_secret()
                .as_bytes()
                .ct_eq(b.expose_secret().as_bytes()),
            (None, None) => 1.into(),
            _ => 0.into(),
        };
        self.secret_id() == other.secret_id() && bool::from(same_key & same_token)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id())
            .field("secret_key", self.secret_key())
            .field("token", &self.token())
            .finish()
    }
}

fn check(
    field: CredentialField,
    value: &str,
    allowed: impl Fn(char) -> bool,
) -> Result<(), CredentialsError> {
    let kind = if value.is_empty() {
        CredentialsErrorKind::Empty
    } else if value.trim() != value {
        CredentialsErrorKind::SurroundingWhitespace
    } else if !value.chars().all(allowed) {
        CredentialsErrorKind::InvalidCharacter
    } else {
        return Ok(());
    };
    Err(CredentialsError { field, kind })
}

/// Which credential value was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialField {
    /// The SecretId.
    SecretId,
    /// The SecretKey.
    SecretKey,
    /// The session token.
    Token,
}

impl fmt::Display for CredentialField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SecretId => "SecretId",
            Self::SecretKey => "SecretKey",
            Self::Token => "session token",
        })
    }
}

/// Why a credential value was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsErrorKind {
    /// The value is empty.
    Empty,
    /// The value starts or ends with whitespace, usually a copy-and-paste accident.
    SurroundingWhitespace,
    /// The value holds a character that cannot travel in its header.
    InvalidCharacter,
}

/// A credential value that cannot be used. The message names the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError {
    field: CredentialField,
    kind: CredentialsErrorKind,
}

impl CredentialsError {
    /// The rejected field.
    pub fn field(&self) -> CredentialField {
        self.field
    }

    /// Why it was rejected.
    pub fn kind(&self) -> CredentialsErrorKind {
        self.kind
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field;
        match self.kind {
            CredentialsErrorKind::Empty => write!(f, "the {field} is empty"),
            CredentialsErrorKind::SurroundingWhitespace => {
                write!(f, "the {field} has leading or trailing whitespace")
            }
            CredentialsErrorKind::InvalidCharacter => match field {
                CredentialField::SecretId => write!(
                    f,
                    "the SecretId may hold only printable ASCII other than '/' and ','"
                ),
                _ => write!(f, "the {field} may hold only printable ASCII"),
            },
        }
    }
}

impl std::error::Error for CredentialsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_surrounding_whitespace_in_every_field() {
        let id = Credentials::new(" AKID", "key").unwrap_err();
        assert_eq!(
            (id.field(), id.kind()),
            (
                CredentialField::SecretId,
                CredentialsErrorKind::SurroundingWhitespace
            )
        );
        let key = Credentials::new("AKID", "key\n").unwrap_err();
        assert_eq!(key.field(), CredentialField::SecretKey);
        assert_eq!(key.kind(), CredentialsErrorKind::SurroundingWhitespace);
        let token = Credentials::with_token("AKID", "key", "\ttoken").unwrap_err();
        assert_eq!(token.field(), CredentialField::Token);
        assert_eq!(
            token.to_string(),
            "the session token has leading or trailing whitespace"
        );
    }

    #[test]
    fn rejects_empty_values_and_header_breaking_characters() {
        assert_eq!(
            Credentials::new("", "key").unwrap_err().kind(),
            CredentialsErrorKind::Empty
        );
        assert_eq!(
            Credentials::new("AKID", "").unwrap_err().kind(),
            CredentialsErrorKind::Empty
        );
        for id in ["AK/ID", "AK,ID", "AK ID", "AKÏD"] {
            let err = Credentials::new(id, "key").unwrap_err();
            assert_eq!(err.kind(), CredentialsErrorKind::InvalidCharacter, "{id}");
        }
        let err = Credentials::with_token("AKID", "key", "to\r\nken").unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidCharacter);
    }

    #[test]
    fn accepts_any_inner_characters_in_the_key() {
        let credentials = Credentials::new("AKID", "ct-1=;QBi5=IC a\"e|7Ÿ\\").unwrap();
        assert_eq!(
            credentials.secret_key().expose_secret(),
            "ct-1=;QBi5=IC a\"e|7Ÿ\\"
        );
    }

    #[test]
    fn debug_and_display_never_show_secrets() {
        let credentials =
            Credentials::with_token("AKIDvisible", "hunter2-key", "hunter2-token").unwrap();
        let debug = format!("{credentials:?} {:#?}", credentials);
        assert!(debug.contains("AKIDvisible"));
        assert!(!debug.contains("hunter2"), "{debug}");
        let display = format!(
            "{} {}",
            credentials.secret_key(),
            credentials.token().unwrap()
        );
        assert!(!display.contains("hunter2"), "{display}");
    }
}
