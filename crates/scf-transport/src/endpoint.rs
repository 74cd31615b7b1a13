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
            .map_err(|_| EndpointError::new(EndpointErrorKind::NotAUrl, url))?;
        match uri.scheme_str() {
            Some("http" | "https") if uri.authority().is_some() => Ok(Self::Url(uri)),
            _ => Err(EndpointError::new(EndpointErrorKind::UnsupportedUrl, url)),
        }
    }

    /// Reads an endpoint as users write it in settings such as `SCF_ENDPOINT` or `--endpoint`: a URL
    /// (`http://127.0.0.1:9000`), `regional`, or a root domain (`intl.tencentcloudapi.com`).
    ///
    /// ```
    /// use scf_transport::Endpoint;
    ///
    /// assert_eq!(Endpoint::parse("regional")?, Endpoint::Regional);
    /// assert_eq!(Endpoint::parse("intl.tencentcloudapi.com")?, Endpoint::RootDomain("intl.tencentcloudapi.com".into()));
    /// assert!(matches!(Endpoint::parse("http://127.0.0.1:9000")?, Endpoint::Url(_)));
    /// assert!(Endpoint::parse("ftp://example.com").is_err());
    /// # Ok::<(), scf_transport::EndpointError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, EndpointError> {
        let text = text.trim();
        if text.contains("://") {
            Self::url(text)
        } else if text == "regional" {
            Ok(Self::Regional)
        } else if !text.is_empty() && http::uri::Authority::try_from(text).is_ok() {
            Ok(Self::RootDomain(text.to_owned()))
        } else {
            Err(EndpointError::new(EndpointErrorKind::NotAUrl, text))
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
                let region = region
                    .ok_or_else(|| EndpointError::new(EndpointErrorKind::MissingRegion, service))?;
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
            .map_err(|_| EndpointError::new(EndpointErrorKind::InvalidHost, authority))?;
        let host_value = http::HeaderValue::from_str(authority)
            .map_err(|_| EndpointError::new(EndpointErrorKind::InvalidHost, authority))?;
        Ok(Self {
            uri,
            host: authority.to_owned(),
            host_value,
        })
    }
}

/// Why an endpoint cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointErrorKind {
    /// The text is neither a URL nor a host name.
    NotAUrl,
    /// A URL that is not `http://` or `https://` with a host.
    UnsupportedUrl,
    /// A regional endpoint, but no region was configured.
    MissingRegion,
    /// The host cannot travel in a URL or a `Host` header.
    InvalidHost,
}

/// An endpoint that cannot be used: its kind and the text concerned (a URL or host, or for
/// [`EndpointErrorKind::MissingRegion`] the service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointError {
    kind: EndpointErrorKind,
    subject: String,
}

impl EndpointError {
    fn new(kind: EndpointErrorKind, subject: &str) -> Self {
        Self {
            kind,
            subject: subject.to_owned(),
        }
    }

    /// Why the endpoint cannot be used.
    pub fn kind(&self) -> EndpointErrorKind {
        self.kind
    }
}

impl std::fmt::Display for EndpointError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let subject = self.subject.escape_debug();
        match self.kind {
            EndpointErrorKind::NotAUrl => {
                write!(f, "invalid endpoint \"{subject}\": not a URL or host name")
            }
            EndpointErrorKind::UnsupportedUrl => write!(
                f,
                "invalid endpoint \"{subject}\": it must be an http:// or https:// URL with a host"
            ),
            EndpointErrorKind::MissingRegion => write!(
                f,
                "invalid endpoint: the regional endpoint of {subject} needs a region"
            ),
            EndpointErrorKind::InvalidHost => write!(
                f,
                "invalid endpoint: \"{subject}\" cannot be a host of a URL and a Host header"
            ),
        }
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
        fn kind<T: std::fmt::Debug>(result: Result<T, EndpointError>) -> EndpointErrorKind {
            result.unwrap_err().kind()
        }
        assert_eq!(
            kind(Endpoint::Regional.resolve("scf", None)),
            EndpointErrorKind::MissingRegion
        );
        assert_eq!(
            kind(Endpoint::url("ftp://example.com")),
            EndpointErrorKind::UnsupportedUrl
        );
        assert_eq!(
            kind(Endpoint::url("127.0.0.1:9000")),
            EndpointErrorKind::UnsupportedUrl
        );
        assert_eq!(kind(Endpoint::url("http://[")), EndpointErrorKind::NotAUrl);
        assert_eq!(
            kind(Endpoint::RootDomain("bad host".into()).resolve("scf", None)),
            EndpointErrorKind::InvalidHost
        );
        assert_eq!(kind(Endpoint::parse("a b")), EndpointErrorKind::NotAUrl);
        assert_eq!(kind(Endpoint::parse("")), EndpointErrorKind::NotAUrl);
    }
}
