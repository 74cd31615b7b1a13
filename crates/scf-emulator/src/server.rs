//! Starting, serving and stopping the emulator.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use hyper::server::conn::http1;
use tc3_signer::Verifier;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

use crate::actions::Backend;
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, CredentialConfig};
use crate::config_error::{ConfigError, ConfigErrorKind};
use crate::connection::{self, OpenConnections};
use crate::faults::{FaultPlan, FaultRule};
use crate::keys::Keys;
use crate::rate_limit::RateLimiter;
use crate::runtime::credentials::TemporaryKeys;
use crate::runtime::runner::Runner;
use crate::service::Shared;

/// How long shutdown waits, on tokio's clock, for open connections to finish their requests.
const DRAIN: Duration = Duration::from_secs(5);

/// Starts an emulator. Build one with [`Emulator::builder`].
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with the built-in configuration, listening on a free loopback port.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            config: Config::default(),
            extra_credentials: Vec::new(),
            clock: Arc::new(SystemClock),
            admin: false,
            idle_timeout: None,
        }
    }
}

/// The settings of an emulator about to start.
pub struct EmulatorBuilder {
    listen: SocketAddr,
    config: Config,
    extra_credentials: Vec<CredentialConfig>,
    clock: Arc<dyn Clock>,
    admin: bool,
    idle_timeout: Option<Duration>,
}

impl EmulatorBuilder {
    /// The address to bind; port 0 picks a free port, which [`RunningEmulator::local_addr`] reports.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Namespaces, functions, credentials, limits, retention and the state directory.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Accepts one more key pair, besides those of the configuration.
    pub fn credential(mut self, credential: CredentialConfig) -> Self {
        self.extra_credentials.push(credential);
        self
    }

    /// The clock behind signature expiry, event durations and retention.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Serves the unsigned admin routes under `/__emulator/`.
    pub fn admin(mut self, enabled: bool) -> Self {
        self.admin = enabled;
        self
    }

    /// Closes a keep-alive connection that has waited this long for its next request, as real gateways
    /// do; a connection with a request in flight is never closed. Measured on tokio's clock, so a test on
    /// a paused runtime can move past it. The same timer bounds how long a request's head may take to
    /// arrive, so a client trickling its headers is cut off too. Overrides the configuration's
    /// `idle_timeout_secs`; without either, idle connections stay open.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use scf_emulator::Emulator;
    /// use tokio::io::AsyncReadExt;
    ///
    /// let emulator = Emulator::builder()
    ///     .keep_alive_idle_timeout(Duration::from_secs(60))
    ///     .start()
    ///     .await?;
    /// let mut idle = tokio::net::TcpStream::connect(emulator.local_addr()).await?;
    /// let connected = tokio::time::Instant::now();
    /// // The emulator closes the connection: the read sees the end of the stream.
    /// assert_eq!(idle.read(&mut [0; 1]).await?, 0);
    /// assert_eq!(connected.elapsed(), Duration::from_secs(60));
    /// assert_eq!(emulator.open_connections(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn keep_alive_idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<RunningEmulator, StartError> {
        let mut config = self.config;
        config.credentials.extend(self.extra_credentials);
        let config = config.validate()?;
        let idle_timeout = match self.idle_timeout {
            Some(timeout) if timeout.is_zero() => {
                return Err(StartError::Config(ConfigError::new(
                    ConfigErrorKind::InvalidValue,
                    "keep_alive_idle_timeout",
                    "must be longer than zero; leave it unset to keep idle connections open",
                )));
            }
            Some(timeout) => Some(timeout),
            None => config.idle_timeout_secs.map(Duration::from_secs),
        };
        let mut keys = Keys::default();
        for (index, credential) in config.credentials.iter().enumerate() {
            keys.insert(credential.credentials(index)?);
        }
        // The limits the service documents; actions without one are not limited.
        let documented: Vec<(&str, u32)> = scf_model::ACTIONS
            .iter()
            .filter_map(|action| Some((action.name(), action.metadata.rate_limit_per_second?)))
            .collect();
        let limiter = RateLimiter::new(&config.rate_limits, &documented);
        let credentials = config.credentials.clone();
        let temporary_keys = TemporaryKeys::default();
        let runner = if config.run_code {
            let runner = Runner::new(
                config.state_dir.as_deref(),
                temporary_keys.clone(),
                Duration::from_millis(config.keep_warm_ms),
            )
            .map_err(|source| StartError::Runtime {
                dir: config.state_dir.clone(),
                source,
            })?;
            Some(runner)
        } else {
            None
        };
        let backend = Backend::open(config, self.clock.now_millis(), runner)?;
        let shared = Arc::new(Shared {
            backend,
            verifier: Verifier::new(scf_model::SERVICE, keys.with_temporary(temporary_keys)),
            limiter,
            faults: FaultPlan::default(),
            clock: self.clock,
            clock_offset_ms: AtomicI64::new(0),
            admin: self.admin,
        });

        let listener = TcpListener::bind(self.listen)
            .await
            .map_err(|source| StartError::Bind {
                addr: self.listen,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.listen,
            source,
        })?;
        let (stop, stopped) = watch::channel(false);
        let open_connections = Arc::new(OpenConnections::default());
        // Timer triggers fire while the emulator serves; their code calls it back where clients reach it.
        let timers =
            crate::timers::spawn(Arc::clone(&shared), local_addr.to_string(), stopped.clone());
        let task = tokio::spawn(serve(
            listener,
            connection::http1_builder(idle_timeout),
            Arc::clone(&shared),
            Arc::clone(&open_connections),
            stopped,
            timers,
        ));
        Ok(RunningEmulator {
            local_addr,
            credentials,
            shared,
            open_connections,
            stop,
            task: Some(task),
        })
    }
}

