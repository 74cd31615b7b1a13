//! The client for programs that do not run tokio themselves.
//!
//! Each blocking client owns a small runtime with one background thread, shared by its clones; calls
//! block the calling thread until done. The background thread keeps the connection pool alive between
//! calls: it notices when a server closes an idle connection and closes connections idle for too long,
//! so a call after a pause never goes out on a connection that is already gone. Do not call it from
//! inside an async runtime.
//!
//! ```
//! # let runtime = tokio::runtime::Runtime::new()?;
//! # let emulator = runtime.block_on(scf_emulator::Emulator::builder().start())?;
//! let client = scf::blocking::Client::new(
//!     scf::Client::builder()
//! #       .endpoint(scf::Endpoint::url(&emulator.url())?)
//!         .credentials(scf::Credentials::new(scf_emulator::DEMO_SECRET_ID, scf_emulator::DEMO_SECRET_KEY)?),
//! )?;
//! let id = client.invoke_async("hello", None)?;
//! let events = client.list_async_events().function_name("hello").into_paginator();
//! let ids = events.map(|event| event.map(|event| event.invoke_request_id)).collect::<Result<Vec<_>, _>>()?;
//! assert_eq!(ids, [id]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::pin::Pin;
use std::sync::Arc;

use futures_core::Stream;
use futures_util::StreamExt;
use tc_api::{Action, Paginated};

use crate::error::Error;
use crate::function_waiter::{
    FunctionRef, FunctionWaitError, FunctionWaitOptions, FunctionWaitOutcome,
};
use crate::request_builder::RequestBuilder;
use crate::waiter::{WaitError, WaitOptions, WaitOutcome};

/// A blocking wrapper of [`crate::Client`]. Cheap to clone: clones share the runtime and everything the
/// async client shares.
#[derive(Debug, Clone)]
pub struct Client {
    runtime: Arc<tokio::runtime::Runtime>,
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
        Ok(Self {
            runtime: Arc::new(runtime),
            inner,
        })
    }

    /// The async client underneath.
    pub fn async_client(&self) -> &crate::Client {
        &self.inner
    }

    /// See [`crate::Client::transport`].
    pub fn transport(&self) -> &scf_transport::Client {
        self.inner.transport()
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

    /// See [`crate::Client::wait`].
    pub fn wait(&self, id: &str, options: WaitOptions) -> Result<WaitOutcome, WaitError> {
        self.runtime.block_on(self.inner.wait(id, options))
    }

    /// See [`crate::Client::wait_many`].
    pub fn wait_many(
        &self,
        ids: &[String],
        options: WaitOptions,
    ) -> Vec<Result<WaitOutcome, WaitError>> {
        self.runtime.block_on(self.inner.wait_many(ids, options))
    }

    /// See [`crate::Client::wait_until_function_active`].
    pub fn wait_until_function_active(
        &self,
        function: impl Into<FunctionRef>,
        options: FunctionWaitOptions,
    ) -> Result<FunctionWaitOutcome, FunctionWaitError> {
        self.runtime
            .block_on(self.inner.wait_until_function_active(function, options))
    }
}

impl<R: Action + Sync> RequestBuilder<R, Client> {
    /// Sends the request and returns the action's response, blocking until done, with the checks of the
    /// async client's `send`.
    pub fn send(self) -> Result<R::Response, Error> {
        let (client, request, unset) = self.into_parts();
        client
            .runtime
            .block_on(client.inner.execute(&request, unset))
    }
}

impl<R> RequestBuilder<R, Client>
where
    R: Paginated + Send + Sync + 'static,
    R::Item: Send + 'static,
    R::Response: Send,
{
    /// Every item of every page, fetching the next page when the iterator reaches it; the pages are
    /// walked as by the async client's `into_paginator`.
    pub fn into_paginator(self) -> Paginator<R::Item> {
        let (client, request, unset) = self.into_parts();
        let pages = RequestBuilder::from_parts(client.inner, request, unset);
        Paginator {
            runtime: client.runtime,
            items: Box::pin(pages.into_paginator()),
        }
    }
}

/// The items of every page of a paginated action, from [`RequestBuilder::into_paginator`] on the
/// blocking client. A failed page is the last item; once it has ended, it yields `None` again.
#[must_use = "a paginator fetches nothing until it is iterated"]
pub struct Paginator<T> {
    runtime: Arc<tokio::runtime::Runtime>,
    items: Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>,
}

impl<T> Iterator for Paginator<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.runtime.block_on(self.items.next())
    }
}

impl<T> std::fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator").finish_non_exhaustive()
    }
}
