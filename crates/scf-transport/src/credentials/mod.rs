//! Where a client gets its credentials: providers for every source the official SDKs know, and more.
//!
//! - [`StaticProvider`] (and [`Credentials`] itself): fixed keys.
//! - [`EnvironmentProvider`]: `TENCENTCLOUD_SECRET_ID` and friends.
//! - [`ScfRuntimeProvider`]: the variables SCF gives a running function.
//! - [`ProfileFileProvider`]: the official INI credentials file.
//! - [`TccliProvider`]: tccli's `~/.tccli/<profile>.credential`.
//! - [`CvmRoleProvider`]: a CVM instance role, from the metadata service.
//! - [`AssumeRoleProvider`]: STS `AssumeRole`, from any other provider.
//! - [`WebIdentityProvider`]: TKE OIDC `AssumeRoleWithWebIdentity`.
//! - [`CredentialsChain`]: providers tried in order, `first_try(..).or_else(..)`.
//! - [`DefaultChain`]: the first of environment, SCF runtime, profile file, tccli, TKE OIDC and CVM role
//!   that applies.
//!
//! Providers of temporary keys refresh them before they expire, share one refresh among concurrent callers,
//! and keep using the current keys while a refresh fails until they really expire. The file providers
//! read their file once and again every [`FILE_REREAD_INTERVAL`], the same way. Expiry and re-reading are
//! timed by an injected [`Clock`](crate::time::Clock) (`.clock(..)` on each builder), the waits by tokio's
//! clock.
//!
//! `FakeEnvironment`, an [`Environment`] made up for tests, comes with the `test-util` feature.

mod chain;
mod cvm;
mod default_chain;
mod environment;
mod files;
mod refresh;
mod sts;

use std::future::Future;
use std::pin::Pin;

pub use chain::CredentialsChain;
pub use cvm::{CvmRoleBuilder, CvmRoleProvider, METADATA_ENDPOINT};
pub use default_chain::DefaultChain;
#[cfg(any(test, feature = "test-util"))]
pub use environment::FakeEnvironment;
pub use environment::{Environment, EnvironmentProvider, ScfRuntimeProvider, SystemEnvironment};
pub use files::{FILE_REREAD_INTERVAL, ProfileFileProvider, TccliProvider};
#[cfg(fuzzing)]
pub(crate) use files::{parse_profile, parse_tccli};
pub use sts::{AssumeRoleBuilder, AssumeRoleProvider, WebIdentityBuilder, WebIdentityProvider};
pub use tc3_signer::Credentials;

/// A boxed future, as providers return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Supplies credentials, refreshing them as needed. Called once per attempt, so it must be cheap when
/// nothing needs refreshing.
pub trait ProvideCredentials: Send + Sync + 'static {
    /// Current credentials.
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>>;

    /// The credentials, when they are at hand without waiting or refreshing. A client asks this first
    /// and awaits [`credentials`](Self::credentials) only on `None`, which spares a boxed future per
    /// attempt for fixed keys. The default is `None`.
    fn ready_credentials(&self) -> Option<Credentials> {
        None
    }
}

/// Fixed credentials.
impl ProvideCredentials for Credentials {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        Some(self.clone())
    }
}

/// Fixed credentials, as a named provider.
#[derive(Debug, Clone)]
pub struct StaticProvider(pub Credentials);

impl ProvideCredentials for StaticProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        self.0.credentials()
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        Some(self.0.clone())
    }
}

/// Whether a source had nothing to offer or failed while offering it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsErrorKind {
    /// The source is not set up here (no variables, no file, no role): the chain moves on.
    NotConfigured,
    /// The source is set up but unusable (empty variable, malformed file, refused request).
    Invalid,
    /// The source could not be reached or answered with an error.
    Unavailable,
}

/// Why no credentials could be had. The message never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError {
    kind: CredentialsErrorKind,
    message: String,
}

impl CredentialsError {
    /// An error of `kind`.
    pub fn with_kind(kind: CredentialsErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// A source that is set up but unusable.
    pub fn new(message: impl Into<String>) -> Self {
        Self::with_kind(CredentialsErrorKind::Invalid, message)
    }

    pub(crate) fn not_configured(message: impl Into<String>) -> Self {
        Self::with_kind(CredentialsErrorKind::NotConfigured, message)
    }

    pub(crate) fn unavailable(message: impl Into<String>) -> Self {
        Self::with_kind(CredentialsErrorKind::Unavailable, message)
    }

    /// What went wrong.
    pub fn kind(&self) -> CredentialsErrorKind {
        self.kind
    }
}

impl std::fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialsError {}

/// Builds credentials, turning a rejected value into an error that names the source.
pub(crate) fn credentials_from(
    source: &str,
    secret_id: &str,
    secret_key: &str,
    token: Option<&str>,
) -> Result<Credentials, CredentialsError> {
    match token {
        Some(token) => Credentials::with_token(secret_id, secret_key, token),
        None => Credentials::new(secret_id, secret_key),
    }
    .map_err(|e| CredentialsError::new(format!("{source}: {e}")))
}
