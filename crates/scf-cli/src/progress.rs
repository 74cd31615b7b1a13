//! Waiting, visibly: a live line on a terminal, plain lines otherwise, for events and functions alike.
#![allow(clippy::print_stderr)]

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use scf::model::EventStatus;
use scf::{FunctionWaitOptions, FunctionWaitProgress, WaitOptions, WaitProgress};

use crate::args::WaitArgs;

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// Wait options for an async event that report each poll on stderr.
pub(crate) fn options(args: &WaitArgs) -> WaitOptions {
    let live = std::io::stderr().is_terminal();
    let report = move |progress: &WaitProgress<'_>| {
        let status = progress
            .status
            .map_or("not visible yet".to_owned(), ToString::to_string);
        show(
            live,
            progress.invoke_request_id,
            progress.polls,
            progress.elapsed,
            &status,
            progress.status.is_some_and(has_ended),
        );
    };
    let pacing = Pacing::of(args);
    WaitOptions {
        min_delay: pacing.min_delay,
        max_delay: pacing.max_delay,
        max_wait: pacing.max_wait,
        on_progress: Some(Arc::new(report)),
        ..WaitOptions::default()
    }
}

/// Wait options for a function that report each poll on stderr.
pub(crate) fn function_options(args: &WaitArgs) -> FunctionWaitOptions {
    let live = std::io::stderr().is_terminal();
    let report = move |progress: &FunctionWaitProgress<'_>| {
        let ended = progress.status.is_failure() || *progress.status == scf::FunctionStatus::Active;
        show(
            live,
            &format!("function {}", progress.function),
            progress.polls,
            progress.elapsed,
            progress.status.as_str(),
            ended,
        );
    };
    let pacing = Pacing::of(args);
    FunctionWaitOptions {
        min_delay: pacing.min_delay,
        max_delay: pacing.max_delay,
        max_wait: pacing.max_wait,
        on_progress: Some(Arc::new(report)),
    }
}

/// The polling flags, as durations; a maximum delay below the minimum is raised to it.
struct Pacing {
    min_delay: Duration,
    max_delay: Duration,
    max_wait: Duration,
}

impl Pacing {
    fn of(args: &WaitArgs) -> Self {
        Self {
            min_delay: Duration::from_millis(args.min_delay_ms),
            max_delay: Duration::from_millis(args.max_delay_ms.max(args.min_delay_ms)),
            max_wait: Duration::from_secs(args.max_wait),
        }
    }
}

/// One poll of `subject` on stderr: the live line redrawn in place, ended once `ended`, or a plain line.
fn show(live: bool, subject: &str, polls: u32, elapsed: Duration, status: &str, ended: bool) {
    let elapsed = elapsed.as_secs_f64();
    if live {
        let spinner = SPINNER[polls as usize % SPINNER.len()];
        eprint!("\r{spinner} {elapsed:5.1}s  polls {polls:<3}  {status:<16}");
        if ended {
            eprintln!();
        }
        let _ = std::io::stderr().flush();
    } else {
        eprintln!("waiting for {subject}: {status} after {elapsed:.1}s (poll {polls})");
    }
}

/// Whether an event in `status` is over, so the live line ends.
fn has_ended(status: &EventStatus) -> bool {
    matches!(
        status,
        EventStatus::Finished | EventStatus::Failed | EventStatus::Aborted
    )
}
