//! Where a client gets its credentials for each attempt.

use std::future::Future;
use std::pin::Pin;

use tc3_signer::Credentials;

/// A boxed future, as providers return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Supplies credentials, refreshing them as needed. Called once per attempt, so it must be cheap when
/// nothing needs refreshing.
pub trait ProvideCredentials: Send + Sync + 'static {
    /// Current credentials.
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>>;
}

/// Fixed credentials.
impl ProvideCredentials for Credentials {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

/// Why no credentials could be had. The message never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError {
    message: String,
}

impl CredentialsError {
    /// An error with this explanation.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialsError {}
