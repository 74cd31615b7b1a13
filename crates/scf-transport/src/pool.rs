//! Keep-alive connections per origin, on hyper's low-level HTTP/1.1 client.
//!
//! A connection goes back to the pool as soon as its answer was read whole, while hyper still considers it
//! open; one that failed is dropped, never reused. Checkout waits for hyper to finish the previous exchange
//! (usually already done) rather than making the previous caller wait. If a pooled connection turns out to
//! be closed when used, hyper hands the request back unsent and it goes out on a fresh connection. Idle
//! connections older than the idle timeout are discarded at checkout, before a server closing them can make
//! a request fail.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::uri::{Authority, Scheme};
use http_body_util::Full;
use hyper::client::conn::http1::SendRequest;

/// Where a connection goes: scheme and authority, compared without formatting a URL.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Origin {
    scheme: Scheme,
    authority: Authority,
}

impl Origin {
    pub(crate) fn new(scheme: Scheme, authority: Authority) -> Self {
        Self { scheme, authority }
    }
}

/// An idle connection.
pub(crate) struct Idle {
    pub(crate) sender: SendRequest<Full<Bytes>>,
    /// Requests on this connection go to an HTTP proxy and need absolute-form targets.
    pub(crate) via_http_proxy: bool,
    since: Instant,
}

pub(crate) struct Pool {
    idle: Mutex<HashMap<Origin, Vec<Idle>>>,
    idle_timeout: Duration,
    max_idle_per_origin: usize,
}

impl Pool {
    pub(crate) fn new(idle_timeout: Duration, max_idle_per_origin: usize) -> Self {
        Self {
            idle: Mutex::new(HashMap::new()),
            idle_timeout,
            max_idle_per_origin,
        }
    }

    /// An open idle connection to `origin`, if there is one.
    pub(crate) fn checkout(&self, origin: &Origin) -> Option<Idle> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let connections = idle.get_mut(origin)?;
        while let Some(connection) = connections.pop() {
            if connection.since.elapsed() < self.idle_timeout && !connection.sender.is_closed() {
                return Some(connection);
            }
        }
        None
    }

    /// Returns a connection whose last answer was read whole; hyper may still be finishing that exchange.
    pub(crate) fn checkin(
        &self,
        origin: &Origin,
        sender: SendRequest<Full<Bytes>>,
        via_http_proxy: bool,
    ) {
        if sender.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let connections = match idle.get_mut(origin) {
            Some(connections) => connections,
            None => idle.entry(origin.clone()).or_default(),
        };
        if connections.len() < self.max_idle_per_origin {
            connections.push(Idle {
                sender,
                via_http_proxy,
                since: Instant::now(),
            });
        }
    }
}
