//! Instances of real processes on real loopback: the official bash sample, every ending, and the safety
//! rules. The bootstraps are bash scripts using curl, as the official sample is. Every wait has a generous
//! deadline and no test measures time, so they hold on a loaded machine.

#![allow(clippy::unwrap_used)]

mod endings;
mod safety;
mod sample;

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use zip::write::SimpleFileOptions;

use super::instance::{InstanceSpec, Invocation};
use super::unpack::unpack;

/// The longest any one test may take before it counts as hung.
const TEST_DEADLINE: Duration = Duration::from_secs(180);

/// Runs `future`, failing the test if it outlives [`TEST_DEADLINE`].
async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(TEST_DEADLINE, future)
        .await
        .expect("the test hung")
}

/// A function's code, unpacked from a zip into a directory removed with it.
struct Code {
    _root: tempfile::TempDir,
    dir: PathBuf,
}

/// Zips `(name, mode, text)` entries and unpacks the zip as the emulator does.
fn code(entries: &[(&str, u32, &str)]) -> Code {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, mode, text) in entries {
        let options = SimpleFileOptions::default().unix_permissions(*mode);
        writer.start_file(*name, options).unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    let zip = writer.finish().unwrap().into_inner();
    let root = tempfile::tempdir().unwrap();
    let dir = unpack(&zip, root.path()).unwrap();
    Code { _root: root, dir }
}

/// A bash Custom Runtime: `init` runs before ready, then `body` runs for each event in `$EVENT`, with the
/// runtime API's base URL in `$API`.
fn bash_runtime(init: &str, body: &str) -> String {
    format!(
        r#"#!/bin/bash
set -eu
API="http://$SCF_RUNTIME_API:$SCF_RUNTIME_API_PORT/runtime"
{init}
curl -sS -X POST -d ' ' "$API/init/ready"
while true; do
  EVENT=$(curl -sS "$API/invocation/next")
  {body}
done
"#
    )
}

/// The code of one bash runtime as an executable `bootstrap`.
fn bash_code(init: &str, body: &str) -> Code {
    code(&[("bootstrap", 0o755, &bash_runtime(init, body))])
}

/// Runs `<code>/bootstrap` with a generous init timeout.
fn spec(code: &Code) -> InstanceSpec {
    spec_of(code, "bootstrap")
}

fn spec_of(code: &Code, program: &str) -> InstanceSpec {
    InstanceSpec {
        program: code.dir.join(program),
        args: Vec::new(),
        code_dir: code.dir.clone(),
        handler: "index.main_handler".to_owned(),
        env: Vec::new(),
        init_timeout: Duration::from_secs(60),
        memory_limit_mb: 128,
        output_cap: 64 * 1024,
    }
}

fn invocation(request_id: &str, event: &str, timeout: Duration) -> Invocation {
    Invocation {
        request_id: request_id.to_owned(),
        event: event.as_bytes().to_vec(),
        timeout,
    }
}

/// Whether process `pid` has ended: no longer listed, or a zombie waiting to be reaped by its parent.
fn is_gone(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return true;
    };
    // The state follows the command name, which is in parentheses and may itself contain some.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    matches!(state, Some('Z' | 'X') | None)
}

/// Waits, with a generous deadline, for process `pid` to end; whether it did.
async fn ends(pid: u32) -> bool {
    for _ in 0..600 {
        if is_gone(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// The number after `label ` in `log`, e.g. a process id a bootstrap printed.
fn number_after(log: &str, label: &str) -> u32 {
    let start = log
        .find(label)
        .unwrap_or_else(|| panic!("no `{label}` in {log:?}"))
        + label.len();
    log[start..]
        .trim_start()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// A file a bootstrap touches (`touch "$MARKER"`) to say it got this far.
struct Marker {
    dir: tempfile::TempDir,
}

impl Marker {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("marker")
    }

    /// [`spec`] with `MARKER` naming the file.
    fn spec(&self, code: &Code) -> InstanceSpec {
        let mut spec = spec(code);
        spec.env
            .push(("MARKER".to_owned(), self.path().display().to_string()));
        spec
    }

    /// Waits, with a generous deadline, until the file exists; whether it does.
    async fn appears(&self) -> bool {
        let path = self.path();
        for _ in 0..600 {
            if path.exists() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }
}
