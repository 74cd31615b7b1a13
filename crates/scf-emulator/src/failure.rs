//! An API error the emulator answers with: a code and a message, sent in the error envelope.

use scf_model::ErrorCode;

/// An API-level failure, answered with HTTP 200 and `{"Response":{"Error":...}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn missing(name: &str) -> Self {
        Self::new(
            ErrorCode::MissingParameter,
            format!("The request is missing a required parameter `{name}`."),
        )
    }

    pub(crate) fn unknown(name: &str) -> Self {
        Self::new(
            ErrorCode::UnknownParameter,
            format!("The parameter `{name}` is not recognized."),
        )
    }

    pub(crate) fn invalid_value(code: ErrorCode, name: &str, rule: &str) -> Self {
        Self::new(
            code,
            format!("The value of parameter `{name}` is invalid: {rule}."),
        )
    }
}
