//! Tencent Cloud Serverless Cloud Function (SCF) async events, from Rust.
//!
//! - [`Client`]: `GetAsyncEventStatus`, `Invoke` (sync and `Event`), `ListAsyncEvents`,
//!   `TerminateAsyncEvent`, with the model's types and errors that carry the InvokeRequestId.
//! - [`Client::wait`] and [`Client::wait_many`]: follow events until they end, with jittered exponential
//!   polling, tolerance for new events not being visible yet, the client's rate limit shared by all waiters,
//!   and progress reports. No official Tencent SDK has a waiter.
//! - [`Client::list_all_async_events`]: every page as a `Stream`.
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
//! use scf::{Client, WaitOptions};
//! use scf_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator};
//! use std::time::Duration;
//!
//! let emulator = Emulator::builder().start().await?;
//! let client = Client::builder()
//!     .endpoint(scf::Endpoint::url(&emulator.url())?)
//!     .credentials(scf::Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY)?)
//!     .build()?;
//!
//! let context = r#"{"scf_emulator": {"duration_ms": 300}}"#;
//! let id = client.invoke_async("hello", Some(context)).await?;
//! let options = WaitOptions { min_delay: Duration::from_millis(100), ..WaitOptions::default() };
//! let outcome = client.wait(&id, options).await?;
//! assert!(outcome.succeeded());
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod blocking;
mod client;
mod error;
mod paginate;
mod waiter;

pub use client::{Client, ClientBuilder, DEFAULT_REGION};
pub use error::{Error, ErrorKind};
pub use scf_model as model;
pub use scf_transport as transport;
pub use scf_transport::{Endpoint, Language, ProxyConfig, RetryPolicy, Timeouts};
pub use tc3_signer as signer;
pub use tc3_signer::Credentials;
pub use waiter::{
    ProgressReporter, WaitError, WaitErrorKind, WaitOptions, WaitOutcome, WaitProgress,
};
