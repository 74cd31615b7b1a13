//! Sending one request: the [`Transport`] trait and its default implementation on hyper-util's pool.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::uri::PathAndQuery;
use http::{Request, Response, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::{Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use tower_service::Service;

use crate::connector::ProxyConnector;
use crate::credentials::BoxFuture;
use crate::pool::{Origin, Pool};

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
    /// The connection failed after the request may have been sent.
    Io,
    /// The response body exceeded the configured cap.
    BodyTooLarge,
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

    /// Whether the request might have reached the server: only a failed connect proves it did not.
    pub fn may_have_been_sent(&self) -> bool {
        self.kind != TransportErrorKind::Connect
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "cannot connect",
            TransportErrorKind::Io => "connection failed",
            TransportErrorKind::BodyTooLarge => "response body too large",
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
    /// pool rarely hands out a connection the server is closing.
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

/// The default transport: pooled keep-alive HTTP/1.1 connections on hyper, rustls (ring) for HTTPS, and
/// proxies chosen per target.
#[derive(Clone)]
pub struct HyperTransport {
    inner: Arc<Shared>,
}

struct Shared {
    connector: HttpsConnector<ProxyConnector>,
    proxies: Option<Arc<Matcher>>,
    pool: Pool,
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
    /// A transport with these settings.
    pub fn new(config: &HyperTransportConfig) -> Result<Self, String> {
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
        Ok(Self {
            inner: Arc::new(Shared {
                connector,
                proxies,
                pool: Pool::new(config.pool_idle_timeout, config.pool_max_idle_per_host),
                max_response_bytes: config.max_response_bytes,
            }),
        })
    }

    async fn connect(&self, uri: &Uri) -> Result<(SendRequest<Full<Bytes>>, bool), TransportError> {
        let connect = |e: Box<dyn std::error::Error + Send + Sync>| {
            TransportError::new(TransportErrorKind::Connect, e)
        };
        let stream = self
            .inner
            .connector
            .clone()
            .call(uri.clone())
            .await
            .map_err(connect)?;
        let via_http_proxy = stream.connected().is_proxied();
        let (sender, connection) = hyper::client::conn::http1::handshake(stream)
            .await
            .map_err(|e| connect(e.into()))?;
        // The connection task ends when the sender is dropped or the connection fails.
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed");
            }
        });
        Ok((sender, via_http_proxy))
    }
}

impl Transport for HyperTransport {
    fn send(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, TransportError>> {
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let origin = match (parts.uri.scheme(), parts.uri.authority()) {
                (Some(scheme), Some(authority)) => Origin::new(scheme.clone(), authority.clone()),
                _ => {
                    return Err(TransportError::new(
                        TransportErrorKind::Connect,
                        format!("{} is not an absolute URL", parts.uri),
                    ));
                }
            };
            let absolute = parts.uri.clone();
            // The same target without scheme and authority; its parts are shared, not parsed again.
            let mut origin_form = http::uri::Parts::default();
            origin_form.path_and_query = Some(
                absolute
                    .path_and_query()
                    .cloned()
                    .unwrap_or_else(|| PathAndQuery::from_static("/")),
            );
            let origin_form = Uri::from_parts(origin_form)
                .map_err(|e| TransportError::new(TransportErrorKind::Connect, e))?;
            if absolute.scheme_str() == Some("http") {
                // A plain-HTTP request through a proxy carries the proxy's credentials in each request.
                let proxy_auth = self
                    .inner
                    .proxies
                    .as_ref()
                    .and_then(|proxies| proxies.intercept(&absolute));
                if let Some(mut auth) = proxy_auth.and_then(|proxy| proxy.basic_auth().cloned()) {
                    auth.set_sensitive(true);
                    parts
                        .headers
                        .insert(http::header::PROXY_AUTHORIZATION, auth);
                }
            }
            let mut request = Request::from_parts(parts, Full::new(body));

            // A pooled connection may close just before it is used; hyper then hands the request back
            // unsent, and it goes out on a fresh connection instead.
            let mut pooled = self.inner.pool.checkout(&origin);
            let (sender, via_http_proxy, response) = loop {
                let (mut sender, via_http_proxy, reused) = match pooled.take() {
                    Some(mut idle) => {
                        // Returned before hyper finished the previous exchange; it is ready at once
                        // unless the connection closed meanwhile, and then the next one is tried.
                        if !idle.sender.is_ready() && idle.sender.ready().await.is_err() {
                            pooled = self.inner.pool.checkout(&origin);
                            continue;
                        }
                        (idle.sender, idle.via_http_proxy, true)
                    }
                    None => {
                        let (sender, via_http_proxy) = self.connect(&absolute).await?;
                        (sender, via_http_proxy, false)
                    }
                };
                *request.uri_mut() = if via_http_proxy {
                    absolute.clone()
                } else {
                    origin_form.clone()
                };
                match sender.try_send_request(request).await {
                    Ok(response) => break (sender, via_http_proxy, response),
                    Err(mut error) => match error.take_message() {
                        Some(unsent) if reused => request = unsent,
                        _ => {
                            return Err(TransportError::new(
                                TransportErrorKind::Io,
                                error.into_error(),
                            ));
                        }
                    },
                }
            };
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
            // The answer was read whole, so the connection can serve the next request as soon as hyper has
            // finished with it. Waiting for that here would delay this answer; the next checkout waits.
            self.inner.pool.checkin(&origin, sender, via_http_proxy);
            Ok(Response::from_parts(parts, body))
        })
    }
}
