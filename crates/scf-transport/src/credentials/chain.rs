//! Providers composed in order: the first that is set up here is used from then on.

use std::borrow::Cow;
use std::sync::Arc;

use tokio::sync::OnceCell;

use super::{BoxFuture, Credentials, CredentialsError, CredentialsErrorKind, ProvideCredentials};

/// Providers tried in order, each under a name, in the manner of aws-config's `CredentialsProviderChain`.
///
/// A link that answers [`NotConfigured`](CredentialsErrorKind::NotConfigured) passes to the next; any
/// other error stops the chain with that error. The first link that answers with credentials is remembered
/// and asked alone from then on, so later calls cost what that provider costs. When no link applies, the
/// error lists every link's name and why it did not apply. Concurrent first calls share one walk along the
/// chain.
///
/// ```
/// use scf_transport::credentials::{
///     CredentialsChain, EnvironmentProvider, FakeEnvironment, ProvideCredentials, StaticProvider,
/// };
/// use tc3_signer::Credentials;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // No variables are set, so the environment link passes to the fixed keys.
/// let environment = EnvironmentProvider::with_environment(FakeEnvironment::default());
/// let fixed = StaticProvider(Credentials::new("AKIDexample", "example-key")?);
/// let chain = CredentialsChain::first_try("environment", environment).or_else("fixed keys", fixed);
/// assert_eq!(chain.credentials().await?.secret_id(), "AKIDexample");
/// assert_eq!(chain.chosen(), Some("fixed keys"));
///
/// // With nothing set up anywhere, the error says what was tried.
/// let empty = FakeEnvironment::default();
/// let error = CredentialsChain::first_try("environment", EnvironmentProvider::with_environment(empty))
///     .credentials()
///     .await
///     .unwrap_err();
/// assert!(error.to_string().contains("TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not set"));
/// # Ok(())
/// # }
/// ```
pub struct CredentialsChain {
    links: Vec<Link>,
    chosen: OnceCell<usize>,
}

struct Link {
    name: Cow<'static, str>,
    provider: Arc<dyn ProvideCredentials>,
}

impl CredentialsChain {
    /// A chain whose first link is `provider`, called `name` in errors.
    pub fn first_try(
        name: impl Into<Cow<'static, str>>,
        provider: impl ProvideCredentials,
    ) -> Self {
        Self {
            links: Vec::new(),
            chosen: OnceCell::new(),
        }
        .or_else(name, provider)
    }

    /// Adds `provider`, tried when every link before it is not set up.
    pub fn or_else(
        self,
        name: impl Into<Cow<'static, str>>,
        provider: impl ProvideCredentials,
    ) -> Self {
        self.or_else_arc(name, Arc::new(provider))
    }

    /// Adds a shared provider.
    pub fn or_else_arc(
        mut self,
        name: impl Into<Cow<'static, str>>,
        provider: Arc<dyn ProvideCredentials>,
    ) -> Self {
        self.links.push(Link {
            name: name.into(),
            provider,
        });
        self
    }

    /// The name of the link in use, once one answered.
    pub fn chosen(&self) -> Option<&str> {
        self.chosen
            .get()
            .map(|&index| self.links[index].name.as_ref())
    }

    /// Walks the chain; returns the index of the first link that answered, and its answer.
    async fn resolve(&self) -> Result<(usize, Credentials), CredentialsError> {
        let mut tried = Vec::with_capacity(self.links.len());
        for (index, link) in self.links.iter().enumerate() {
            match link.provider.credentials().await {
                Ok(credentials) => return Ok((index, credentials)),
                Err(error) if error.kind() == CredentialsErrorKind::NotConfigured => {
                    // Providers' reasons usually start with their source already.
                    let reason = error.to_string();
                    tried.push(if reason.starts_with(link.name.as_ref()) {
                        reason
                    } else {
                        format!("{}: {reason}", link.name)
                    });
                }
                Err(error) => return Err(error),
            }
        }
        Err(CredentialsError::not_configured(format!(
            "no credentials found; tried:\n  - {}",
            tried.join("\n  - ")
        )))
    }
}

impl ProvideCredentials for CredentialsChain {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let mut first_answer = None;
            let index = *self
                .chosen
                .get_or_try_init(|| async {
                    let (index, credentials) = self.resolve().await?;
                    first_answer = Some(credentials);
                    Ok::<_, CredentialsError>(index)
                })
                .await?;
            match first_answer {
                Some(credentials) => Ok(credentials),
                None => self.links[index].provider.credentials().await,
            }
        })
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        self.links[*self.chosen.get()?].provider.ready_credentials()
    }
}

impl std::fmt::Debug for CredentialsChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.links.iter().map(|link| link.name.as_ref()).collect();
        f.debug_struct("CredentialsChain")
            .field("links", &names)
            .field("chosen", &self.chosen())
            .finish()
    }
}
