//! Waiting for a function to become `Active` after it was created, updated or published.
//!
//! SCF answers `CreateFunction`, `UpdateFunctionCode`, `UpdateFunctionConfiguration` and `PublishVersion`
//! at once and does the work afterwards; `GetFunction` reports how it goes in `Status`. This waiter polls
//! `GetFunction` (through the client's generated method) with the polling the async-event waiter uses
//! (`crate::polling`: jittered exponential delays, `max_wait`, the client's rate limiter, tokio's time)
//! until the status is `Active`. A `*Failed` status ends the wait with
//! [`FunctionWaitErrorKind::Failed`] and the service's reasons, a missing function with
//! [`FunctionWaitErrorKind::NotFound`] at once (a function is visible as soon as `CreateFunction`
//! answers, so no grace period is needed), and any other status, documented (`Creating`, `Updating`,
//! `Publishing`, `Deleting`) or not, is polled again until `max_wait`.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use scf_model::{ErrorCode, GetFunctionResponse, StatusReason};

use crate::client::Client;
use crate::error::Error;
use crate::polling::{self, Pacing, Watch};

/// A function's status, as `GetFunction` reports it in `Status`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FunctionStatus {
    /// Ready to be invoked.
    Active,
    /// Being created.
    Creating,
    /// Creating it failed.
    CreateFailed,
    /// An update of its code or configuration is being applied.
    Updating,
    /// An update failed; the function keeps serving what it had before.
    UpdateFailed,
    /// A version is being published.
    Publishing,
    /// Publishing a version failed.
    PublishFailed,
    /// Being deleted.
    Deleting,
    /// Deleting it failed.
    DeleteFailed,
    /// A value this version does not know, kept verbatim.
    Unknown(String),
}

impl FunctionStatus {
    /// Every value this version knows.
    pub const KNOWN: &'static [Self] = &[
        Self::Active,
        Self::Creating,
        Self::CreateFailed,
        Self::Updating,
        Self::UpdateFailed,
        Self::Publishing,
        Self::PublishFailed,
        Self::Deleting,
        Self::DeleteFailed,
    ];

    /// The value as the service spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Active => "Active",
            Self::Creating => "Creating",
            Self::CreateFailed => "CreateFailed",
            Self::Updating => "Updating",
            Self::UpdateFailed => "UpdateFailed",
            Self::Publishing => "Publishing",
            Self::PublishFailed => "PublishFailed",
            Self::Deleting => "Deleting",
            Self::DeleteFailed => "DeleteFailed",
            Self::Unknown(other) => other,
        }
    }

    /// The value the service means by `text`; an unknown one is kept verbatim.
    pub fn parse(text: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|known| known.as_str() == text)
            .cloned()
            .unwrap_or_else(|| Self::Unknown(text.to_owned()))
    }

    /// Whether an operation on the function failed: any status ending in `Failed`, so a failure the
    /// service adds later ends a wait too.
    pub fn is_failure(&self) -> bool {
        self.as_str().ends_with("Failed")
    }
}

impl fmt::Display for FunctionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A function to wait for: its name, and its namespace and version when not the defaults.
///
/// A name converts into one, so `client.wait_until_function_active("hello", options)` waits for
/// `$LATEST` of `hello` in the client's namespace (`default` unless the client names another).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FunctionRef {
    name: String,
    namespace: Option<String>,
    qualifier: Option<String>,
}

impl FunctionRef {
    /// The function `name`, in the client's namespace, at `$LATEST`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            namespace: None,
            qualifier: None,
        }
    }

    /// In `namespace` rather than the client's.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// The version `qualifier` rather than `$LATEST`.
    pub fn qualifier(mut self, qualifier: impl Into<String>) -> Self {
        self.qualifier = Some(qualifier.into());
        self
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace, when given.
    pub fn namespace_name(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The version, when given.
    pub fn qualifier_name(&self) -> Option<&str> {
        self.qualifier.as_deref()
    }
}

impl From<&str> for FunctionRef {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

impl From<String> for FunctionRef {
    fn from(name: String) -> Self {
        Self::new(name)
    }
}

impl fmt::Display for FunctionRef {
    /// `hello`, `hello:1` for a version, `prod/hello:1` in another namespace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(namespace) = &self.namespace {
            write!(f, "{namespace}/")?;
        }
        f.write_str(&self.name)?;
        if let Some(qualifier) = &self.qualifier {
            write!(f, ":{qualifier}")?;
        }
        Ok(())
    }
}

