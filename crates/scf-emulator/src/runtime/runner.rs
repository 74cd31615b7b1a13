//! Runs invocations on instances of the function's own code, kept warm between invocations.
//!
//! Instances of one version with the same code and settings are interchangeable and form a pool: an
//! invocation takes an idle one or starts a new one, and gives it back when it answered (a response or an
//! error); any other ending leaves it dead. An instance runs one invocation at a time, so a function runs
//! as many at once as it has instances, and its concurrency limit caps that. An instance left idle for
//! longer than the keep-warm period is stopped at the next look ([`Runner::stop_cold`]), and a deleted
//! function's at once ([`Runner::forget`]).

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use scf_model::ErrorCode;
use tokio::time::Instant;

use super::bootstraps::{self, Bootstrap, InstalledBootstraps};
use super::credentials::{Lease, TemporaryKeys};
use super::instance::{
    Completed, Ending, InitFailure, InitFailureKind, Instance, InstanceSpec, Invocation, Terminator,
};
use super::unpack::{STAGING_PREFIX, unpack};
use super::watchdog::Watchdog;
use crate::failure::Failure;

/// The most output kept per request; the rest is read and dropped.
const OUTPUT_CAP: usize = 1024 * 1024;
/// What the function status codes of doc 583/35311 call the outcomes.
pub(crate) const SUCCESS: i64 = 200;
pub(crate) const USER_CODE_EXCEPTION: i64 = 430;
pub(crate) const RESOURCE_LIMIT_REACHED: i64 = 432;
pub(crate) const TIME_LIMIT_REACHED: i64 = 433;
pub(crate) const USER_PROCESS_EXIT: i64 = 439;
const CONTAINER_STATE_EXITED: i64 = 405;
const RESPONSE_TOO_LARGE: i64 = 407;
const CONTAINER_INIT_ERROR: i64 = 445;
const INIT_CONTAINER_TIMEOUT: i64 = 450;

/// How a runtime's code is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// `CustomRuntime`: the package's own `bootstrap`.
    Own,
    /// A bootstrap the emulator ships, run by an interpreter found on `PATH`.
    Shipped(Bootstrap),
}

impl Start {
    /// How `runtime` starts, or why the emulator cannot run it.
    fn of(runtime: &str) -> Result<Self, Failure> {
        if runtime == "CustomRuntime" {
            return Ok(Self::Own);
        }
        Bootstrap::for_runtime(runtime).map(Self::Shipped).ok_or_else(|| {
            Failure::new(
                ErrorCode::FailedOperation,
                format!(
                    "The emulator runs CustomRuntime, Python 3 and Node.js functions; runtime `{runtime}` is not one of them."
                ),
            )
        })
    }
}

/// Everything that starts an instance of one version and runs an event on it.
#[derive(Debug, Clone)]
pub(crate) struct Launch {
    /// The function's row id: its instances count against its concurrency.
    pub(crate) function: i64,
    /// Instances with the same pool key run the same code with the same settings.
    pub(crate) pool: String,
    pub(crate) runtime: String,
    pub(crate) handler: String,
    pub(crate) code_sha256: String,
    /// The function's variables and SCF's built-ins.
    pub(crate) env: Vec<(String, String)>,
    /// The names of the variables the function configured itself.
    pub(crate) function_variables: Vec<String>,
    pub(crate) timeout: Duration,
    pub(crate) init_timeout: Duration,
    pub(crate) memory_mb: u64,
    pub(crate) quota: Quota,
}

/// What limits how many instances of a function run at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Quota {
    /// The function's reserved concurrency: this many instances of its memory.
    Reserved { instances: u32 },
    /// The account's memory that no function reserved, shared by every function without a reservation.
    Shared { memory_mb: u64 },
}

