//! `scf-emulator`: a local Tencent Cloud SCF endpoint.
#![allow(clippy::print_stderr)]

use clap::Parser;
use scf_emulator::EmulatorArgs;

/// A local Tencent Cloud SCF endpoint (API 2018-04-16) that verifies TC3 signatures and runs async events.
#[derive(Parser)]
#[command(version, about, long_about = None, after_help = "Examples:\n  scf-emulator --listen 127.0.0.1:9000\n  scf-emulator --config emulator.toml --credential AKIDtest:test-key --admin")]
struct Cli {
    #[command(flatten)]
    emulator: EmulatorArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.emulator.run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("scf-emulator: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
