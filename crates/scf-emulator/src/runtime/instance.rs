//! One instance: a process started from a function's code, driven through its own runtime API, and killed
//! with its whole process group.
//!
//! The process runs in a process group of its own, so a signal reaches everything it forked. It starts
//! with an empty environment plus the variables SCF documents for a Custom Runtime (`SCF_RUNTIME_API`,
//! `SCF_RUNTIME_API_PORT`, `_HANDLER`), `PATH` and `HOME` from the emulator, `LANG=en_US.UTF8`, a `TMPDIR`
//! of its own (removed when the instance ends: the bash sample leaves a file there per invocation), then the
//! caller's variables. Init lasts from the spawn to the first `/runtime/init/ready`. An invocation lasts
//! from the dispatch to the first answer, the process's exit, the timeout or a termination; only an answer
//! leaves the instance usable. Every other ending kills the group. Nothing waits on the process without a
//! deadline, and dropping an instance kills its group.
//!
//! Choices where SCF is silent: the timeout runs from the dispatch (a process that never asks for the event
//! still times out), `Duration` from the moment `/next` hands the event out, and `MemUsage` is the peak
//! resident size of the started process (`VmHWM`), 0 where the system does not say.

use std::ffi::OsString;
use std::io;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use rustix::process::{Pid, Signal};
use tokio::process::{Child, Command};
use tokio::sync::watch;
use tokio::time::Instant;

use super::api::{Answer, Answered, RuntimeApi};
use super::output::Output;

/// How long a killed process may take to be reaped before the emulator stops waiting for it.
const REAP_DEADLINE: Duration = Duration::from_secs(10);
/// How long the output readers may take to read what the pipes held when a request ended.
const SETTLE_DEADLINE: Duration = Duration::from_secs(5);

/// What to start and how.
#[derive(Debug, Clone)]
pub(crate) struct InstanceSpec {
    /// The program: a Custom Runtime's `bootstrap`, or the interpreter of a shipped bootstrap.
    pub(crate) program: PathBuf,
    /// Its arguments, e.g. the shipped bootstrap's path.
    pub(crate) args: Vec<OsString>,
    /// The working directory: the unpacked code.
    pub(crate) code_dir: PathBuf,
    /// `_HANDLER`, the function's `Handler`.
    pub(crate) handler: String,
    /// Variables set after the fixed ones (the function's environment and SCF's built-ins).
    pub(crate) env: Vec<(String, String)>,
    /// How long the process may take to call `/runtime/init/ready`.
    pub(crate) init_timeout: Duration,
    /// The `memory_limit_in_mb` header of every event.
    pub(crate) memory_limit_mb: u64,
    /// The most output kept per request, in bytes.
    pub(crate) output_cap: usize,
}

/// Why an instance did not become ready, with the output it wrote meanwhile.
#[derive(Debug)]
pub(crate) struct InitFailure {
    pub(crate) kind: InitFailureKind,
    pub(crate) log: String,
}

/// How init failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InitFailureKind {
    /// The program could not be started: missing, not executable, or no resources for it.
    #[error("the program could not be started: {0}")]
    Spawn(#[source] io::Error),
    /// The process exited before it was ready.
    #[error("the process exited before it was ready ({0})")]
    Exited(ExitStatus),
    /// The process was not ready within the init timeout, and was killed.
    #[error("the process was not ready within the init timeout")]
    TimedOut,
}

/// One event to run.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    pub(crate) request_id: String,
    pub(crate) event: Vec<u8>,
    pub(crate) timeout: Duration,
}

/// How an invocation ended, with its output and measurements.
#[derive(Debug)]
pub(crate) struct Completed {
    pub(crate) outcome: Ending,
    /// The output attributed to the request (the first request's includes init's).
    pub(crate) log: String,
    pub(crate) duration: Duration,
    /// Peak resident size of the process in bytes, 0 when unknown.
    pub(crate) mem_usage: u64,
}

/// The ending of an invocation. Only `Returned` and `Errored` leave the instance alive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ending {
    /// `/runtime/invocation/response` with this body.
    Returned(Vec<u8>),
    /// `/runtime/invocation/error` with this body.
    Errored(Vec<u8>),
    /// The timeout passed; the process group was killed.
    TimedOut,
    /// The process exited mid-invocation; what it left of its group was killed.
    Exited(ExitStatus),
    /// A [`Terminator`] ended it; the process group was killed.
    Terminated,
    /// The answer was over the runtime API's limit; the process group was killed.
    TooLarge,
}

/// The process group of an instance, signalled only while its leader is known not to be reaped.
#[derive(Debug)]
struct Group {
    leader: Option<Pid>,
    // Once the leader is reaped its id may be reused, so no signal may be sent after the group is released.
    released: Mutex<bool>,
}

