//! `TerminateAsyncEvent`: stop a running async event.

use serde::{Deserialize, Serialize};

use crate::action::{Action, ActionMetadata, SERVICE, VERSION};

/// Terminates the running async event `InvokeRequestId` of `FunctionName`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TerminateAsyncEventRequest {
    /// The function.
    pub function_name: String,
    /// The event to terminate.
    pub invoke_request_id: String,
    /// The namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `true` sends SIGTERM instead of stopping the instance at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace_shutdown: Option<bool>,
}

impl TerminateAsyncEventRequest {
    /// Terminates `invoke_request_id` of `function_name`.
    pub fn new(function_name: impl Into<String>, invoke_request_id: impl Into<String>) -> Self {
        Self {
            function_name: function_name.into(),
            invoke_request_id: invoke_request_id.into(),
            ..Self::default()
        }
    }
}

impl Action for TerminateAsyncEventRequest {
    // A second terminate of an ended event fails with FailedOperation.AsyncEventStatus, so the
    // outcome of a repeat differs from the first call.
    const METADATA: ActionMetadata =
        ActionMetadata::new_static(SERVICE, VERSION, "TerminateAsyncEvent", false, Some(20));
    type Response = TerminateAsyncEventResponse;
}

/// The `Response` of `TerminateAsyncEvent`: only the RequestId.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TerminateAsyncEventResponse {
    /// The id of this request.
    #[serde(default)]
    pub request_id: String,
}
