//! `scf`: Tencent Cloud SCF from the shell, every action of the API in tccli's spelling or kebab case.
#![forbid(unsafe_code)]
#![allow(clippy::print_stderr)]

mod action_command;
mod args;
mod call;
mod commands;
#[cfg(feature = "emulator")]
mod demo;
mod exit;
mod flags;
mod input;
mod ordered;
mod output;
mod progress;
mod sign;
mod skeleton;
#[cfg(test)]
mod test_schemas;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{ArgMatches, FromArgMatches};
use tc_api::schema::ActionSchema;

use crate::args::{Cli, Command, Global};
use crate::exit::Failure;

/// Every action of the spec, sorted by name.
static ACTIONS: &[&ActionSchema] = scf::model::ACTIONS;

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    // Parsing comes before the runtime, so `--version`, `--help` and usage errors start no threads.
    let matches = args::command(ACTIONS, &argv).get_matches_from(&argv);
    let global = match Global::from_arg_matches(&matches) {
        Ok(global) => global,
        Err(error) => error.exit(),
    };
    if global.debug {
        // Only this crate's transport logs requests; Authorization, tokens and secrets are redacted there.
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
            .with_target(false)
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(5);
        }
    };
    match runtime.block_on(run(&matches, &global)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if let Some(message) = failure.message() {
                eprintln!("error: {message}");
            }
            failure.exit_code()
        }
    }
}

async fn run(matches: &ArgMatches, global: &Global) -> Result<(), Failure> {
    if let Some((name, action_matches)) = matches.subcommand()
        && let Some(action) = action_command::find(ACTIONS, name)
    {
        return call::run(action, action_matches, global).await;
    }
    let cli = Cli::from_arg_matches(matches).map_err(|e| Failure::Usage(e.to_string()))?;
    let filter = || {
        global
            .filter
            .as_deref()
            .map(output::Filter::compile)
            .transpose()
    };
    match cli.command {
        Command::Wait {
            invoke_request_id,
            wait,
        } => {
            let filter = filter()?;
            commands::wait(
                &commands::client(global)?,
                global.output,
                filter.as_ref(),
                &invoke_request_id,
                &wait,
            )
            .await
        }
        Command::WaitFunction {
            function_name,
            namespace,
            qualifier,
            wait,
        } => {
            let filter = filter()?;
            let mut function = scf::FunctionRef::new(function_name);
            if let Some(namespace) = namespace {
                function = function.namespace(namespace);
            }
            if let Some(qualifier) = qualifier {
                function = function.qualifier(qualifier);
            }
            commands::wait_function(
                &commands::client(global)?,
                global.output,
                filter.as_ref(),
                function,
                &wait,
            )
            .await
        }
        Command::Sign(args) => sign::run(*args, global.profile.as_deref()).await,
        #[cfg(feature = "emulator")]
        Command::Emulator(args) => args.run().await.map_err(|e| Failure::Config(e.to_string())),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut args::command_with_every_flag(ACTIONS),
                "scf",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        #[cfg(feature = "emulator")]
        Command::Demo => demo::run(ACTIONS, global.output).await,
    }
}