impl Group {
    fn new(pid: Option<u32>) -> Self {
        Self {
            leader: pid.and_then(|pid| Pid::from_raw(i32::try_from(pid).ok()?)),
            released: Mutex::new(false),
        }
    }

    fn signal(&self, signal: Signal) {
        let released = self.released.lock().unwrap_or_else(PoisonError::into_inner);
        if let (false, Some(leader)) = (*released, self.leader) {
            // The group may be gone already; there is nothing else to do then.
            let _ = rustix::process::kill_process_group(leader, signal);
        }
    }

    /// Kills the group and sends it nothing more.
    fn release(&self) {
        let mut released = self.released.lock().unwrap_or_else(PoisonError::into_inner);
        if let (false, Some(leader)) = (*released, self.leader) {
            let _ = rustix::process::kill_process_group(leader, Signal::KILL);
        }
        *released = true;
    }
}

/// A termination asked for: hard (`grace` none) or graceful.
#[derive(Debug, Clone, Copy)]
struct Termination {
    grace: Option<Duration>,
}

/// Ends an instance's invocation from another task.
#[derive(Debug, Clone)]
pub(crate) struct Terminator {
    group: Arc<Group>,
    requests: Arc<watch::Sender<Option<Termination>>>,
}

impl Terminator {
    /// Without `grace`, kills the process group at once; with it, sends it SIGTERM and kills it after
    /// `grace` if the process is still alive. Either way the invocation ends as terminated and the instance
    /// is dead. A hard termination overrides a graceful one.
    pub(crate) fn terminate(&self, grace: Option<Duration>) {
        // Marked before the signal, so the invocation sees a termination rather than a mere exit.
        self.requests.send_modify(|request| {
            if !matches!(request, Some(Termination { grace: None })) {
                *request = Some(Termination { grace });
            }
        });
        self.group.signal(if grace.is_some() {
            Signal::TERM
        } else {
            Signal::KILL
        });
    }
}

/// One live process and its runtime API server.
#[derive(Debug)]
pub(crate) struct Instance {
    child: Child,
    pid: Option<u32>,
    group: Arc<Group>,
    terminations: Arc<watch::Sender<Option<Termination>>>,
    api: RuntimeApi,
    output: Output,
    dead: bool,
    exit: Option<ExitStatus>,
    // Declared last: removed after the process group is killed.
    _tmpdir: tempfile::TempDir,
}

/// What woke an invocation up.
enum Woken {
    Answered(Answered),
    Terminated(Option<Duration>),
    Exited(io::Result<ExitStatus>),
    TimedOut,
}

