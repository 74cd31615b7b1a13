//! The async-event lifecycle against a local emulator: invoke, wait with progress, list, terminate.
//!
//! `cargo run -p scf --example lifecycle`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Duration;

use futures_util::StreamExt;
use scf::{Client, Credentials, Endpoint, WaitOptions};
use scf_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::builder().start().await?;
    let client = Client::builder()
        .endpoint(Endpoint::url(&emulator.url())?)
        .credentials(Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY)?)
        .build()?;

    let id = client
        .invoke_async("hello", Some(r#"{"name": "world"}"#))
        .await?;
    println!("started {id}");
    let options = WaitOptions {
        min_delay: Duration::from_millis(200),
        ..WaitOptions::default()
    }
    .on_progress(|progress| {
        let status = progress
            .status
            .map_or("not visible yet".to_owned(), ToString::to_string);
        eprintln!(
            "  poll {} after {:.1}s: {status}",
            progress.polls,
            progress.elapsed.as_secs_f64()
        );
    });
    let outcome = client.wait(&id, options).await?;
    println!("{id} ended {} ({})", outcome.status, outcome.status_code);

    let long = client
        .invoke_async(
            "hello",
            Some(r#"{"scf_emulator": {"duration_ms": 600000}}"#),
        )
        .await?;
    client
        .terminate_async_event()
        .function_name("hello")
        .invoke_request_id(&long)
        .send()
        .await?;
    let status = client
        .get_async_event_status()
        .invoke_request_id(&long)
        .send()
        .await?;
    println!("{long} is {}", status.result.status);

    let listing = client.list_async_events().function_name("hello");
    let mut events = std::pin::pin!(listing.into_paginator());
    while let Some(event) = events.next().await {
        let event = event?;
        println!(
            "{} {} {} → {}",
            event.invoke_request_id, event.status, event.start_time, event.end_time
        );
    }
    emulator.shutdown().await;
    Ok(())
}
