//! Roles assumed through STS: `AssumeRole` with any other credentials, and TKE's OIDC
//! `AssumeRoleWithWebIdentity`. Both are calls of the generic [`Client`], so they get its retries,
//! timeouts, clock-skew repair and error envelope reading.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sts_model::{AssumeRoleRequest, AssumeRoleWithWebIdentityRequest};

use super::environment::Environment;
use super::refresh::{Fetch, Fetched, RefreshPolicy, Refreshing};
use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials, credentials_from};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::time::{Clock, SharedClock, SystemClock, unix_seconds};

const DEFAULT_REGION: &str = "ap-guangzhou";
const DEFAULT_DURATION: Duration = Duration::from_secs(7200);
const MAX_DURATION: Duration = Duration::from_secs(43_200);
/// The temporary keys STS answered with, valid until `expired_time` (Unix seconds).
fn fetched(
    source: &str,
    keys: &sts_model::Credentials,
    expired_time: u64,
) -> Result<Fetched<Credentials>, CredentialsError> {
    Ok(Fetched {
        value: credentials_from(
            source,
            &keys.tmp_secret_id,
            &keys.tmp_secret_key,
            Some(&keys.token),
        )?,
        expires_at: Some(expired_time),
    })
}

/// Refresh once a tenth of the lifetime remains, but never later than a minute before expiry.
fn refresh_policy(duration: Duration) -> RefreshPolicy {
    RefreshPolicy::BeforeExpiry((duration / 10).max(Duration::from_secs(60)))
}

fn check_duration(duration: Duration) -> Result<Duration, CredentialsError> {
    if duration.is_zero() || duration > MAX_DURATION {
        return Err(CredentialsError::new(
            "a role session lasts from 1 second to 12 hours",
        ));
    }
    Ok(duration)
}

/// The session name CAM records when none is given: this crate and the Unix second on `clock`.
fn default_session_name(clock: &dyn Clock) -> String {
    format!("scf-rs-{}", unix_seconds(clock))
}

/// Temporary keys of a role, assumed with STS `AssumeRole` using credentials from another provider.
#[derive(Clone)]
pub struct AssumeRoleProvider {
    inner: Arc<Refreshing<AssumeRoleFetch>>,
}

struct AssumeRoleFetch {
    client: Client,
    role_arn: String,
    session_name: String,
    duration: Duration,
}

impl AssumeRoleProvider {
    /// Assumes `role_arn` with credentials from `source`, at `sts.tencentcloudapi.com` in `ap-guangzhou`.
    pub fn new(
        role_arn: impl Into<String>,
        source: impl ProvideCredentials,
    ) -> Result<Self, CredentialsError> {
        Self::builder(role_arn, source).build()
    }

    /// A builder for the session name, duration, endpoint, region and clock.
    pub fn builder(
        role_arn: impl Into<String>,
        source: impl ProvideCredentials,
    ) -> AssumeRoleBuilder {
        AssumeRoleBuilder {
            role_arn: role_arn.into(),
            source: Arc::new(source),
            session: SessionSettings::default(),
        }
    }
}

/// What both kinds of role session are configured with.
struct SessionSettings {
    session_name: Option<String>,
    duration: Duration,
    endpoint: Endpoint,
    region: String,
    clock: SharedClock,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            session_name: None,
            duration: DEFAULT_DURATION,
            endpoint: Endpoint::Default,
            region: DEFAULT_REGION.to_owned(),
            clock: Arc::new(SystemClock),
        }
    }
}

impl SessionSettings {
    /// The checked duration, the session name, and a client for STS from `builder`.
    fn client(
        self,
        builder: crate::ClientBuilder,
        action: &str,
    ) -> Result<(Client, String, Duration), CredentialsError> {
        let duration = check_duration(self.duration)?;
        let session_name = self
            .session_name
            .unwrap_or_else(|| default_session_name(self.clock.as_ref()));
        let client = builder
            .endpoint(self.endpoint)
            .region(self.region)
            .clock_arc(self.clock)
            .build()
            .map_err(|e| CredentialsError::new(format!("{action}: {e}")))?;
        Ok((client, session_name, duration))
    }
}

