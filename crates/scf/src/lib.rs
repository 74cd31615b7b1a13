//! Tencent Cloud Serverless Cloud Function (SCF) from Rust.
//!
//! - [`Client`]: every SCF action as a method named like it, generated from Tencent's spec, that starts a
//!   [`RequestBuilder`]: `client.list_functions().namespace("default").limit(20).send().await?`. Required
//!   members left out fail before anything is sent; errors carry the action, the RequestId, the typed
//!   [`model::ErrorCode`] and the InvokeRequestId of the event concerned.
//! - Paginated actions (`ListAsyncEvents`, `ListFunctions`, ...) also walk every page with
//!   [`RequestBuilder::into_paginator`], a `Stream` of items.
//! - [`Client::invoke_async`], [`Client::wait`] and [`Client::wait_many`]: start async events and follow
//!   them until they end, with jittered exponential polling, tolerance for new events not being visible
//!   yet, the client's rate limit shared by all waiters, and progress reports. No official Tencent SDK
//!   has a waiter.
//! - [`Client::wait_until_function_active`]: after `CreateFunction`, an update or `PublishVersion`, polls
//!   `GetFunction` with the same polling until the function is `Active`, ending early with a typed
//!   [`FunctionWaitErrorKind::Failed`] (status, `StatusReasons`, RequestId) for `CreateFailed` and the
//!   other `*Failed` statuses, or [`FunctionWaitErrorKind::NotFound`] for a missing function.
//! - [`blocking::Client`]: the same without an async runtime of your own.
//!
//! Requests go through [`scf_transport`], which signs, retries idempotent calls, never blindly re-sends
//! `Invoke` or `TerminateAsyncEvent`, limits rates and repairs clock skew.
//!
//! # Example
//!
//! Against the local emulator, so it runs anywhere:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use futures_util::TryStreamExt;
//! use scf::{Client, WaitOptions};
//! use scf_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator};
//! use std::time::Duration;
//!
//! let emulator = Emulator::builder().start().await?;
//! let client = Client::builder()
//!     .endpoint(scf::Endpoint::url(&emulator.url())?)
//!     .credentials(scf::Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY)?)
//!     .namespace("default")
//!     .build()?;
//!
//! let context = r#"{"scf_emulator": {"duration_ms": 300}}"#;
//! let id = client.invoke_async("hello", Some(context)).await?;
//! let status = client.get_async_event_status().invoke_request_id(&id).send().await?;
//! assert_eq!(status.result.status, scf::model::EventStatus::Running);
//!
//! let options = WaitOptions { min_delay: Duration::from_millis(100), ..WaitOptions::default() };
//! let outcome = client.wait(&id, options).await?;
//! assert!(outcome.succeeded());
//!
//! let events: Vec<_> = client
//!     .list_async_events()
//!     .function_name("hello")
//!     .limit(10)
//!     .into_paginator()
//!     .try_collect()
//!     .await?;
//! assert_eq!(events[0].invoke_request_id, id);
//!
//! // A required member left out is an error of its own, and nothing is sent.
//! let error = client.terminate_async_event().function_name("hello").send().await.unwrap_err();
//! assert_eq!(error.missing_parameter(), Some("InvokeRequestId"));
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod blocking;
mod client;
mod error;
mod function_waiter;
mod generated;
mod paginator;
mod polling;
mod request_builder;
mod waiter;

pub use client::{Client, ClientBuilder, DEFAULT_REGION};
pub use error::{Error, ErrorKind};
pub use function_waiter::{
    FunctionProgressReporter, FunctionRef, FunctionStatus, FunctionWaitError,
    FunctionWaitErrorKind, FunctionWaitOptions, FunctionWaitOutcome, FunctionWaitProgress,
};
pub use request_builder::RequestBuilder;
pub use scf_model as model;
pub use scf_transport as transport;
pub use scf_transport::{Endpoint, Language, ProxyConfig, RetryPolicy, Timeouts};
pub use tc3_signer as signer;
pub use tc3_signer::Credentials;
pub use waiter::{
    ProgressReporter, WaitError, WaitErrorKind, WaitOptions, WaitOutcome, WaitProgress,
};
