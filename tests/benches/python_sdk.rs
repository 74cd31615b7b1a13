//! `cargo bench -p scf-tests --bench python_sdk`: the official Tencent Cloud Python SDK and this workspace's
//! client calling `GetAsyncEventStatus` on the same emulator, one call at a time, in alternating rounds.
//!
//! The SDK comes from `cargo xtask python-sdk` (a virtual environment under `target/`) or `SCF_PYTHON`.
//! Without it the benchmark says so and reports no ratio, rather than failing.
#![allow(clippy::print_stdout, clippy::unwrap_used, missing_docs)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use bench_support::{Measured, Row, block_on, load, median, report, start_emulator};
use scf::model::InvocationType;
use scf_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY};

const RUN: Duration = Duration::from_secs(2);
const WARM_UP: Duration = Duration::from_millis(500);
const ROUNDS: usize = 3;

fn python() -> Result<PathBuf, String> {
    if let Some(python) = std::env::var_os("SCF_PYTHON") {
        return Ok(PathBuf::from(python));
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/python-sdk/bin/python");
    if venv.exists() {
        Ok(venv)
    } else {
        Err("the official Python SDK is not installed (cargo xtask python-sdk)".to_owned())
    }
}

/// One round of the Python SDK, measured by the script itself so that interpreter start-up is excluded.
fn python_round(python: &PathBuf, endpoint: &str, id: &str) -> Result<Measured, String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/sdk_bench.py");
    let output = Command::new(python)
        .arg(script)
        .env("SCF_ENDPOINT", endpoint)
        .env("SCF_SECRET_ID", DEMO_SECRET_ID)
        .env("SCF_SECRET_KEY", DEMO_SECRET_KEY)
        .env("SCF_INVOKE_REQUEST_ID", id)
        .env("SCF_WARM_UP_SECS", WARM_UP.as_secs_f64().to_string())
        .env("SCF_RUN_SECS", RUN.as_secs_f64().to_string())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!(
            "the Python SDK failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let line: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("unreadable output of the Python script: {e}"))?;
    let micros = |key: &str| Duration::from_secs_f64(line[key].as_f64().unwrap_or(0.0) / 1e6);
    Ok(Measured {
        per_second: line["calls"].as_f64().unwrap_or(0.0) / RUN.as_secs_f64(),
        p50: micros("p50_us"),
        p99: micros("p99_us"),
    })
}

fn main() {
    block_on(async {
        let emulator = start_emulator().await;
        let client = scf::Client::builder()
            .credentials(scf::signer::Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).unwrap())
            .endpoint(scf::Endpoint::url(&emulator.url()).unwrap())
            .region("ap-guangzhou")
            // The SDK has no client-side limit; neither does this side of the comparison.
            .rate_limits(HashMap::from([(
                "GetAsyncEventStatus".to_owned(),
                u32::MAX,
            )]))
            .build()
            .unwrap();
        let id = client
            .invoke()
            .function_name("hello")
            .invocation_type(InvocationType::Event)
            .client_context(r#"{"scf_emulator":{"duration_ms":3600000}}"#)
            .send()
            .await
            .unwrap()
            .result
            .function_request_id;

        println!(
            "GetAsyncEventStatus, one call at a time: the official Python SDK vs this workspace's client"
        );
        let python = python();
        let (mut theirs, mut ours) = (Vec::new(), Vec::new());
        let mut unavailable = python.as_ref().err().cloned();
        for _ in 0..ROUNDS {
            if let Ok(python) = &python {
                match python_round(python, &emulator.endpoint(), &id) {
                    Ok(measured) => theirs.push(measured),
                    Err(reason) => unavailable = Some(reason),
                }
            }
            let (client, id) = (client.clone(), id.clone());
            ours.push(
                load(1, WARM_UP, RUN, move || {
                    let (client, id) = (client.clone(), id.clone());
                    async move {
                        client
                            .get_async_event_status()
                            .invoke_request_id(&id)
                            .send()
                            .await
                            .unwrap();
                    }
                })
                .await,
            );
        }
        let ours = median(ours);
        println!("this client:       {}", ours.describe());
        let row = Row {
            area: "scf".into(),
            measurement: "GetAsyncEventStatus, concurrency 1: this client vs the official Python SDK (baseline)".into(),
            value: ours.describe(),
            target: "-".into(),
            ..Row::default()
        };
        match unavailable {
            Some(reason) => {
                println!("official Python SDK: not measured: {reason}");
                report(&Row {
                    baseline: format!("not measured: {reason}"),
                    ..row
                });
            }
            None => {
                let theirs = median(theirs);
                println!("official Python SDK: {}", theirs.describe());
                println!("speed-up: {:.1}x", ours.per_second / theirs.per_second);
                report(&Row {
                    baseline: format!("Python SDK: {}", theirs.describe()),
                    ratio: format!("{:.1}x faster", ours.per_second / theirs.per_second),
                    ..row
                });
            }
        }
    });
}
