//! `cargo xtask soak`: one client against an emulator that fails 1% of requests in each injectable way.
//!
//! 1,000 async invokes, each followed by a waiter, then 100,000 `GetAsyncEventStatus` calls, all through one
//! client from 64 tasks. Every call must end in a success or a typed error within its deadline, no task may
//! panic, and every call started must be counted as ended. Resident memory after 100,000 calls must stay
//! within 10% of that after 10,000. The counts are the last lines printed; the exit status says whether
//! every check held.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bench_support::{block_on, resident_kib};
use scf::{Client, Endpoint, RetryPolicy, Timeouts, WaitOptions};
use scf_emulator::{Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator, Fault, FaultRule};

const STATUS_CALLS: u64 = 100_000;
const INVOKES: u64 = 1_000;
const TASKS: u64 = 64;
/// The resident memory sampled after this many status calls is the reference for the final one.
const REFERENCE_AFTER: u64 = 10_000;
const FAULT_PROBABILITY: f64 = 0.01;
const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(1),
    attempt: Duration::from_millis(500),
    operation: Duration::from_secs(5),
};
/// Scheduling slack allowed past a deadline before a call counts as overdue.
const SLACK: Duration = Duration::from_millis(250);

#[derive(Default)]
struct Tally {
    started: AtomicU64,
    succeeded: AtomicU64,
    failed: AtomicU64,
    overdue: AtomicU64,
    errors: Mutex<BTreeMap<String, u64>>,
}

impl Tally {
    fn record<T, E: std::fmt::Display>(
        &self,
        result: &Result<T, E>,
        kind: impl FnOnce(&E) -> String,
        took: Duration,
        deadline: Duration,
    ) {
        if took > deadline + SLACK {
            self.overdue.fetch_add(1, Ordering::Relaxed);
        }
        match result {
            Ok(_) => {
                self.succeeded.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                *self.errors.lock().unwrap().entry(kind(error)).or_default() += 1;
            }
        }
    }

    fn ended(&self) -> u64 {
        self.succeeded.load(Ordering::Relaxed) + self.failed.load(Ordering::Relaxed)
    }
}

fn faults() -> Vec<FaultRule> {
    [
        // Longer than an attempt may take, so the client's attempt timeout fires.
        Fault::Latency { millis: 800 },
        Fault::HttpStatus { status: 502 },
        Fault::DropConnection,
        Fault::TruncatedBody,
        Fault::RequestLimitExceeded,
        Fault::InternalError,
    ]
    .into_iter()
    .map(|fault| FaultRule {
        probability: FAULT_PROBABILITY,
        ..FaultRule::always(fault)
    })
    .collect()
}

fn main() -> ExitCode {
    block_on(soak())
}

