//! Roles assumed through STS: `AssumeRole` with any other credentials, and TKE's OIDC
//! `AssumeRoleWithWebIdentity`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request};
use scf_model::{ActionMetadata, parse_response};
use serde::{Deserialize, Serialize};

use super::environment::Environment;
use super::refresh::{Expiring, Fetch, Refreshing, unix_now};
use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials, credentials_from};
use crate::client::{Client, REQUEST_CLIENT};
use crate::endpoint::Endpoint;
use crate::transport::{HyperTransport, HyperTransportConfig, Transport};

const STS_VERSION: &str = "2018-08-13";
const DEFAULT_REGION: &str = "ap-guangzhou";
const DEFAULT_DURATION: Duration = Duration::from_secs(7200);
const MAX_DURATION: Duration = Duration::from_secs(43_200);

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssumedRole {
    credentials: StsCredentials,
    expired_time: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsCredentials {
    token: String,
    tmp_secret_id: String,
    tmp_secret_key: String,
}

impl AssumedRole {
    fn into_expiring(self, source: &str) -> Result<Expiring, CredentialsError> {
        Ok(Expiring {
            credentials: credentials_from(
                source,
                &self.credentials.tmp_secret_id,
                &self.credentials.tmp_secret_key,
                Some(&self.credentials.token),
            )?,
            expires_at: self.expired_time,
        })
    }
}

/// Refresh once a tenth of the lifetime remains, but never later than a minute before expiry.
fn refresh_before(duration: Duration) -> Duration {
    (duration / 10).max(Duration::from_secs(60))
}

fn check_duration(duration: Duration) -> Result<Duration, CredentialsError> {
    if duration.is_zero() || duration > MAX_DURATION {
        return Err(CredentialsError::new(
            "a role session lasts from 1 second to 12 hours",
        ));
    }
    Ok(duration)
}

fn session_name() -> String {
    format!("scf-rs-{}", unix_now())
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleRequest<'a> {
    role_arn: &'a str,
    role_session_name: &'a str,
    duration_seconds: u64,
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

    /// A builder for the session name, duration, endpoint and region.
    pub fn builder(
        role_arn: impl Into<String>,
        source: impl ProvideCredentials,
    ) -> AssumeRoleBuilder {
        AssumeRoleBuilder {
            role_arn: role_arn.into(),
            source: Arc::new(source),
            session_name: None,
            duration: DEFAULT_DURATION,
            endpoint: Endpoint::Default,
            region: DEFAULT_REGION.to_owned(),
        }
    }
}

/// Settings of an [`AssumeRoleProvider`].
pub struct AssumeRoleBuilder {
    role_arn: String,
    source: Arc<dyn ProvideCredentials>,
    session_name: Option<String>,
    duration: Duration,
    endpoint: Endpoint,
    region: String,
}

impl AssumeRoleBuilder {
    /// The session name recorded by CAM.
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// How long the keys last: up to 12 hours, 2 hours by default.
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration = duration;
        self
    }

    /// Where STS is.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// The region sent to STS.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// The provider.
    pub fn build(self) -> Result<AssumeRoleProvider, CredentialsError> {
        let duration = check_duration(self.duration)?;
        let client = Client::builder()
            .credentials_arc(self.source)
            .endpoint(self.endpoint)
            .region(self.region)
            .build()
            .map_err(|e| CredentialsError::new(format!("AssumeRole: {e}")))?;
        Ok(AssumeRoleProvider {
            inner: Arc::new(Refreshing::new(
                AssumeRoleFetch {
                    client,
                    role_arn: self.role_arn,
                    session_name: self.session_name.unwrap_or_else(session_name),
                    duration,
                },
                refresh_before(duration),
            )),
        })
    }
}

impl Fetch for AssumeRoleFetch {
    fn fetch(&self) -> BoxFuture<'_, Result<Expiring, CredentialsError>> {
        Box::pin(async move {
            let metadata =
                ActionMetadata::new_static("sts", STS_VERSION, "AssumeRole", true, Some(600));
            let request = AssumeRoleRequest {
                role_arn: &self.role_arn,
                role_session_name: &self.session_name,
                duration_seconds: self.duration.as_secs(),
            };
            let source = format!("AssumeRole {}", self.role_arn);
            let assumed: AssumedRole = self
                .client
                .call_action(&metadata, &request)
                .await
                .map_err(|e| CredentialsError::unavailable(format!("{source}: {e}")))?;
            assumed.into_expiring(&source)
        })
    }
}

impl ProvideCredentials for AssumeRoleProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.inner.credentials())
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        self.inner.ready()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WebIdentityRequest<'a> {
    provider_id: &'a str,
    web_identity_token: &'a str,
    role_arn: &'a str,
    role_session_name: &'a str,
    duration_seconds: u64,
}

