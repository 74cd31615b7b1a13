//! Hand-written shortcuts for the async-event lifecycle, on top of the generated types.

use crate::{
    EventStatus, GetAsyncEventStatusRequest, InvocationType, InvokeRequest, ListAsyncEventsRequest,
    TerminateAsyncEventRequest,
};

impl EventStatus {
    /// Whether the event has ended and its status will not change again.
    ///
    /// An unknown status is not called terminal: a waiter keeps polling rather than stop on a guess.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Finished | Self::Aborted | Self::Failed)
    }
}

impl InvokeRequest {
    /// A synchronous invocation of `function_name`.
    pub fn new(function_name: impl Into<String>) -> Self {
        Self::default().function_name(function_name)
    }

    /// An async invocation of `function_name`, whose id comes back in `Result.FunctionRequestId`.
    pub fn event(function_name: impl Into<String>) -> Self {
        Self::new(function_name).invocation_type(InvocationType::Event)
    }
}

impl GetAsyncEventStatusRequest {
    /// The status of the event `invoke_request_id`.
    pub fn new(invoke_request_id: impl Into<String>) -> Self {
        Self::default().invoke_request_id(invoke_request_id)
    }
}

impl ListAsyncEventsRequest {
    /// All events of `function_name`, first page.
    pub fn new(function_name: impl Into<String>) -> Self {
        Self::default().function_name(function_name)
    }
}

impl TerminateAsyncEventRequest {
    /// Stops the event `invoke_request_id` of `function_name`.
    pub fn new(function_name: impl Into<String>, invoke_request_id: impl Into<String>) -> Self {
        Self::default()
            .function_name(function_name)
            .invoke_request_id(invoke_request_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_finished_aborted_and_failed_are_terminal() {
        assert!(!EventStatus::Running.is_terminal());
        assert!(!EventStatus::parse("PAUSED").is_terminal());
        assert!(EventStatus::Finished.is_terminal());
        assert!(EventStatus::Aborted.is_terminal());
        assert!(EventStatus::Failed.is_terminal());
    }

    fn json(request: &impl serde::Serialize) -> String {
        serde_json::to_string(request).expect("requests serialise")
    }

    #[test]
    fn shortcuts_set_the_required_members() {
        assert_eq!(
            json(&InvokeRequest::event("hello")),
            r#"{"FunctionName":"hello","InvocationType":"Event"}"#
        );
        assert_eq!(
            json(&InvokeRequest::new("hello")),
            r#"{"FunctionName":"hello"}"#
        );
        assert_eq!(
            json(&GetAsyncEventStatusRequest::new("e")),
            r#"{"InvokeRequestId":"e"}"#
        );
        assert_eq!(
            json(&ListAsyncEventsRequest::new("f")),
            r#"{"FunctionName":"f"}"#
        );
        assert_eq!(
            json(&TerminateAsyncEventRequest::new("f", "e")),
            r#"{"FunctionName":"f","InvokeRequestId":"e"}"#
        );
    }
}