/// One poll's news, for progress displays.
#[derive(Debug, Clone)]
pub struct FunctionWaitProgress<'a> {
    /// The function.
    pub function: &'a FunctionRef,
    /// Polls so far, this one included.
    pub polls: u32,
    /// Time since waiting began.
    pub elapsed: Duration,
    /// The status seen.
    pub status: &'a FunctionStatus,
}

/// A function progress report's receiver.
pub type FunctionProgressReporter = Arc<dyn Fn(&FunctionWaitProgress<'_>) + Send + Sync>;

/// How to wait for a function: the polling of [`crate::WaitOptions`], with the same defaults (first
/// delay 500 ms, growing to 10 s, giving up after 15 minutes).
#[derive(Clone)]
pub struct FunctionWaitOptions {
    /// The first delay between polls.
    pub min_delay: Duration,
    /// The longest delay between polls.
    pub max_delay: Duration,
    /// Give up after this long, counting the poll in flight.
    pub max_wait: Duration,
    /// Called after each answered poll.
    pub on_progress: Option<FunctionProgressReporter>,
}

impl Default for FunctionWaitOptions {
    fn default() -> Self {
        Self {
            min_delay: Pacing::DEFAULT.min_delay,
            max_delay: Pacing::DEFAULT.max_delay,
            max_wait: Pacing::DEFAULT.max_wait,
            on_progress: None,
        }
    }
}

impl fmt::Debug for FunctionWaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionWaitOptions")
            .field("min_delay", &self.min_delay)
            .field("max_delay", &self.max_delay)
            .field("max_wait", &self.max_wait)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

impl FunctionWaitOptions {
    /// Calls `report` after each answered poll.
    pub fn on_progress(
        mut self,
        report: impl Fn(&FunctionWaitProgress<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.on_progress = Some(Arc::new(report));
        self
    }

    fn pacing(&self) -> Pacing {
        Pacing {
            min_delay: self.min_delay,
            max_delay: self.max_delay,
            max_wait: self.max_wait,
        }
    }
}

/// A function that became `Active`.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionWaitOutcome {
    /// The last `GetFunction` answer, whose `Status` is `Active`; its `request_id` is the last poll's.
    pub function: GetFunctionResponse,
    /// Polls made.
    pub polls: u32,
    /// Time waited.
    pub elapsed: Duration,
}

/// Why waiting for a function ended without it being `Active`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FunctionWaitErrorKind {
    /// The function reached a `*Failed` status; [`FunctionWaitError::status`] names it and
    /// [`FunctionWaitError::status_reasons`] says why.
    Failed,
    /// The function, its namespace or its version does not exist (`ResourceNotFound.*`);
    /// [`FunctionWaitError::call_error`] holds the service's answer.
    NotFound,
    /// The function was not `Active` within `max_wait`; [`FunctionWaitError::status`] says where it
    /// stood, if a poll was answered at all.
    TimedOut,
    /// A poll failed otherwise; [`FunctionWaitError::call_error`] says how.
    Call,
}

/// Waiting for a function ended without it being `Active`: why, for which function, and what was seen.
#[derive(Debug)]
pub struct FunctionWaitError(Box<Details>);

/// What a [`FunctionWaitError`] holds, boxed so that results stay small.
#[derive(Debug)]
struct Details {
    kind: FunctionWaitErrorKind,
    function: FunctionRef,
    last: Option<GetFunctionResponse>,
    request_id: Option<String>,
    polls: u32,
    elapsed: Duration,
    call: Option<Error>,
}

impl FunctionWaitError {
    /// Why waiting ended.
    pub fn kind(&self) -> FunctionWaitErrorKind {
        self.0.kind
    }

    /// The function waited for.
    pub fn function(&self) -> &FunctionRef {
        &self.0.function
    }

    /// The status of the last answered poll: the `*Failed` one for [`FunctionWaitErrorKind::Failed`].
    pub fn status(&self) -> Option<FunctionStatus> {
        self.0
            .last
            .as_ref()
            .map(|function| FunctionStatus::parse(&function.status))
    }

    /// The service's reasons for the last status (`ErrorCode` and `ErrorMessage`), empty when it gave
    /// none.
    pub fn status_reasons(&self) -> &[StatusReason] {
        self.0
            .last
            .as_ref()
            .map_or(&[], |function| function.status_reasons.as_slice())
    }

    /// The last answered `GetFunction`, when a poll was answered.
    pub fn last_function(&self) -> Option<&GetFunctionResponse> {
        self.0.last.as_ref()
    }