/// What one invocation did, as Invoke, the logs and the event report it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Report {
    pub(crate) status_code: i64,
    pub(crate) ret_msg: String,
    pub(crate) err_msg: String,
    /// The request's log, framed as SCF frames it: `START`, the output, `END`, `Report`.
    pub(crate) log: String,
    pub(crate) duration: Duration,
    pub(crate) mem_usage: u64,
    /// Ended by TerminateAsyncEvent.
    pub(crate) terminated: bool,
}

impl Report {
    fn failed(request_id: &str, status_code: i64, message: &str, output: &str) -> Self {
        Self {
            status_code,
            ret_msg: String::new(),
            err_msg: error_json(request_id, status_code, message),
            log: frame(request_id, output, Duration::ZERO, 0, 0),
            duration: Duration::ZERO,
            mem_usage: 0,
            terminated: false,
        }
    }
}

/// The error SCF reports for a failure the platform saw (doc 583/35311's messages).
fn error_json(request_id: &str, status_code: i64, message: &str) -> String {
    serde_json::json!({
        "errorCode": -1,
        "errorMessage": message,
        "requestId": request_id,
        "statusCode": status_code,
    })
    .to_string()
}

/// The log of one request: `START`, what the code wrote, `END` and the `Report` line (doc 583/60336).
fn frame(
    request_id: &str,
    output: &str,
    duration: Duration,
    memory_mb: u64,
    mem_usage: u64,
) -> String {
    let mut log = format!("START RequestId:{request_id}\n");
    log.push_str(output);
    if !output.is_empty() && !output.ends_with('\n') {
        log.push('\n');
    }
    log.push_str(&format!(
        "END RequestId:{request_id}\nReport RequestId:{request_id} Duration:{}ms Memory:{memory_mb}MB MemUsage:{:.6}MB\n",
        duration.as_millis(),
        mem_usage as f64 / (1024.0 * 1024.0)
    ));
    log
}

