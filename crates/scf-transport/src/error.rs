//! Why a call failed, with everything known about it.

use std::fmt;

use tc_api::ApiError;

/// What kind of failure ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service answered with an error envelope; see [`Error::api_error`].
    Api,
    /// No connection could be made.
    Connect,
    /// The connection failed during the exchange.
    Network,
    /// An attempt or the whole operation took longer than allowed.
    Timeout,
    /// An HTTP status other than 200 without an error envelope, as from a failing gateway.
    HttpStatus,
    /// A 200 answer whose body is not the action's result.
    InvalidResponse,
    /// The response body exceeded the configured cap.
    ResponseTooLarge,
    /// No credentials could be had.
    Credentials,
    /// The request could not be built: endpoint, serialisation or signing.
    InvalidRequest,
}

/// A failed call: its kind, the action, the RequestId when known, the number of attempts, and whether the
/// request may have been executed even though no answer said so.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    action: String,
    detail: String,
    request_id: Option<String>,
    attempts: u32,
    http_status: Option<u16>,
    api: Option<ApiError>,
    snippet: Option<String>,
    outcome_unknown: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, action: &str, detail: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                action: action.to_owned(),
                detail: detail.into(),
                request_id: None,
                attempts: 0,
                http_status: None,
                api: None,
                snippet: None,
                outcome_unknown: false,
                source: None,
            }),
        }
    }

    /// An error building a request or a client, for layers above this crate.
    pub fn invalid_request(action: &str, detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, action, detail)
    }

    pub(crate) fn api(action: &str, api: ApiError, http_status: u16) -> Self {
        let mut error = Self::new(ErrorKind::Api, action, api.to_string());
        error.inner.request_id = api.request_id.clone();
        error.inner.http_status = Some(http_status);
        error.inner.api = Some(api);
        error
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.http_status = Some(status);
        self
    }

    pub(crate) fn with_request_id(mut self, request_id: Option<String>) -> Self {
        if request_id.is_some() {
            self.inner.request_id = request_id;
        }
        self
    }

    pub(crate) fn with_snippet(mut self, snippet: String) -> Self {
        self.inner.snippet = Some(snippet);
        self
    }

    pub(crate) fn finish(mut self, attempts: u32, outcome_unknown: bool) -> Self {
        self.inner.attempts = attempts;
        self.inner.outcome_unknown = outcome_unknown;
        self
    }

    /// What kind of failure it was.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The action called.
    pub fn action(&self) -> &str {
        &self.inner.action
    }

    /// The RequestId of the last answer, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The HTTP status of the last answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.inner.http_status
    }

    /// The service's error, for [`ErrorKind::Api`].
    pub fn api_error(&self) -> Option<&ApiError> {
        self.inner.api.as_ref()
    }

    /// The service's error code as it spelled it, for [`ErrorKind::Api`]; a service's model reads it as
    /// its typed code.
    pub fn code(&self) -> Option<&str> {
        self.inner.api.as_ref().map(|api| api.code.as_str())
    }

    /// The start of the answer's body, with token-like text masked, when the body explains the failure.
    pub fn body_snippet(&self) -> Option<&str> {
        self.inner.snippet.as_deref()
    }

    /// Whether the request may have reached the server and been executed although the call failed. Only
    /// non-idempotent actions report it: idempotent ones were retried or are safe to retry.
    pub fn outcome_unknown(&self) -> bool {
        self.inner.outcome_unknown
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        write!(f, "{} failed: {}", inner.action, inner.detail)?;
        if let Some(status) = inner.http_status.filter(|status| *status != 200) {
            write!(f, " (HTTP {status})")?;
        }
        if let (Some(id), None) = (&inner.request_id, &inner.api) {
            write!(f, " (RequestId: {id})")?;
        }
        if inner.attempts > 1 {
            write!(f, " after {} attempts", inner.attempts)?;
        }
        if inner.outcome_unknown {
            f.write_str(
                "; the request may have reached the server, so whether it took effect is unknown",
            )?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Error")
            .field("kind", &inner.kind)
            .field("action", &inner.action)
            .field("detail", &inner.detail)
            .field("request_id", &inner.request_id)
            .field("attempts", &inner.attempts)
            .field("http_status", &inner.http_status)
            .field("code", &inner.api.as_ref().map(|api| &api.code))
            .field("snippet", &inner.snippet)
            .field("outcome_unknown", &inner.outcome_unknown)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}