/// The setters both role builders share.
macro_rules! session_setters {
    () => {
        /// The session name recorded by CAM; `scf-rs-<Unix second>` by default.
        pub fn session_name(mut self, name: impl Into<String>) -> Self {
            self.session.session_name = Some(name.into());
            self
        }

        /// How long the keys last: up to 12 hours, 2 hours by default.
        pub fn duration(mut self, duration: Duration) -> Self {
            self.session.duration = duration;
            self
        }

        /// Where STS is.
        pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
            self.session.endpoint = endpoint;
            self
        }

        /// The region sent to STS; `ap-guangzhou` by default.
        pub fn region(mut self, region: impl Into<String>) -> Self {
            self.session.region = region.into();
            self
        }

        /// The wall clock that stamps the STS calls and is compared with expiry times;
        /// [`SystemClock`] by default.
        pub fn clock(self, clock: impl Clock) -> Self {
            self.clock_arc(Arc::new(clock))
        }

        /// Shares an existing wall clock.
        pub fn clock_arc(mut self, clock: SharedClock) -> Self {
            self.session.clock = clock;
            self
        }
    };
}

/// Settings of an [`AssumeRoleProvider`].
pub struct AssumeRoleBuilder {
    role_arn: String,
    source: Arc<dyn ProvideCredentials>,
    session: SessionSettings,
}

impl AssumeRoleBuilder {
    session_setters!();

    /// The provider. Fails when the duration is out of range or the client cannot be built.
    pub fn build(self) -> Result<AssumeRoleProvider, CredentialsError> {
        let clock = Arc::clone(&self.session.clock);
        let (client, session_name, duration) = self
            .session
            .client(Client::builder().credentials_arc(self.source), "AssumeRole")?;
        Ok(AssumeRoleProvider {
            inner: Arc::new(Refreshing::new(
                AssumeRoleFetch {
                    client,
                    role_arn: self.role_arn,
                    session_name,
                    duration,
                },
                refresh_policy(duration),
                clock,
            )),
        })
    }
}

impl Fetch for AssumeRoleFetch {
    type Value = Credentials;

    fn fetch(&self) -> BoxFuture<'_, Result<Fetched<Credentials>, CredentialsError>> {
        Box::pin(async move {
            let request = AssumeRoleRequest::default()
                .role_arn(&self.role_arn)
                .role_session_name(&self.session_name)
                .duration_seconds(self.duration.as_secs());
            let source = format!("AssumeRole {}", self.role_arn);
            let assumed = self
                .client
                .call(&request)
                .await
                .map_err(|e| CredentialsError::unavailable(format!("{source}: {e}")))?;
            // A negative expiry is already past.
            let expired_time = u64::try_from(assumed.expired_time).unwrap_or(0);
            fetched(&source, &assumed.credentials, expired_time)
        })
    }
}

impl ProvideCredentials for AssumeRoleProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.inner.get())
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        self.inner.ready()
    }
}

impl std::fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssumeRoleProvider").finish_non_exhaustive()
    }
}

/// Temporary keys from an OIDC identity such as TKE's: STS `AssumeRoleWithWebIdentity`, an unsigned call
/// carrying the web identity token, read afresh from its file at each refresh.
#[derive(Clone)]
pub struct WebIdentityProvider {
    inner: Arc<Refreshing<WebIdentityFetch>>,
}

/// Settings of a [`WebIdentityProvider`].
pub struct WebIdentityBuilder {
    provider_id: String,
    token_file: PathBuf,
    role_arn: String,
    session: SessionSettings,
}

struct WebIdentityFetch {
    client: Client,
    provider_id: String,
    token_file: PathBuf,
    role_arn: String,
    session_name: String,
    duration: Duration,
}

