//! Waiting for async events to end, politely.
//!
//! Polls `GetAsyncEventStatus` with jittered exponential delays between a minimum and a maximum. A new
//! event may answer `ResourceNotFound.AsyncEvent` for a moment after `Invoke`; that is tolerated for a grace
//! period. Polls go through the client's rate limiter, so any number of waiters on one client stay within
//! the action's limit together, and [`Client::wait_many`] follows many events from a single loop. Dropping
//! the future stops waiting at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use scf_model::{ErrorCode, EventStatus};

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
    /// Give up after this long.
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

impl std::fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The event did not end within `max_wait`.
    #[error("async event {invoke_request_id} was still {last} after {elapsed:?} ({polls} polls)")]
    TimedOut {
        /// The event.
        invoke_request_id: String,
        /// The last status seen.
        last: EventStatus,
        /// Polls made.
        polls: u32,
        /// Time waited.
        elapsed: Duration,
    },
    /// The event did not exist, or stopped existing, past the grace period.
    #[error("async event {invoke_request_id} was not found after {elapsed:?}")]
    NotFound {
        /// The event.
        invoke_request_id: String,
        /// Time waited.
        elapsed: Duration,
    },
    /// A poll failed.
    #[error(transparent)]
    Call(#[from] Error),
}

impl WaitError {
    /// The event concerned.
    pub fn invoke_request_id(&self) -> Option<&str> {
        match self {
            Self::TimedOut {
                invoke_request_id, ..
            }
            | Self::NotFound {
                invoke_request_id, ..
            } => Some(invoke_request_id),
            Self::Call(error) => error.invoke_request_id(),
        }
    }
}

/// One event being followed.
struct Follow {
    id: String,
    polls: u32,
    last: Option<EventStatus>,
    next_poll: Instant,
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
        results.pop().unwrap_or_else(|| {
            Err(WaitError::NotFound {
                invoke_request_id: invoke_request_id.to_owned(),
                elapsed: Duration::ZERO,
            })
        })
    }

    /// Waits for every event of `ids` from one loop, which polls whichever is due next. Results come in the
    /// order of `ids`.
    pub async fn wait_many(
        &self,
        ids: &[String],
        options: WaitOptions,
    ) -> Vec<Result<WaitOutcome, WaitError>> {
        let started = Instant::now();
        let deadline = started + options.max_wait;
        let mut results: Vec<Option<Result<WaitOutcome, WaitError>>> =
            ids.iter().map(|_| None).collect();
        let mut pending: Vec<(usize, Follow)> = ids
            .iter()
            .cloned()
            .enumerate()
            .map(|(index, id)| {
                (
                    index,
                    Follow {
                        id,
                        polls: 0,
                        last: None,
                        next_poll: started,
                    },
                )
            })
            .collect();
        while !pending.is_empty() {
            let Some(position) = (0..pending.len()).min_by_key(|&i| pending[i].1.next_poll) else {
                break;
            };
            let due = pending[position].1.next_poll;
            if due > deadline {
                break;
            }
            tokio::time::sleep_until(due.into()).await;
            let (index, follow) = &mut pending[position];
            follow.polls += 1;
            let elapsed = started.elapsed();
            let finished = match self.get_async_event_status(&follow.id).await {
                Ok(response) => {
                    let status = response.result.status;
                    report(&options, follow, elapsed, Some(&status));
                    if status.is_terminal() {
                        Some(Ok(WaitOutcome {
                            invoke_request_id: follow.id.clone(),
                            status,
                            status_code: response.result.status_code,
                            polls: follow.polls,
                            elapsed: started.elapsed(),
                        }))
                    } else {
                        follow.last = Some(status);
                        None
                    }
                }
                Err(error) if error.code() == Some(&ErrorCode::ResourceNotFoundAsyncEvent) => {
                    report(&options, follow, elapsed, None);
                    // Not visible yet is normal right after Invoke; gone after being seen is final.
                    (follow.last.is_some() || elapsed >= options.not_found_grace).then(|| {
                        Err(WaitError::NotFound {
                            invoke_request_id: follow.id.clone(),
                            elapsed,
                        })
                    })
                }
                Err(error) => Some(Err(WaitError::Call(error))),
            };
            match finished {
                Some(result) => {
                    results[*index] = Some(result);
                    pending.swap_remove(position);
                }
                None => follow.next_poll = Instant::now() + options.delay(follow.polls),
            }
        }
        for (index, follow) in pending {
            results[index] = Some(match follow.last {
                Some(last) => Err(WaitError::TimedOut {
                    invoke_request_id: follow.id,
                    last,
                    polls: follow.polls,
                    elapsed: started.elapsed(),
                }),
                None => Err(WaitError::NotFound {
                    invoke_request_id: follow.id,
                    elapsed: started.elapsed(),
                }),
            });
        }
        results.into_iter().flatten().collect()
    }
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