async fn soak() -> ExitCode {
    let mut config = Config::default();
    // Throttling comes from the injected fault at 1%, not from the documented 20 requests per second.
    config.rate_limits.enabled = false;
    let emulator = Emulator::builder().config(config).start().await.unwrap();
    for rule in faults() {
        emulator.add_fault(rule);
    }
    // The server's clock runs ahead and new events take a moment to become visible, as on the real service.
    emulator.set_clock_offset(120);
    emulator.set_visibility_delay(Duration::from_millis(100));
    let unlimited: HashMap<String, u32> = [
        "GetAsyncEventStatus",
        "Invoke",
        "ListAsyncEvents",
        "TerminateAsyncEvent",
    ]
    .into_iter()
    .map(|action| (action.to_owned(), u32::MAX))
    .collect();
    let client = Client::builder()
        .credentials(scf::signer::Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).unwrap())
        .endpoint(Endpoint::url(&emulator.url()).unwrap())
        .region("ap-guangzhou")
        .timeouts(TIMEOUTS)
        .retry(RetryPolicy::default())
        .rate_limits(unlimited)
        .build()
        .unwrap();
    let started = Instant::now();
    let mut panics = 0u64;

    // Phase 1: async invokes, each waited on.
    let invokes = Arc::new(Tally::default());
    let waits = Arc::new(Tally::default());
    let finished_ids = Arc::new(Mutex::new(Vec::new()));
    let next = Arc::new(AtomicU64::new(0));
    let wait_options = WaitOptions {
        min_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(500),
        max_wait: Duration::from_secs(30),
        not_found_grace: Duration::from_secs(5),
        on_progress: None,
    };
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..TASKS {
        let (client, invokes, waits, ids, next, options) = (
            client.clone(),
            Arc::clone(&invokes),
            Arc::clone(&waits),
            Arc::clone(&finished_ids),
            Arc::clone(&next),
            wait_options.clone(),
        );
        tasks.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < INVOKES {
                invokes.started.fetch_add(1, Ordering::Relaxed);
                let duration = fastrand::u64(0..300);
                let context = format!(r#"{{"scf_emulator":{{"duration_ms":{duration}}}}}"#);
                let begun = Instant::now();
                let invoked = client.invoke_async("hello", Some(&context)).await;
                invokes.record(
                    &invoked,
                    |e| format!("Invoke {:?}", e.kind()),
                    begun.elapsed(),
                    TIMEOUTS.operation,
                );
                let Ok(id) = invoked else { continue };
                waits.started.fetch_add(1, Ordering::Relaxed);
                let begun = Instant::now();
                let waited = client.wait(&id, options.clone()).await;
                // A wait ends at max_wait, plus at most one poll that started just before it.
                waits.record(
                    &waited,
                    |e| format!("wait {}", wait_error_kind(e)),
                    begun.elapsed(),
                    options.max_wait + TIMEOUTS.operation,
                );
                if waited.is_ok() {
                    ids.lock().unwrap().push(id);
                }
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        panics += u64::from(joined.is_err_and(|e| e.is_panic()));
    }

    // Phase 2: status calls on the finished events, resident memory sampled along the way.
    let ids = Arc::new(std::mem::take(&mut *finished_ids.lock().unwrap()));
    let status = Arc::new(Tally::default());
    let next = Arc::new(AtomicU64::new(0));
    let reference_kib = Arc::new(AtomicU64::new(0));
    if ids.is_empty() {
        println!("no event finished; the status phase has nothing to ask about");
    } else {
        for _ in 0..TASKS {
            let (client, status, ids, next, reference_kib) = (
                client.clone(),
                Arc::clone(&status),
                Arc::clone(&ids),
                Arc::clone(&next),
                Arc::clone(&reference_kib),
            );
            tasks.spawn(async move {
                loop {
                    let call = next.fetch_add(1, Ordering::Relaxed);
                    if call >= STATUS_CALLS {
                        break;
                    }
                    if call == REFERENCE_AFTER {
                        reference_kib.store(resident_kib(), Ordering::Relaxed);
                    }
                    status.started.fetch_add(1, Ordering::Relaxed);
                    let id = &ids[fastrand::usize(..ids.len())];
                    let begun = Instant::now();
                    let answer = client
                        .get_async_event_status()
                        .invoke_request_id(id)
                        .send()
                        .await;
                    status.record(
                        &answer,
                        |e| format!("GetAsyncEventStatus {:?}", e.kind()),
                        begun.elapsed(),
                        TIMEOUTS.operation,
                    );
                }
            });
        }
        while let Some(joined) = tasks.join_next().await {
            panics += u64::from(joined.is_err_and(|e| e.is_panic()));
        }
    }
    let final_kib = resident_kib();
    let reference_kib = reference_kib.load(Ordering::Relaxed);
    let growth = if reference_kib == 0 {
        f64::NAN
    } else {
        final_kib as f64 / reference_kib as f64 - 1.0
    };

    let mut ok = panics == 0;
    println!(
        "soak: {:.0} s, server clock +120 s, visibility delay 100 ms, each fault at {:.0}%:",
        started.elapsed().as_secs_f64(),
        FAULT_PROBABILITY * 100.0
    );
    for (name, tally) in [("invoke", &invokes), ("wait", &waits), ("status", &status)] {
        for (error, count) in tally.errors.lock().unwrap().iter() {
            println!("  {name} typed error {error}: {count}");
        }
        let lost = tally.started.load(Ordering::Relaxed) - tally.ended();
        let overdue = tally.overdue.load(Ordering::Relaxed);
        ok &= lost == 0 && overdue == 0;
        println!(
            "{name}: started {} succeeded {} typed errors {} lost {lost} past deadline {overdue}",
            tally.started.load(Ordering::Relaxed),
            tally.succeeded.load(Ordering::Relaxed),
            tally.failed.load(Ordering::Relaxed),
        );
    }
    ok &= status.started.load(Ordering::Relaxed) == STATUS_CALLS
        && invokes.started.load(Ordering::Relaxed) == INVOKES;
    let memory_ok = growth.is_finite() && growth <= 0.10;
    ok &= memory_ok;
    println!("panics: {panics}");
    println!(
        "resident memory: {reference_kib} KiB after {REFERENCE_AFTER} status calls, {final_kib} KiB after {STATUS_CALLS} ({:+.1}%, limit +10%)",
        growth * 100.0
    );
    println!("soak: {}", if ok { "passed" } else { "FAILED" });
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn wait_error_kind(error: &scf::WaitError) -> String {
    match error.call_error() {
        Some(call) => format!("Call {:?}", call.kind()),
        None => format!("{:?}", error.kind()),
    }
}
