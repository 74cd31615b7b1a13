//! `cargo xtask load`: the emulator alone under 64 keep-alive connections for 60 seconds.
//!
//! Each connection cycles through `Invoke` (a new event each time), `GetAsyncEventStatus` and
//! `ListAsyncEvents`, pre-signed once. The emulator is configured with per-action limits below what the
//! load asks for, so it must answer some requests `RequestLimitExceeded` and everything else with a
//! success; any other error, dropped connection or non-200 answer fails the run. Events are kept for
//! 10 seconds, so once they expire the event store and resident memory must stay flat: the last
//! sample may exceed the one taken 20 seconds in by at most 10%.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bench_support::resident_kib;
use bench_support::{block_on, copy, presign, send_once};
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use scf_emulator::{Config, Emulator};

const CONNECTIONS: usize = 64;
const RUN: Duration = Duration::from_secs(60);
const RETENTION_SECS: u64 = 10;
/// Samples before this are the store filling up to its retention; the flat part starts here.
const SETTLED: Duration = Duration::from_secs(20);
const SAMPLE_EVERY: Duration = Duration::from_secs(5);

/// What one answer was: `ok`, or the error code it carried.
fn outcome(body: &[u8]) -> String {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    match value["Response"]["Error"]["Code"].as_str() {
        Some(code) => code.to_owned(),
        None if value["Response"]["RequestId"].is_string() => "ok".to_owned(),
        None => "not an envelope".to_owned(),
    }
}

fn main() -> ExitCode {
    block_on(load())
}

async fn load() -> ExitCode {
    let mut config = Config {
        retention_secs: RETENTION_SECS,
        ..Config::default()
    };
    // Well below what 64 connections ask for, so the limiter is exercised on every action.
    for (action, limit) in [
        ("Invoke", 1000),
        ("GetAsyncEventStatus", 2000),
        ("ListAsyncEvents", 500),
    ] {
        config
            .rate_limits
            .per_second
            .insert(action.to_owned(), limit);
    }
    let emulator = Emulator::builder().config(config).start().await.unwrap();
    let addr = emulator.local_addr();
    let invoke = presign(
        addr,
        "Invoke",
        r#"{"FunctionName":"hello","InvocationType":"Event","ClientContext":"{\"scf_emulator\":{\"duration_ms\":50}}"}"#,
    );
    // The event asked about runs for the whole test, so its retention never starts.
    let long = presign(
        addr,
        "Invoke",
        r#"{"FunctionName":"hello","InvocationType":"Event","ClientContext":"{\"scf_emulator\":{\"duration_ms\":3600000}}"}"#,
    );
    let answer: serde_json::Value = serde_json::from_slice(&send_once(addr, long).await).unwrap();
    let id = answer["Response"]["Result"]["FunctionRequestId"]
        .as_str()
        .unwrap()
        .to_owned();
    let requests = Arc::new([
        invoke,
        presign(
            addr,
            "GetAsyncEventStatus",
            &format!(r#"{{"InvokeRequestId":"{id}"}}"#),
        ),
        presign(
            addr,
            "ListAsyncEvents",
            r#"{"FunctionName":"hello","Limit":20}"#,
        ),
    ]);

    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..CONNECTIONS {
        let requests = Arc::clone(&requests);
        workers.spawn(async move {
            let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .unwrap();
            tokio::spawn(connection);
            let mut turn = worker;
            while start.elapsed() < RUN {
                let request = &requests[turn % requests.len()];
                turn += 1;
                let action = request.headers()["x-tc-action"]
                    .to_str()
                    .unwrap_or_default()
                    .to_owned();
                let key = match sender.send_request(copy(request)).await {
                    Err(error) => format!("transport error: {error}"),
                    Ok(response) if response.status() != 200 => {
                        format!("HTTP {}", response.status())
                    }
                    Ok(response) => match response.into_body().collect().await {
                        Ok(body) => format!("{action} {}", outcome(&body.to_bytes())),
                        Err(error) => format!("truncated body: {error}"),
                    },
                };
                *outcomes.entry(key).or_default() += 1;
            }
            outcomes
        });
    }

    let mut samples = Vec::new();
    while start.elapsed() < RUN {
        tokio::time::sleep(SAMPLE_EVERY).await;
        let sample = (start.elapsed(), resident_kib(), emulator.event_count());
        println!(
            "{:>4.0} s: resident {} KiB, events held {}",
            sample.0.as_secs_f64(),
            sample.1,
            sample.2
        );
        samples.push(sample);
    }
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    while let Some(joined) = workers.join_next().await {
        for (key, count) in joined.unwrap() {
            *totals.entry(key).or_default() += count;
        }
    }

    let unexpected: u64 = totals
        .iter()
        .filter(|(key, _)| !key.ends_with(" ok") && !key.ends_with(" RequestLimitExceeded"))
        .map(|(_, count)| count)
        .sum();
    let throttled: u64 = totals
        .iter()
        .filter(|(key, _)| key.ends_with(" RequestLimitExceeded"))
        .map(|(_, c)| c)
        .sum();
    let total: u64 = totals.values().sum();
    let settled = samples.iter().find(|(at, _, _)| *at >= SETTLED).copied();
    let last = samples.last().copied();
    let (memory_growth, events_growth) = match (settled, last) {
        (Some((_, rss0, events0)), Some((_, rss1, events1))) if rss0 > 0 && events0 > 0 => (
            rss1 as f64 / rss0 as f64 - 1.0,
            events1 as f64 / events0 as f64 - 1.0,
        ),
        _ => (f64::NAN, f64::NAN),
    };
    for (key, count) in &totals {
        println!("  {key}: {count}");
    }
    println!(
        "requests: {total} in {} s ({:.0}/s) over {CONNECTIONS} connections",
        RUN.as_secs(),
        total as f64 / RUN.as_secs_f64()
    );
    println!("rate-limit answers: {throttled}; other errors: {unexpected}");
    println!(
        "after events expire ({} s to {} s): resident memory {:+.1}%, events held {:+.1}% (limit +10%)",
        SETTLED.as_secs(),
        RUN.as_secs(),
        memory_growth * 100.0,
        events_growth * 100.0
    );
    let ok = unexpected == 0 && throttled > 0 && memory_growth <= 0.10 && events_growth <= 0.10;
    println!("load: {}", if ok { "passed" } else { "FAILED" });
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
