//! The data of Tencent Cloud STS API 2018-08-13, the service that issues temporary credentials,
//! generated from Tencent's API spec (`spec/sts/v20180813`): request and response types, the typed
//! [`ErrorCode`], and the schema of each action as data. No I/O.
//!
//! Each request implements [`tc_api::Action`], so any API 3.0 client can send it; the credential
//! providers use [`AssumeRoleRequest`] and [`AssumeRoleWithWebIdentityRequest`].
//!
//! # Example
//!
//! ```
//! use sts_model::{AssumeRoleRequest, AssumeRoleResponse, ErrorCode};
//! use tc_api::{Action, parse_response};
//!
//! let request = AssumeRoleRequest::default()
//!     .role_arn("qcs::cam::uin/100000000001:roleName/reader")
//!     .role_session_name("ci")
//!     .duration_seconds(900);
//! let json = serde_json::to_value(&request)?;
//! assert_eq!(json["RoleSessionName"], "ci");
//! assert_eq!(json["DurationSeconds"], 900);
//! assert_eq!(AssumeRoleRequest::METADATA.action, "AssumeRole");
//!
//! let body = br#"{"Response":{"Credentials":{"Token":"t","TmpSecretId":"id","TmpSecretKey":"key"},
//!     "ExpiredTime":1700000000,"Expiration":"2023-11-14T22:13:20Z","RequestId":"r"}}"#;
//! let response: AssumeRoleResponse = parse_response(body)?;
//! assert_eq!(response.credentials.tmp_secret_id, "id");
//! assert_eq!(response.expired_time, 1_700_000_000);
//!
//! assert!(!ErrorCode::parse("InternalError").as_str().is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod generated;

pub use generated::*;
