//! Code inside a function calls the emulator as code on SCF calls SCF: a Custom Runtime function written
//! with this workspace's client and its SCF-runtime credential provider invokes another function
//! asynchronously and waits for it, signed with the temporary credentials its instance was given.

#![allow(clippy::unwrap_used)]
#![cfg(target_os = "linux")]

use std::io::Write;

use base64::Engine;
use scf_emulator::{Config, Emulator, SystemClock};
use serde_json::{Value, json};

/// A zip of `(path, content, mode)` entries, base64 as `ZipFile` takes it.
fn zip_of(entries: &[(&str, &str, u32)]) -> String {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content, mode) in entries {
        let options = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
        writer.start_file(*name, options).unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    base64::engine::general_purpose::STANDARD.encode(writer.finish().unwrap().into_inner())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_invokes_another_asynchronously_and_waits_for_it() {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    config.function_ready_ms = 0;
    config.run_code = true;
    let emulator = Emulator::builder()
        .config(config)
        .clock(SystemClock)
        .start()
        .await
        .unwrap();
    let client = scf::Client::builder()
        .endpoint(scf::Endpoint::parse(&emulator.url()).unwrap())
        .credentials(
            scf::Credentials::new(scf_emulator::DEMO_SECRET_ID, scf_emulator::DEMO_SECRET_KEY)
                .unwrap(),
        )
        .build()
        .unwrap();
    let create = |name: &str, runtime: &str, zip: String| {
        client
            .create_function()
            .function_name(name)
            .runtime(runtime)
            .handler("index.main_handler")
            .code(scf::model::Code::default().zip_file(zip))
            .async_run_enable("TRUE")
            .timeout(60)
            .send()
    };
    let callee = "def main_handler(event, context):\n    return event['x'] * 2\n";
    create(
        "doubler",
        "Python3.9",
        zip_of(&[("index.py", callee, 0o644)]),
    )
    .await
    .unwrap();
    // The bootstrap starts the test's binary: code runs on this machine, so a path is enough (and the
    // debug binary would not fit a zip's size limit).
    let bootstrap = format!(
        "#!/bin/sh\nexec {}\n",
        env!("CARGO_BIN_EXE_caller-function")
    );
    create(
        "caller",
        "CustomRuntime",
        zip_of(&[("bootstrap", &bootstrap, 0o755)]),
    )
    .await
    .unwrap();

    let result = client
        .invoke()
        .function_name("caller")
        .client_context(json!({"callee": "doubler", "event": {"x": 21}}).to_string())
        .send()
        .await
        .unwrap()
        .result;
    assert_eq!(result.err_msg, "", "{result:?}");
    let answer: Value = serde_json::from_str(&result.ret_msg).unwrap();
    assert_eq!(answer["status"], "FINISHED", "{answer}");
    assert_eq!(answer["status_code"], 200, "{answer}");
    let signed_with = answer["signed_with"].as_str().unwrap();
    assert!(
        signed_with.starts_with("AKID") && signed_with != scf_emulator::DEMO_SECRET_ID,
        "the caller signed with its own temporary key, not {signed_with}"
    );

    // The callee's event is there for anyone to see, with what the callee returned in its log.
    let id = answer["invoke_request_id"].as_str().unwrap();
    let status = client
        .get_async_event_status()
        .invoke_request_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(status.result.status.as_str(), "FINISHED");
    let logs = client
        .get_function_logs()
        .function_name("doubler")
        .function_request_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(logs.data[0].ret_msg, "42");
    emulator.shutdown().await;
}
