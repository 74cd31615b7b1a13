//! Faults on demand: what a test can ask the emulator to do wrong, per action or for every request.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One kind of misbehaviour.
///
/// `Latency`, `HttpStatus`, `RequestLimitExceeded` and `InternalError` act before the request is processed,
/// so it has no effect. `DropConnection` and `TruncatedBody` act after it was processed: the effect
/// happened and the caller cannot know it, the worst case for a non-idempotent action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Wait this long before answering.
    Latency {
        /// The added delay in milliseconds.
        millis: u64,
    },
    /// Answer with this HTTP status and an HTML body, as a failing gateway does.
    HttpStatus {
        /// The status code, such as 502 or 503.
        status: u16,
    },
    /// Close the connection without an answer.
    DropConnection,
    /// Announce the whole body, send half of it, and close the connection.
    TruncatedBody,
    /// Answer `RequestLimitExceeded`.
    RequestLimitExceeded,
    /// Answer `InternalError`.
    InternalError,
}

/// When a fault applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// The fault.
    #[serde(flatten)]
    pub fault: Fault,
    /// Only requests for this action (`X-TC-Action`); every request when absent.
    #[serde(default)]
    pub action: Option<String>,
    /// How many requests it applies to before it retires; unlimited when absent.
    #[serde(default)]
    pub times: Option<u32>,
    /// The chance that a matching request is affected, from 0 to 1.
    #[serde(default = "always")]
    pub probability: f64,
}

fn always() -> f64 {
    1.0
}

impl FaultRule {
    /// `fault` on every request.
    pub fn always(fault: Fault) -> Self {
        Self {
            fault,
            action: None,
            times: None,
            probability: 1.0,
        }
    }

    /// Only for requests to `action`.
    pub fn for_action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    /// Only for the next `times` matching requests.
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// Only for a random share of matching requests.
    pub fn with_probability(mut self, probability: f64) -> Self {
        self.probability = probability.clamp(0.0, 1.0);
        self
    }
}

/// The faults that fire for one request.
#[derive(Debug, Default)]
pub(crate) struct Fired {
    pub(crate) latency: Duration,
    pub(crate) before: Option<Fault>,
    pub(crate) after: Option<Fault>,
}

/// The active rules, consulted once per request.
#[derive(Debug, Default)]
pub(crate) struct FaultPlan {
    rules: Mutex<Vec<FaultRule>>,
    /// Lets requests skip the lock when there are no rules, the usual case under load.
    any: AtomicBool,
}

impl FaultPlan {
    pub(crate) fn add(&self, rule: FaultRule) {
        let mut rules = self.lock();
        rules.push(rule);
        self.any.store(true, Ordering::Release);
    }

    pub(crate) fn clear(&self) {
        let mut rules = self.lock();
        rules.clear();
        self.any.store(false, Ordering::Release);
    }

    pub(crate) fn rules(&self) -> Vec<FaultRule> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        // A panic elsewhere cannot leave the rule list half-written, so a poisoned lock is still usable.
        self.rules.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Decides which faults hit a request for `action`, using up one of each rule's `times`.
    pub(crate) fn fire(&self, action: Option<&str>) -> Fired {
        let mut fired = Fired::default();
        if !self.any.load(Ordering::Acquire) {
            return fired;
        }
        let mut rules = self.lock();
        rules.retain_mut(|rule| {
            if rule.times == Some(0) {
                return false;
            }
            let matches = rule
                .action
                .as_deref()
                .is_none_or(|wanted| Some(wanted) == action);
            if !matches || fastrand::f64() >= rule.probability {
                return true;
            }
            match &rule.fault {
                Fault::Latency { millis } => fired.latency += Duration::from_millis(*millis),
                Fault::DropConnection | Fault::TruncatedBody => {
                    fired.after.get_or_insert(rule.fault.clone());
                }
                other => {
                    fired.before.get_or_insert(other.clone());
                }
            }
            match &mut rule.times {
                Some(times) => {
                    *times = times.saturating_sub(1);
                    *times > 0
                }
                None => true,
            }
        });
        self.any.store(!rules.is_empty(), Ordering::Release);
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_actions_and_retire_after_their_count() {
        let plan = FaultPlan::default();
        plan.add(
            FaultRule::always(Fault::InternalError)
                .for_action("Invoke")
                .times(2),
        );
        plan.add(FaultRule::always(Fault::Latency { millis: 5 }));
        assert_eq!(plan.fire(Some("ListAsyncEvents")).before, None);
        assert_eq!(plan.fire(Some("Invoke")).before, Some(Fault::InternalError));
        let second = plan.fire(Some("Invoke"));
        assert_eq!(second.before, Some(Fault::InternalError));
        assert_eq!(second.latency, Duration::from_millis(5));
        assert_eq!(plan.fire(Some("Invoke")).before, None);
        assert_eq!(plan.rules().len(), 1);
    }

    #[test]
    fn transport_faults_act_after_processing() {
        let plan = FaultPlan::default();
        plan.add(FaultRule::always(Fault::TruncatedBody).times(1));
        let fired = plan.fire(None);
        assert_eq!(
            (fired.before, fired.after),
            (None, Some(Fault::TruncatedBody))
        );
    }

    #[test]
    fn zero_times_never_fires() {
        let plan = FaultPlan::default();
        plan.add(FaultRule::always(Fault::InternalError).times(0));
        assert_eq!(plan.fire(None).before, None);
        assert!(plan.rules().is_empty());
    }

    #[test]
    fn probability_zero_never_fires() {
        let plan = FaultPlan::default();
        plan.add(FaultRule::always(Fault::DropConnection).with_probability(0.0));
        assert!((0..1000).all(|_| plan.fire(None).after.is_none()));
    }

    #[test]
    fn rules_read_from_json() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"kind":"http_status","status":503,"action":"Invoke","times":1}"#,
        )
        .unwrap();
        assert_eq!(
            rule,
            FaultRule::always(Fault::HttpStatus { status: 503 })
                .for_action("Invoke")
                .times(1)
        );
    }
}
