//! Names and fixed values of the headers TC3 reads and writes.

/// Carries the signature.
pub const AUTHORIZATION: &str = "Authorization";
/// The signed Unix timestamp, in decimal.
pub const X_TC_TIMESTAMP: &str = "X-TC-Timestamp";
/// The session token of temporary credentials. It is not signed.
pub const X_TC_TOKEN: &str = "X-TC-Token";
/// Marks a request whose body is not signed.
pub const X_TC_CONTENT_SHA256: &str = "X-TC-Content-SHA256";
/// The only value of [`X_TC_CONTENT_SHA256`] the service defines.
pub const UNSIGNED_PAYLOAD_VALUE: &str = "UNSIGNED-PAYLOAD";
