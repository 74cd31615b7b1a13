//! The fate of one attempt, decided in one place from what happened and what the action allows.
//!
//! [`decide`] is a pure function: no clock, no budget, no I/O. The client applies its answer, and the
//! stateful limits (the retry budget and the operation deadline) can only turn a retry into a failure,
//! never the other way round.

use tc_api::ErrorClass;

use crate::retry::RetryBudget;
use crate::transport::TransportErrorKind;

const RETRY_COST: u32 = RetryBudget::RETRY_COST;
const TIMEOUT_RETRY_COST: u32 = RetryBudget::TIMEOUT_RETRY_COST;

/// What one attempt ended with, as far as deciding what comes next is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The service answered with an error envelope of this class.
    Api(ErrorClass),
    /// An HTTP status other than 200 without an error envelope: a gateway's answer.
    HttpStatus(u16),
    /// A 200 answer whose body is not the action's result.
    Malformed,
    /// No complete answer within the attempt's time.
    Timeout,
    /// A failure below HTTP.
    Transport(TransportErrorKind),
}

/// Where the call stands when an attempt has failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Progress {
    /// Attempts made so far, the failed one included.
    pub(crate) attempt: u32,
    /// The most attempts the retry policy allows.
    pub(crate) max_attempts: u32,
    /// Whether the request was already re-signed once for clock skew.
    pub(crate) resigned_for_skew: bool,
    /// Whether the client has learned an offset to the server's clock to re-sign with.
    pub(crate) knows_server_clock: bool,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Send again at once: the request never left, through no fault of the service.
    RetryNow,
    /// Send again after a backoff, paying `cost` tokens from the retry budget.
    RetryAfterBackoff {
        /// Tokens the retry costs.
        cost: u32,
    },
    /// Sign again with the corrected clock and send at once: the service refused the timestamp.
    Resign,
    /// Give up.
    Fail,
}

/// The decision: what comes next, and, should the call end here, whether the request may have taken
/// effect although no answer said so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub(crate) next: Next,
    pub(crate) outcome_unknown: bool,
}

/// Whether the server may have run the request, and whether sending it again could help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    /// The request provably did not run: refused before it ran, or never sent.
    NotRun,
    /// It may have run.
    MayHaveRun,
}

