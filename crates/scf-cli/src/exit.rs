//! Exit codes, one per class of outcome, so scripts can branch on them.

use std::process::ExitCode;

use scf::transport::ErrorKind as TransportErrorKind;
use scf::{ErrorKind, WaitError, WaitErrorKind};

use crate::input::InputError;

/// How a command ended.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A parameter was wrong; nothing was sent.
    Usage(String),
    /// The service answered with an error.
    Api(String),
    /// The service could not be reached or answered garbage.
    Network(String),
    /// Credentials, configuration or input were unusable.
    Config(String),
    /// The event ended FAILED.
    EventFailed,
    /// The event ended ABORTED.
    EventAborted,
    /// Waiting ran out of time.
    WaitTimedOut(String),
}

impl Failure {
    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Self::Usage(_) => 2,
            Self::Api(_) => 3,
            Self::Network(_) => 4,
            Self::Config(_) => 5,
            Self::EventFailed => 10,
            Self::EventAborted => 11,
            Self::WaitTimedOut(_) => 12,
        })
    }

    /// The failure with `[InvokeRequestId: id]` added to its message, naming the event it concerns.
    pub(crate) fn about_event(self, id: &str) -> Self {
        let tag = |message: String| format!("{message} [InvokeRequestId: {id}]");
        match self {
            Self::Api(message) => Self::Api(tag(message)),
            Self::Network(message) => Self::Network(tag(message)),
            Self::Config(message) => Self::Config(tag(message)),
            other => other,
        }
    }

    /// The line for stderr, if the failure has one to say.
    pub(crate) fn message(&self) -> Option<&str> {
        match self {
            Self::Usage(message)
            | Self::Api(message)
            | Self::Network(message)
            | Self::Config(message)
            | Self::WaitTimedOut(message) => Some(message),
            Self::EventFailed | Self::EventAborted => None,
        }
    }
}

impl From<scf::Error> for Failure {
    fn from(error: scf::Error) -> Self {
        let mut message = match error.api_error() {
            Some(api) => format!(
                "{}: {} (RequestId: {})",
                api.code,
                api.message,
                api.request_id.as_deref().unwrap_or("none")
            ),
            // The facade's own message names the event too; it is added once, below.
            None => error.transport_error().to_string(),
        };
        if let Some(id) = error.invoke_request_id() {
            message.push_str(&format!(" [InvokeRequestId: {id}]"));
        }
        if error.outcome_unknown() {
            message.push_str("; the request may have taken effect");
        }
        match error.kind() {
            ErrorKind::Api => Self::Api(message),
            ErrorKind::Credentials | ErrorKind::InvalidRequest => Self::Config(message),
            _ => Self::Network(message),
        }
    }
}

impl From<InputError> for Failure {
    fn from(error: InputError) -> Self {
        Self::Usage(error.to_string())
    }
}

impl From<scf::transport::Error> for Failure {
    fn from(error: scf::transport::Error) -> Self {
        // Without an API error, the transport's message says whether the request may have taken effect.
        let message = match error.api_error() {
            Some(api) => format!(
                "{}: {} (RequestId: {})",
                api.code,
                api.message,
                api.request_id.as_deref().unwrap_or("none")
            ),
            None => error.to_string(),
        };
        match error.kind() {
            TransportErrorKind::Api => Self::Api(message),
            TransportErrorKind::Credentials | TransportErrorKind::InvalidRequest => {
                Self::Config(message)
            }
            _ => Self::Network(message),
        }
    }
}

impl From<WaitError> for Failure {
    fn from(error: WaitError) -> Self {
        let message = error.to_string();
        match (error.kind(), error.into_call_error()) {
            (_, Some(call)) => call.into(),
            (WaitErrorKind::TimedOut, None) => Self::WaitTimedOut(message),
            (_, None) => Self::Api(format!("ResourceNotFound.AsyncEvent: {message}")),
        }
    }
}
