//! The Tencent Cloud API 3.0 protocol, shared by every service: what a request is and how an answer is
//! read, with no I/O and nothing specific to one service.
//!
//! - [`Action`] and [`ActionMetadata`]: a request type's service, version, name, idempotency and rate
//!   limit, and the type of its response. A generic client calls any action through them.
//! - [`parse_response`] reads the `{"Response": ...}` envelope into an action's result or a typed
//!   [`ApiError`] (code, message, RequestId), and never panics on arbitrary bytes.
//! - [`ErrorClass::of`] classifies any error code for retry and wait decisions.
//! - [`schema`] describes generated types as data, and [`Paginated`] tells a paginator how to page.
//! - [`params`] checks a request's parameters against its schema, from JSON or from flattened GET and
//!   form parameters, with errors that name the parameter by its path.
//!
//! # Example
//!
//! ```
//! use tc_api::{ErrorClass, ResponseError, parse_response};
//!
//! let body = br#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow down"},"RequestId":"r-1"}}"#;
//! let Err(ResponseError::Api(error)) = parse_response::<serde_json::Value>(body) else {
//!     unreachable!("the body is an error");
//! };
//! assert_eq!(error.class(), ErrorClass::Throttling);
//! assert_eq!(error.to_string(), "RequestLimitExceeded: slow down (RequestId: r-1)");
//! ```
#![forbid(unsafe_code)]

mod action;
pub mod de;
mod envelope;
mod error_class;
mod paginate;
pub mod params;
pub mod schema;

pub use action::{Action, ActionMetadata};
pub use envelope::{
    ApiError, Envelope, ErrorDetail, ErrorResponse, MalformedKind, MalformedResponse,
    ResponseError, parse_response, request_id_of,
};
pub use error_class::ErrorClass;
pub use paginate::{Page, Paginated};