/// Decides what follows a failed attempt of an action that is `idempotent` or not.
pub(crate) fn decide(outcome: Outcome, idempotent: bool, progress: Progress) -> Verdict {
    use Run::{MayHaveRun, NotRun};
    let retries_left = progress.attempt < progress.max_attempts;
    let fail = |run: Run| Verdict {
        next: Next::Fail,
        outcome_unknown: !idempotent && run == MayHaveRun,
    };
    // A retry that may repeat an effect is allowed for idempotent actions only.
    let retry = |run: Run, next: Next| {
        if retries_left && (idempotent || run == NotRun) {
            Verdict {
                next,
                outcome_unknown: !idempotent && run == MayHaveRun,
            }
        } else {
            fail(run)
        }
    };
    let backoff = Next::RetryAfterBackoff { cost: RETRY_COST };
    match outcome {
        Outcome::Api(ErrorClass::ClockSkew)
            if !progress.resigned_for_skew && progress.knows_server_clock =>
        {
            // Refused at authentication, before it ran; one re-sign is allowed whatever the policy.
            Verdict {
                next: Next::Resign,
                outcome_unknown: false,
            }
        }
        // Throttling refuses a request before it runs, so even a non-idempotent one may go again.
        Outcome::Api(ErrorClass::Throttling) => retry(NotRun, backoff),
        // An internal error may come after the action started.
        Outcome::Api(ErrorClass::TransientServer) => retry(MayHaveRun, backoff),
        // Every other refusal (auth, parameters, missing resources, the resource's state) is final, and
        // the action did not take effect.
        Outcome::Api(_) => fail(NotRun),
        Outcome::HttpStatus(status) if status >= 500 || status == 429 => retry(MayHaveRun, backoff),
        Outcome::HttpStatus(_) => fail(MayHaveRun),
        Outcome::Malformed => retry(MayHaveRun, backoff),
        Outcome::Timeout => retry(
            MayHaveRun,
            Next::RetryAfterBackoff {
                cost: TIMEOUT_RETRY_COST,
            },
        ),
        Outcome::Transport(kind) => match kind {
            TransportErrorKind::Connect => retry(NotRun, backoff),
            TransportErrorKind::NotSent => retry(NotRun, Next::RetryNow),
            TransportErrorKind::Io => retry(MayHaveRun, backoff),
            // The answer came but could not be read whole: the action ran or failed, nobody can tell.
            TransportErrorKind::BodyTooLarge => fail(MayHaveRun),
            // The request could not be sent at all.
            _ => fail(NotRun),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: Progress = Progress {
        attempt: 1,
        max_attempts: 4,
        resigned_for_skew: false,
        knows_server_clock: true,
    };
    const LAST: Progress = Progress {
        attempt: 4,
        ..FIRST
    };

    const BACKOFF: Next = Next::RetryAfterBackoff { cost: RETRY_COST };
    const FAIL_KNOWN: Verdict = Verdict {
        next: Next::Fail,
        outcome_unknown: false,
    };

    fn verdict(next: Next, outcome_unknown: bool) -> Verdict {
        Verdict {
            next,
            outcome_unknown,
        }
    }

    /// Every outcome, for an idempotent and a non-idempotent action, on the first attempt.
    #[test]
    fn every_outcome_on_the_first_attempt() {
        use ErrorClass as Class;
        use TransportErrorKind as Kind;
        let unknown = verdict(Next::Fail, true);
        let timeout_backoff = Next::RetryAfterBackoff {
            cost: TIMEOUT_RETRY_COST,
        };
        #[rustfmt::skip]
        let table: &[(Outcome, Verdict, Verdict)] = &[
            // outcome                                idempotent                      non-idempotent
            (Outcome::Api(Class::Throttling),         verdict(BACKOFF, false),        verdict(BACKOFF, false)),
            (Outcome::Api(Class::TransientServer),    verdict(BACKOFF, false),        unknown),
            (Outcome::Api(Class::ClockSkew),          verdict(Next::Resign, false),   verdict(Next::Resign, false)),
            (Outcome::Api(Class::Auth),               FAIL_KNOWN,                     FAIL_KNOWN),
            (Outcome::Api(Class::NotFound),           FAIL_KNOWN,                     FAIL_KNOWN),
            (Outcome::Api(Class::InvalidRequest),     FAIL_KNOWN,                     FAIL_KNOWN),
            (Outcome::Api(Class::Other),              FAIL_KNOWN,                     FAIL_KNOWN),
            (Outcome::HttpStatus(502),                verdict(BACKOFF, false),        unknown),
            (Outcome::HttpStatus(503),                verdict(BACKOFF, false),        unknown),
            (Outcome::HttpStatus(429),                verdict(BACKOFF, false),        unknown),
            (Outcome::HttpStatus(404),                FAIL_KNOWN,                     unknown),
            (Outcome::Malformed,                      verdict(BACKOFF, false),        unknown),
            (Outcome::Timeout,                        verdict(timeout_backoff, false), unknown),
            (Outcome::Transport(Kind::Connect),       verdict(BACKOFF, false),        verdict(BACKOFF, false)),
            (Outcome::Transport(Kind::NotSent),       verdict(Next::RetryNow, false), verdict(Next::RetryNow, false)),
            (Outcome::Transport(Kind::Io),            verdict(BACKOFF, false),        unknown),
            (Outcome::Transport(Kind::BodyTooLarge),  FAIL_KNOWN,                     unknown),
            (Outcome::Transport(Kind::InvalidRequest), FAIL_KNOWN,                    FAIL_KNOWN),
            (Outcome::Transport(Kind::Configuration), FAIL_KNOWN,                     FAIL_KNOWN),
        ];
        for &(outcome, idempotent, non_idempotent) in table {
            assert_eq!(
                decide(outcome, true, FIRST),
                idempotent,
                "{outcome:?}, idempotent"
            );
            assert_eq!(
                decide(outcome, false, FIRST),
                non_idempotent,
                "{outcome:?}, non-idempotent"
            );
        }
    }

    /// On the last allowed attempt every retry becomes a failure with the same knowledge of the outcome;
    /// only the one re-sign for skew stays allowed.
    #[test]
    fn the_last_attempt_only_resigns() {
        let outcomes = [
            Outcome::Api(ErrorClass::Throttling),
            Outcome::Api(ErrorClass::TransientServer),
            Outcome::HttpStatus(503),
            Outcome::Malformed,
            Outcome::Timeout,
            Outcome::Transport(TransportErrorKind::Connect),
            Outcome::Transport(TransportErrorKind::NotSent),
            Outcome::Transport(TransportErrorKind::Io),
        ];
        for outcome in outcomes {
            for idempotent in [true, false] {
                let first = decide(outcome, idempotent, FIRST);
                let last = decide(outcome, idempotent, LAST);
                assert_eq!(
                    last,
                    verdict(Next::Fail, first.outcome_unknown),
                    "{outcome:?}, idempotent {idempotent}"
                );
            }
        }
        assert_eq!(
            decide(Outcome::Api(ErrorClass::ClockSkew), false, LAST).next,
            Next::Resign
        );
    }

    /// Skew is repaired once, and only with a learned offset to sign with.
    #[test]
    fn skew_is_resigned_once_and_only_with_a_known_server_clock() {
        let skew = Outcome::Api(ErrorClass::ClockSkew);
        let resigned = Progress {
            resigned_for_skew: true,
            ..FIRST
        };
        let unknown_clock = Progress {
            knows_server_clock: false,
            ..FIRST
        };
        for idempotent in [true, false] {
            assert_eq!(decide(skew, idempotent, resigned), FAIL_KNOWN);
            assert_eq!(decide(skew, idempotent, unknown_clock), FAIL_KNOWN);
        }
    }
}
