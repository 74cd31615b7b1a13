//! The default chain: the first source that is set up here.

use std::sync::Arc;

use tokio::sync::OnceCell;

use super::environment::{Environment, EnvironmentProvider, ScfRuntimeProvider, SystemEnvironment};
use super::files::{ProfileFileProvider, TccliProvider};
use super::sts::{AssumeRoleProvider, WebIdentityProvider};
use super::{
    BoxFuture, Credentials, CredentialsError, CredentialsErrorKind, CvmRoleProvider,
    ProvideCredentials, StaticProvider,
};
use crate::endpoint::Endpoint;

/// Environment, SCF runtime environment, profile file, tccli profile, TKE OIDC, CVM role: the first that
/// is set up wins, and is used from then on. A source that is set up but broken stops the chain with its
/// error; when none is set up, the error lists every source and why it did not apply.
pub struct DefaultChain {
    environment: Arc<dyn Environment>,
    profile: Option<String>,
    metadata_endpoint: String,
    sts_endpoint: Endpoint,
    chosen: OnceCell<Arc<dyn ProvideCredentials>>,
}

impl DefaultChain {
    /// The chain over the real environment and services.
    pub fn new() -> Self {
        Self::with_environment(SystemEnvironment)
    }

    /// The chain over `environment`.
    pub fn with_environment(environment: impl Environment) -> Self {
        Self {
            environment: Arc::new(environment),
            profile: None,
            metadata_endpoint: super::cvm::METADATA_ENDPOINT.to_owned(),
            sts_endpoint: Endpoint::Default,
            chosen: OnceCell::new(),
        }
    }

    /// Uses profile `name` of the profile file and of tccli.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Where the CVM metadata service is.
    pub fn metadata_endpoint(mut self, base: impl Into<String>) -> Self {
        self.metadata_endpoint = base.into();
        self
    }

    /// Where STS is, for roles of the profile file and TKE OIDC.
    pub fn sts_endpoint(mut self, endpoint: Endpoint) -> Self {
        self.sts_endpoint = endpoint;
        self
    }

    async fn resolve(&self) -> Result<Arc<dyn ProvideCredentials>, CredentialsError> {
        let environment = Arc::clone(&self.environment);
        let mut tried = Vec::new();
        let skip = |error: CredentialsError, tried: &mut Vec<String>| match error.kind() {
            CredentialsErrorKind::NotConfigured => {
                tried.push(error.to_string());
                Ok(())
            }
            _ => Err(error),
        };

        match EnvironmentProvider::with_environment(Arc::clone(&environment)).read() {
            Ok(credentials) => return Ok(fixed(credentials)),
            Err(error) => skip(error, &mut tried)?,
        }
        match ScfRuntimeProvider::with_environment(Arc::clone(&environment)).read() {
            Ok(credentials) => return Ok(fixed(credentials)),
            Err(error) => skip(error, &mut tried)?,
        }
        let mut profile_file = ProfileFileProvider::with_environment(Arc::clone(&environment));
        let mut tccli = TccliProvider::with_environment(Arc::clone(&environment));
        if let Some(profile) = &self.profile {
            profile_file = profile_file.profile(profile);
            tccli = tccli.profile(profile);
        }
        match profile_file.read() {
            Ok(profile) => match profile.role_arn {
                Some(role_arn) => {
                    let mut builder =
                        AssumeRoleProvider::builder(role_arn, StaticProvider(profile.credentials))
                            .endpoint(self.sts_endpoint.clone());
                    if let Some(region) = profile.region {
                        builder = builder.region(region);
                    }
                    return Ok(Arc::new(builder.build()?));
                }
                None => return Ok(fixed(profile.credentials)),
            },
            Err(error) => skip(error, &mut tried)?,
        }
        match tccli.read() {
            Ok(credentials) => return Ok(fixed(credentials)),
            Err(error) => skip(error, &mut tried)?,
        }
        match WebIdentityProvider::from_tke_environment(
            environment.as_ref(),
            self.sts_endpoint.clone(),
        ) {
            Ok(provider) => return Ok(Arc::new(provider)),
            Err(error) => skip(error, &mut tried)?,
        }
        let cvm = CvmRoleProvider::with_endpoint(&self.metadata_endpoint)?;
        match cvm.credentials().await {
            Ok(_) => return Ok(Arc::new(cvm)),
            // Off the cloud the metadata service does not answer: that means no role, not a failure.
            Err(error) if error.kind() != CredentialsErrorKind::Invalid => {
                tried.push(error.to_string())
            }
            Err(error) => return Err(error),
        }
        Err(CredentialsError::not_configured(format!(
            "no credentials found; tried:\n  - {}",
            tried.join("\n  - ")
        )))
    }
}

fn fixed(credentials: Credentials) -> Arc<dyn ProvideCredentials> {
    Arc::new(StaticProvider(credentials))
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for DefaultChain {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let provider = self.chosen.get_or_try_init(|| self.resolve()).await?;
            provider.credentials().await
        })
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        self.chosen.get()?.ready_credentials()
    }
}

impl std::fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DefaultChain")
            .field("profile", &self.profile)
            .field("resolved", &self.chosen.initialized())
            .finish_non_exhaustive()
    }
}
