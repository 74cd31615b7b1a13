//! `cargo xtask load`: the emulator alone under 64 keep-alive connections for 60 seconds.
//!
//! Each connection cycles through `Invoke` (a new event each time), `GetAsyncEventStatus` and
//! `ListAsyncEvents`, pre-signed once. The emulator is configured with per-action limits below what the
//! load asks for, so it must answer some requests `RequestLimitExceeded` and everything else with a
//! success; any other error, dropped connection or non-200 answer fails the run. Events are kept for
//! 10 seconds, so once they expire the event store must hold no more than its retention allows (see
//! [`retention_bound`]) at every sample, and resident memory must stay flat: the last sample may exceed the
//! one taken 20 seconds in by at most 10%.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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
/// Events accepted within this long before a sample may still be held: the retention, plus a sample
/// interval for the 50 ms each event runs and for sampling off the second.
const HELD_WINDOW: Duration = Duration::from_secs(RETENTION_SECS + 5);

/// The most events the store may hold when `accepted` events (besides the one long event) began within
/// [`HELD_WINDOW`]: the emulator sweeps expired events after every max(256, held / 4) inserts, so up to a
/// quarter more may wait for the next sweep. A store that leaks outgrows this within one window.
fn retention_bound(accepted: u64) -> u64 {
    (1 + accepted + 256) * 4 / 3
}

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
    let invoked = Arc::new(AtomicU64::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..CONNECTIONS {
        let requests = Arc::clone(&requests);
        let invoked = Arc::clone(&invoked);
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
                if key == "Invoke ok" {
                    invoked.fetch_add(1, Ordering::Relaxed);
                }
                *outcomes.entry(key).or_default() += 1;
            }
            outcomes
        });
    }

    // (when, resident KiB, events held, Invoke answers accepted so far)
    let mut samples: Vec<(Duration, u64, usize, u64)> = Vec::new();
    while start.elapsed() < RUN {
        tokio::time::sleep(SAMPLE_EVERY).await;
        let sample = (
            start.elapsed(),
            resident_kib(),
            emulator.event_count(),
            invoked.load(Ordering::Relaxed),
        );
        println!(
            "{:>4.0} s: resident {} KiB, events held {}, invokes accepted {}",
            sample.0.as_secs_f64(),
            sample.1,
            sample.2,
            sample.3
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
    let settled = samples.iter().find(|(at, ..)| *at >= SETTLED).copied();
    let last = samples.last().copied();
    let memory_growth = match (settled, last) {
        (Some((_, rss0, ..)), Some((_, rss1, ..))) if rss0 > 0 => rss1 as f64 / rss0 as f64 - 1.0,
        _ => f64::NAN,
    };
    // Each settled sample against the bound for the events accepted in the window before it.
    let held_vs_bound: Vec<(Duration, usize, u64)> = samples
        .iter()
        .filter(|(at, ..)| *at >= SETTLED)
        .map(|&(at, _, held, accepted)| {
            let before = samples
                .iter()
                .rev()
                .find(|(earlier, ..)| *earlier + HELD_WINDOW <= at)
                .map_or(0, |sample| sample.3);
            (at, held, retention_bound(accepted - before))
        })
        .collect();
    let store_bounded = !held_vs_bound.is_empty()
        && held_vs_bound
            .iter()
            .all(|&(_, held, bound)| held as u64 <= bound);
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
        "after events expire ({} s to {} s): resident memory {:+.1}% (limit +10%)",
        SETTLED.as_secs(),
        RUN.as_secs(),
        memory_growth * 100.0,
    );
    for (at, held, bound) in &held_vs_bound {
        println!(
            "  {:>4.0} s: events held {held}, at most {bound} allowed by the retention",
            at.as_secs_f64()
        );
    }
    let ok = unexpected == 0 && throttled > 0 && memory_growth <= 0.10 && store_bounded;
    println!("load: {}", if ok { "passed" } else { "FAILED" });
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
