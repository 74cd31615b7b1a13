//! The `scf-emulator` binary run as a process of its own, and a signed client for it.
#![cfg(unix)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as Http;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use scf_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY};
use serde_json::Value;
use tc3_signer::{Credentials, SigningParams};

/// A running emulator binary, killed with SIGKILL when dropped, so a failing test leaves none behind (its
/// inherited stderr would keep the test runner waiting).
pub struct EmulatorProcess {
    child: Child,
    /// Where it listens, from its banner.
    pub url: String,
}

impl EmulatorProcess {
    /// Starts the binary on a free port with `args` and reads its address off the banner.
    pub fn spawn(args: &[&OsStr]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scf-emulator"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let url = first
            .strip_prefix("SCF emulator listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_owned();
        // Keep reading the output so the emulator never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, url }
    }

    /// SIGKILL, as a crash or the OOM killer sends it, then reaps the process.
    pub fn kill_now(&mut self) {
        let _ = self.signal("-KILL");
    }

    /// SIGTERM, as a service manager stops it, then reaps the process; its exit status.
    pub fn terminate(&mut self) -> Option<ExitStatus> {
        self.signal("-TERM")
    }

    /// SIGINT, as Ctrl-C in a terminal stops it, then reaps the process; its exit status.
    pub fn interrupt(&mut self) -> Option<ExitStatus> {
        self.signal("-INT")
    }

    fn signal(&mut self, signal: &str) -> Option<ExitStatus> {
        if self.child.try_wait().ok().flatten().is_none() {
            // No assertion here: this also runs while a failed test unwinds.
            let _ = Command::new("kill")
                .args([signal, &self.child.id().to_string()])
                .status();
        }
        self.child.wait().ok()
    }

    /// Whether the process has exited.
    pub fn exited(&mut self) -> bool {
        self.child.try_wait().unwrap().is_some()
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        self.kill_now();
    }
}

/// Whether process `pid` is gone: no longer in /proc, or a zombie nobody reaped yet.
pub fn process_gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

/// Waits until process `pid` is gone, failing after `deadline`.
pub fn wait_until_gone(pid: u32, deadline: Duration) {
    let start = Instant::now();
    while !process_gone(pid) {
        assert!(start.elapsed() < deadline, "process {pid} is still alive");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A signed client for an emulator that runs in another process.
pub struct ProcessClient {
    url: String,
    http: Http<HttpConnector, Full<Bytes>>,
}

impl ProcessClient {
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            http: Http::builder(TokioExecutor::new()).build_http(),
        }
    }

    pub async fn post(&self, action: &str, body: Value) -> Value {
        let credentials = Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).unwrap();
        let mut request = Request::post(format!("{}/", self.url))
            .header("content-type", "application/json")
            .header("x-tc-action", action)
            .header("x-tc-version", "2018-04-16")
            .header("x-tc-region", "ap-guangzhou")
            .body(body.to_string().into_bytes())
            .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        tc3_signer::http::sign_request(&mut request, &SigningParams::new(&credentials, "scf", now))
            .unwrap();
        let response = self
            .http
            .request(request.map(|body| Full::new(Bytes::from(body))))
            .await
            .unwrap();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&body).unwrap()
    }
}
