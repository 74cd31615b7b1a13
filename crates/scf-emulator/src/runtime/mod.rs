//! Running functions' own code through SCF's Custom Runtime API.

// Used by the Runner, which the lead adds with instance.rs.
#[allow(dead_code)]
pub(crate) mod bootstraps;
