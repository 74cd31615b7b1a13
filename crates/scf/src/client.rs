//! The SCF client: its settings, and the async-event conveniences on top of the generated actions.

use std::collections::HashMap;
use std::sync::Arc;

use scf_model::InvocationType;
use scf_transport::credentials::{Environment, SystemEnvironment};
use scf_transport::time::Clock;
use scf_transport::{Endpoint, Language, ProvideCredentials, ProxyConfig, RetryPolicy, Timeouts};

use crate::error::Error;

/// The region used when none is configured.
pub const DEFAULT_REGION: &str = "ap-guangzhou";

/// A client for every SCF action. Cheap to clone: clones share the connection pool, the rate limiter,
/// the retry budget and the credential cache.
///
/// Each action is a method named like it (`list_functions`, `get_async_event_status`) that starts a
/// [`crate::RequestBuilder`]; [`Client::invoke_async`], [`Client::wait`] and [`Client::wait_many`] are
/// built on them.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let emulator = scf_emulator::Emulator::builder().start().await?;
/// # // What a user would export in the shell: the emulator's keys and endpoint.
/// # let environment = scf::transport::FakeEnvironment::default()
/// #     .with_var("TENCENTCLOUD_SECRET_ID", scf_emulator::DEMO_SECRET_ID)
/// #     .with_var("TENCENTCLOUD_SECRET_KEY", scf_emulator::DEMO_SECRET_KEY)
/// #     .with_var("SCF_ENDPOINT", &emulator.url());
/// let client = scf::Client::builder()
///     .region("ap-shanghai")
/// #   .environment(environment)
///     .build()?;
/// let id = client.invoke_async("hello", Some(r#"{"bucket": "photos"}"#)).await?;
/// let outcome = client.wait(&id, scf::WaitOptions::default()).await?;
/// println!("{id} ended {} with status code {}", outcome.status, outcome.status_code);
/// # assert!(outcome.succeeded());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    transport: scf_transport::Client,
    namespace: Option<String>,
}

/// Settings for a [`Client`].
pub struct ClientBuilder {
    inner: scf_transport::ClientBuilder,
    region: Option<String>,
    endpoint: Option<Endpoint>,
    environment: Arc<dyn Environment>,
    namespace: Option<String>,
}

impl Client {
    /// Defaults: credentials from the default chain; the region from `TENCENTCLOUD_REGION`, else
    /// `ap-guangzhou`; the endpoint from `SCF_ENDPOINT` (a URL, `regional` or a root domain, as the `scf`
    /// command reads it), else the service's; the documented rate limits; 4 attempts for idempotent calls.
    /// Settings given in code win over the environment.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            inner: scf_transport::Client::builder(),
            region: None,
            endpoint: None,
            environment: Arc::new(SystemEnvironment),
            namespace: None,
        }
    }

    /// The generic client underneath, for other actions or other Tencent Cloud services.
    pub fn transport(&self) -> &scf_transport::Client {
        &self.transport
    }

    /// The namespace of calls that name none, when the builder set one.
    pub(crate) fn default_namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// Starts `function` asynchronously (`Invoke` with `InvocationType` `Event`) with `client_context` as
    /// its event, and returns the event's InvokeRequestId. Never retried once it may have arrived.
    pub async fn invoke_async(
        &self,
        function: &str,
        client_context: Option<&str>,
    ) -> Result<String, Error> {
        let mut invoke = self
            .invoke()
            .function_name(function)
            .invocation_type(InvocationType::Event);
        if let Some(context) = client_context {
            invoke = invoke.client_context(context);
        }
        Ok(invoke.send().await?.result.function_request_id)
    }
}

impl ClientBuilder {
    /// The region; `TENCENTCLOUD_REGION`, else `ap-guangzhou`, when not set here.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The namespace of every call that does not name one.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Where requests go: default, regional, another root domain, or a full URL such as an emulator's;
    /// `SCF_ENDPOINT` when not set here.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// Where settings not given in code are read (`TENCENTCLOUD_REGION`, `SCF_ENDPOINT` and the
    /// default credentials chain's variables and files): the process environment by default.
    pub fn environment(mut self, environment: impl Environment) -> Self {
        self.environment = Arc::new(environment);
        self
    }

    /// The wall clock that timestamps requests and judges credential expiry; the system clock by default.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.inner = self.inner.clock(clock);
        self
    }

    /// The credentials provider; the default chain when none is given.
    pub fn credentials(mut self, provider: impl ProvideCredentials) -> Self {
        self.inner = self.inner.credentials(provider);
        self
    }

    /// Shares an existing credentials provider.
    pub fn credentials_arc(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.inner = self.inner.credentials_arc(provider);
        self
    }

    /// The language of error messages.
    pub fn language(mut self, language: Language) -> Self {
        self.inner = self.inner.language(language);
        self
    }

    /// Connect, attempt and operation time limits.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.inner = self.inner.timeouts(timeouts);
        self
    }

    /// Attempts, backoff and retry budget.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.inner = self.inner.retry(policy);
        self
    }

    /// Requests per second by action, replacing the documented limits for those actions.
    pub fn rate_limits(mut self, per_second: HashMap<String, u32>) -> Self {
        self.inner = self.inner.rate_limits(per_second);
        self
    }

    /// The proxy.
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.inner = self.inner.proxy(proxy);
        self
    }

    /// Builds the client. The default transport needs a tokio runtime when it sends.
    pub fn build(self) -> Result<Client, scf_transport::Error> {
        let environment = self.environment;
        let setting = |name: &str| environment.var(name).filter(|value| !value.is_empty());
        let region = self
            .region
            .or_else(|| setting("TENCENTCLOUD_REGION"))
            .unwrap_or_else(|| DEFAULT_REGION.to_owned());
        let endpoint = match (self.endpoint, setting("SCF_ENDPOINT")) {
            (Some(endpoint), _) => endpoint,
            (None, Some(text)) => Endpoint::parse(&text).map_err(|e| {
                scf_transport::Error::invalid_request(
                    "building the client",
                    format!("SCF_ENDPOINT: {e}"),
                )
            })?,
            (None, None) => Endpoint::Default,
        };
        let transport = self
            .inner
            .region(region)
            .endpoint(endpoint)
            .environment(Arc::clone(&environment))
            .build()?;
        Ok(Client {
            transport,
            namespace: self.namespace,
        })
    }
}