/// The instances of every function, and the invocations running on them.
#[derive(Debug)]
pub(crate) struct Runner {
    /// Unpacked code: a directory per function, holding one per zip.
    code_root: PathBuf,
    /// The shipped bootstraps.
    bootstraps: InstalledBootstraps,
    /// A directory of its own when the state lives in memory; removed with the runner.
    _scratch: Option<tempfile::TempDir>,
    /// The idle instances by function and pool, the longest idle first.
    idle: Mutex<HashMap<i64, HashMap<String, Vec<Idle>>>>,
    /// How long an idle instance stays warm.
    keep_warm: Duration,
    /// Kills the instances if the emulator dies without stopping them.
    watchdog: Arc<Watchdog>,
    /// The credentials each instance's code gets, which the emulator accepts while it lives.
    temporary_keys: TemporaryKeys,
    busy: Mutex<Busy>,
    running: Mutex<HashMap<String, Terminator>>,
}

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Runner {
    /// A runner whose code and bootstraps live under `state_dir/runtime`, or in a temporary directory,
    /// whose instances get credentials from `temporary_keys` and stay warm for `keep_warm` when idle.
    pub(crate) fn new(
        state_dir: Option<&Path>,
        temporary_keys: TemporaryKeys,
        keep_warm: Duration,
    ) -> io::Result<Self> {
        let (root, scratch) = match state_dir {
            Some(dir) => (dir.join("runtime"), None),
            None => {
                let scratch = tempfile::Builder::new().prefix("scf-emulator-").tempdir()?;
                (scratch.path().to_owned(), Some(scratch))
            }
        };
        let code_root = root.join("code");
        std::fs::create_dir_all(&code_root)?;
        let bootstraps = bootstraps::install(&root.join("bootstraps"))?;
        Ok(Self {
            watchdog: Arc::new(Watchdog::start()?),
            temporary_keys,
            code_root,
            bootstraps,
            _scratch: scratch,
            idle: Mutex::new(HashMap::new()),
            keep_warm,
            busy: Mutex::new(Busy::default()),
            running: Mutex::new(HashMap::new()),
        })
    }

    /// Checks that the emulator can run `runtime` on this machine, before an invocation is accepted.
    pub(crate) fn check_runtime(runtime: &str) -> Result<(), Failure> {
        check_runtime_on(runtime, std::env::var_os("PATH").as_deref())
    }

    /// Runs `event` as `request_id` on an instance of `launch`; `zip` gives the code when it must be
    /// unpacked.
    pub(crate) async fn run(
        &self,
        launch: &Launch,
        zip: impl FnOnce() -> Result<Vec<u8>, Failure>,
        request_id: &str,
        event: Vec<u8>,
    ) -> Report {
        if let Err(message) = locked(&self.busy).take(launch) {
            return Report::failed(request_id, RESOURCE_LIMIT_REACHED, &message, "");
        }
        let report = self.run_reserved(launch, zip, request_id, event).await;
        locked(&self.busy).give_back(launch);
        report
    }

    async fn run_reserved(
        &self,
        launch: &Launch,
        zip: impl FnOnce() -> Result<Vec<u8>, Failure>,
        request_id: &str,
        event: Vec<u8>,
    ) -> Report {
        let mut instance = match self.take_idle(launch) {
            Some(instance) => instance,
            None => match self.start(launch, zip, request_id).await {
                Ok((instance, lease)) => Watched::new(instance, lease, &self.watchdog),
                Err(report) => return *report,
            },
        };
        locked(&self.running).insert(request_id.to_owned(), instance.instance().terminator());
        let completed = instance
            .instance()
            .invoke(Invocation {
                request_id: request_id.to_owned(),
                event,
                timeout: launch.timeout,
            })
            .await;
        locked(&self.running).remove(request_id);
        let report = report(request_id, launch, completed);
        if report.status_code != TIME_LIMIT_REACHED && instance.instance().is_alive() {
            locked(&self.idle)
                .entry(launch.function)
                .or_default()
                .entry(launch.pool.clone())
                .or_default()
                .push(Idle {
                    instance,
                    since: Instant::now(),
                });
        }
        report
    }

    /// An idle instance of the pool, after dropping the idle ones of the function's other pools: a
    /// function whose code or settings changed does not run its old code again.
    fn take_idle(&self, launch: &Launch) -> Option<Watched> {
        let mut idle = locked(&self.idle);
        let pools = idle.get_mut(&launch.function)?;
        pools.retain(|pool, _| pool == &launch.pool);
        let instances = pools.get_mut(&launch.pool)?;
        // The most recently used first, so the others can go cold.
        while let Some(Idle { mut instance, .. }) = instances.pop() {
            if instance.instance().is_alive() {
                return Some(instance);
            }
        }
        None
    }

    /// Stops the instances that have been idle for the keep-warm period at `now`.
    pub(crate) fn stop_cold(&self, now: Instant) {
        let warm = |idle: &Idle| now.saturating_duration_since(idle.since) < self.keep_warm;
        locked(&self.idle).retain(|_, pools| {
            pools.retain(|_, instances| {
                instances.retain(warm);
                !instances.is_empty()
            });
            !pools.is_empty()
        });
    }

    /// Stops the idle instances of `function`, which is gone.
    pub(crate) fn forget(&self, function: i64) {
        locked(&self.idle).remove(&function);
        // Its unpacked code goes too, unless an invocation still runs it; a function created later
        // with the same row id then starts from a clean directory.
        let busy = locked(&self.busy);
        if busy.instances.get(&function).copied().unwrap_or(0) == 0 {
            let _ = std::fs::remove_dir_all(self.function_root(function));
        }
    }

    /// Removes, at start-up, what no invocation reads again: the directory of every function the store
    /// no longer holds (left by a function deleted while the emulator was killed, or anything else at
    /// the top of the code directory), so a function given a freed row id finds none of its files; and
    /// the staging directories of unpacks that a kill interrupted. `live` reads the row ids of the
    /// stored functions. One emulator uses a state directory at a time.
    pub(crate) fn keep_code_of(
        &self,
        live: impl FnOnce() -> Result<HashSet<i64>, Failure>,
    ) -> Result<(), Failure> {
        let Ok(entries) = std::fs::read_dir(&self.code_root) else {
            return Ok(());
        };
        let live = live()?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let kept = name
                .to_str()
                .and_then(|name| name.parse::<i64>().ok().filter(|id| id.to_string() == name))
                .is_some_and(|id| live.contains(&id));
            if kept {
                remove_staging(&entry.path());
            } else {
                remove_entry(&entry);
            }
        }
        Ok(())
    }

    /// Where the versions of `function` are unpacked: a directory of its own, so what one function
    /// writes beside its code no other function sees.
    fn function_root(&self, function: i64) -> PathBuf {
        self.code_root.join(function.to_string())
    }

    async fn start(
        &self,
        launch: &Launch,
        zip: impl FnOnce() -> Result<Vec<u8>, Failure>,
        request_id: &str,
    ) -> Result<(Instance, Lease), Box<Report>> {
        let failed = |status_code, message: String, output: &str| {
            Box::new(Report::failed(request_id, status_code, &message, output))
        };
        let function_root = self.function_root(launch.function);
        let code_dir = function_root.join(&launch.code_sha256);
        let code_dir = if code_dir.is_dir() {
            code_dir
        } else {
            let zip = zip().map_err(|failure| failed(CONTAINER_INIT_ERROR, failure.message, ""))?;
            unpack(&zip, &function_root)
                .map_err(|error| failed(CONTAINER_INIT_ERROR, error.to_string(), ""))?
        };
        let start = Start::of(&launch.runtime)
            .map_err(|failure| failed(CONTAINER_INIT_ERROR, failure.message, ""))?;
        let (program, args, mut env) = match start {
            Start::Own => (code_dir.join("bootstrap"), Vec::new(), Vec::new()),
            Start::Shipped(bootstrap) => {
                let (program, args) = self.bootstraps.command(bootstrap);
                let own = launch.function_variables.iter().map(String::as_str);
                (program, args, bootstrap.environment(&code_dir, own))
            }
        };
        env.push((
            "USER_CODE_ROOT".to_owned(),
            code_dir.to_string_lossy().into_owned(),
        ));
        env.extend(launch.env.iter().cloned());
        let lease = self.temporary_keys.lease().map_err(|error| {
            failed(
                CONTAINER_INIT_ERROR,
                format!("No temporary credentials for the function: {error}."),
                "",
            )
        })?;
        env.extend(lease.environment());
        let instance = Instance::start(InstanceSpec {
            program,
            args,
            code_dir,
            handler: launch.handler.clone(),
            env,
            init_timeout: launch.init_timeout,
            memory_limit_mb: launch.memory_mb,
            output_cap: OUTPUT_CAP,
        })
        .await
        .map_err(|InitFailure { kind, log }| {
            let (status_code, message) = match &kind {
                InitFailureKind::Spawn(error) => (
                    CONTAINER_INIT_ERROR,
                    format!("The function could not be started: {error}."),
                ),
                InitFailureKind::Exited(status) => (
                    CONTAINER_STATE_EXITED,
                    format!("The function exited before it was ready ({status})."),
                ),
                InitFailureKind::TimedOut => (
                    INIT_CONTAINER_TIMEOUT,
                    format!(
                        "The function was not ready within its init timeout of {} seconds.",
                        launch.init_timeout.as_secs()
                    ),
                ),
            };
            failed(status_code, message, &log)
        })?;
        Ok((instance, lease))
    }

    /// Ends the running invocation `request_id`, if it runs here: at once, or after SIGTERM and `grace`.
    pub(crate) fn terminate(&self, request_id: &str, grace: Option<Duration>) -> bool {
        match locked(&self.running).get(request_id) {
            Some(terminator) => {
                terminator.terminate(grace);
                true
            }
            None => false,
        }
    }

    /// Kills every instance, idle or running.
    pub(crate) fn shutdown(&self) {
        locked(&self.idle).clear();
        for terminator in locked(&self.running).values() {
            terminator.terminate(None);
        }
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Removes a file, or a directory with everything in it; a symbolic link goes, never what it points to.
fn remove_entry(entry: &std::fs::DirEntry) {
    let path = entry.path();
    let _ = match entry.file_type() {
        Ok(kind) if kind.is_dir() => std::fs::remove_dir_all(&path),
        _ => std::fs::remove_file(&path),
    };
}

/// Removes the staging directories that interrupted unpacks left in a function's directory.
fn remove_staging(function_root: &Path) {
    let Ok(entries) = std::fs::read_dir(function_root) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(STAGING_PREFIX)
        {
            remove_entry(&entry);
        }
    }
}

