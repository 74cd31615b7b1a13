//! `scf demo`: the whole async-event lifecycle against an emulator started in-process.
#![allow(clippy::print_stdout)]

use std::time::Duration;

use scf::model::{InvokeRequest, ListAsyncEventsRequest};
use scf::{Client, Credentials, Endpoint, ProxyConfig};
use scf_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator};

use crate::args::{Output, WaitArgs};
use crate::exit::Failure;
use crate::{commands, output, progress};

pub(crate) async fn run(format: Output) -> Result<(), Failure> {
    let emulator = Emulator::builder()
        .start()
        .await
        .map_err(|e| Failure::Config(e.to_string()))?;
    println!(
        "Started a local SCF emulator at {} (no credentials or network needed).",
        emulator.url()
    );
    let credentials = Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY)
        .map_err(|e| Failure::Config(e.to_string()))?;
    let client = Client::builder()
        .endpoint(Endpoint::url(&emulator.url()).map_err(|e| Failure::Config(e.to_string()))?)
        .credentials(credentials)
        .proxy(ProxyConfig::None)
        .build()?;

    println!("\n1. Invoke the demo function `hello` asynchronously:");
    let id = client
        .invoke_async("hello", Some(r#"{"greeting": "hi"}"#))
        .await?;
    println!("   InvokeRequestId {id}");

    println!("\n2. Wait for it, polling GetAsyncEventStatus:");
    let wait = WaitArgs {
        max_wait: 60,
        min_delay_ms: 200,
        max_delay_ms: 1_000,
    };
    let outcome = client.wait(&id, progress::options(&wait)).await?;
    println!(
        "   ended {} with status code {} after {} polls",
        outcome.status, outcome.status_code, outcome.polls
    );

    println!("\n3. Its final status:");
    commands::get_async_event_status(&client, format, &id).await?;

    println!("\n4. Start a long-running event and terminate it:");
    let mut long = InvokeRequest::event("hello");
    long.client_context = Some(r#"{"scf_emulator": {"duration_ms": 600000}}"#.to_owned());
    let long_id = client.invoke(&long).await?.result.function_request_id;
    println!(
        "   InvokeRequestId {long_id} is {}",
        client.get_async_event_status(&long_id).await?.result.status
    );
    client
        .terminate_async_event("hello", &long_id, false)
        .await?;
    tokio::time::sleep(Duration::from_millis(50)).await;
    commands::get_async_event_status(&client, format, &long_id).await?;

    println!("\n5. The function's events:");
    let listed = client
        .list_async_events(&ListAsyncEventsRequest::new("hello"))
        .await?;
    output::print(format, &listed);

    emulator.shutdown().await;
    println!("\nDone: invoked, waited, listed, terminated.");
    Ok(())
}
