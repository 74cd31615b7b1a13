//! Waiting, visibly: a live line on a terminal, plain lines otherwise.
#![allow(clippy::print_stderr)]

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use scf::model::EventStatus;
use scf::{WaitOptions, WaitProgress};

use crate::args::WaitArgs;

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// Wait options that report each poll on stderr.
pub(crate) fn options(args: &WaitArgs) -> WaitOptions {
    let live = std::io::stderr().is_terminal();
    let report = move |progress: &WaitProgress<'_>| {
        let status = progress
            .status
            .map_or("not visible yet".to_owned(), ToString::to_string);
        let elapsed = progress.elapsed.as_secs_f64();
        if live {
            let spinner = SPINNER[progress.polls as usize % SPINNER.len()];
            eprint!(
                "\r{spinner} {elapsed:5.1}s  polls {:<3}  {status:<16}",
                progress.polls
            );
            if progress.status.is_some_and(has_ended) {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        } else {
            eprintln!(
                "waiting for {}: {status} after {elapsed:.1}s (poll {})",
                progress.invoke_request_id, progress.polls
            );
        }
    };
    WaitOptions {
        min_delay: Duration::from_millis(args.min_delay_ms),
        max_delay: Duration::from_millis(args.max_delay_ms.max(args.min_delay_ms)),
        max_wait: Duration::from_secs(args.max_wait),
        on_progress: Some(Arc::new(report)),
        ..WaitOptions::default()
    }
}

/// Whether an event in `status` is over, so the live line ends.
fn has_ended(status: &EventStatus) -> bool {
    matches!(
        status,
        EventStatus::Finished | EventStatus::Failed | EventStatus::Aborted
    )
}
