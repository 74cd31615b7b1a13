//! The data of every Tencent Cloud SCF API 2018-04-16 action, generated from Tencent's API spec
//! (`spec/scf/v20180416`): request and response types, the typed [`ErrorCode`], and the schema of each
//! action as data. No I/O.
//!
//! - One request and one response type per action (`ListFunctionsRequest`, `ListFunctionsResponse`),
//!   with consuming setters named like their fields. Field names are the service's PascalCase on the
//!   wire; unset optional fields are left out of the JSON; unknown response fields are ignored.
//! - Each request implements [`tc_api::Action`] (metadata, schema, response type), and the requests of
//!   paginated actions [`tc_api::Paginated`].
//! - [`ErrorCode`] names every SCF code and the common API 3.0 codes, with its description and class.
//! - [`ACTIONS`], [`action_schema`] and [`AnyRequest`] describe and read any action at run time.
//! - A few hand-written shortcuts for the async-event lifecycle: [`InvokeRequest::event`],
//!   [`GetAsyncEventStatusRequest::new`], [`EventStatus::is_terminal`].
//! - The protocol pieces of [`tc_api`] a caller needs ([`parse_response`], [`ApiError`], [`Action`]) are
//!   re-exported here.
//!
//! # Example
//!
//! ```
//! use scf_model::{ErrorCode, ListFunctionsRequest, ListFunctionsResponse, action_schema};
//! use tc_api::{Action, ErrorClass, parse_response};
//!
//! let request = ListFunctionsRequest::default().namespace("default").limit(20);
//! assert_eq!(serde_json::to_string(&request)?, r#"{"Limit":20,"Namespace":"default"}"#);
//! assert!(ListFunctionsRequest::METADATA.idempotent);
//!
//! // Integers may come as numeric strings; the model reads both.
//! let body = br#"{"Response":{"Functions":[],"TotalCount":"3","RequestId":"r-1"}}"#;
//! let response: ListFunctionsResponse = parse_response(body)?;
//! assert_eq!(response.total_count, 3);
//! assert_eq!(response.request_id.as_deref(), Some("r-1"));
//!
//! let code = ErrorCode::parse("ResourceNotFound.Function");
//! assert_eq!(code.class(), ErrorClass::NotFound);
//! assert!(action_schema("ListFunctions").is_some_and(|schema| schema.pagination.is_some()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod conveniences;
mod generated;

pub use generated::*;
// The protocol pieces every caller of the model needs, so that one import path serves.
pub use tc_api::{
    Action, ActionMetadata, ApiError, Envelope, ErrorClass, ErrorDetail, ErrorResponse,
    MalformedKind, MalformedResponse, Page, Paginated, ResponseError, parse_response,
    request_id_of,
};
