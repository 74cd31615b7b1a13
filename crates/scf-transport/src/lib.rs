//! A client for any Tencent Cloud API 3.0 action, over hyper.
//!
//! It knows nothing about SCF: give it an [`ActionMetadata`](tc_api::ActionMetadata) (service, version,
//! action, idempotency, rate limit) and a JSON body, and it resolves the endpoint, signs each attempt with
//! TC3-HMAC-SHA256 and a fresh timestamp, sends through a pooled HTTP/1.1 connection (rustls for HTTPS,
//! proxies from the environment), and reads the envelope into the result or a typed [`Error`].
//!
//! Policy lives here too:
//! - [`Timeouts`]: connect, per attempt and per operation; every wait ends by the operation deadline, and
//!   dropping the future stops everything at once.
//! - Retries, decided in one place from the attempt's outcome and the action's idempotency: idempotent
//!   actions are retried after network errors, timeouts, throttling and transient server errors, with
//!   exponential backoff and full jitter ([`RetryPolicy`]), paid from a budget shared by all clones
//!   ([`RetryBudget`]). Any action is sent again when the service provably did not run it: the connect
//!   failed, hyper handed the request back unsent, or the service refused it with `RequestLimitExceeded`.
//!   Otherwise the error says whether the outcome is unknown.
//! - Rate limits: per service and action, under the documented ones, shared by clones; after
//!   `RequestLimitExceeded` the action slows down and recovers gradually ([`Client::send_rate`]).
//! - Clock skew: the offset to the server's clock is learned from `Date` headers, and a request refused
//!   with `AuthFailure.SignatureExpire` is re-signed once ([`Client::clock_offset_secs`]).
//! - Time: waits run on tokio's clock and wall time comes from an injected [`time::Clock`], so tests on a
//!   paused runtime take no real time.
//! - `tracing` spans per call and attempt; Authorization, X-TC-Token and secrets never appear in them.
//!
//! # Example
//!
//! Any action of any service, here SCF's `ListAsyncEvents` against the local emulator:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = scf_emulator::Emulator::builder().start().await?;
//! use tc_api::ActionMetadata;
//! use scf_transport::{Client, Endpoint};
//! use tc3_signer::Credentials;
//!
//! let client = Client::builder()
//!     .credentials(Credentials::new(scf_emulator::DEMO_SECRET_ID, scf_emulator::DEMO_SECRET_KEY)?)
//!     .endpoint(Endpoint::url(&emulator.url())?)
//!     .region("ap-guangzhou")
//!     .build()?;
//! // Metadata is data: an action this crate knows nothing about is called the same way.
//! let list = ActionMetadata::new_static("scf", "2018-04-16", "ListAsyncEvents", true, Some(20));
//! let result: serde_json::Value =
//!     client.call_action(&list, &serde_json::json!({"FunctionName": "hello"})).await?;
//! assert_eq!(result["TotalCount"], 0);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod client;
mod connector;
pub mod credentials;
mod endpoint;
mod error;
mod policy;
mod rate_limit;
pub mod redact;
mod retry;
mod signing_key;
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
pub use endpoint::{DEFAULT_ROOT_DOMAIN, Endpoint, EndpointError, EndpointErrorKind};
pub use error::{Error, ErrorKind};
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
