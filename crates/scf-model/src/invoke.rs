//! `Invoke`: run a function, synchronously or as an async event.

use serde::{Deserialize, Serialize};

use crate::action::{Action, ActionMetadata, SERVICE, VERSION};
use crate::nullable;

/// How `Invoke` runs the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InvocationType {
    /// Wait for the function and return its result (the service's default).
    RequestResponse,
    /// Start an async event and return its id at once.
    Event,
}

/// Whether a synchronous call returns the function's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LogType {
    /// No log.
    None,
    /// The end of the log.
    Tail,
}

/// Runs function `FunctionName`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InvokeRequest {
    /// The function to run.
    pub function_name: String,
    /// `RequestResponse` (default) or `Event`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invocation_type: Option<InvocationType>,
    /// The version or alias; `$LATEST` by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// A JSON string passed to the function as its event: at most 6 MB sync, 128 KB async.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_context: Option<String>,
    /// `Tail` returns the log of a synchronous call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_type: Option<LogType>,
    /// The namespace; `default` by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// A JSON object of string pairs for traffic routing, at most 1024 bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_key: Option<String>,
}

impl InvokeRequest {
    /// A synchronous invocation of `function_name`.
    pub fn new(function_name: impl Into<String>) -> Self {
        Self {
            function_name: function_name.into(),
            ..Self::default()
        }
    }

    /// An async invocation of `function_name`, whose id comes back in `Result.FunctionRequestId`.
    pub fn event(function_name: impl Into<String>) -> Self {
        Self {
            invocation_type: Some(InvocationType::Event),
            ..Self::new(function_name)
        }
    }
}

impl Action for InvokeRequest {
    // Each call starts a new execution, so a repeat is a second invocation, not a retry.
    const METADATA: ActionMetadata =
        ActionMetadata::new_static(SERVICE, VERSION, "Invoke", false, Some(100));
    type Response = InvokeResponse;
}

/// `Result` of `Invoke`. For async calls only `FunctionRequestId` is set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InvokeResult {
    /// The id of this execution; for an async call, the InvokeRequestId of its event.
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub function_request_id: String,
    /// The function's return value.
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub ret_msg: String,
    /// The function's error text.
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub err_msg: String,
    /// The execution log.
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub log: String,
    /// Memory used, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem_usage: Option<i64>,
    /// Execution time in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    /// Billed time in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_duration: Option<i64>,
    /// No longer maintained by the service; do not rely on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoke_result: Option<i64>,
}

/// The `Response` of `Invoke`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InvokeResponse {
    /// The execution's result.
    pub result: InvokeResult,
    /// The id of this request.
    #[serde(default)]
    pub request_id: String,
}
