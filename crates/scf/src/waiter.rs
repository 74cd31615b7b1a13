//! Waiting for async events to end, politely.
//!
//! Polls `GetAsyncEventStatus` (through the client's generated method) with the polling every waiter of
//! this crate shares (`crate::polling`): jittered exponential delays between a minimum and a maximum,
//! `max_wait` bounding the whole wait, the poll in flight included, and tokio's time. A new event may
//! answer `ResourceNotFound.AsyncEvent` for a moment after `Invoke`; that is tolerated for a grace period.
//! Polls go through the client's rate limiter, so any number of waiters on one client stay within the
//! action's limit together, and [`Client::wait_many`] follows many events from one loop, polling those
//! that are due at the same time concurrently. Dropping the future stops waiting at once.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use scf_model::{ErrorCode, EventStatus, GetAsyncEventStatusResponse};

use crate::client::Client;
use crate::error::Error;
use crate::polling::{self, Pacing, Watch};

/// One poll's news, for progress displays.
#[derive(Debug, Clone)]
pub struct WaitProgress<'a> {
    /// The event.
    pub invoke_request_id: &'a str,
    /// Polls so far, this one included.
    pub polls: u32,
    /// Time since waiting began.
    pub elapsed: Duration,
    /// The status seen, or `None` while the event is not visible yet.
    pub status: Option<&'a EventStatus>,
}

/// A progress report's receiver.
pub type ProgressReporter = Arc<dyn Fn(&WaitProgress<'_>) + Send + Sync>;

/// How to wait.
#[derive(Clone)]
pub struct WaitOptions {
    /// The first delay between polls.
    pub min_delay: Duration,
    /// The longest delay between polls.
    pub max_delay: Duration,
    /// Give up after this long, counting the poll in flight.
    pub max_wait: Duration,
    /// How long `ResourceNotFound.AsyncEvent` is taken to mean "not visible yet" rather than "gone".
    pub not_found_grace: Duration,
    /// Called after each poll.
    pub on_progress: Option<ProgressReporter>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            min_delay: Pacing::DEFAULT.min_delay,
            max_delay: Pacing::DEFAULT.max_delay,
            max_wait: Pacing::DEFAULT.max_wait,
            not_found_grace: Duration::from_secs(10),
            on_progress: None,
        }
    }
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("min_delay", &self.min_delay)
            .field("max_delay", &self.max_delay)
            .field("max_wait", &self.max_wait)
            .field("not_found_grace", &self.not_found_grace)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

impl WaitOptions {
    /// Calls `report` after each poll.
    pub fn on_progress(
        mut self,
        report: impl Fn(&WaitProgress<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.on_progress = Some(Arc::new(report));
        self
    }

    /// When to poll and when to give up, as every waiter of this crate does.
    fn pacing(&self) -> Pacing {
        Pacing {
            min_delay: self.min_delay,
            max_delay: self.max_delay,
            max_wait: self.max_wait,
        }
    }
}

/// How an event ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitOutcome {
    /// The event.
    pub invoke_request_id: String,
    /// `FINISHED`, `FAILED` or `ABORTED`.
    pub status: EventStatus,
    /// The function's status code: 200 on success.
    pub status_code: i64,
    /// Polls made.
    pub polls: u32,
    /// Time waited.
    pub elapsed: Duration,
}

impl WaitOutcome {
    /// Whether the event finished successfully.
    pub fn succeeded(&self) -> bool {
        self.status == EventStatus::Finished
    }
}

/// Why waiting ended without a final status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitErrorKind {
    /// The event did not end within `max_wait`; [`WaitError::last_status`] says where it stood, if it
    /// was seen at all.
    TimedOut,
    /// The event did not exist, or stopped existing, past the grace period.
    NotFound,
    /// A poll failed; [`WaitError::call_error`] says how.
    Call,
}

/// Waiting ended without a final status: why, for which event, and what was seen.
#[derive(Debug)]
pub struct WaitError {
    kind: WaitErrorKind,
    invoke_request_id: String,
    last: Option<EventStatus>,
    polls: u32,
    elapsed: Duration,
    call: Option<Error>,
}

impl WaitError {
    fn new(kind: WaitErrorKind, follow: &Follow<'_>, polls: u32, elapsed: Duration) -> Self {
        Self {
            kind,
            invoke_request_id: follow.id.clone(),
            last: follow.last.clone(),
            polls,
            elapsed,
            call: None,
        }
    }

    /// Why waiting ended.
    pub fn kind(&self) -> WaitErrorKind {
        self.kind
    }

    /// The event concerned.
    pub fn invoke_request_id(&self) -> &str {
        &self.invoke_request_id
    }