async fn serve(
    listener: TcpListener,
    builder: http1::Builder,
    shared: Arc<Shared>,
    open_connections: Arc<OpenConnections>,
    mut stopped: watch::Receiver<bool>,
    timers: tokio::task::JoinHandle<()>,
) {
    let mut connections = JoinSet::new();
    // One oneshot per connection: polling a oneshot is lock-free, whereas a shared watch would lock its
    // waiter list on every poll of every connection.
    let mut stop_signals: HashMap<u64, oneshot::Sender<()>> = HashMap::new();
    let mut next_id = 0u64;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                // Small request and response frames: without NODELAY, Nagle's algorithm adds delays.
                let _ = stream.set_nodelay(true);
                let (stop, stop_requested) = oneshot::channel::<()>();
                let id = next_id;
                next_id += 1;
                stop_signals.insert(id, stop);
                let served = connection::serve(
                    stream,
                    builder.clone(),
                    Arc::clone(&shared),
                    stop_requested,
                    open_connections.open(),
                );
                connections.spawn(async move {
                    served.await;
                    id
                });
            }
            Some(finished) = connections.join_next(), if !connections.is_empty() => {
                if let Ok(id) = finished {
                    stop_signals.remove(&id);
                }
            }
            _ = stop_requested(&mut stopped) => break,
        }
    }
    drop(listener);
    for (_, stop) in stop_signals.drain() {
        let _ = stop.send(());
    }
    let _ = tokio::time::timeout(DRAIN, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    connections.abort_all();
    // The scheduler stopped with the same signal; once it is done, no invocation starts any more.
    let _ = timers.await;
    // No code outlives the emulator.
    if let Some(runner) = &shared.backend.runner {
        runner.shutdown();
    }
}

/// Resolves once shutdown is asked for; the watch guard is released before it returns.
async fn stop_requested(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// A started emulator. Dropping it stops it; [`RunningEmulator::shutdown`] also waits for that.
pub struct RunningEmulator {
    local_addr: SocketAddr,
    credentials: Vec<CredentialConfig>,
    shared: Arc<Shared>,
    open_connections: Arc<OpenConnections>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningEmulator {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://127.0.0.1:PORT`, the base URL for clients.
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// `127.0.0.1:PORT`, what the official SDKs take as `HttpProfile.endpoint`.
    pub fn endpoint(&self) -> String {
        self.local_addr.to_string()
    }

    /// The key pairs it accepts.
    pub fn credentials(&self) -> &[CredentialConfig] {
        &self.credentials
    }

    /// Adds a fault rule.
    pub fn add_fault(&self, rule: FaultRule) {
        self.shared.faults.add(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Shifts the server clock: signature checks, the `Date` header and event times all move.
    pub fn set_clock_offset(&self, seconds: i64) {
        self.shared
            .clock_offset_ms
            .store(seconds.saturating_mul(1_000), Ordering::Relaxed);
    }

    /// Makes new async events answer `ResourceNotFound.AsyncEvent` for this long after Invoke.
    pub fn set_visibility_delay(&self, delay: Duration) {
        self.shared
            .backend
            .visibility_delay_ms
            .store(delay.as_millis() as u64, Ordering::Relaxed);
    }

    /// How many events the emulator holds, expired ones not yet swept included.
    pub fn event_count(&self) -> usize {
        self.shared.backend.event_count()
    }

    /// How many client connections are open now: accepted, and neither closed by the client nor by the
    /// emulator. A connection counts from when the emulator accepts it, which may be a moment after the
    /// client's connect returned.
    pub fn open_connections(&self) -> usize {
        self.open_connections.get()
    }

    /// Makes the store refuse every write as a state directory on a read-only disk does: changing actions
    /// answer `FailedOperation` and store nothing, reading ones keep working. `false` lifts it.
    pub fn set_state_read_only(&self, read_only: bool) {
        // The pragma needs no I/O, so it only fails on a broken connection, which the next call reports.
        let _ = self.shared.backend.db.set_read_only(read_only);
    }

    /// Caps the store at about `bytes`, so writes that need more room answer `ResourceInsufficient` and
    /// store nothing, as on a full disk. `None` lifts the cap.
    pub fn limit_state_size(&self, bytes: Option<u64>) {
        let _ = self.shared.backend.db.limit_size(bytes);
    }

    /// Stops accepting, lets open requests finish (up to 5 s on tokio's clock), and returns when done.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl std::fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("local_addr", &self.local_addr)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// Why an emulator did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The state directory is unusable, or holds a state this emulator cannot read.
    #[error(transparent)]
    State(#[from] crate::db::StateError),
    /// The directory for the functions' code (under the state directory, or a temporary one) could not be
    /// prepared.
    #[error("cannot prepare a directory to run functions' code in{}: {source}", dir.as_ref().map(|d| format!(" under {}", d.display())).unwrap_or_default())]
    Runtime {
        /// The state directory, if there is one.
        dir: Option<std::path::PathBuf>,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why binding failed.
        source: std::io::Error,
    },
}
