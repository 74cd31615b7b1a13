//! TC3-HMAC-SHA256, the request signature of every Tencent Cloud API 3.0 service.
//!
//! This crate signs requests for clients and verifies them for servers. It is pure: it performs no I/O,
//! never reads the clock (the timestamp is a parameter) and never reads the environment.
//!
//! - [`sign`] turns a [`SignableRequest`] and [`SigningParams`] into a [`SigningOutput`]: the
//!   `Authorization` value and the headers to add. [`sign_with_steps`] also returns the canonical
//!   request and string to sign, for debugging.
//! - [`Verifier::verify`] checks a [`VerifiableRequest`] as received, failing with a
//!   [`VerifyErrorKind`] for each cause that maps onto Tencent Cloud's `AuthFailure.*` codes.
//! - [`Credentials`] keep the SecretKey and token in types that print redacted and are wiped on drop.
//! - A [`SigningKey`] is the key derived for one set of credentials, service and UTC date. A caller
//!   that signs often keeps one per day and signs with [`SigningParams::with_key`], which skips key
//!   derivation; [`SigningParams::new`] derives the key for each signature.
//! - With the `http` feature, [`http::sign_request`] signs an `http::Request` in one call.
//!
//! # Example
//!
//! ```
//! use tc3_signer::{Credentials, SignablePayload, SignableRequest, SigningParams, sign};
//!
//! let credentials = Credentials::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
//! let body = br#"{"InvokeRequestId":"b379787f-8487-4bac-bd8c-17a20a9ce40e"}"#;
//! let headers = [("Content-Type", "application/json"), ("Host", "scf.tencentcloudapi.com")];
//! let request = SignableRequest::new("POST", &headers, SignablePayload::Bytes(body));
//!
//! let output = sign(&request, &SigningParams::new(&credentials, "scf", 1_700_000_000))?;
//! for (name, value) in output.headers() {
//!     // Add each pair to the outgoing request: Authorization and X-TC-Timestamp here.
//!     assert!(name == "Authorization" || name == "X-TC-Timestamp");
//! }
//! assert!(output.authorization().ends_with("839c54edce6eb54b471f07f4f770d070d89722a98a772a9ebad8c82484aeb685"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod authorization;
mod canonical;
mod credentials;
mod date;
mod error;
mod headers;
#[cfg(feature = "http")]
pub mod http;
mod key;
mod secret;
mod sign;
mod verify;

pub use authorization::ParsedAuthorization;
pub use credentials::{CredentialField, Credentials, CredentialsError, CredentialsErrorKind};
pub use error::{SigningError, SigningErrorKind};
pub use headers::{
    AUTHORIZATION, UNSIGNED_PAYLOAD_VALUE, X_TC_CONTENT_SHA256, X_TC_TIMESTAMP, X_TC_TOKEN,
};
pub use key::SigningKey;
pub use secret::{SecretKey, SessionToken};
pub use sign::{
    MAX_SIGNED_HEADERS, SignablePayload, SignableRequest, SigningOutput, SigningParams,
    SigningSteps, sign, sign_with_steps,
};
pub use verify::{
    DEFAULT_MAX_SKEW_SECS, HeaderSource, KeyLookup, VerifiableRequest, Verified, Verifier,
    VerifyError, VerifyErrorKind,
};
