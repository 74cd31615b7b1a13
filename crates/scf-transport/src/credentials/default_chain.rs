//! The default chain: every source the official SDKs know, in their order, as one [`CredentialsChain`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::sync::OnceCell;

use super::environment::{Environment, EnvironmentProvider, ScfRuntimeProvider, SystemEnvironment};
use super::files::{ProfileFileProvider, TccliProvider};
use super::sts::{WebIdentityBuilder, WebIdentityProvider};
use super::{
    BoxFuture, Credentials, CredentialsChain, CredentialsError, CredentialsErrorKind,
    CvmRoleProvider, ProvideCredentials,
};
use crate::endpoint::Endpoint;
use crate::time::{Clock, SharedClock, SystemClock};

/// Environment, SCF runtime environment, profile file (assuming its `role_arn` if it has one), tccli
/// profile, TKE OIDC, CVM role: a [`CredentialsChain`] of these links, named `environment`,
/// `SCF runtime environment`, `profile file`, `tccli`, `TKE OIDC` and `CVM role`.
///
/// The first that is set up wins, and is used from then on. A source that is set up but broken stops the
/// chain with its error; when none is set up, the error lists every source and why it did not apply. A
/// metadata service that does not answer (off the cloud) counts as no CVM role; finding that out takes the
/// metadata provider's 1 s connect timeout (3 s if something accepts the connection but never answers).
/// Nothing is read, and no client built, before the first call.
///
/// ```
/// use scf_transport::credentials::{DefaultChain, FakeEnvironment, ProvideCredentials};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let environment = FakeEnvironment::default()
///     .with_var("TENCENTCLOUD_SECRETID", "AKIDscf")
///     .with_var("TENCENTCLOUD_SECRETKEY", "scf-key")
///     .with_var("TENCENTCLOUD_SESSIONTOKEN", "scf-token");
/// let chain = DefaultChain::with_environment(environment);
/// assert_eq!(chain.credentials().await?.secret_id(), "AKIDscf");
/// assert_eq!(chain.chosen(), Some("SCF runtime environment"));
/// # Ok(())
/// # }
/// ```
pub struct DefaultChain {
    environment: Arc<dyn Environment>,
    profile: Option<String>,
    metadata_endpoint: String,
    sts_endpoint: Endpoint,
    clock: SharedClock,
    chain: OnceLock<Result<CredentialsChain, CredentialsError>>,
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
            clock: Arc::new(SystemClock),
            chain: OnceLock::new(),
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

    /// The wall clock every link compares expiry times with and stamps STS calls with;
    /// [`SystemClock`] by default.
    pub fn clock(self, clock: impl Clock) -> Self {
        self.clock_arc(Arc::new(clock))
    }

    /// Shares an existing wall clock, such as a client's.
    pub fn clock_arc(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The name of the link in use, once one answered.
    pub fn chosen(&self) -> Option<&str> {
        self.chain.get()?.as_ref().ok()?.chosen()
    }

    fn chain(&self) -> &Result<CredentialsChain, CredentialsError> {
        self.chain.get_or_init(|| self.build())
    }

    fn build(&self) -> Result<CredentialsChain, CredentialsError> {
        let environment = &self.environment;
        let clock = &self.clock;
        let mut profile_file = ProfileFileProvider::with_environment(Arc::clone(environment))
            .sts_endpoint(self.sts_endpoint.clone())
            .clock_arc(Arc::clone(clock));
        let mut tccli =
            TccliProvider::with_environment(Arc::clone(environment)).clock_arc(Arc::clone(clock));
        if let Some(profile) = &self.profile {
            profile_file = profile_file.profile(profile);
            tccli = tccli.profile(profile);
        }
        let cvm = CvmRoleProvider::builder()
            .endpoint(&self.metadata_endpoint)
            .clock_arc(Arc::clone(clock))
            .build()?;
        Ok(CredentialsChain::first_try(
            "environment",
            EnvironmentProvider::with_environment(Arc::clone(environment)),
        )
        .or_else(
            "SCF runtime environment",
            ScfRuntimeProvider::with_environment(Arc::clone(environment)),
        )
        .or_else("profile file", profile_file)
        .or_else("tccli", tccli)
        .or_else(
            "TKE OIDC",
            TkeOidc {
                environment: Arc::clone(environment),
                sts_endpoint: self.sts_endpoint.clone(),
                clock: Arc::clone(clock),
                provider: OnceCell::new(),
            },
        )
        .or_else(
            "CVM role",
            CvmRoleOnCvm {
                provider: cvm,
                answered: AtomicBool::new(false),
            },
        ))
    }
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for DefaultChain {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        match self.chain() {
            Ok(chain) => chain.credentials(),
            Err(error) => Box::pin(std::future::ready(Err(error.clone()))),
        }
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        self.chain.get()?.as_ref().ok()?.ready_credentials()
    }
}

impl std::fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DefaultChain")
            .field("profile", &self.profile)
            .field("chosen", &self.chosen())
            .finish_non_exhaustive()
    }
}

/// The TKE OIDC link: the variables are read, and the STS client built, only when the chain gets here.
struct TkeOidc {
    environment: Arc<dyn Environment>,
    sts_endpoint: Endpoint,
    clock: SharedClock,
    provider: OnceCell<WebIdentityProvider>,
}

impl ProvideCredentials for TkeOidc {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let provider = self
                .provider
                .get_or_try_init(|| async {
                    WebIdentityBuilder::from_tke_environment(self.environment.as_ref())?
                        .endpoint(self.sts_endpoint.clone())
                        .clock_arc(Arc::clone(&self.clock))
                        .build()
                })
                .await?;
            provider.credentials().await
        })
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        self.provider.get()?.ready_credentials()
    }
}

/// The CVM role link: until the metadata service has answered once, its being unavailable means this is
/// not a CVM instance, so the chain moves on; afterwards an outage is reported as one.
struct CvmRoleOnCvm {
    provider: CvmRoleProvider,
    answered: AtomicBool,
}

impl ProvideCredentials for CvmRoleOnCvm {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            match self.provider.credentials().await {
                Ok(credentials) => {
                    self.answered.store(true, Ordering::Relaxed);
                    Ok(credentials)
                }
                Err(error)
                    if error.kind() == CredentialsErrorKind::Unavailable
                        && !self.answered.load(Ordering::Relaxed) =>
                {
                    Err(CredentialsError::not_configured(error.to_string()))
                }
                Err(error) => Err(error),
            }
        })
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        self.provider.ready_credentials()
    }
}
