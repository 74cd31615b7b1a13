//! `ListAsyncEvents`: a function's async events, filtered and paged.

use serde::{Deserialize, Serialize};

use crate::action::{Action, ActionMetadata, SERVICE, VERSION};
use crate::nullable;
use crate::status::EventStatus;

/// `TimeInterval`: `[Start, End)`, both `YYYY-MM-DD HH:MM:SS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeInterval {
    /// Inclusive start.
    pub start: String,
    /// Exclusive end.
    pub end: String,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Order {
    /// Oldest first.
    #[serde(rename = "ASC")]
    Ascending,
    /// Newest first (the default).
    #[serde(rename = "DESC")]
    Descending,
}

/// Sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderBy {
    /// The start time (the default).
    StartTime,
    /// The end time.
    EndTime,
}

/// Lists the async events of `FunctionName`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAsyncEventsRequest {
    /// The function whose events to list.
    pub function_name: String,
    /// The namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Only events of this version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// Only events of these invocation types (`COS`, `TRIGGER_TIMER`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoke_type: Option<Vec<String>>,
    /// Only events in these statuses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Vec<EventStatus>>,
    /// Only events that started in this interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time_interval: Option<TimeInterval>,
    /// Only events that ended in this interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time_interval: Option<TimeInterval>,
    /// `ASC` or `DESC` (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
    /// `StartTime` (default) or `EndTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orderby: Option<OrderBy>,
    /// Events to skip; 0 by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Events per page: 20 by default, at most 100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Only the event with this id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoke_request_id: Option<String>,
}

impl ListAsyncEventsRequest {
    /// All events of `function_name`, first page.
    pub fn new(function_name: impl Into<String>) -> Self {
        Self {
            function_name: function_name.into(),
            ..Self::default()
        }
    }
}

impl Action for ListAsyncEventsRequest {
    const METADATA: ActionMetadata =
        ActionMetadata::new_static(SERVICE, VERSION, "ListAsyncEvents", true, Some(20));
    type Response = ListAsyncEventsResponse;
}

/// `AsyncEvent`: one item of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsyncEvent {
    /// The invocation's id.
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub invoke_request_id: String,
    /// How it was invoked (`COS`, `TRIGGER_TIMER`, ...).
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub invoke_type: String,
    /// The function version.
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub qualifier: String,
    /// Its status.
    pub status: EventStatus,
    /// `YYYY-MM-DD HH:MM:SS.mmm`.
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub start_time: String,
    /// `YYYY-MM-DD HH:MM:SS.mmm`, empty while running.
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub end_time: String,
}

/// The `Response` of `ListAsyncEvents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAsyncEventsResponse {
    /// How many events match, over all pages.
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub total_count: u64,
    /// This page.
    #[serde(default, deserialize_with = "nullable::or_default")]
    pub event_list: Vec<AsyncEvent>,
    /// The id of this request.
    #[serde(default)]
    pub request_id: String,
}