impl WebIdentityProvider {
    /// Assumes `role_arn` as the identity of OIDC provider `provider_id`, whose token is in `token_file`.
    pub fn builder(
        provider_id: impl Into<String>,
        token_file: impl Into<PathBuf>,
        role_arn: impl Into<String>,
    ) -> WebIdentityBuilder {
        WebIdentityBuilder {
            provider_id: provider_id.into(),
            token_file: token_file.into(),
            role_arn: role_arn.into(),
            session: SessionSettings::default(),
        }
    }
}

impl WebIdentityBuilder {
    /// From `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE`, `TKE_ROLE_ARN` and `TKE_REGION` (which the Go
    /// SDK ignores; here it is the region sent to STS). None of the first three set is "not configured";
    /// some set and others missing or empty is an error.
    pub fn from_tke_environment(environment: &dyn Environment) -> Result<Self, CredentialsError> {
        let names = [
            "TKE_PROVIDER_ID",
            "TKE_WEB_IDENTITY_TOKEN_FILE",
            "TKE_ROLE_ARN",
        ];
        let values = names.map(|name| environment.var(name));
        if values.iter().all(Option::is_none) {
            return Err(CredentialsError::not_configured(
                "TKE OIDC: TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and TKE_ROLE_ARN are not set",
            ));
        }
        let mut present = Vec::with_capacity(names.len());
        for (name, value) in names.iter().zip(values) {
            match value.filter(|value| !value.is_empty()) {
                Some(value) => present.push(value),
                None => {
                    return Err(CredentialsError::new(format!(
                        "TKE OIDC: {name} is missing or empty"
                    )));
                }
            }
        }
        let [provider_id, token_file, role_arn]: [String; 3] = present
            .try_into()
            .map_err(|_| CredentialsError::new("TKE OIDC: incomplete configuration"))?;
        let mut builder = WebIdentityProvider::builder(provider_id, token_file, role_arn);
        if let Some(region) = environment
            .var("TKE_REGION")
            .filter(|region| !region.is_empty())
        {
            builder = builder.region(region);
        }
        Ok(builder)
    }

    session_setters!();

    /// The provider. Fails when the duration is out of range or the client cannot be built.
    pub fn build(self) -> Result<WebIdentityProvider, CredentialsError> {
        let clock = Arc::clone(&self.session.clock);
        // The web identity token is the proof of identity: the request itself is not signed.
        let (client, session_name, duration) = self.session.client(
            Client::builder().without_signing(),
            "AssumeRoleWithWebIdentity",
        )?;
        Ok(WebIdentityProvider {
            inner: Arc::new(Refreshing::new(
                WebIdentityFetch {
                    client,
                    provider_id: self.provider_id,
                    token_file: self.token_file,
                    role_arn: self.role_arn,
                    session_name,
                    duration,
                },
                refresh_policy(duration),
                clock,
            )),
        })
    }
}

impl Fetch for WebIdentityFetch {
    type Value = Credentials;

    fn fetch(&self) -> BoxFuture<'_, Result<Fetched<Credentials>, CredentialsError>> {
        Box::pin(async move {
            let source = format!("AssumeRoleWithWebIdentity {}", self.role_arn);
            let token = std::fs::read_to_string(&self.token_file).map_err(|e| {
                CredentialsError::new(format!(
                    "{source}: cannot read {}: {e}",
                    self.token_file.display()
                ))
            })?;
            let request = AssumeRoleWithWebIdentityRequest::default()
                .provider_id(&self.provider_id)
                .web_identity_token(token.trim())
                .role_arn(&self.role_arn)
                .role_session_name(&self.session_name)
                // Sessions last at most 12 hours (`check_duration`), far inside i64.
                .duration_seconds(i64::try_from(self.duration.as_secs()).unwrap_or(i64::MAX));
            let assumed = self
                .client
                .call(&request)
                .await
                .map_err(|e| CredentialsError::unavailable(format!("{source}: {e}")))?;
            fetched(&source, &assumed.credentials, assumed.expired_time)
        })
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.inner.get())
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        self.inner.ready()
    }
}

impl std::fmt::Debug for WebIdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebIdentityProvider")
            .finish_non_exhaustive()
    }
}