    /// The RequestId of the last poll, answered or failed, when the service gave one.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// Polls made.
    pub fn polls(&self) -> u32 {
        self.0.polls
    }

    /// Time waited.
    pub fn elapsed(&self) -> Duration {
        self.0.elapsed
    }

    /// The failed poll, for [`FunctionWaitErrorKind::NotFound`] and [`FunctionWaitErrorKind::Call`].
    pub fn call_error(&self) -> Option<&Error> {
        self.0.call.as_ref()
    }

    /// The failed poll, handed over.
    pub fn into_call_error(self) -> Option<Error> {
        self.0.call
    }

    /// The reasons as one line: `code: message` pairs, else the status description, else nothing.
    fn reasons_text(&self) -> Option<String> {
        let reasons: Vec<String> = self
            .status_reasons()
            .iter()
            .map(|reason| match reason.error_code.as_str() {
                "" => reason.error_message.clone(),
                code => format!("{code}: {}", reason.error_message),
            })
            .filter(|reason| !reason.is_empty())
            .collect();
        if !reasons.is_empty() {
            return Some(reasons.join("; "));
        }
        self.0
            .last
            .as_ref()
            .map(|function| function.status_desc.clone())
            .filter(|description| !description.is_empty())
    }
}

impl fmt::Display for FunctionWaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let function = &self.0.function;
        match (self.0.kind, &self.0.call, self.status()) {
            (FunctionWaitErrorKind::NotFound, Some(call), _) => {
                write!(f, "function {function} was not found: {call}")
            }
            // The call's error names the action and its RequestId.
            (_, Some(call), _) => write!(f, "{call}"),
            (FunctionWaitErrorKind::Failed, None, Some(status)) => {
                write!(f, "function {function} ended {status}")?;
                if let Some(reasons) = self.reasons_text() {
                    write!(f, ": {reasons}")?;
                }
                write!(
                    f,
                    " (RequestId: {})",
                    self.0.request_id.as_deref().unwrap_or("none")
                )
            }
            (_, None, Some(status)) => write!(
                f,
                "function {function} was still {status} after {:?} ({} polls)",
                self.0.elapsed, self.0.polls
            ),
            (_, None, None) => write!(
                f,
                "function {function} gave no status within {:?} ({} polls)",
                self.0.elapsed, self.0.polls
            ),
        }
    }
}

impl std::error::Error for FunctionWaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .call
            .as_ref()
            .map(|call| call as &(dyn std::error::Error + 'static))
    }
}

/// The function being followed, and its last answer.
struct FunctionWatch<'a> {
    client: Client,
    function: FunctionRef,
    options: &'a FunctionWaitOptions,
    last: Option<GetFunctionResponse>,
    request_id: Option<String>,
}

impl FunctionWatch<'_> {
    /// The error ending the wait after poll `polls`, with what this watch saw.
    fn ended(
        &mut self,
        kind: FunctionWaitErrorKind,
        polls: u32,
        elapsed: Duration,
        call: Option<Error>,
    ) -> FunctionWaitError {
        FunctionWaitError(Box::new(Details {
            kind,
            function: self.function.clone(),
            last: self.last.take(),
            request_id: self.request_id.take(),
            polls,
            elapsed,
            call,
        }))
    }
}

impl Watch for FunctionWatch<'_> {
    type Answer = Result<GetFunctionResponse, Error>;
    type Ended = Result<FunctionWaitOutcome, FunctionWaitError>;

    fn poll(&self) -> impl Future<Output = Self::Answer> + Send + 'static {
        let mut request = self
            .client
            .get_function()
            .function_name(&self.function.name);
        if let Some(namespace) = &self.function.namespace {
            request = request.namespace(namespace);
        }
        if let Some(qualifier) = &self.function.qualifier {
            request = request.qualifier(qualifier);
        }
        request.send()
    }

    fn judge(
        &mut self,
        answer: Self::Answer,
        polls: u32,
        elapsed: Duration,
    ) -> Option<Self::Ended> {
        let response = match answer {
            Ok(response) => response,
            Err(error) => {
                self.request_id = error.request_id().map(str::to_owned);
                let kind = if is_not_found(&error) {
                    FunctionWaitErrorKind::NotFound
                } else {
                    FunctionWaitErrorKind::Call
                };
                return Some(Err(self.ended(kind, polls, elapsed, Some(error))));
            }
        };
        let status = FunctionStatus::parse(&response.status);
        if let Some(report) = &self.options.on_progress {
            report(&FunctionWaitProgress {
                function: &self.function,
                polls,
                elapsed,
                status: &status,
            });
        }
        self.request_id.clone_from(&response.request_id);
        if status == FunctionStatus::Active {
            return Some(Ok(FunctionWaitOutcome {
                function: response,
                polls,
                elapsed,
            }));
        }
        self.last = Some(response);
        status
            .is_failure()
            .then(|| Err(self.ended(FunctionWaitErrorKind::Failed, polls, elapsed, None)))
    }

    fn timed_out(mut self, polls: u32, elapsed: Duration) -> Self::Ended {
        Err(self.ended(FunctionWaitErrorKind::TimedOut, polls, elapsed, None))
    }
}

