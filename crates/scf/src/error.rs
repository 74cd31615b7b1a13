//! Errors of SCF calls, carrying the InvokeRequestId of the event concerned when it is known.

use std::fmt;

use scf_model::{ApiError, ErrorCode};
pub use scf_transport::ErrorKind;

/// A failed SCF call: the transport's error (kind, action, RequestId, attempts, whether the outcome is
/// unknown) and the InvokeRequestId it concerned, when there was one.
pub struct Error {
    inner: scf_transport::Error,
    invoke_request_id: Option<String>,
}

impl Error {
    pub(crate) fn new(inner: scf_transport::Error, invoke_request_id: Option<&str>) -> Self {
        Self {
            inner,
            invoke_request_id: invoke_request_id.map(str::to_owned),
        }
    }

    /// What kind of failure it was.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind()
    }

    /// The service's error code, when it answered with one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.inner.code()
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

    /// Whether the request may have taken effect although the call failed.
    pub fn outcome_unknown(&self) -> bool {
        self.inner.outcome_unknown()
    }

    /// How many attempts were made.
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
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.inner)
    }
}
