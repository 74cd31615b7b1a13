//! The `scf-emulator` binary of this build, started as a process on a free loopback port.

// Each test file that includes this module uses part of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long the emulator gets to stop after SIGTERM: generous, for a loaded machine.
const STOP_DEADLINE: Duration = Duration::from_secs(60);

/// The `scf-emulator` binary: `SCF_EMULATOR_BIN`, else the one beside this test's own directory.
pub(crate) fn binary() -> PathBuf {
    if let Some(binary) = std::env::var_os("SCF_EMULATOR_BIN") {
        return PathBuf::from(binary);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let binary = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps")
        .join("scf-emulator");
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build -p scf-emulator` (or set SCF_EMULATOR_BIN)",
        binary.display()
    );
    binary
}

/// One running emulator process; dropping it stops the process.
pub(crate) struct EmulatorProcess {
    child: Child,
    endpoint: String,
}

impl EmulatorProcess {
    /// Starts the binary on `127.0.0.1:0` serving `state_dir`, with `extra` arguments, and waits for
    /// its banner.
    pub(crate) fn start(state_dir: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(binary())
            .args(["--listen", "127.0.0.1:0", "--state-dir"])
            .arg(state_dir)
            .args(extra.iter().map(OsStr::new))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the emulator binary starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut first = String::new();
        stdout
            .read_line(&mut first)
            .expect("the emulator prints a banner");
        // The rest of the banner and the stop message still need somewhere to go.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let url = first
            .trim()
            .strip_prefix("SCF emulator listening on ")
            .unwrap_or_else(|| panic!("unexpected banner: {first}"));
        let endpoint = url.trim_start_matches("http://").to_owned();
        Self { child, endpoint }
    }

    /// `127.0.0.1:PORT`, as the SDKs take it.
    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// SIGKILL: the emulator gets no chance to flush anything it had not committed.
    pub(crate) fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, as an operator stops it, then its exit status; panics if it has not exited in time.
    #[cfg(unix)]
    pub(crate) fn stop(mut self) -> ExitStatus {
        self.terminate();
        match self.wait_until(Instant::now() + STOP_DEADLINE) {
            Some(status) => status,
            None => panic!("the emulator did not stop within {STOP_DEADLINE:?} of SIGTERM"),
        }
    }

    #[cfg(unix)]
    fn terminate(&self) {
        let pid = rustix::process::Pid::from_child(&self.child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }

    /// The exit status, once the process has exited before `deadline`.
    fn wait_until(&mut self, deadline: Instant) -> Option<ExitStatus> {
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for EmulatorProcess {
    /// A test that failed half-way still stops the emulator, and with SIGTERM first so that it stops
    /// the function instances it started.
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        #[cfg(unix)]
        self.terminate();
        if self
            .wait_until(Instant::now() + Duration::from_secs(10))
            .is_none()
        {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Whether process `pid` has ended: gone, or a zombie nobody reaped yet (a container's first process
/// may never reap the orphans it inherits). Linux only: it reads `/proc`.
pub(crate) fn process_has_ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name, which may itself hold spaces or parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state == "Z" || state == "X"),
        Err(_) => true,
    }
}

/// Waits until process `pid` has ended; false if it is still alive at `deadline`.
pub(crate) fn wait_for_process_end(pid: u32, deadline: Instant) -> bool {
    while !process_has_ended(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}
