//! The command-line options of `scf-emulator`, shared with `scf emulator`.
#![allow(clippy::print_stdout)]

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::config::{Config, CredentialConfig};
use crate::server::{Emulator, RunningEmulator, StartError};

/// Options of the emulator binary.
#[derive(Debug, Clone, clap::Args)]
pub struct EmulatorArgs {
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9000")]
    pub listen: SocketAddr,
    /// A TOML or JSON configuration: credentials, namespaces, functions, rate limits, retention.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Another key pair to accept, besides those of the configuration. Repeatable.
    #[arg(long = "credential", value_name = "SECRET_ID:SECRET_KEY")]
    pub credentials: Vec<String>,
    /// Serve the unsigned admin routes under /__emulator/ (faults, clock offset, visibility delay).
    #[arg(long)]
    pub admin: bool,
    /// Close a keep-alive connection after this many seconds without a request, as real gateways do.
    /// Overrides the configuration's `idle_timeout_secs`; without either, idle connections stay open.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout_secs: Option<u64>,
    /// Keep the state in this directory (created when missing), so a restarted emulator keeps its
    /// namespaces, functions, code, versions, aliases, triggers and events. Overrides the configuration's
    /// `state_dir`; without either, the state lives in memory.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Run each function's own code when it is invoked (its `bootstrap`, or its Python or Node.js
    /// handler), instead of the scripted outcomes. Code runs on this machine, with your permissions.
    #[arg(long)]
    pub run_code: bool,
}

impl EmulatorArgs {
    /// Starts the emulator, prints where it listens and which keys it accepts, and serves until Ctrl-C or
    /// SIGTERM.
    pub async fn run(self) -> Result<(), StartError> {
        let emulator = self.start().await?;
        // Registered before the banner, so a signal sent as soon as the banner is read is not missed.
        let stop = stop_signal();
        println!("SCF emulator listening on {}", emulator.url());
        println!("API version 2018-04-16, service scf. Accepted credentials (emulator-only keys):");
        for credential in emulator.credentials() {
            let token = if credential.token.is_some() {
                " (temporary, token required)"
            } else {
                ""
            };
            println!(
                "  SecretId {}  SecretKey {}{token}",
                credential.secret_id, credential.secret_key
            );
        }
        if self.admin {
            println!(
                "Admin routes enabled under {}{}",
                emulator.url(),
                crate::admin::PREFIX
            );
        }
        stop.await;
        println!("Stopping.");
        emulator.shutdown().await;
        Ok(())
    }

    /// Starts the emulator these options describe.
    pub async fn start(&self) -> Result<RunningEmulator, StartError> {
        let mut config = match &self.config {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        if let Some(dir) = &self.state_dir {
            config.state_dir = Some(dir.clone());
        }
        if self.run_code {
            config.run_code = true;
        }
        if let Some(secs) = self.idle_timeout_secs {
            config.idle_timeout_secs = Some(secs);
        }
        let mut builder = Emulator::builder()
            .listen(self.listen)
            .config(config)
            .admin(self.admin);
        for pair in &self.credentials {
            builder = builder.credential(CredentialConfig::parse_pair(pair)?);
        }
        builder.start().await
    }
}

/// Ctrl-C or SIGTERM. On Unix both handlers are installed when this is called, not when it is first polled.
fn stop_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    let handlers = {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::interrupt())
            .and_then(|interrupt| Ok((interrupt, signal(SignalKind::terminate())?)))
    };
    async move {
        #[cfg(unix)]
        if let Ok((mut interrupt, mut terminate)) = handlers {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
