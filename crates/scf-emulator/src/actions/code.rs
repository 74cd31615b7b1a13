//! TODO-code: deployment packages, checked and stored once by their SHA-256.

/// The tables of this module.
pub(crate) const SCHEMA: &str = "";
