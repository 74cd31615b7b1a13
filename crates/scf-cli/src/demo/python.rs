//! The demo's last step: a Python function's own code, deployed from a zip built in memory and run by
//! the emulator, which the demo starts with `run_code` (its `hello` has no code, so its events keep
//! following their script).
#![allow(clippy::print_stdout)]

use std::io::Write;

use base64::Engine;
use scf::model::EventStatus;
use serde_json::{Value, json};

use super::{Demo, WAIT};
use crate::commands::function_failure;
use crate::exit::Failure;
use crate::progress;

/// The interpreter the emulator runs Python functions under, named when the step is skipped.
const INTERPRETER: &str = "python3";
const FUNCTION: &str = "hello-python";
const RUNTIME: &str = "Python3.9";
/// The function's whole code: a handler that prints one line and returns a greeting.
const HANDLER_SOURCE: &str = r#"import sys


def main_handler(event, context):
    print("Hello from Python", sys.version.split()[0], "to", event["greeting"])
    return {"greeting": event["greeting"] + " back", "memory_limit_in_mb": context["memory_limit_in_mb"]}
"#;

/// Runs the step, or says in one line why it is skipped; returns whether code ran.
pub(super) async fn run(demo: &Demo<'_>) -> Result<bool, Failure> {
    // The emulator's own check: the step runs exactly when the emulator could run the function.
    if scf_emulator::can_run(RUNTIME).is_err() {
        println!(
            "\n6. Skipped running a Python function's own code: `{INTERPRETER}` is not on PATH."
        );
        return Ok(false);
    }
    println!("\n6. Run a Python function's own code:");
    let client = demo.client;

    demo.call(
        "CreateFunction",
        json!({
            "FunctionName": FUNCTION,
            "Runtime": RUNTIME,
            "Handler": "index.main_handler",
            "Code": {"ZipFile": code_zip()?},
            "AsyncRunEnable": "TRUE",
            "Timeout": 10,
        }),
    )
    .await?;
    let active = client
        .wait_until_function_active(FUNCTION, progress::function_options(&WAIT))
        .await
        .map_err(function_failure)?;
    println!(
        "   Created `{FUNCTION}` ({RUNTIME}, index.py from a zip built in memory); {} after {} polls",
        active.function.status, active.polls
    );

    let id = client
        .invoke_async(FUNCTION, Some(r#"{"greeting": "hi"}"#))
        .await?;
    println!("   InvokeRequestId {id}");
    let outcome = client.wait(&id, progress::options(&WAIT)).await?;
    println!(
        "   ended {} with status code {}",
        outcome.status, outcome.status_code
    );

    let logs = demo
        .call(
            "GetFunctionLogs",
            json!({"FunctionName": FUNCTION, "FunctionRequestId": id}),
        )
        .await?;
    let entries = logs
        .get("Data")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    println!("   Its log, from GetFunctionLogs:");
    for entry in entries {
        let text = |member: &str| {
            entry
                .get(member)
                .and_then(Value::as_str)
                .unwrap_or_default()
        };
        for line in text("Log").lines() {
            println!("   | {line}");
        }
        // RetMsg is the return value of a success and the error of a failure.
        println!("   RetMsg {}", text("RetMsg"));
    }

    match outcome.status {
        EventStatus::Failed => Err(Failure::EventFailed),
        EventStatus::Aborted => Err(Failure::EventAborted),
        _ => Ok(true),
    }
}

/// The function's code as CreateFunction takes it: a zip holding `index.py`, in base64.
fn code_zip() -> Result<String, Failure> {
    let cannot =
        |e: &dyn std::fmt::Display| Failure::Config(format!("cannot build the demo's zip: {e}"));
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().unix_permissions(0o644);
    writer
        .start_file("index.py", options)
        .map_err(|e| cannot(&e))?;
    writer
        .write_all(HANDLER_SOURCE.as_bytes())
        .map_err(|e| cannot(&e))?;
    let zip = writer.finish().map_err(|e| cannot(&e))?.into_inner();
    Ok(base64::engine::general_purpose::STANDARD.encode(zip))
}
