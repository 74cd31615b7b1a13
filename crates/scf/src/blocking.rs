//! The client for programs that do not run tokio themselves.
//!
//! Each blocking client owns a small runtime with one background thread; calls block the calling thread
//! until done. The background thread keeps the connection pool alive between calls: it notices when a
//! server closes an idle connection and closes connections idle for too long, so a call after a pause
//! never goes out on a connection that is already gone. Do not call it from inside an async runtime.

use scf_model::{
    GetAsyncEventStatusResponse, InvokeRequest, InvokeResponse, ListAsyncEventsRequest,
    ListAsyncEventsResponse, TerminateAsyncEventResponse,
};

use crate::error::Error;
use crate::waiter::{WaitError, WaitOptions, WaitOutcome};

/// A blocking wrapper of [`crate::Client`].
#[derive(Debug)]
pub struct Client {
    runtime: tokio::runtime::Runtime,
    inner: crate::Client,
}

impl Client {
    /// Builds the async client inside its own runtime, so its connection pool has one to live in.
    pub fn new(builder: crate::ClientBuilder) -> Result<Self, scf_transport::Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("scf-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                scf_transport::Error::invalid_request("building the client", e.to_string())
            })?;
        let inner = {
            let _entered = runtime.enter();
            builder.build()?
        };
        Ok(Self { runtime, inner })
    }

    /// See [`crate::Client::get_async_event_status`].
    pub fn get_async_event_status(&self, id: &str) -> Result<GetAsyncEventStatusResponse, Error> {
        self.runtime.block_on(self.inner.get_async_event_status(id))
    }

    /// See [`crate::Client::invoke`].
    pub fn invoke(&self, request: &InvokeRequest) -> Result<InvokeResponse, Error> {
        self.runtime.block_on(self.inner.invoke(request))
    }

    /// See [`crate::Client::invoke_async`].
    pub fn invoke_async(
        &self,
        function: &str,
        client_context: Option<&str>,
    ) -> Result<String, Error> {
        self.runtime
            .block_on(self.inner.invoke_async(function, client_context))
    }

    /// See [`crate::Client::list_async_events`].
    pub fn list_async_events(
        &self,
        request: &ListAsyncEventsRequest,
    ) -> Result<ListAsyncEventsResponse, Error> {
        self.runtime.block_on(self.inner.list_async_events(request))
    }

    /// See [`crate::Client::terminate_async_event`].
    pub fn terminate_async_event(
        &self,
        function: &str,
        id: &str,
        grace: bool,
    ) -> Result<TerminateAsyncEventResponse, Error> {
        self.runtime
            .block_on(self.inner.terminate_async_event(function, id, grace))
    }

    /// See [`crate::Client::wait`].
    pub fn wait(&self, id: &str, options: WaitOptions) -> Result<WaitOutcome, WaitError> {
        self.runtime.block_on(self.inner.wait(id, options))
    }
}
