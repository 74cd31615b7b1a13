//! TCP connections, directly or through an HTTP proxy.
//!
//! For `https` targets behind a proxy the connection is a CONNECT tunnel, and TLS runs inside it. For
//! `http` targets behind a proxy the connection goes to the proxy, marked so hyper sends absolute-form
//! request targets.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Connects to the target or to the proxy that the matcher picks for it.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector,
    proxies: Option<Arc<Matcher>>,
}

impl ProxyConnector {
    pub(crate) fn new(http: HttpConnector, proxies: Option<Arc<Matcher>>) -> Self {
        Self { http, proxies }
    }
}

impl Service<Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<ProxyStream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, target: Uri) -> Self::Future {
        let mut http = self.http.clone();
        let intercept = self
            .proxies
            .as_ref()
            .and_then(|proxies| proxies.intercept(&target));
        Box::pin(async move {
            match intercept {
                None => Ok(ProxyStream {
                    inner: http.call(target).await?,
                    via_http_proxy: false,
                }),
                Some(proxy) if target.scheme_str() == Some("https") => {
                    let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                    if let Some(auth) = proxy.basic_auth() {
                        tunnel = tunnel.with_auth(auth.clone());
                    }
                    Ok(ProxyStream {
                        inner: tunnel.call(target).await?,
                        via_http_proxy: false,
                    })
                }
                Some(proxy) => Ok(ProxyStream {
                    inner: http.call(proxy.uri().clone()).await?,
                    via_http_proxy: true,
                }),
            }
        })
    }
}

/// A TCP stream, which hyper is told about when it leads to an HTTP proxy.
pub(crate) struct ProxyStream {
    inner: TokioIo<TcpStream>,
    via_http_proxy: bool,
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.inner.connected().proxy(self.via_http_proxy)
    }
}

impl Read for ProxyStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl Write for ProxyStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }
}
