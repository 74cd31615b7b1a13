//! `GetAsyncEventStatus`: the status of one asynchronous invocation.

use serde::{Deserialize, Serialize};

use crate::action::{Action, ActionMetadata, SERVICE, VERSION};
use crate::nullable;
use crate::status::EventStatus;

/// Asks for the status of the async invocation `InvokeRequestId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetAsyncEventStatusRequest {
    /// The id `Invoke` returned in `Result.FunctionRequestId`.
    pub invoke_request_id: String,
}

impl GetAsyncEventStatusRequest {
    /// The request for `invoke_request_id`.
    pub fn new(invoke_request_id: impl Into<String>) -> Self {
        Self {
            invoke_request_id: invoke_request_id.into(),
        }
    }
}

impl Action for GetAsyncEventStatusRequest {
    const METADATA: ActionMetadata =
        ActionMetadata::new_static(SERVICE, VERSION, "GetAsyncEventStatus", true, Some(20));
    type Response = GetAsyncEventStatusResponse;
}

/// `AsyncEventStatus`: where an async event stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsyncEventStatus {
    /// `RUNNING`, `FINISHED`, `ABORTED` or `FAILED`.
    pub status: EventStatus,
    /// The function's status code: 0 while running, 200 on success, a 4xx function error otherwise.
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub status_code: i64,
    /// The async invocation's id.
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub invoke_request_id: String,
}

/// The `Response` of `GetAsyncEventStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetAsyncEventStatusResponse {
    /// The event's status.
    pub result: AsyncEventStatus,
    /// The id of this request.
    #[serde(default)]
    pub request_id: String,
}