    /// The last status seen, if the event was ever visible.
    pub fn last_status(&self) -> Option<&EventStatus> {
        self.last.as_ref()
    }

    /// Polls made.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// Time waited.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The failed poll, for [`WaitErrorKind::Call`].
    pub fn call_error(&self) -> Option<&Error> {
        self.call.as_ref()
    }

    /// The failed poll, handed over.
    pub fn into_call_error(self) -> Option<Error> {
        self.call
    }
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = &self.invoke_request_id;
        match (&self.call, self.kind, &self.last) {
            // The call's error already names the event.
            (Some(call), _, _) => write!(f, "{call}"),
            (None, WaitErrorKind::TimedOut, Some(last)) => write!(
                f,
                "async event {id} was still {last} after {:?} ({} polls)",
                self.elapsed, self.polls
            ),
            (None, WaitErrorKind::TimedOut, None) => write!(
                f,
                "async event {id} gave no status within {:?} ({} polls)",
                self.elapsed, self.polls
            ),
            (None, _, _) => write!(f, "async event {id} was not found after {:?}", self.elapsed),
        }
    }
}

impl std::error::Error for WaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.call
            .as_ref()
            .map(|call| call as &(dyn std::error::Error + 'static))
    }
}

/// One event being followed.
struct Follow<'a> {
    client: Client,
    id: String,
    last: Option<EventStatus>,
    options: &'a WaitOptions,
}

impl<'a> Follow<'a> {
    fn new(client: &Client, id: &str, options: &'a WaitOptions) -> Self {
        Self {
            client: client.clone(),
            id: id.to_owned(),
            last: None,
            options,
        }
    }

    fn report(&self, polls: u32, elapsed: Duration, status: Option<&EventStatus>) {
        if let Some(report) = &self.options.on_progress {
            report(&WaitProgress {
                invoke_request_id: &self.id,
                polls,
                elapsed,
                status,
            });
        }
    }
}

impl Watch for Follow<'_> {
    type Answer = Result<GetAsyncEventStatusResponse, Error>;
    type Ended = Result<WaitOutcome, WaitError>;

    fn poll(&self) -> impl Future<Output = Self::Answer> + Send + 'static {
        let status = self
            .client
            .get_async_event_status()
            .invoke_request_id(&self.id);
        status.send()
    }

    /// What one poll's answer means for the event: a result, or `None` to poll again.
    fn judge(
        &mut self,
        answer: Self::Answer,
        polls: u32,
        elapsed: Duration,
    ) -> Option<Self::Ended> {
        match answer {
            Ok(response) => {
                let status = response.result.status;
                self.report(polls, elapsed, Some(&status));
                if status.is_terminal() {
                    Some(Ok(WaitOutcome {
                        invoke_request_id: self.id.clone(),
                        status,
                        status_code: response.result.status_code,
                        polls,
                        elapsed,
                    }))
                } else {
                    self.last = Some(status);
                    None
                }
            }
            Err(error) if matches!(error.code(), Some(ErrorCode::ResourceNotFoundAsyncEvent)) => {
                self.report(polls, elapsed, None);
                // Not visible yet is normal right after Invoke; gone after being seen is final.
                (self.last.is_some() || elapsed >= self.options.not_found_grace).then(|| {
                    Err(WaitError::new(
                        WaitErrorKind::NotFound,
                        self,
                        polls,
                        elapsed,
                    ))
                })
            }
            Err(error) => Some(Err(WaitError {
                call: Some(error),
                ..WaitError::new(WaitErrorKind::Call, self, polls, elapsed)
            })),
        }
    }

    fn timed_out(self, polls: u32, elapsed: Duration) -> Self::Ended {
        Err(WaitError::new(
            WaitErrorKind::TimedOut,
            &self,
            polls,
            elapsed,
        ))
    }
}

impl Client {
    /// Waits until `invoke_request_id` is `FINISHED`, `FAILED` or `ABORTED`, or until `options.max_wait`.
    pub async fn wait(
        &self,
        invoke_request_id: &str,
        options: WaitOptions,
    ) -> Result<WaitOutcome, WaitError> {
        let follow = Follow::new(self, invoke_request_id, &options);
        polling::follow(options.pacing(), follow).await
    }

    /// Waits for every event of `ids` from one loop. Events due at the same time are polled concurrently,
    /// within the client's rate limit, so one slow poll does not hold up the others. Results come in the
    /// order of `ids`.
    pub async fn wait_many(
        &self,
        ids: &[String],
        options: WaitOptions,
    ) -> Vec<Result<WaitOutcome, WaitError>> {
        let follows = ids
            .iter()
            .map(|id| Follow::new(self, id, &options))
            .collect();
        polling::follow_all(options.pacing(), follows).await
    }
}