/// The instances running an invocation.
#[derive(Debug, Default)]
struct Busy {
    /// Per function.
    instances: HashMap<i64, u32>,
    /// The memory of those of functions without reserved concurrency.
    shared_mb: u64,
}

impl Busy {
    /// Counts an instance of `launch`'s function as busy, unless that goes over its quota; the refusal
    /// says which.
    fn take(&mut self, launch: &Launch) -> Result<(), String> {
        let count = self.instances.entry(launch.function).or_default();
        match launch.quota {
            Quota::Reserved { instances } if *count >= instances => {
                return Err(format!(
                    "Function concurrency exceeded its limit of {instances} instance(s)."
                ));
            }
            Quota::Shared { memory_mb } if self.shared_mb + launch.memory_mb > memory_mb => {
                return Err(format!(
                    "Account concurrency exceeded the {memory_mb} MB that functions without reserved concurrency share."
                ));
            }
            Quota::Reserved { .. } => {}
            Quota::Shared { .. } => self.shared_mb += launch.memory_mb,
        }
        *count += 1;
        Ok(())
    }

    fn give_back(&mut self, launch: &Launch) {
        if let Some(count) = self.instances.get_mut(&launch.function) {
            *count = count.saturating_sub(1);
        }
        if let Quota::Shared { .. } = launch.quota {
            self.shared_mb = self.shared_mb.saturating_sub(launch.memory_mb);
        }
    }
}

