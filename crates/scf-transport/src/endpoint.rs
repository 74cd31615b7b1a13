//! Where requests go: the service's default host, a regional host, another root domain, or any URL.

use http::Uri;
use http::uri::{Authority, Scheme};

/// The API root domain of Tencent Cloud.
pub const DEFAULT_ROOT_DOMAIN: &str = "tencentcloudapi.com";

/// Where a service's API lives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Endpoint {
    /// `https://<service>.tencentcloudapi.com`, served by the nearest region.
    #[default]
    Default,
    /// `https://<service>.<region>.tencentcloudapi.com`; needs a region.
    Regional,
    /// `https://<service>.<root domain>`, for example `intl.tencentcloudapi.com`.
    RootDomain(String),
    /// A full URL such as `http://127.0.0.1:9000`; the signing service stays the configured one.
    Url(Uri),
}

impl Endpoint {
    /// Parses a full URL endpoint, accepting `http` and `https` only.
    pub fn url(url: &str) -> Result<Self, EndpointError> {
        let uri: Uri = url
            .parse()
            .map_err(|_| EndpointError(format!("{url:?} is not a URL")))?;
        match uri.scheme_str() {
            Some("http" | "https") if uri.authority().is_some() => Ok(Self::Url(uri)),
            _ => Err(EndpointError(format!(
                "{url:?} must be an http:// or https:// URL with a host"
            ))),
        }
    }

    /// The URI to send to and the Host header to sign, for `service` in `region`.
    pub(crate) fn resolve(
        &self,
        service: &str,
        region: Option<&str>,
    ) -> Result<Target, EndpointError> {
        let host = match self {
            Self::Default => format!("{service}.{DEFAULT_ROOT_DOMAIN}"),
            Self::Regional => {
                let region = region.ok_or_else(|| {
                    EndpointError("a regional endpoint needs a region".to_owned())
                })?;
                format!("{service}.{region}.{DEFAULT_ROOT_DOMAIN}")
            }
            Self::RootDomain(domain) => format!("{service}.{domain}"),
            Self::Url(uri) => {
                let authority = uri.authority().map(Authority::as_str).unwrap_or_default();
                let scheme = uri.scheme().cloned().unwrap_or(Scheme::HTTPS);
                return Target::new(scheme, authority);
            }
        };
        Target::new(Scheme::HTTPS, &host)
    }
}

/// A resolved endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) uri: Uri,
    /// The Host header, port included when the URL has one: it is signed as sent.
    pub(crate) host: String,
    pub(crate) host_value: http::HeaderValue,
}

impl Target {
    fn new(scheme: Scheme, authority: &str) -> Result<Self, EndpointError> {
        let uri = Uri::builder()
            .scheme(scheme)
            .authority(authority)
            .path_and_query("/")
            .build()
            .map_err(|e| EndpointError(format!("cannot build a URL for {authority:?}: {e}")))?;
        let host_value = http::HeaderValue::from_str(authority)
            .map_err(|_| EndpointError(format!("{authority:?} cannot be a Host header")))?;
        Ok(Self {
            uri,
            host: authority.to_owned(),
            host_value,
        })
    }
}

/// An endpoint that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointError(String);

impl std::fmt::Display for EndpointError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid endpoint: {}", self.0)
    }
}

impl std::error::Error for EndpointError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(endpoint: Endpoint, region: Option<&str>) -> (String, String) {
        let target = endpoint.resolve("scf", region).unwrap();
        (target.uri.to_string(), target.host)
    }

    #[test]
    fn every_kind_of_endpoint_resolves() {
        assert_eq!(
            resolve(Endpoint::Default, Some("ap-guangzhou")),
            (
                "https://scf.tencentcloudapi.com/".into(),
                "scf.tencentcloudapi.com".into()
            )
        );
        assert_eq!(
            resolve(Endpoint::Regional, Some("ap-shanghai")),
            (
                "https://scf.ap-shanghai.tencentcloudapi.com/".into(),
                "scf.ap-shanghai.tencentcloudapi.com".into()
            )
        );
        assert_eq!(
            resolve(
                Endpoint::RootDomain("intl.tencentcloudapi.com".into()),
                None
            )
            .1,
            "scf.intl.tencentcloudapi.com"
        );
        assert_eq!(
            resolve(Endpoint::url("http://127.0.0.1:9000").unwrap(), None),
            ("http://127.0.0.1:9000/".into(), "127.0.0.1:9000".into())
        );
        assert!(Endpoint::Regional.resolve("scf", None).is_err());
        assert!(Endpoint::url("ftp://example.com").is_err());
        assert!(Endpoint::url("127.0.0.1:9000").is_err());
    }
}
