//! Sending one request: the [`Transport`] trait and its default implementation on hyper-util's pool.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::connector::ProxyConnector;
use crate::credentials::BoxFuture;

/// Sends one HTTP request with a byte body and returns the response with its whole body.
///
/// The default is [`HyperTransport`]; tests and special stacks can supply their own.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request`. The body of the response is read completely.
    fn send(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, TransportError>>;
}

/// What went wrong below HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made, so the request never left: safe to send again for any action.
    Connect,
    /// The connection closed before the request went out, and hyper handed it back unsent: safe to send
    /// again for any action.
    NotSent,
    /// The connection failed after the request may have been sent.
    Io,
    /// The response body exceeded the configured cap.
    BodyTooLarge,
    /// The request cannot be sent at all, such as one whose URL is not absolute.
    InvalidRequest,
    /// The transport's settings are unusable, such as an extra root certificate that is not PEM.
    Configuration,
}

/// A failure below HTTP, with whether the request might have reached the server.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    /// A failure of this kind.
    pub fn new(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            source: source.into(),
        }
    }

    /// What failed.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the request might have reached the server. Only a failed connect, a request hyper handed
    /// back unsent, or one that could not be built prove it did not.
    pub fn may_have_been_sent(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::Io | TransportErrorKind::BodyTooLarge
        )
    }

    /// Classifies a failure of hyper-util's client: a failed connect, a request handed back unsent (hyper
    /// reports it as canceled, with the request returned), or a failure after the request may have left.
    fn from_client(error: hyper_util::client::legacy::Error) -> Self {
        let kind = if error.is_connect() {
            TransportErrorKind::Connect
        } else if never_sent(&error) {
            TransportErrorKind::NotSent
        } else {
            TransportErrorKind::Io
        };
        Self::new(kind, error)
    }
}

/// Whether hyper gave the request back without writing it: its error says "canceled" only then.
fn never_sent(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_canceled)
        {
            return true;
        }
        cause = error.source();
    }
    false
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "cannot connect",
            TransportErrorKind::NotSent => "the connection closed before the request was sent",
            TransportErrorKind::Io => "connection failed",
            TransportErrorKind::BodyTooLarge => "response body too large",
            TransportErrorKind::InvalidRequest => "invalid request",
            TransportErrorKind::Configuration => "invalid transport settings",
        };
        // The chain of sources describes the network failure, never request content.
        let mut message = format!("{what}: {}", self.source);
        let mut cause = self.source.source();
        while let Some(inner) = cause {
            message.push_str(&format!(": {inner}"));
            cause = inner.source();
        }
        f.write_str(&message)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// Settings of the default transport.
#[derive(Debug, Clone)]
pub struct HyperTransportConfig {
    /// How long a TCP connect may take.
    pub connect_timeout: Duration,
    /// How long an idle pooled connection is kept. Shorter than typical server keep-alive timeouts, so the
    /// pool rarely hands out a connection the server is closing. The pool looks for expired connections
    /// once per timeout and closes them, so an unused connection closes between one and two timeouts
    /// after its last answer.
    pub pool_idle_timeout: Duration,
    /// Idle connections kept per host.
    pub pool_max_idle_per_host: usize,
    /// The largest response body read; larger ones fail with [`TransportErrorKind::BodyTooLarge`].
    pub max_response_bytes: usize,
    /// Which proxy to use.
    pub proxy: ProxyConfig,
    /// PEM certificates to trust besides the platform's roots.
    pub extra_root_certificates: Vec<Vec<u8>>,
}

impl Default for HyperTransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            pool_idle_timeout: Duration::from_secs(20),
            pool_max_idle_per_host: 64,
            max_response_bytes: 16 * 1024 * 1024,
            proxy: ProxyConfig::FromEnvironment,
            extra_root_certificates: Vec::new(),
        }
    }
}

/// Proxy selection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProxyConfig {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (either case).
    #[default]
    FromEnvironment,
    /// No proxy, whatever the environment says.
    None,
    /// This proxy for every request, except hosts in `no_proxy` (the `NO_PROXY` syntax).
    Url {
        /// `http://[user:password@]host:port`.
        url: String,
        /// Hosts to reach directly.
        no_proxy: String,
    },
}

impl ProxyConfig {
    fn matcher(&self) -> Option<Matcher> {
        match self {
            Self::FromEnvironment => Some(Matcher::from_env()),
            Self::None => None,
            Self::Url { url, no_proxy } => Some(
                Matcher::builder()
                    .all(url.clone())
                    .no(no_proxy.clone())
                    .build(),
            ),
        }
    }
}

/// The default transport: hyper-util's pooled client (keep-alive HTTP/1.1, idle connections reaped on
/// tokio's clock), rustls (ring) for HTTPS, and proxies chosen per target.
#[derive(Clone)]
pub struct HyperTransport {
    inner: Arc<Shared>,
}

struct Shared {
    client: Client<HttpsConnector<ProxyConnector>, Full<Bytes>>,
    proxies: Option<Arc<Matcher>>,
    max_response_bytes: usize,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport")
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// A transport with these settings. It needs a tokio runtime when it sends, not when it is built.
    pub fn new(config: &HyperTransportConfig) -> Result<Self, TransportError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout));
        let proxies = config.proxy.matcher().map(Arc::new);
        let tls = crate::tls::client_config(&config.extra_root_certificates)?;
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(ProxyConnector::new(http, proxies.clone()));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            // With a timer the pool closes idle connections when they expire, not only at the next checkout.
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            // The Host header is signed, so the caller sets it; the pool must never add another.
            .set_host(false)
            .build(connector);
        Ok(Self {
            inner: Arc::new(Shared {
                client,
                proxies,
                max_response_bytes: config.max_response_bytes,
            }),
        })
    }
}

impl Transport for HyperTransport {
    fn send(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, TransportError>> {
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            if parts.uri.scheme().is_none() || parts.uri.authority().is_none() {
                return Err(TransportError::new(
                    TransportErrorKind::InvalidRequest,
                    format!("{} is not an absolute URL", parts.uri),
                ));
            }
            if parts.uri.scheme_str() == Some("http") {
                // A plain-HTTP request through a proxy carries the proxy's credentials in each request.
                let proxy_auth = self
                    .inner
                    .proxies
                    .as_ref()
                    .and_then(|proxies| proxies.intercept(&parts.uri));
                if let Some(mut auth) = proxy_auth.and_then(|proxy| proxy.basic_auth().cloned()) {
                    auth.set_sensitive(true);
                    parts
                        .headers
                        .insert(http::header::PROXY_AUTHORIZATION, auth);
                }
            }
            let request = Request::from_parts(parts, Full::new(body));
            let response = self
                .inner
                .client
                .request(request)
                .await
                .map_err(TransportError::from_client)?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, self.inner.max_response_bytes)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        TransportError::new(TransportErrorKind::BodyTooLarge, e)
                    } else {
                        TransportError::new(TransportErrorKind::Io, e)
                    }
                })?
                .to_bytes();
            Ok(Response::from_parts(parts, body))
        })
    }
}
