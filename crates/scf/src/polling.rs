//! The polling every waiter shares: when to poll, for how long, and one loop that follows many things.
//!
//! A waiter says how to poll one thing and what an answer means ([`Watch`]); this module decides when:
//! the first poll at once, then delays growing by half from a minimum to a maximum, jittered by ±20 % so
//! many waiters do not poll in step, until `max_wait` has passed, the poll in flight included. Things due
//! at the same time are polled concurrently, so one slow answer holds up no other. Polls go through the
//! client's generated methods, and so through its rate limiter. Time is tokio's, so a paused test runtime
//! runs waits of minutes in no time, and dropping the future stops waiting at once.

use std::future::Future;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::time::Instant;

/// When to poll and when to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pacing {
    /// The first delay between polls.
    pub(crate) min_delay: Duration,
    /// The longest delay between polls.
    pub(crate) max_delay: Duration,
    /// Give up after this long, counting the poll in flight.
    pub(crate) max_wait: Duration,
}

impl Pacing {
    /// What every waiter uses unless told otherwise.
    pub(crate) const DEFAULT: Self = Self {
        min_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(10),
        max_wait: Duration::from_secs(15 * 60),
    };

    /// The delay after poll number `polls`: growing by half each time, jittered by ±20 %.
    pub(crate) fn delay(&self, polls: u32) -> Duration {
        let grown = self
            .min_delay
            .mul_f64(1.5f64.powi(polls.saturating_sub(1).min(30) as i32));
        grown
            .min(self.max_delay)
            .mul_f64(0.8 + 0.4 * fastrand::f64())
    }
}

/// One thing a waiter follows: how to poll it, and what each answer means.
pub(crate) trait Watch {
    /// One poll's answer.
    type Answer;
    /// How following it ended.
    type Ended;

    /// The next poll. It owns what it needs, so many can be in flight while the loop goes on.
    fn poll(&self) -> impl Future<Output = Self::Answer> + Send + 'static;

    /// What the answer to poll number `polls` means: how following ended, or `None` to poll again.
    fn judge(&mut self, answer: Self::Answer, polls: u32, elapsed: Duration)
    -> Option<Self::Ended>;

    /// How following ended when `max_wait` passed first.
    fn timed_out(self, polls: u32, elapsed: Duration) -> Self::Ended;
}

/// Follows one thing until its watch says it ended or `pacing.max_wait` passes.
pub(crate) async fn follow<W: Watch>(pacing: Pacing, watch: W) -> W::Ended {
    let started = Instant::now();
    let mut slots = [Slot::new(watch, started)];
    poll_until_ended(pacing, started, &mut slots).await;
    let elapsed = started.elapsed();
    let [slot] = slots;
    slot.finish(elapsed)
}

/// Follows every watch from one loop; results come in the order of `watches`.
pub(crate) async fn follow_all<W: Watch>(pacing: Pacing, watches: Vec<W>) -> Vec<W::Ended> {
    let started = Instant::now();
    let mut slots: Vec<Slot<W>> = watches
        .into_iter()
        .map(|watch| Slot::new(watch, started))
        .collect();
    poll_until_ended(pacing, started, &mut slots).await;
    let elapsed = started.elapsed();
    slots.into_iter().map(|slot| slot.finish(elapsed)).collect()
}

/// One watch with its polling state.
struct Slot<W: Watch> {
    watch: W,
    polls: u32,
    next_poll: Instant,
    in_flight: bool,
    ended: Option<W::Ended>,
}

impl<W: Watch> Slot<W> {
    fn new(watch: W, first_poll: Instant) -> Self {
        Self {
            watch,
            polls: 0,
            next_poll: first_poll,
            in_flight: false,
            ended: None,
        }
    }

    fn waiting(&self) -> bool {
        self.ended.is_none() && !self.in_flight
    }

    fn finish(self, elapsed: Duration) -> W::Ended {
        match self.ended {
            Some(ended) => ended,
            None => self.watch.timed_out(self.polls, elapsed),
        }
    }
}

/// Polls every slot that is due until all have ended or the deadline passes.
async fn poll_until_ended<W: Watch>(pacing: Pacing, started: Instant, slots: &mut [Slot<W>]) {
    let deadline = started + pacing.max_wait;
    let mut polls = FuturesUnordered::new();
    loop {
        let now = Instant::now();
        for (index, slot) in slots.iter_mut().enumerate() {
            if slot.waiting() && slot.next_poll <= now {
                slot.in_flight = true;
                slot.polls += 1;
                let poll = slot.watch.poll();
                polls.push(async move { (index, poll.await) });
            }
        }
        let next_due = slots
            .iter()
            .filter(|slot| slot.waiting())
            .map(|slot| slot.next_poll)
            .min();
        if polls.is_empty() && next_due.is_none() {
            break;
        }
        let wake = next_due.map_or(deadline, |due| due.min(deadline));
        tokio::select! {
            Some((index, answer)) = polls.next() => {
                let slot = &mut slots[index];
                slot.in_flight = false;
                match slot.watch.judge(answer, slot.polls, started.elapsed()) {
                    Some(ended) => slot.ended = Some(ended),
                    None => slot.next_poll = Instant::now() + pacing.delay(slot.polls),
                }
            }
            () = tokio::time::sleep_until(wake) => {}
        }
        if Instant::now() >= deadline {
            // Polls still in flight are dropped with `polls`: the deadline bounds them too.
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_from_the_minimum_to_the_maximum_with_jitter() {
        let pacing = Pacing {
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            ..Pacing::DEFAULT
        };
        let first = pacing.delay(1);
        assert!((80..=120).contains(&first.as_millis()), "{first:?}");
        let tenth = pacing.delay(10);
        assert!(
            tenth <= Duration::from_millis(2400) && tenth >= Duration::from_millis(1600),
            "{tenth:?}"
        );
    }

    /// A countdown: ends after `answers` polls, each answered at once.
    struct Countdown {
        answers: u32,
    }

    impl Watch for Countdown {
        type Answer = ();
        type Ended = Result<u32, u32>;

        fn poll(&self) -> impl Future<Output = ()> + Send + 'static {
            std::future::ready(())
        }

        fn judge(&mut self, (): (), polls: u32, _: Duration) -> Option<Self::Ended> {
            (polls >= self.answers).then_some(Ok(polls))
        }

        fn timed_out(self, polls: u32, _: Duration) -> Self::Ended {
            Err(polls)
        }
    }

    #[tokio::test(start_paused = true)]
    async fn watches_end_on_their_own_or_at_the_deadline_in_their_order() {
        let pacing = Pacing {
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(100),
            max_wait: Duration::from_millis(1000),
        };
        let started = Instant::now();
        let ended = follow_all(
            pacing,
            vec![Countdown { answers: 3 }, Countdown { answers: 1000 }],
        )
        .await;
        assert_eq!(ended[0], Ok(3));
        // Polled at once, then every 80 to 120 ms, until the deadline.
        let Err(polls) = ended[1] else {
            panic!("{ended:?}")
        };
        assert!((9..=13).contains(&polls), "{polls}");
        assert_eq!(started.elapsed(), Duration::from_millis(1000));
        assert_eq!(follow(pacing, Countdown { answers: 1 }).await, Ok(1));
    }
}
