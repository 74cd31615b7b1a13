//! `scf`: Tencent Cloud SCF async events from the shell.
#![forbid(unsafe_code)]
#![allow(clippy::print_stderr)]

mod args;
mod commands;
#[cfg(feature = "emulator")]
mod demo;
mod exit;
mod output;
mod progress;
mod sign;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::args::{Cli, Command};
use crate::exit::Failure;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.global.debug {
        // Only this crate's transport logs requests; Authorization, tokens and secrets are redacted there.
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
            .with_target(false)
            .init();
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if let Some(message) = failure.message() {
                eprintln!("error: {message}");
            }
            failure.exit_code()
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let global = cli.global;
    let output = global.output;
    match cli.command {
        Command::GetAsyncEventStatus { invoke_request_id } => {
            commands::get_async_event_status(
                &commands::client(&global, None)?,
                output,
                &invoke_request_id,
            )
            .await
        }
        Command::Invoke(args) => {
            commands::invoke(&commands::client(&global, None)?, output, args).await
        }
        Command::ListAsyncEvents(args) => {
            commands::list_async_events(&commands::client(&global, None)?, output, args).await
        }
        Command::TerminateAsyncEvent {
            function_name,
            invoke_request_id,
            namespace,
            grace_shutdown,
        } => {
            let client = commands::client(&global, namespace.as_deref())?;
            commands::terminate_async_event(
                &client,
                output,
                &function_name,
                &invoke_request_id,
                grace_shutdown,
            )
            .await
        }
        Command::Wait {
            invoke_request_id,
            wait,
        } => {
            commands::wait(
                &commands::client(&global, None)?,
                output,
                &invoke_request_id,
                &wait,
            )
            .await
        }
        Command::Sign(args) => sign::run(args, global.profile.as_deref()).await,
        #[cfg(feature = "emulator")]
        Command::Emulator(args) => args.run().await.map_err(|e| Failure::Config(e.to_string())),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "scf", &mut std::io::stdout());
            Ok(())
        }
        #[cfg(feature = "emulator")]
        Command::Demo => demo::run(output).await,
    }
}
