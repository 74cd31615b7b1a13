//! Async events and how their status follows from the clock.
//!
//! Status is computed when observed rather than changed by timers, so an injected clock moves every event
//! at once and nothing needs to run in the background.

use std::collections::HashMap;

use scf_model::EventStatus;

use crate::config::Outcome;

/// The function status code of an event terminated by TerminateAsyncEvent: the user process exited.
pub(crate) const ABORTED_STATUS_CODE: i64 = 439;

/// One async invocation.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) id: String,
    pub(crate) namespace: String,
    pub(crate) function: String,
    pub(crate) qualifier: String,
    pub(crate) invoke_type: &'static str,
    pub(crate) started: u64,
    /// Before this instant the event answers as if it did not exist, as new events do on the real service.
    pub(crate) visible_from: u64,
    /// When the function returns on its own.
    pub(crate) natural_end: u64,
    pub(crate) outcome: Outcome,
    pub(crate) failure_status_code: i64,
    /// When a TerminateAsyncEvent takes effect: at once, or after the grace period of a SIGTERM.
    pub(crate) aborted_at: Option<u64>,
}

/// An event as seen at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct View {
    pub(crate) status: EventStatus,
    pub(crate) status_code: i64,
    pub(crate) ended: Option<u64>,
}

impl Event {
    pub(crate) fn view(&self, now: u64) -> View {
        let running = View {
            status: EventStatus::Running,
            status_code: 0,
            ended: None,
        };
        match self.aborted_at.filter(|&at| at < self.natural_end) {
            Some(at) if now >= at => View {
                status: EventStatus::Aborted,
                status_code: ABORTED_STATUS_CODE,
                ended: Some(at),
            },
            Some(_) => running,
            None if now >= self.natural_end => match self.outcome {
                Outcome::Finished => View {
                    status: EventStatus::Finished,
                    status_code: 200,
                    ended: Some(self.natural_end),
                },
                Outcome::Failed => View {
                    status: EventStatus::Failed,
                    status_code: self.failure_status_code,
                    ended: Some(self.natural_end),
                },
            },
            None => running,
        }
    }
}

/// Every event, by id.
#[derive(Debug, Default)]
pub(crate) struct Store {
    events: HashMap<String, Event>,
    inserts_since_sweep: usize,
}

impl Store {
    /// Adds an event, dropping expired ones now and then so memory stays flat under load.
    pub(crate) fn insert(&mut self, event: Event, now: u64, retention_ms: u64) {
        self.inserts_since_sweep += 1;
        if self.inserts_since_sweep >= 256.max(self.events.len() / 4) {
            self.sweep(now, retention_ms);
        }
        self.events.insert(event.id.clone(), event);
    }

    /// Removes events whose retention has passed.
    pub(crate) fn sweep(&mut self, now: u64, retention_ms: u64) {
        self.inserts_since_sweep = 0;
        self.events
            .retain(|_, event| !expired(event, now, retention_ms));
    }

    /// The event `id` if it exists for a caller at `now`: visible, and within its retention.
    pub(crate) fn get(&self, id: &str, now: u64, retention_ms: u64) -> Option<&Event> {
        self.events
            .get(id)
            .filter(|event| event.visible_from <= now && !expired(event, now, retention_ms))
    }

    pub(crate) fn get_mut(&mut self, id: &str, now: u64, retention_ms: u64) -> Option<&mut Event> {
        self.events
            .get_mut(id)
            .filter(|event| event.visible_from <= now && !expired(event, now, retention_ms))
    }

    /// Live events of one function.
    pub(crate) fn of_function<'s>(
        &'s self,
        namespace: &'s str,
        function: &'s str,
        now: u64,
        retention_ms: u64,
    ) -> impl Iterator<Item = &'s Event> + 's {
        self.events.values().filter(move |event| {
            event.namespace == namespace
                && event.function == function
                && event.visible_from <= now
                && !expired(event, now, retention_ms)
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }
}

fn expired(event: &Event, now: u64, retention_ms: u64) -> bool {
    event
        .view(now)
        .ended
        .is_some_and(|ended| now >= ended.saturating_add(retention_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(outcome: Outcome) -> Event {
        Event {
            id: "e".into(),
            namespace: "default".into(),
            function: "hello".into(),
            qualifier: "$LATEST".into(),
            invoke_type: "OTHER",
            started: 1_000,
            visible_from: 1_000,
            natural_end: 3_000,
            outcome,
            failure_status_code: 430,
            aborted_at: None,
        }
    }

    #[test]
    fn status_follows_the_clock() {
        let finished = event(Outcome::Finished);
        assert_eq!(finished.view(2_999).status, EventStatus::Running);
        assert_eq!(finished.view(2_999).status_code, 0);
        let done = finished.view(3_000);
        assert_eq!(
            (done.status, done.status_code, done.ended),
            (EventStatus::Finished, 200, Some(3_000))
        );
        let failed = event(Outcome::Failed).view(5_000);
        assert_eq!(
            (failed.status, failed.status_code),
            (EventStatus::Failed, 430)
        );
    }

    #[test]
    fn termination_before_the_natural_end_aborts() {
        let mut aborted = event(Outcome::Finished);
        aborted.aborted_at = Some(2_500);
        assert_eq!(aborted.view(2_400).status, EventStatus::Running);
        let view = aborted.view(2_500);
        assert_eq!(
            (view.status, view.status_code, view.ended),
            (EventStatus::Aborted, 439, Some(2_500))
        );
        // A grace period that outlasts the function lets it finish normally.
        aborted.aborted_at = Some(3_500);
        assert_eq!(aborted.view(4_000).status, EventStatus::Finished);
    }

    #[test]
    fn events_vanish_after_retention_and_before_visibility() {
        let mut store = Store::default();
        let mut late = event(Outcome::Finished);
        late.visible_from = 1_500;
        store.insert(late, 1_000, 10_000);
        assert!(store.get("e", 1_499, 10_000).is_none());
        assert!(store.get("e", 1_500, 10_000).is_some());
        assert!(store.get("e", 12_999, 10_000).is_some());
        assert!(store.get("e", 13_000, 10_000).is_none());
        store.sweep(13_000, 10_000);
        assert_eq!(store.len(), 0);
    }
}
