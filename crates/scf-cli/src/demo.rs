//! `scf demo`: the whole async-event lifecycle against an emulator started in-process.
#![allow(clippy::print_stdout)]

mod python;

use std::time::Duration;

use scf::{Client, Credentials, Endpoint, ProxyConfig};
use scf_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator, RunningEmulator};
use serde_json::{Value, json};
use tc_api::schema::ActionSchema;

use crate::action_command;
use crate::args::{Output, WaitArgs};
use crate::call;
use crate::exit::Failure;
use crate::ordered::{Absent, Ordered};
use crate::{output, progress};

pub(crate) async fn run(
    actions: &'static [&'static ActionSchema],
    format: Output,
) -> Result<(), Failure> {
    // It runs the code of functions that have some; the seeded `hello` has none and follows its script.
    let config = scf_emulator::Config {
        run_code: true,
        ..scf_emulator::Config::default()
    };
    let emulator = Emulator::builder()
        .config(config)
        .start()
        .await
        .map_err(|e| Failure::Config(e.to_string()))?;
    println!(
        "Started a local SCF emulator at {} (no credentials or network needed).",
        emulator.url()
    );
    let client = client_of(&emulator)?;
    let demo = Demo {
        actions,
        client: &client,
        format,
    };

    println!("\n1. Invoke the demo function `hello` asynchronously:");
    let id = client
        .invoke_async("hello", Some(r#"{"greeting": "hi"}"#))
        .await?;
    println!("   InvokeRequestId {id}");

    println!("\n2. Wait for it, polling GetAsyncEventStatus:");
    let outcome = client.wait(&id, progress::options(&WAIT)).await?;
    println!(
        "   ended {} with status code {} after {} polls",
        outcome.status, outcome.status_code, outcome.polls
    );

    println!("\n3. Its final status:");
    demo.show("GetAsyncEventStatus", json!({"InvokeRequestId": id}))
        .await?;

    println!("\n4. Start a long-running event and terminate it:");
    let long = json!({
        "FunctionName": "hello",
        "InvocationType": "Event",
        "ClientContext": r#"{"scf_emulator": {"duration_ms": 600000}}"#,
    });
    let started = demo.call("Invoke", long).await?;
    let long_id = started
        .pointer("/Result/FunctionRequestId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let status = demo
        .call("GetAsyncEventStatus", json!({"InvokeRequestId": long_id}))
        .await?;
    println!(
        "   InvokeRequestId {long_id} is {}",
        status
            .pointer("/Result/Status")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
    );
    demo.call(
        "TerminateAsyncEvent",
        json!({"FunctionName": "hello", "InvokeRequestId": long_id}),
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(50)).await;
    demo.show("GetAsyncEventStatus", json!({"InvokeRequestId": long_id}))
        .await?;

    println!("\n5. The function's events:");
    demo.show("ListAsyncEvents", json!({"FunctionName": "hello"}))
        .await?;

    let ran_code = python::run(&demo).await?;
    emulator.shutdown().await;
    let ran = if ran_code { ", ran Python code" } else { "" };
    println!("\nDone: invoked, waited, listed, terminated{ran}.");
    Ok(())
}

/// How the demo waits for events and functions: patiently, polling often enough to look live.
const WAIT: WaitArgs = WaitArgs {
    max_wait: 60,
    min_delay_ms: 200,
    max_delay_ms: 1_000,
};

/// A client of `emulator` with its demo keys, going straight to it whatever the proxy variables say.
fn client_of(emulator: &RunningEmulator) -> Result<Client, Failure> {
    let credentials = Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY)
        .map_err(|e| Failure::Config(e.to_string()))?;
    Client::builder()
        .endpoint(Endpoint::url(&emulator.url()).map_err(|e| Failure::Config(e.to_string()))?)
        .credentials(credentials)
        .proxy(ProxyConfig::None)
        .build()
        .map_err(|e| Failure::Config(e.to_string()))
}

/// The demo's calls, through the same generic path as the action commands.
struct Demo<'a> {
    actions: &'static [&'static ActionSchema],
    client: &'a Client,
    format: Output,
}

impl Demo<'_> {
    fn action(&self, name: &str) -> Result<&'static ActionSchema, Failure> {
        action_command::find(self.actions, name)
            .ok_or_else(|| Failure::Config(format!("the spec has no action {name}")))
    }

    async fn call(&self, name: &str, body: Value) -> Result<Value, Failure> {
        call::send(self.client, self.action(name)?, &body).await
    }

    async fn show(&self, name: &str, body: Value) -> Result<(), Failure> {
        let response = self.call(name, body).await?;
        let shown = Ordered::new(&response, self.action(name)?.output, Absent::Null);
        output::print(self.format, None, &shown)?;
        Ok(())
    }
}
