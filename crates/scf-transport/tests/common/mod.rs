//! An emulator and a client pointed at it.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use scf_emulator::{
    Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator, RunningEmulator, TokioClock,
};
use scf_transport::{
    BoxFuture, Client, ClientBuilder, Endpoint, HyperTransport, HyperTransportConfig, ProxyConfig,
    RetryPolicy, Timeouts, Transport, TransportError,
};
use tc3_signer::Credentials;

/// An emulator whose wall clock follows tokio's, so that tests on a paused runtime move it too.
pub async fn emulator() -> RunningEmulator {
    emulator_with(Config::default()).await
}

pub async fn emulator_with(config: Config) -> RunningEmulator {
    Emulator::builder()
        .clock(TokioClock::starting_now())
        .config(config)
        .start()
        .await
        .unwrap()
}

pub fn credentials() -> Credentials {
    Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).unwrap()
}

/// A client for `emulator` with short backoffs, so retry tests run quickly, and no proxy whatever the
/// environment of the machine says.
pub fn builder(emulator: &RunningEmulator) -> ClientBuilder {
    Client::builder()
        .proxy(ProxyConfig::None)
        .credentials(credentials())
        .endpoint(Endpoint::url(&emulator.url()).unwrap())
        .region("ap-guangzhou")
        .clock(scf_transport::time::TokioClock::new())
        .retry(RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        })
        .timeouts(Timeouts {
            connect: Duration::from_secs(2),
            attempt: Duration::from_secs(5),
            operation: Duration::from_secs(10),
        })
}

/// Requests a [`Recording`] transport kept.
pub type Recorded = Arc<Mutex<Vec<Request<Bytes>>>>;

/// The default transport without a proxy, recording every request, and the requests it records.
pub fn recording() -> (Recording<HyperTransport>, Recorded) {
    let config = HyperTransportConfig {
        proxy: ProxyConfig::None,
        ..HyperTransportConfig::default()
    };
    let recording = Recording {
        inner: HyperTransport::new(&config).unwrap(),
        requests: Arc::default(),
    };
    let requests = Arc::clone(&recording.requests);
    (recording, requests)
}

/// Wraps a transport and keeps every request it sends.
#[derive(Clone)]
pub struct Recording<T> {
    pub inner: T,
    pub requests: Recorded,
}

impl<T: Transport + Clone> Transport for Recording<T> {
    fn send(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, TransportError>> {
        let mut copy = Request::new(request.body().clone());
        *copy.uri_mut() = request.uri().clone();
        *copy.headers_mut() = request.headers().clone();
        self.requests.lock().unwrap().push(copy);
        self.inner.send(request)
    }
}