/// An instance waiting for an invocation of its pool.
#[derive(Debug)]
struct Idle {
    instance: Watched,
    since: Instant,
}

/// An instance whose process group the watchdog holds for as long as it lives.
#[derive(Debug)]
struct Watched {
    instance: Instance,
    // Declared after the instance, so they are dropped after the instance has killed its group.
    _watch: Watch,
    _lease: Lease,
}

/// The watchdog's hold on one process group, released when dropped.
#[derive(Debug)]
struct Watch {
    group: Option<u32>,
    watchdog: Arc<Watchdog>,
}

impl Watched {
    fn new(instance: Instance, lease: Lease, watchdog: &Arc<Watchdog>) -> Self {
        let group = instance.pid();
        if let Some(group) = group {
            watchdog.watch(group);
        }
        Self {
            instance,
            _watch: Watch {
                group,
                watchdog: Arc::clone(watchdog),
            },
            _lease: lease,
        }
    }

    fn instance(&mut self) -> &mut Instance {
        &mut self.instance
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(group) = self.group {
            self.watchdog.forget(group);
        }
    }
}

/// What an ending reports, with the request's framed log.
fn report(request_id: &str, launch: &Launch, completed: Completed) -> Report {
    let Completed {
        outcome,
        log,
        duration,
        mem_usage,
    } = completed;
    let text = |body: Vec<u8>| String::from_utf8_lossy(&body).into_owned();
    let terminated = outcome == Ending::Terminated;
    let (status_code, ret_msg, err_msg) = match outcome {
        Ending::Returned(body) => (SUCCESS, text(body), String::new()),
        Ending::Errored(body) => {
            let err_msg = text(body);
            // A shipped bootstrap names the status of what failed (437 for a missing handler).
            let status_code = serde_json::from_str::<serde_json::Value>(&err_msg)
                .ok()
                .and_then(|error| error.get("statusCode")?.as_i64())
                .filter(|code| (400..600).contains(code))
                .unwrap_or(USER_CODE_EXCEPTION);
            (status_code, String::new(), err_msg)
        }
        Ending::TimedOut => (
            TIME_LIMIT_REACHED,
            String::new(),
            error_json(
                request_id,
                TIME_LIMIT_REACHED,
                &format!(
                    "Invoking task timed out after {} seconds",
                    launch.timeout.as_secs()
                ),
            ),
        ),
        Ending::Exited(status) => (
            USER_PROCESS_EXIT,
            String::new(),
            error_json(
                request_id,
                USER_PROCESS_EXIT,
                &format!("User process exit when running ({status})"),
            ),
        ),
        Ending::Terminated => (
            USER_PROCESS_EXIT,
            String::new(),
            error_json(
                request_id,
                USER_PROCESS_EXIT,
                "The invocation was terminated",
            ),
        ),
        Ending::TooLarge => (
            RESPONSE_TOO_LARGE,
            String::new(),
            error_json(
                request_id,
                RESPONSE_TOO_LARGE,
                "The size of response exceeds the upper limit (6MB)",
            ),
        ),
    };
    Report {
        terminated,
        status_code,
        ret_msg,
        err_msg,
        log: frame(request_id, &log, duration, launch.memory_mb, mem_usage),
        duration,
        mem_usage,
    }
}

