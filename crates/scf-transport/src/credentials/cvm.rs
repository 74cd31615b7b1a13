//! A CVM instance role, from the instance metadata service.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;

use super::refresh::{Fetch, Fetched, RefreshPolicy, Refreshing};
use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials, credentials_from};
use crate::time::{Clock, SharedClock, SystemClock};

/// The metadata service of CVM instances.
pub const METADATA_ENDPOINT: &str = "http://metadata.tencentyun.com";
const ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";
/// Off the cloud nothing answers; a short connect timeout keeps the default chain from hanging there.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// The metadata service answers with a role name or a small JSON document.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Refresh once five minutes remain, as the official SDKs do.
const REFRESH_BEFORE: Duration = Duration::from_secs(300);

/// The temporary keys of the role bound to this CVM instance, refreshed once five minutes remain.
///
/// The metadata service is plain HTTP on the instance's link-local network, so this provider talks to it
/// over a plain HTTP client: no TLS configuration, and never through a proxy.
#[derive(Clone)]
pub struct CvmRoleProvider {
    inner: Arc<Refreshing<MetadataFetch>>,
}

/// Settings of a [`CvmRoleProvider`].
#[derive(Debug)]
pub struct CvmRoleBuilder {
    endpoint: String,
    clock: SharedClock,
}

struct MetadataFetch {
    http: HttpClient<HttpConnector, Full<Bytes>>,
    base: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleCredentials {
    tmp_secret_id: String,
    tmp_secret_key: String,
    token: String,
    expired_time: u64,
    #[serde(default)]
    code: Option<String>,
}

impl CvmRoleProvider {
    /// Asks the real metadata service.
    pub fn new() -> Result<Self, CredentialsError> {
        Self::builder().build()
    }

    /// Asks the metadata service at `base` (for tests, or a proxy of it).
    pub fn with_endpoint(base: &str) -> Result<Self, CredentialsError> {
        Self::builder().endpoint(base).build()
    }

    /// A builder for the endpoint and the clock.
    pub fn builder() -> CvmRoleBuilder {
        CvmRoleBuilder {
            endpoint: METADATA_ENDPOINT.to_owned(),
            clock: Arc::new(SystemClock),
        }
    }
}

impl CvmRoleBuilder {
    /// Where the metadata service is: an `http://` URL without a path.
    pub fn endpoint(mut self, base: impl Into<String>) -> Self {
        self.endpoint = base.into();
        self
    }

    /// The wall clock that expiry times are compared with; [`SystemClock`] by default.
    pub fn clock(self, clock: impl Clock) -> Self {
        self.clock_arc(Arc::new(clock))
    }

    /// Shares an existing wall clock.
    pub fn clock_arc(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The provider. Fails when the endpoint is not an `http://` URL.
    pub fn build(self) -> Result<CvmRoleProvider, CredentialsError> {
        let base = self.endpoint.trim_end_matches('/').to_owned();
        let valid = format!("{base}{ROLE_PATH}")
            .parse::<Uri>()
            .is_ok_and(|uri| uri.scheme_str() == Some("http") && uri.authority().is_some());
        if !valid {
            return Err(CredentialsError::new(format!(
                "CVM role: the metadata endpoint {base:?} is not an http:// URL"
            )));
        }
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        connector.set_nodelay(true);
        let http = HttpClient::builder(TokioExecutor::new()).build(connector);
        Ok(CvmRoleProvider {
            inner: Arc::new(Refreshing::new(
                MetadataFetch { http, base },
                RefreshPolicy::BeforeExpiry(REFRESH_BEFORE),
                self.clock,
            )),
        })
    }
}

impl MetadataFetch {
    async fn get(&self, path: &str) -> Result<(u16, Bytes), CredentialsError> {
        let unreachable = |why: String| {
            CredentialsError::unavailable(format!(
                "CVM role: metadata service {}: {why}",
                self.base
            ))
        };
        let request = Request::get(format!("{}{path}", self.base))
            .body(Full::new(Bytes::new()))
            .map_err(|e| CredentialsError::new(format!("CVM role: bad metadata URL: {e}")))?;
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| unreachable(error_chain(&e)))?;
            let status = response.status().as_u16();
            let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| unreachable(format!("reading the answer: {e}")))?
                .to_bytes();
            Ok((status, body))
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| unreachable("no answer in time".to_owned()))?
    }
}

/// An error and its sources, which hold what actually failed (the connect, its timeout).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    text
}

impl Fetch for MetadataFetch {
    type Value = Credentials;

    fn fetch(&self) -> BoxFuture<'_, Result<Fetched<Credentials>, CredentialsError>> {
        Box::pin(async move {
            let (status, body) = self.get(ROLE_PATH).await?;
            match status {
                200 => {}
                404 => {
                    return Err(CredentialsError::not_configured(
                        "CVM role: no role is bound to this instance",
                    ));
                }
                other => {
                    return Err(CredentialsError::unavailable(format!(
                        "CVM role: metadata service answered HTTP {other}"
                    )));
                }
            }
            let role = String::from_utf8_lossy(&body)
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            if role.is_empty() {
                return Err(CredentialsError::not_configured(
                    "CVM role: no role is bound to this instance",
                ));
            }
            let (status, body) = self.get(&format!("{ROLE_PATH}{role}")).await?;
            if status != 200 {
                return Err(CredentialsError::unavailable(format!(
                    "CVM role {role}: metadata service answered HTTP {status}"
                )));
            }
            let parsed: RoleCredentials = serde_json::from_slice(&body).map_err(|e| {
                CredentialsError::unavailable(format!("CVM role {role}: unreadable answer: {e}"))
            })?;
            if parsed.code.as_deref().is_some_and(|code| code != "Success") {
                return Err(CredentialsError::unavailable(format!(
                    "CVM role {role}: the metadata service refused"
                )));
            }
            Ok(Fetched {
                value: credentials_from(
                    &format!("CVM role {role}"),
                    &parsed.tmp_secret_id,
                    &parsed.tmp_secret_key,
                    Some(&parsed.token),
                )?,
                expires_at: Some(parsed.expired_time),
            })
        })
    }
}

impl ProvideCredentials for CvmRoleProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.inner.get())
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        self.inner.ready()
    }
}

impl std::fmt::Debug for CvmRoleProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CvmRoleProvider").finish_non_exhaustive()
    }
}
