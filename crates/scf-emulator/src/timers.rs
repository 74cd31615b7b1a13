//! The scheduler that fires timer triggers: a task that runs while the emulator serves and looks every
//! 100 ms of tokio's clock at what fell due on the emulator's clock (the injected [`crate::Clock`] plus
//! the clock offset) since each timer last fired, as the store keeps it, or since the emulator started.
//! A paused tokio runtime moves its looks, and a test that moves a [`crate::ManualClock`] sees the fires
//! at the next look. What fires, and as what, is the triggers module's to say (`actions::triggers`). The
//! same looks stop the function instances left idle past their keep-warm period (`runtime::runner`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::actions::{Backend, Call, invocations, triggers};
use crate::ids::uuid;
use crate::service::Shared;

/// How often the scheduler looks.
const LOOK_EVERY: Duration = Duration::from_millis(100);

/// Starts the scheduler, which fires the timers that fall due from now until `stopped` turns true or
/// its sender goes; `host` is where the emulator listens, for the code of the functions it invokes.
pub(crate) fn spawn(
    shared: Arc<Shared>,
    host: String,
    stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    // Read now, not when the task first runs: what falls due after the start fires, what fell due
    // while the emulator was stopped does not.
    let started = shared.now_millis();
    tokio::spawn(run(shared, host, started, stopped))
}

async fn run(shared: Arc<Shared>, host: String, started: u64, mut stopped: watch::Receiver<bool>) {
    let mut looks = tokio::time::interval(LOOK_EVERY);
    looks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = looks.tick() => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        fire_due(&shared.backend, &host, started, shared.now_millis()).await;
        // The same looks stop the instances of code that went cold.
        if let Some(runner) = &shared.backend.runner {
            runner.stop_cold(tokio::time::Instant::now());
        }
    }
}

/// Fires every enabled timer's matches up to `now` that are after `started` and after the time up to
/// which the timer fired. A store that cannot be read now is read at the next look.
async fn fire_due(backend: &Backend, host: &str, started: u64, now: u64) {
    // Older fire times' events would be gone already.
    let after = started.max(now.saturating_sub(backend.retention_ms()));
    let Ok(timers) = backend.db.read(triggers::enabled_timers) else {
        return;
    };
    for timer in timers {
        let due = timer.due(after, now);
        if due.is_empty() {
            continue;
        }
        // Recorded before it fires, so a crash loses a fire rather than repeating it; a timer closed,
        // deleted or rescheduled since it was read is left to the next look.
        if !matches!(backend.db.write(|tx| timer.mark_fired(tx, now)), Ok(true)) {
            continue;
        }
        for at in due {
            let request_id = uuid();
            let call = Call {
                now: at,
                region: Some(triggers::DEFAULT_REGION),
                request_id: &request_id,
                host: Some(host),
            };
            // A fire the function refuses starts nothing; there is no caller to tell.
            let _ = invocations::fire_timer(
                backend,
                timer.namespace(),
                timer.function_name(),
                timer.qualifier(),
                &timer.event(at),
                &call,
            )
            .await;
        }
    }
}