impl Instance {
    /// Starts the process and waits until it is ready, it exits, or the init timeout passes.
    pub(crate) async fn start(spec: InstanceSpec) -> Result<Self, InitFailure> {
        let spawn_failed = |error| InitFailure {
            kind: InitFailureKind::Spawn(error),
            log: String::new(),
        };
        let tmpdir = tempfile::Builder::new()
            .prefix("scf-instance-")
            .tempdir()
            .map_err(spawn_failed)?;
        let api = RuntimeApi::bind(spec.memory_limit_mb)
            .await
            .map_err(spawn_failed)?;
        let mut command = Command::new(&spec.program);
        command
            .args(&spec.args)
            .current_dir(&spec.code_dir)
            .env_clear();
        for name in ["PATH", "HOME"] {
            if let Some(value) = std::env::var_os(name) {
                command.env(name, value);
            }
        }
        command
            .env("LANG", "en_US.UTF8")
            .env("TMPDIR", tmpdir.path())
            .env("SCF_RUNTIME_API", "127.0.0.1")
            .env("SCF_RUNTIME_API_PORT", api.port().to_string())
            .env("_HANDLER", &spec.handler)
            .envs(spec.env.iter().map(|(name, value)| (name, value)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(spawn_failed)?;
        let pid = child.id();
        let mut output = Output::new(spec.output_cap);
        if let Some(stdout) = child.stdout.take() {
            output.read(stdout);
        }
        if let Some(stderr) = child.stderr.take() {
            output.read(stderr);
        }
        // Built before the first wait, so a caller that drops this future still kills the group.
        let mut instance = Self {
            child,
            pid,
            group: Arc::new(Group::new(pid)),
            terminations: Arc::new(watch::Sender::new(None)),
            api,
            output,
            dead: false,
            exit: None,
            _tmpdir: tmpdir,
        };
        let failure = tokio::select! {
            biased;
            () = instance.api.ready() => None,
            status = instance.child.wait() => Some(match status {
                Ok(status) => InitFailureKind::Exited(status),
                Err(error) => InitFailureKind::Spawn(error),
            }),
            () = tokio::time::sleep(spec.init_timeout) => Some(InitFailureKind::TimedOut),
        };
        let Some(kind) = failure else {
            return Ok(instance);
        };
        instance.stop().await;
        instance.output.settle(SETTLE_DEADLINE).await;
        Err(InitFailure {
            kind,
            log: instance.output.take(),
        })
    }

    /// Runs one event to its end. After any ending but `Returned` and `Errored` the instance is dead, and
    /// further invocations end at once as `Terminated` or `Exited`.
    pub(crate) async fn invoke(&mut self, invocation: Invocation) -> Completed {
        let dispatched_at = Instant::now();
        if !self.is_alive() {
            let outcome = if self.terminations.borrow().is_some() {
                Ending::Terminated
            } else {
                Ending::Exited(self.exit.unwrap_or_default())
            };
            return Completed {
                outcome,
                log: self.output.take(),
                duration: Duration::ZERO,
                mem_usage: 0,
            };
        }
        let mut dispatch = self.api.dispatch(
            &invocation.request_id,
            Bytes::from(invocation.event),
            invocation.timeout,
        );
        let mut terminations = self.terminations.subscribe();
        // Dead until it answers: an invocation whose future is dropped midway leaves the instance unusable.
        self.dead = true;
        let woken = tokio::select! {
            // An answer that arrived just before the process exited still counts.
            biased;
            answered = dispatch.answered() => Woken::Answered(answered),
            termination = terminations.wait_for(Option::is_some) => {
                Woken::Terminated(termination.ok().and_then(|request| request.and_then(|t| t.grace)))
            }
            status = self.child.wait() => Woken::Exited(status),
            () = tokio::time::sleep_until(dispatched_at + invocation.timeout) => Woken::TimedOut,
        };
        let mut end = Instant::now();
        let grace = match woken {
            Woken::Terminated(grace) => grace,
            _ => None,
        };
        let outcome = match woken {
            Woken::Answered(Answered { answer, at }) => {
                end = at;
                match answer {
                    Answer::Response(body) => {
                        self.dead = false;
                        Ending::Returned(body.into())
                    }
                    Answer::Error(body) => {
                        self.dead = false;
                        Ending::Errored(body.into())
                    }
                    Answer::TooLarge => Ending::TooLarge,
                }
            }
            Woken::Terminated(_) => Ending::Terminated,
            Woken::Exited(status) => {
                self.exit = status.ok();
                Ending::Exited(self.exit.unwrap_or_default())
            }
            Woken::TimedOut => Ending::TimedOut,
        };
        // Read while the process lives: a reaped process has no status left to read.
        let mem_usage = self.pid.filter(|_| self.exit.is_none()).map_or(0, peak_rss);
        if let Some(grace) = grace {
            // The process may end on its own after SIGTERM; whatever it leaves is killed after the grace.
            let _ = tokio::time::timeout(grace, self.child.wait()).await;
        }
        if !matches!(outcome, Ending::Returned(_) | Ending::Errored(_)) {
            self.api.withdraw();
            self.stop().await;
        }
        self.output.settle(SETTLE_DEADLINE).await;
        let handed_out = dispatch.handed_out().unwrap_or(dispatched_at);
        Completed {
            outcome,
            log: self.output.take(),
            duration: end.saturating_duration_since(handed_out),
            mem_usage,
        }
    }

    /// Ends this instance's invocations from another task.
    pub(crate) fn terminator(&self) -> Terminator {
        Terminator {
            group: Arc::clone(&self.group),
            requests: Arc::clone(&self.terminations),
        }
    }

    /// Whether the process still runs and may take another invocation.
    pub(crate) fn is_alive(&mut self) -> bool {
        if self.dead || self.terminations.borrow().is_some() {
            return false;
        }
        match self.child.try_wait() {
            Ok(None) => true,
            Ok(Some(status)) => {
                self.exit = Some(status);
                self.dead = true;
                self.group.release();
                false
            }
            Err(_) => false,
        }
    }

    /// The process id of the started process (also its process group's id).
    pub(crate) fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Kills the group and reaps the process, waiting at most [`REAP_DEADLINE`].
    async fn stop(&mut self) {
        self.dead = true;
        self.group.release();
        if let Ok(Ok(status)) = tokio::time::timeout(REAP_DEADLINE, self.child.wait()).await {
            self.exit.get_or_insert(status);
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // The child's own kill-on-drop reaches only the process; this reaches everything it forked.
        self.group.release();
    }
}

/// The peak resident size of process `pid` in bytes (`VmHWM`), 0 where unavailable.
fn peak_rss(pid: u32) -> u64 {
    if !cfg!(target_os = "linux") {
        return 0;
    }
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return 0;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}