/// Temporary keys from TKE's OIDC identity: STS `AssumeRoleWithWebIdentity`, an unsigned call carrying the
/// pod's web identity token, read afresh from its file at each refresh.
#[derive(Clone)]
pub struct WebIdentityProvider {
    inner: Arc<Refreshing<WebIdentityFetch>>,
}

struct WebIdentityFetch {
    transport: HyperTransport,
    endpoint: Endpoint,
    region: String,
    provider_id: String,
    token_file: PathBuf,
    role_arn: String,
    session_name: String,
    duration: Duration,
}

impl WebIdentityProvider {
    /// From `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE`, `TKE_ROLE_ARN` and `TKE_REGION` (which the Go
    /// SDK ignores; here it is the region sent to STS).
    pub fn from_tke_environment(
        environment: &dyn Environment,
        endpoint: Endpoint,
    ) -> Result<Self, CredentialsError> {
        let names = [
            "TKE_PROVIDER_ID",
            "TKE_WEB_IDENTITY_TOKEN_FILE",
            "TKE_ROLE_ARN",
        ];
        let values: Vec<Option<String>> = names.iter().map(|name| environment.var(name)).collect();
        if values.iter().all(Option::is_none) {
            return Err(CredentialsError::not_configured(
                "TKE OIDC: TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and TKE_ROLE_ARN are not set",
            ));
        }
        let mut present = Vec::new();
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
        let region = environment
            .var("TKE_REGION")
            .filter(|region| !region.is_empty())
            .unwrap_or_else(|| DEFAULT_REGION.to_owned());
        let transport = HyperTransport::new(&HyperTransportConfig::default())
            .map_err(|e| CredentialsError::new(e.to_string()))?;
        let [provider_id, token_file, role_arn]: [String; 3] = present
            .try_into()
            .map_err(|_| CredentialsError::new("TKE OIDC: incomplete configuration"))?;
        Ok(Self {
            inner: Arc::new(Refreshing::new(
                WebIdentityFetch {
                    transport,
                    endpoint,
                    region,
                    provider_id,
                    token_file: PathBuf::from(token_file),
                    role_arn,
                    session_name: session_name(),
                    duration: DEFAULT_DURATION,
                },
                refresh_before(DEFAULT_DURATION),
            )),
        })
    }
}

impl WebIdentityFetch {
    async fn call(&self) -> Result<Expiring, CredentialsError> {
        let source = format!("AssumeRoleWithWebIdentity {}", self.role_arn);
        let failed = |why: String| CredentialsError::unavailable(format!("{source}: {why}"));
        let token = std::fs::read_to_string(&self.token_file).map_err(|e| {
            CredentialsError::new(format!(
                "{source}: cannot read {}: {e}",
                self.token_file.display()
            ))
        })?;
        let body = serde_json::to_vec(&WebIdentityRequest {
            provider_id: &self.provider_id,
            web_identity_token: token.trim(),
            role_arn: &self.role_arn,
            role_session_name: &self.session_name,
            duration_seconds: self.duration.as_secs(),
        })
        .map_err(|e| failed(e.to_string()))?;
        let target = self
            .endpoint
            .resolve("sts", Some(&self.region))
            .map_err(|e| failed(e.to_string()))?;
        let header = |value: &str| {
            HeaderValue::from_str(value)
                .map_err(|_| failed(format!("{value:?} is not a header value")))
        };
        // The web identity token is the proof of identity: the request itself is not signed.
        let request = Request::post(target.uri.clone())
            .header("content-type", "application/json")
            .header("host", target.host_value.clone())
            .header("x-tc-action", "AssumeRoleWithWebIdentity")
            .header("x-tc-version", STS_VERSION)
            .header("x-tc-region", header(&self.region)?)
            .header("x-tc-timestamp", unix_now().to_string())
            .header("x-tc-requestclient", REQUEST_CLIENT)
            .header("authorization", "SKIP")
            .body(Bytes::from(body))
            .map_err(|e| failed(e.to_string()))?;
        let response = tokio::time::timeout(Duration::from_secs(10), self.transport.send(request))
            .await
            .map_err(|_| failed("no answer in time".to_owned()))?
            .map_err(|e| failed(e.to_string()))?;
        let assumed: AssumedRole =
            parse_response(response.body()).map_err(|e| failed(e.to_string()))?;
        assumed.into_expiring(&source)
    }
}

impl Fetch for WebIdentityFetch {
    fn fetch(&self) -> BoxFuture<'_, Result<Expiring, CredentialsError>> {
        Box::pin(self.call())
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.inner.credentials())
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        self.inner.ready()
    }
}
