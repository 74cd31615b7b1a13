//! Waiting for async events to end, politely.
//!
//! Polls `GetAsyncEventStatus` (through the client's generated method) with jittered exponential delays between a minimum and a maximum. A new
//! event may answer `ResourceNotFound.AsyncEvent` for a moment after `Invoke`; that is tolerated for a grace
//! period. Polls go through the client's rate limiter, so any number of waiters on one client stay within
//! the action's limit together, and [`Client::wait_many`] follows many events from one loop, polling those
//! that are due at the same time concurrently. `max_wait` bounds the whole wait, the poll in flight
//! included, and dropping the future stops waiting at once. Time is tokio's, so a paused test runtime
//! runs waits of minutes in no time.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use scf_model::{ErrorCode, EventStatus, GetAsyncEventStatusResponse};
use tokio::time::Instant;

use crate::client::Client;
use crate::error::Error;

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
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_wait: Duration::from_secs(15 * 60),
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

    /// The delay after poll number `polls`: growing by half each time, jittered by ±20 %.
    fn delay(&self, polls: u32) -> Duration {
        let grown = self
            .min_delay
            .mul_f64(1.5f64.powi(polls.saturating_sub(1).min(30) as i32));
        grown
            .min(self.max_delay)
            .mul_f64(0.8 + 0.4 * fastrand::f64())
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
    fn new(kind: WaitErrorKind, follow: &Follow, elapsed: Duration) -> Self {
        Self {
            kind,
            invoke_request_id: follow.id.clone(),
            last: follow.last.clone(),
            polls: follow.polls,
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
struct Follow {
    id: String,
    polls: u32,
    last: Option<EventStatus>,
    next_poll: Instant,
    in_flight: bool,
}

impl Client {
    /// Waits until `invoke_request_id` is `FINISHED`, `FAILED` or `ABORTED`, or until `options.max_wait`.
    pub async fn wait(
        &self,
        invoke_request_id: &str,
        options: WaitOptions,
    ) -> Result<WaitOutcome, WaitError> {
        let mut results = self
            .wait_many(&[invoke_request_id.to_owned()], options)
            .await;
        // `wait_many` gives one result per id.
        results.pop().unwrap_or_else(|| {
            Err(WaitError::new(
                WaitErrorKind::NotFound,
                &Follow {
                    id: invoke_request_id.to_owned(),
                    polls: 0,
                    last: None,
                    next_poll: Instant::now(),
                    in_flight: false,
                },
                Duration::ZERO,
            ))
        })
    }

    /// Waits for every event of `ids` from one loop. Events due at the same time are polled concurrently,
    /// within the client's rate limit, so one slow poll does not hold up the others. Results come in the
    /// order of `ids`.
    pub async fn wait_many(
        &self,
        ids: &[String],
        options: WaitOptions,
    ) -> Vec<Result<WaitOutcome, WaitError>> {
        let started = Instant::now();
        let deadline = started + options.max_wait;
        let mut follows: Vec<Follow> = ids
            .iter()
            .map(|id| Follow {
                id: id.clone(),
                polls: 0,
                last: None,
                next_poll: started,
                in_flight: false,
            })
            .collect();
        let mut results: Vec<Option<Result<WaitOutcome, WaitError>>> =
            ids.iter().map(|_| None).collect();
        let mut polls = FuturesUnordered::new();
        loop {
            let now = Instant::now();
            for (index, follow) in follows.iter_mut().enumerate() {
                if results[index].is_none() && !follow.in_flight && follow.next_poll <= now {
                    follow.in_flight = true;
                    follow.polls += 1;
                    let (client, id) = (self.clone(), follow.id.clone());
                    polls.push(async move {
                        let status = client.get_async_event_status().invoke_request_id(id);
                        (index, status.send().await)
                    });
                }
            }
            let next_due = follows
                .iter()
                .zip(&results)
                .filter(|(follow, result)| result.is_none() && !follow.in_flight)
                .map(|(follow, _)| follow.next_poll)
                .min();
            if polls.is_empty() && next_due.is_none() {
                break;
            }
            let wake = next_due.map_or(deadline, |due| due.min(deadline));
            tokio::select! {
                Some((index, answer)) = polls.next() => {
                    let follow = &mut follows[index];
                    follow.in_flight = false;
                    let elapsed = started.elapsed();
                    match judge(follow, answer, &options, elapsed) {
                        Some(result) => results[index] = Some(result),
                        None => follow.next_poll = Instant::now() + options.delay(follow.polls),
                    }
                }
                () = tokio::time::sleep_until(wake) => {}
            }
            if Instant::now() >= deadline {
                // Polls still in flight are dropped with `polls`: the deadline bounds them too.
                break;
            }
        }
        let elapsed = started.elapsed();
        follows
            .iter()
            .zip(results)
            .map(|(follow, result)| {
                result.unwrap_or_else(|| {
                    Err(WaitError::new(WaitErrorKind::TimedOut, follow, elapsed))
                })
            })
            .collect()
    }
}

/// What one poll's answer means for its event: a result, or `None` to poll again.
fn judge(
    follow: &mut Follow,
    answer: Result<GetAsyncEventStatusResponse, Error>,
    options: &WaitOptions,
    elapsed: Duration,
) -> Option<Result<WaitOutcome, WaitError>> {
    match answer {
        Ok(response) => {
            let status = response.result.status;
            report(options, follow, elapsed, Some(&status));
            if has_ended(&status) {
                Some(Ok(WaitOutcome {
                    invoke_request_id: follow.id.clone(),
                    status,
                    status_code: response.result.status_code,
                    polls: follow.polls,
                    elapsed,
                }))
            } else {
                follow.last = Some(status);
                None
            }
        }
        Err(error) if matches!(error.code(), Some(ErrorCode::ResourceNotFoundAsyncEvent)) => {
            report(options, follow, elapsed, None);
            // Not visible yet is normal right after Invoke; gone after being seen is final.
            (follow.last.is_some() || elapsed >= options.not_found_grace)
                .then(|| Err(WaitError::new(WaitErrorKind::NotFound, follow, elapsed)))
        }
        Err(error) => Some(Err(WaitError {
            call: Some(error),
            ..WaitError::new(WaitErrorKind::Call, follow, elapsed)
        })),
    }
}

/// Whether an event in `status` is over: finished, failed or aborted.
fn has_ended(status: &EventStatus) -> bool {
    matches!(
        status,
        EventStatus::Finished | EventStatus::Failed | EventStatus::Aborted
    )
}

fn report(options: &WaitOptions, follow: &Follow, elapsed: Duration, status: Option<&EventStatus>) {
    if let Some(report) = &options.on_progress {
        report(&WaitProgress {
            invoke_request_id: &follow.id,
            polls: follow.polls,
            elapsed,
            status,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_from_the_minimum_to_the_maximum_with_jitter() {
        let options = WaitOptions {
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            ..WaitOptions::default()
        };
        let first = options.delay(1);
        assert!((80..=120).contains(&first.as_millis()), "{first:?}");
        let tenth = options.delay(10);
        assert!(
            tenth <= Duration::from_millis(2400) && tenth >= Duration::from_millis(1600),
            "{tenth:?}"
        );
    }
}
