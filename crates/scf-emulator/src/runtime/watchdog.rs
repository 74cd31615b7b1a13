//! A watchdog that kills every instance when the emulator dies without stopping them, as a crash or
//! SIGKILL does.
//!
//! A child process outlives its parent, and the emulator denies itself `unsafe` (so no
//! `PR_SET_PDEATHSIG` in a `pre_exec`). Instead, a small `sh` started with the runner reads the process
//! groups of live instances on a pipe: `+GROUP` when one starts, `-GROUP` when it ends. The pipe closes
//! when the emulator exits for any reason; the watchdog then kills the groups it still holds. A normal
//! stop has already killed them and said so, so no group id that may since have been reused is hit.

use std::io::{self, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, PoisonError};

/// The watchdog's script: keep the live groups, kill those left when the pipe closes. Builtins only, so
/// it needs no `PATH`; `kill -KILL -PGID` without `--`, which dash's builtin refuses.
const SCRIPT: &str = r#"groups=""
while read -r line; do
  case "$line" in
    +*) groups="$groups ${line#+}" ;;
    -*) kept=""
        for group in $groups; do [ "$group" = "${line#-}" ] || kept="$kept $group"; done
        groups="$kept" ;;
  esac
done
for group in $groups; do kill -KILL "-$group" 2>/dev/null; done
"#;

/// The pipe to the watchdog process.
#[derive(Debug)]
pub(crate) struct Watchdog {
    pipe: Mutex<Option<ChildStdin>>,
    child: Mutex<Child>,
}

impl Watchdog {
    /// Starts the watchdog in a process group of its own, so a Ctrl-C at the terminal reaches the
    /// emulator (which stops its instances itself) without ending the watchdog first.
    pub(crate) fn start() -> io::Result<Self> {
        use std::os::unix::process::CommandExt;
        let mut child = Command::new("/bin/sh")
            .args(["-c", SCRIPT])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()?;
        let pipe = child.stdin.take();
        Ok(Self {
            pipe: Mutex::new(pipe),
            child: Mutex::new(child),
        })
    }

    /// Watches the process group `group`.
    pub(crate) fn watch(&self, group: u32) {
        self.say(&format!("+{group}\n"));
    }

    /// Stops watching `group`, which no longer exists.
    pub(crate) fn forget(&self, group: u32) {
        self.say(&format!("-{group}\n"));
    }

    fn say(&self, line: &str) {
        let mut pipe = self.pipe.lock().unwrap_or_else(PoisonError::into_inner);
        // A watchdog that died cannot be told anything; the instances are still killed on a normal stop.
        if let Some(stdin) = pipe.as_mut()
            && stdin.write_all(line.as_bytes()).is_err()
        {
            *pipe = None;
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        // Closing the pipe ends the watchdog; it kills only groups still listed, which none should be.
        self.pipe
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let _ = self
            .child
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .wait();
    }
}
