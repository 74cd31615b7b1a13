//! Errors of SCF calls, carrying the InvokeRequestId of the event concerned when it is known.

use std::fmt;

use scf_model::ErrorCode;
pub use scf_transport::ErrorKind;
use tc_api::ApiError;

/// A failed SCF call: the transport's error (kind, action, RequestId, attempts, whether the outcome is
/// unknown) and the InvokeRequestId it concerned, when there was one.
pub struct Error {
    inner: scf_transport::Error,
    invoke_request_id: Option<String>,
    missing_parameter: Option<&'static str>,
}

impl Error {
    pub(crate) fn new(inner: scf_transport::Error, invoke_request_id: Option<&str>) -> Self {
        Self {
            inner,
            invoke_request_id: invoke_request_id.map(str::to_owned),
            missing_parameter: None,
        }
    }

    /// A call of `action` not sent because its required member `parameter` was not given.
    pub(crate) fn missing_parameter_of(action: &str, parameter: &'static str) -> Self {
        let detail =
            format!("the required parameter {parameter} was not given, so nothing was sent");
        Self {
            missing_parameter: Some(parameter),
            ..Self::new(scf_transport::Error::invalid_request(action, detail), None)
        }
    }

    /// What kind of failure it was.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind()
    }

    /// The service's error code, typed, when it answered with one; codes this crate does not know are
    /// kept in [`ErrorCode::Other`].
    pub fn code(&self) -> Option<ErrorCode> {
        self.inner.code().map(ErrorCode::parse)
    }

    /// The service's error, when it answered with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        self.inner.api_error()
    }

    /// The action called.
    pub fn action(&self) -> &str {
        self.inner.action()
    }

    /// The RequestId of the last answer.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id()
    }

    /// The async event the call concerned.
    pub fn invoke_request_id(&self) -> Option<&str> {
        self.invoke_request_id.as_deref()
    }

    /// The required request member (its wire name, `FunctionName`) that was not given, when that is why
    /// the call was not sent; the kind is then [`ErrorKind::InvalidRequest`].
    pub fn missing_parameter(&self) -> Option<&str> {
        self.missing_parameter
    }

    /// Whether the request may have taken effect although the call failed.
    pub fn outcome_unknown(&self) -> bool {
        self.inner.outcome_unknown()
    }

    /// How many attempts were made: 0 when nothing was sent.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts()
    }

    /// The transport's error.
    pub fn transport_error(&self) -> &scf_transport::Error {
        &self.inner
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.inner)?;
        if let Some(id) = &self.invoke_request_id {
            write!(f, " [InvokeRequestId: {id}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("inner", &self.inner)
            .field("invoke_request_id", &self.invoke_request_id)
            .field("missing_parameter", &self.missing_parameter)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.inner)
    }
}
