//! The `scf-emulator` binary with `--run-code`: no instance outlives it, whether it is stopped with
//! SIGTERM or SIGINT or dies of SIGKILL.

#![allow(clippy::unwrap_used)]
#![cfg(target_os = "linux")]

mod common;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use common::process::{EmulatorProcess, ProcessClient, wait_until_gone};
use common::zips::base64;
use serde_json::json;

const DEADLINE: Duration = Duration::from_secs(60);

/// A Python function that writes its process id to the file its event names, then sleeps.
fn sleeper_zip() -> String {
    let source = "import os, time, subprocess\n\
        def main_handler(event, context):\n    \
            child = subprocess.Popen(['sleep', '1000'])\n    \
            with open(event['pids'] + '.tmp', 'w') as f:\n        f.write(f'{os.getpid()} {child.pid}')\n    \
            os.rename(event['pids'] + '.tmp', event['pids'])\n    \
            time.sleep(1000)\n";
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer
        .start_file("index.py", zip::write::SimpleFileOptions::default())
        .unwrap();
    writer.write_all(source.as_bytes()).unwrap();
    base64(&writer.finish().unwrap().into_inner())
}

/// Starts the binary with --run-code, runs the sleeper asynchronously and returns the emulator with the
/// process ids of the handler and of the child it forked.
async fn running_sleeper(dir: &Path) -> (EmulatorProcess, Vec<u32>) {
    let emulator = EmulatorProcess::spawn(&["--run-code".as_ref()]);
    let client = ProcessClient::new(&emulator.url);
    let created = client
        .post(
            "CreateFunction",
            json!({"FunctionName": "sleeper", "Runtime": "Python3.9", "Handler": "index.main_handler",
                   "Code": {"ZipFile": sleeper_zip()}, "AsyncRunEnable": "TRUE", "Timeout": 900}),
        )
        .await;
    assert!(created["Response"]["Error"].is_null(), "{created}");
    let pids = dir.join("pids");
    let invoked = loop {
        // The function is Creating for a moment after CreateFunction.
        let reply = client
            .post(
                "Invoke",
                json!({"FunctionName": "sleeper", "InvocationType": "Event",
                       "ClientContext": json!({"pids": pids}).to_string()}),
            )
            .await;
        if reply["Response"]["Error"]["Code"] != "FailedOperation.FunctionStatusError" {
            break reply;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(invoked["Response"]["Error"].is_null(), "{invoked}");
    let start = std::time::Instant::now();
    while !pids.exists() {
        assert!(start.elapsed() < DEADLINE, "the handler never ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pids = std::fs::read_to_string(&pids)
        .unwrap()
        .split_whitespace()
        .map(|pid| pid.parse().unwrap())
        .collect();
    (emulator, pids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_and_sigint_stop_every_instance_with_the_emulator() {
    for stop in [EmulatorProcess::terminate, EmulatorProcess::interrupt] {
        let dir = tempfile::tempdir().unwrap();
        let (mut emulator, pids) = running_sleeper(dir.path()).await;
        // It stopped itself, rather than dying of the signal.
        let status = stop(&mut emulator).unwrap();
        assert!(status.success(), "{status}");
        for pid in pids {
            wait_until_gone(pid, DEADLINE);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_emulator_leaves_no_instance_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (mut emulator, pids) = running_sleeper(dir.path()).await;
    emulator.kill_now();
    assert!(emulator.exited());
    for pid in pids {
        wait_until_gone(pid, DEADLINE);
    }
}
