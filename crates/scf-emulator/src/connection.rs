//! One client connection: served over HTTP/1.1, counted while open, closed when idle too long or when the
//! emulator stops.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use crate::service::{self, Shared};

/// The HTTP/1.1 settings every connection is served with.
pub(crate) fn http1_builder(idle_timeout: Option<Duration>) -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder.auto_date_header(false);
    if let Some(idle_timeout) = idle_timeout {
        // hyper starts this timer whenever it waits for a request head: on a new connection, and on a
        // kept-alive one once the previous response is written. It is not running while a request is
        // served. When it fires, hyper drops the idle connection and the socket closes with a FIN. The
        // timer runs on tokio's clock, so a paused runtime moves it.
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(idle_timeout);
    }
    builder
}

/// How many client connections are open.
#[derive(Debug, Default)]
pub(crate) struct OpenConnections(AtomicUsize);

impl OpenConnections {
    pub(crate) fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    /// Counts one more connection until the returned guard drops.
    pub(crate) fn open(self: &Arc<Self>) -> Counted {
        self.0.fetch_add(1, Ordering::SeqCst);
        Counted(Arc::clone(self))
    }
}

/// One open connection in [`OpenConnections`].
#[derive(Debug)]
pub(crate) struct Counted(Arc<OpenConnections>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves `stream` until the client closes it, it stays idle past the idle timeout, or `stop` fires; then
/// lets the request in flight finish and closes.
pub(crate) async fn serve(
    stream: TcpStream,
    builder: http1::Builder,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
    counted: Counted,
) {
    let service = service_fn(move |request| service::handle(Arc::clone(&shared), request));
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    // Declared after the connection, so the count drops before the socket closes: a client that sees the
    // connection end also sees it uncounted.
    let counted = counted;
    tokio::select! {
        biased;
        _ = connection.as_mut() => {}
        _ = &mut stop => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.as_mut().await;
        }
    }
    drop(counted);
}