/// Whether the emulator can run the code of a `runtime` function on this machine: `Err` says why not
/// (a runtime it does not run, or an interpreter missing from `PATH`). The check invocations get.
pub fn can_run(runtime: &str) -> Result<(), String> {
    Runner::check_runtime(runtime).map_err(|failure| failure.message)
}

/// [`Runner::check_runtime`] with `path` as the search path of interpreters.
fn check_runtime_on(runtime: &str, path: Option<&std::ffi::OsStr>) -> Result<(), Failure> {
    match Start::of(runtime)? {
        Start::Own => Ok(()),
        Start::Shipped(bootstrap) if on_path(bootstrap.interpreter(), path).is_some() => Ok(()),
        Start::Shipped(bootstrap) => Err(Failure::new(
            ErrorCode::FailedOperation,
            format!(
                "Runtime `{runtime}` runs under `{}`, which is not on this machine's PATH.",
                bootstrap.interpreter()
            ),
        )),
    }
}

/// The first executable file called `name` in the directories of `path` (as `PATH` lists them).
fn on_path(name: &str, path: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_missing_interpreter_or_an_unknown_runtime_is_refused_with_the_reason() {
        let empty = tempfile::tempdir().unwrap();
        let path = Some(empty.path().as_os_str());
        let refused = check_runtime_on("Python3.9", path).unwrap_err();
        assert_eq!(refused.code, ErrorCode::FailedOperation);
        assert!(refused.message.contains("`python3`"), "{}", refused.message);
        let refused = check_runtime_on("Nodejs16.13", None).unwrap_err();
        assert!(refused.message.contains("`node`"), "{}", refused.message);
        let refused = check_runtime_on("Java8", path).unwrap_err();
        assert!(refused.message.contains("Java8"), "{}", refused.message);
        // A Custom Runtime brings its own bootstrap.
        assert!(check_runtime_on("CustomRuntime", None).is_ok());

        let interpreter = empty.path().join("python3");
        std::fs::write(&interpreter, "#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&interpreter, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(check_runtime_on("Python3.9", path).is_ok());
    }
}
