//! Running a function's own code: instances started from its deployment package and driven through SCF's
//! Custom Runtime API.

pub(crate) mod api;
pub(crate) mod bootstraps;
pub(crate) mod credentials;
pub(crate) mod instance;
pub(crate) mod output;
pub(crate) mod runner;
pub(crate) mod unpack;
pub(crate) mod watchdog;

// The tests look processes up in /proc.
#[cfg(all(test, target_os = "linux"))]
mod tests;
