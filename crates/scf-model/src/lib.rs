//! The data of Tencent Cloud SCF API 2018-04-16 async events: request and response types, the response
//! envelope, error codes, and per-action metadata. No I/O.
//!
//! - Four actions: [`GetAsyncEventStatusRequest`], [`InvokeRequest`] (sync and `Event`),
//!   [`ListAsyncEventsRequest`] and [`TerminateAsyncEventRequest`]. Field names are the service's
//!   PascalCase; unset optional fields are left out of the JSON; unknown response fields are ignored.
//! - [`parse_response`] reads any body into the action's result or a typed [`ApiError`] (code, message,
//!   RequestId), and never panics on arbitrary bytes.
//! - [`ErrorCode`] names every common API 3.0 code and the SCF codes of these actions, with an
//!   [`ErrorClass`] for retry and wait decisions.
//! - [`Action::METADATA`] tells a client the service, version, idempotency and documented rate limit.
//!
//! # Example
//!
//! ```
//! use scf_model::{Action, InvokeRequest, InvokeResponse, parse_response};
//!
//! let request = InvokeRequest::event("hello");
//! assert_eq!(serde_json::to_string(&request)?, r#"{"FunctionName":"hello","InvocationType":"Event"}"#);
//! assert!(!InvokeRequest::METADATA.idempotent);
//!
//! let body = br#"{"Response":{"Result":{"FunctionRequestId":"e5c2","RetMsg":"","ErrMsg":"","Log":""},"RequestId":"r"}}"#;
//! let response: InvokeResponse = parse_response(body)?;
//! assert_eq!(response.result.function_request_id, "e5c2");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod action;
mod envelope;
mod error_code;
mod get_async_event_status;
mod invoke;
mod list_async_events;
mod nullable;
mod status;
mod terminate_async_event;

pub use action::{Action, ActionMetadata, SERVICE, VERSION};
pub use envelope::{
    ApiError, Envelope, ErrorDetail, ErrorResponse, MalformedKind, MalformedResponse,
    ResponseError, parse_response, request_id_of,
};
pub use error_code::{ErrorClass, ErrorCode};
pub use get_async_event_status::{
    AsyncEventStatus, GetAsyncEventStatusRequest, GetAsyncEventStatusResponse,
};
pub use invoke::{InvocationType, InvokeRequest, InvokeResponse, InvokeResult, LogType};
pub use list_async_events::{
    AsyncEvent, ListAsyncEventsRequest, ListAsyncEventsResponse, Order, OrderBy, TimeInterval,
};
pub use status::EventStatus;
pub use terminate_async_event::{TerminateAsyncEventRequest, TerminateAsyncEventResponse};
