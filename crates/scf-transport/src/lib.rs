//! A client for any Tencent Cloud API 3.0 action, over hyper.
//!
//! It knows nothing about SCF: give it an [`ActionMetadata`](scf_model::ActionMetadata) (service, version,
//! action, idempotency, rate limit) and a JSON body, and it resolves the endpoint, signs each attempt with
//! TC3-HMAC-SHA256 and a fresh timestamp, sends through a pooled HTTP/1.1 connection (rustls for HTTPS,
//! proxies from the environment), and reads the envelope into the result or a typed [`Error`].
//!
//! Policy lives here too:
//! - [`Timeouts`]: connect, per attempt and per operation; every wait ends by the operation deadline, and
//!   dropping the future stops everything at once.
//! - [`RetryPolicy`] and [`RetryBudget`]: exponential backoff with full jitter for idempotent actions on
//!   network errors, timeouts, throttling and transient server errors, capped by a shared budget.
//!   Non-idempotent actions are retried only when the request provably never left (the connect failed);
//!   otherwise the error says whether the outcome is unknown.
//! - [`RateLimiter`]: per-action client-side limits under the documented ones, shared by clones, slowing
//!   after `RequestLimitExceeded`.
//! - Clock skew: the offset to the server's clock is learned from `Date` headers, and a request refused
//!   with `AuthFailure.SignatureExpire` is re-signed once ([`Client::clock_offset_secs`]).
//! - `tracing` spans per call and attempt; Authorization, X-TC-Token and secrets never appear in them.
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use scf_model::ActionMetadata;
//! use scf_transport::{Client, Endpoint};
//! use tc3_signer::Credentials;
//!
//! let client = Client::builder()
//!     .credentials(Credentials::new("AKID...", "...")?)
//!     .region("ap-guangzhou")
//!     .build()?;
//! // Any product: here CVM's DescribeInstances, which this crate does not model.
//! let describe = ActionMetadata::new_static("cvm", "2017-03-12", "DescribeInstances", true, Some(40));
//! let result: serde_json::Value = client.call_action(&describe, &serde_json::json!({"Limit": 1})).await?;
//! println!("{result}");
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod client;
mod connector;
pub mod credentials;
mod endpoint;
mod error;
mod pool;
mod rate_limit;
pub mod redact;
mod retry;
mod skew;
pub mod time;
mod tls;
mod transport;

pub use client::{Client, ClientBuilder, Language, REQUEST_CLIENT, Timeouts};
#[cfg(any(test, feature = "test-util"))]
pub use credentials::FakeEnvironment;
pub use credentials::{
    AssumeRoleProvider, BoxFuture, CredentialsChain, CredentialsError, CredentialsErrorKind,
    CvmRoleProvider, DefaultChain, Environment, EnvironmentProvider, ProfileFileProvider,
    ProvideCredentials, ScfRuntimeProvider, StaticProvider, SystemEnvironment, TccliProvider,
    WebIdentityProvider,
};
pub use endpoint::{DEFAULT_ROOT_DOMAIN, Endpoint, EndpointError};
pub use error::{Error, ErrorKind};
pub use rate_limit::RateLimiter;
pub use retry::{RetryBudget, RetryPolicy};
pub use transport::{
    HyperTransport, HyperTransportConfig, ProxyConfig, Transport, TransportError,
    TransportErrorKind,
};

/// Entry points for the fuzz targets in `fuzz/`, compiled only under `cargo fuzz` (`--cfg fuzzing`).
#[cfg(fuzzing)]
pub mod fuzzing {
    /// Parses `text` as a credentials file and reads profile `default`.
    pub fn profile_file(text: &str) -> bool {
        crate::credentials::parse_profile(text, "default", false, "fuzz").is_ok()
    }

    /// Parses `text` as a tccli profile.
    pub fn tccli(text: &str) -> bool {
        crate::credentials::parse_tccli(text, "fuzz").is_ok()
    }
}