/// Whether `error` says the function, its namespace or its version does not exist.
fn is_not_found(error: &Error) -> bool {
    matches!(
        error.code(),
        Some(
            ErrorCode::ResourceNotFoundFunction
                | ErrorCode::ResourceNotFoundFunctionName
                | ErrorCode::ResourceNotFoundFunctionVersion
                | ErrorCode::ResourceNotFoundVersion
                | ErrorCode::ResourceNotFoundQualifier
                | ErrorCode::ResourceNotFoundAlias
                | ErrorCode::ResourceNotFoundNamespace
        )
    )
}

impl Client {
    /// Waits until `function` is `Active`, polling `GetFunction`, and returns its last answer.
    ///
    /// Fails with [`FunctionWaitErrorKind::Failed`] as soon as the status is `CreateFailed`,
    /// `UpdateFailed`, `PublishFailed`, `DeleteFailed` or any other `*Failed`, with
    /// [`FunctionWaitErrorKind::NotFound`] as soon as the function (or its namespace or version) does
    /// not exist, and with [`FunctionWaitErrorKind::TimedOut`] after `options.max_wait`. Every other
    /// status, unknown ones included, is polled again until then.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = scf_emulator::Emulator::builder().start().await?;
    /// # let client = scf::Client::builder()
    /// #     .endpoint(scf::Endpoint::url(&emulator.url())?)
    /// #     .credentials(scf::Credentials::new(scf_emulator::DEMO_SECRET_ID, scf_emulator::DEMO_SECRET_KEY)?)
    /// #     .build()?;
    /// use scf::{FunctionRef, FunctionWaitErrorKind, FunctionWaitOptions};
    ///
    /// let active = client
    ///     .wait_until_function_active("hello", FunctionWaitOptions::default())
    ///     .await?;
    /// assert_eq!(active.function.status, "Active");
    ///
    /// let missing = FunctionRef::new("no-such-function").namespace("default");
    /// let error = client
    ///     .wait_until_function_active(missing, FunctionWaitOptions::default())
    ///     .await
    ///     .unwrap_err();
    /// assert_eq!(error.kind(), FunctionWaitErrorKind::NotFound);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn wait_until_function_active(
        &self,
        function: impl Into<FunctionRef>,
        options: FunctionWaitOptions,
    ) -> Result<FunctionWaitOutcome, FunctionWaitError> {
        let watch = FunctionWatch {
            client: self.clone(),
            function: function.into(),
            options: &options,
            last: None,
            request_id: None,
        };
        polling::follow(options.pacing(), watch).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_any_failed_is_a_failure() {
        for status in FunctionStatus::KNOWN {
            assert_eq!(&FunctionStatus::parse(status.as_str()), status);
        }
        let failures: Vec<&str> = FunctionStatus::KNOWN
            .iter()
            .filter(|status| status.is_failure())
            .map(FunctionStatus::as_str)
            .collect();
        assert_eq!(
            failures,
            [
                "CreateFailed",
                "UpdateFailed",
                "PublishFailed",
                "DeleteFailed"
            ]
        );
        let later = FunctionStatus::parse("RollbackFailed");
        assert_eq!(later, FunctionStatus::Unknown("RollbackFailed".to_owned()));
        assert!(later.is_failure());
        assert!(!FunctionStatus::parse("Deploying").is_failure());
    }

    #[test]
    fn functions_are_named_with_their_namespace_and_version() {
        assert_eq!(FunctionRef::from("hello").to_string(), "hello");
        let version = FunctionRef::new("hello").qualifier("1").namespace("prod");
        assert_eq!(version.to_string(), "prod/hello:1");
        assert_eq!(
            (version.namespace_name(), version.qualifier_name()),
            (Some("prod"), Some("1"))
        );
    }
}
