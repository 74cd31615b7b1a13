//! The async-event lifecycle against a local emulator: invoke, wait with progress, list, terminate.
//!
//! `cargo run -p scf --example lifecycle`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Duration;

use futures_util::StreamExt;
use scf::model::ListAsyncEventsRequest;
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
    client.terminate_async_event("hello", &long, false).await?;
    println!(
        "{long} is {}",
        client.get_async_event_status(&long).await?.result.status
    );

    let mut events = Box::pin(client.list_all_async_events(ListAsyncEventsRequest::new("hello")));
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
