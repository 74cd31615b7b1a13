//! A local Tencent Cloud SCF that speaks the real wire protocol, for tests and offline work.
//!
//! Tencent offers no local SCF endpoint; this is one. It verifies every request's TC3-HMAC-SHA256 signature
//! exactly as received, applies the service's protocol checks and rate limits, reads every request into its
//! generated request type and refuses it as the service does (`UnknownParameter`, `MissingParameter`,
//! `InvalidParameterValue`), then serves all 52 actions of SCF 2018-04-16 with state: namespaces, functions
//! and their code, versions, aliases, triggers, layers, custom domains, concurrency settings, invocations and
//! the async-event lifecycle (`Invoke` with `Event`, `GetAsyncEventStatus`, `ListAsyncEvents`,
//! `TerminateAsyncEvent`). Every answer is HTTP 200 with `Content-Type: application/json`, a fresh RequestId
//! and a `Date` header, so the official SDKs and tccli work against it unchanged.
//!
//! The state lives in SQLite: in memory, or in a state directory ([`Config::state_dir`]) that a restarted
//! emulator reads again. With [`Config::run_code`] (`--run-code`) invocations run the function's own code
//! through SCF's Custom Runtime API: a CustomRuntime `bootstrap`, or a Python 3 or Node.js handler; outcomes,
//! status codes, logs and terminations follow what the code does. Where the service's behaviour is undocumented, the module of [`actions`] that
//! serves the action says what the emulator chose.
//!
//! Tests can inject a clock ([`ManualClock`], or [`TokioClock`] to follow a paused runtime) and faults
//! ([`FaultRule`]): latency, 5xx pages, dropped connections, truncated bodies, throttling, internal errors, a
//! skewed server clock, and a delay before new events become visible. Every wait of the emulator runs on
//! tokio's clock.
//!
//! # Example
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use scf_emulator::{Emulator, Fault, FaultRule};
//!
//! let emulator = Emulator::builder().start().await?;
//! println!("SCF endpoint at {}", emulator.url());
//! // The next Invoke answers InternalError; the one after works.
//! emulator.add_fault(FaultRule::always(Fault::InternalError).for_action("Invoke").times(1));
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod actions;
pub mod admin;
mod body;
#[cfg(feature = "cli")]
mod cli;
mod clock;
mod code_route;
mod config;
mod config_error;
mod connection;
mod db;
mod failure;
mod faults;
mod ids;
mod keys;
mod params;
mod rate_limit;
mod runtime;
mod server;
mod service;
mod time_format;
mod timers;

pub use actions::invocations::{DIRECTIVE_KEY, Directive};
#[cfg(feature = "cli")]
pub use cli::EmulatorArgs;
pub use clock::{Clock, ManualClock, SystemClock, TokioClock};
pub use config::{
    Config, CredentialConfig, DEMO_SECRET_ID, DEMO_SECRET_KEY, FunctionConfig, NamespaceConfig,
    Outcome, RateLimitConfig,
};
pub use config_error::{ConfigError, ConfigErrorKind, ConfigFormat};
pub use db::{SCHEMA_VERSION, STATE_FILE, StateError, StateErrorKind};
pub use faults::{Fault, FaultRule};
pub use runtime::runner::can_run;
pub use server::{Emulator, EmulatorBuilder, RunningEmulator, StartError};

/// Entry points for the fuzz targets in `fuzz/`, compiled only under `cargo fuzz` (`--cfg fuzzing`).
#[cfg(fuzzing)]
pub mod fuzzing {
    /// Reads `input` as the parameters of `action`: a JSON body when `json`, else a query string.
    /// Returns whether they were accepted.
    pub fn parameters(action: &str, json: bool, input: &[u8]) -> bool {
        let Some(schema) = scf_model::action_schema(action) else {
            return false;
        };
        if json {
            crate::params::from_json(input, schema).is_ok()
        } else {
            crate::params::from_query(&String::from_utf8_lossy(input), schema).is_ok()
        }
    }
}
