//! A CVM instance role, from the instance metadata service.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use serde::Deserialize;

use super::refresh::{Expiring, Fetch, Refreshing};
use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials, credentials_from};
use crate::transport::{HyperTransport, HyperTransportConfig, ProxyConfig, Transport};

/// The metadata service of CVM instances.
pub const METADATA_ENDPOINT: &str = "http://metadata.tencentyun.com";
const ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";
/// Off the cloud nothing answers; a short connect timeout keeps the default chain from hanging there.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// Refresh once five minutes remain, as the official SDKs do.
const REFRESH_BEFORE: Duration = Duration::from_secs(300);

/// The temporary keys of the role bound to this CVM instance.
#[derive(Clone)]
pub struct CvmRoleProvider {
    inner: Arc<Refreshing<MetadataFetch>>,
}

struct MetadataFetch {
    transport: HyperTransport,
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
        Self::with_endpoint(METADATA_ENDPOINT)
    }

    /// Asks the metadata service at `base` (for tests, or a proxy of it).
    pub fn with_endpoint(base: &str) -> Result<Self, CredentialsError> {
        let config = HyperTransportConfig {
            connect_timeout: CONNECT_TIMEOUT,
            // The metadata service is link-local to the instance: never through a proxy.
            proxy: ProxyConfig::None,
            max_response_bytes: 64 * 1024,
            ..HyperTransportConfig::default()
        };
        let transport =
            HyperTransport::new(&config).map_err(|e| CredentialsError::new(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Refreshing::new(
                MetadataFetch {
                    transport,
                    base: base.trim_end_matches('/').to_owned(),
                },
                REFRESH_BEFORE,
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
            .body(Bytes::new())
            .map_err(|e| CredentialsError::new(format!("CVM role: bad metadata URL: {e}")))?;
        let response = tokio::time::timeout(REQUEST_TIMEOUT, self.transport.send(request))
            .await
            .map_err(|_| unreachable("no answer in time".to_owned()))?
            .map_err(|e| unreachable(e.to_string()))?;
        Ok((response.status().as_u16(), response.into_body()))
    }
}

impl Fetch for MetadataFetch {
    fn fetch(&self) -> BoxFuture<'_, Result<Expiring, CredentialsError>> {
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
            Ok(Expiring {
                credentials: credentials_from(
                    &format!("CVM role {role}"),
                    &parsed.tmp_secret_id,
                    &parsed.tmp_secret_key,
                    Some(&parsed.token),
                )?,
                expires_at: parsed.expired_time,
            })
        })
    }
}

impl ProvideCredentials for CvmRoleProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.inner.credentials())
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
