//! Invocations whose code really runs (`run_code`): what an instance is started with, and how its
//! report is recorded and answered.
//!
//! The function gets its configured variables plus what SCF gives a running function: `SCF_RUNTIME`,
//! `SCF_FUNCTIONNAME`, `SCF_FUNCTIONVERSION`, `SCF_NAMESPACE`, `TENCENTCLOUD_REGION`, `TENCENTCLOUD_APPID`,
//! `TENCENTCLOUD_UIN`, `TENCENTCLOUD_RUNENV=SCF` and `TENCENTCLOUD_TZ=UTC` (doc 583/30228). The emulator
//! adds `SCF_ENDPOINT`, the address the invocation reached it at, so code inside a function can call it
//! back (the real service needs no such variable: its endpoint is public).
//!
//! An invocation is recorded when it is accepted, running, and completed when its instance reports;
//! a sync one answers then. A failed async invocation is tried again as often as its function's async
//! invoke config says (`RetryConfig.RetryNum`, 2 by default), `retry_interval_ms` apart (a minute, as the
//! service documents), and its event shows the last try's outcome, with every try's log. The docs also
//! say that functions with `AsyncRunEnable` are not retried; the emulator's async events all have it,
//! so it follows the configured RetryNum instead, which is what the config is for (a choice). Both run in a task of their own, so a caller that goes away does not cut
//! the code short. A function's reserved concurrency, divided by its memory, caps its instances
//! (doc 583/35311: 432 when exceeded).

use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, params};
use scf_model::{ErrorCode, InvokeResult};
use sha2::{Digest, Sha256};

use super::super::{Call, code, concurrency, functions::Function, triggers, versions::Resolved};
use super::{bill_duration, events};
use crate::db::Db;
use crate::failure::Failure;
use crate::runtime::runner::{Launch, Quota, Report, Runner, SUCCESS};

/// SCF's defaults for members CreateFunction leaves out.
const DEFAULT_RUNTIME: &str = "Python3.6";
const DEFAULT_HANDLER: &str = "index.main_handler";
const DEFAULT_TIMEOUT_SECS: i64 = 3;
const DEFAULT_INIT_TIMEOUT_SECS: i64 = 65;
const DEFAULT_MEMORY_MB: i64 = 128;
/// The account the emulator plays (`TENCENTCLOUD_APPID`).
const ACCOUNT_APPID: &str = "1250000000";
/// How much of the log a sync Invoke with `LogType: Tail` returns: the last 4 KB.
const TAIL_BYTES: usize = 4 * 1024;

/// What the instance of `resolved` is started with, checked before the invocation is accepted.
pub(crate) fn launch(
    connection: &Connection,
    function: &Function,
    resolved: &Resolved,
    call: &Call<'_>,
) -> Result<Launch, Failure> {
    let deployment = &resolved.deployment;
    let settings = &deployment.settings;
    let runtime = settings.runtime.as_deref().unwrap_or(DEFAULT_RUNTIME);
    Runner::check_runtime(runtime)?;
    let Some(code_sha256) = deployment.code.sha256.clone() else {
        return Err(Failure::new(
            ErrorCode::FailedOperation,
            format!(
                "The code of function `{}` is in COS, which the emulator cannot reach; deploy it as a ZipFile to run it.",
                function.name
            ),
        ));
    };
    let memory_mb = settings.memory_size.unwrap_or(DEFAULT_MEMORY_MB).max(1);
    let quota = match concurrency::reserved_of(connection, function)? {
        Some(reserved) => Quota::Reserved {
            instances: u32::try_from(reserved / memory_mb).unwrap_or(u32::MAX),
        },
        None => Quota::Shared {
            memory_mb: u64::try_from(concurrency::unreserved_mem(connection)?).unwrap_or(0),
        },
    };
    let mut env: Vec<(String, String)> = settings
        .environment
        .iter()
        .flat_map(|environment| environment.variables.iter().flatten())
        .filter_map(|variable| {
            Some((
                variable.key.clone()?,
                variable.value.clone().unwrap_or_default(),
            ))
        })
        .collect();
    let function_variables = env.iter().map(|(name, _)| name.clone()).collect();
    let region = call.region.unwrap_or_default();
    for (name, value) in [
        ("SCF_RUNTIME", runtime),
        ("SCF_FUNCTIONNAME", &function.name),
        ("SCF_FUNCTIONVERSION", &resolved.version),
        ("SCF_NAMESPACE", &function.namespace),
        ("TENCENTCLOUD_REGION", region),
        ("TENCENTCLOUD_APPID", ACCOUNT_APPID),
        ("TENCENTCLOUD_UIN", triggers::ACCOUNT_UIN),
        ("TENCENTCLOUD_RUNENV", "SCF"),
        ("TENCENTCLOUD_TZ", "UTC"),
    ] {
        env.push((name.to_owned(), value.to_owned()));
    }
    if let Some(host) = call.host {
        env.push(("SCF_ENDPOINT".to_owned(), format!("http://{host}")));
    }
    let secs = |value: Option<i64>, default: i64| {
        Duration::from_secs(value.unwrap_or(default).max(1) as u64)
    };
    // Instances are interchangeable when everything they were started with is the same.
    let mut digest = Sha256::new();
    digest.update(crate::db::to_json(settings));
    digest.update(&code_sha256);
    for (name, value) in &env {
        digest.update([0]);
        digest.update(name);
        digest.update([0]);
        digest.update(value);
    }
    Ok(Launch {
        function: function.id,
        pool: format!(
            "{}/{}/{}",
            function.id,
            resolved.version,
            hex::encode(digest.finalize())
        ),
        runtime: runtime.to_owned(),
        handler: settings
            .handler
            .clone()
            .unwrap_or_else(|| DEFAULT_HANDLER.to_owned()),
        code_sha256,
        env,
        function_variables,
        timeout: secs(settings.timeout, DEFAULT_TIMEOUT_SECS),
        init_timeout: secs(settings.init_timeout, DEFAULT_INIT_TIMEOUT_SECS),
        memory_mb: memory_mb as u64,
        quota,
    })
}

/// How often a failed async invocation of function `function` is tried again: its async invoke
/// config's `RetryConfig.RetryNum`.
pub(crate) fn retries(connection: &Connection, function: i64) -> Result<u32, Failure> {
    let config = concurrency::event_invoke_config(connection, function)?;
    Ok(config
        .retry_config
        .first()
        .map_or(0, |retry| u32::try_from(retry.retry_num).unwrap_or(0)))
}

/// One accepted invocation to run.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) launch: Launch,
    pub(crate) request_id: String,
    pub(crate) event: Vec<u8>,
    /// When it was accepted, on the emulator's clock.
    pub(crate) started: u64,
    /// How often it is tried again after failing.
    pub(crate) retries: u32,
    pub(crate) retry_interval: Duration,
}

/// Runs `job` in a task of its own and records its report; resolves to the report.
pub(crate) fn spawn(
    runner: &Arc<Runner>,
    db: &Arc<Db>,
    job: Job,
) -> tokio::task::JoinHandle<Report> {
    let (runner, db) = (Arc::clone(runner), Arc::clone(db));
    tokio::spawn(async move {
        let accepted = tokio::time::Instant::now();
        let sha256 = job.launch.code_sha256.clone();
        let zip = || {
            db.read(|c| code::zip(c, &sha256))?.ok_or_else(|| {
                Failure::new(
                    ErrorCode::InternalError,
                    "The function's code is missing from the store.",
                )
            })
        };
        let mut tried = 0;
        let mut earlier_logs = String::new();
        let mut report = loop {
            let report = runner
                .run(&job.launch, &zip, &job.request_id, job.event.clone())
                .await;
            let again = report.status_code != SUCCESS && !report.terminated && tried < job.retries;
            if !again {
                break report;
            }
            earlier_logs.push_str(&report.log);
            tried += 1;
            tokio::time::sleep(job.retry_interval).await;
            // A termination while it waited ends it as terminated, with no further try.
            if db
                .read(|c| events::aborted(c, &job.request_id))
                .unwrap_or(false)
            {
                break Report {
                    terminated: true,
                    ..report
                };
            }
        };
        report.log.insert_str(0, &earlier_logs);
        // One try lasts as long as its code ran; retries last until the last try ended.
        let ran = if tried == 0 {
            report.duration
        } else {
            accepted.elapsed()
        };
        let end = job.started.saturating_add(ran.as_millis() as u64);
        // A store that refuses the write (read-only, full) leaves the invocation running; the answer of
        // a sync invocation still carries what the code did.
        let _ = db.write(|tx| complete(tx, &job.request_id, end, tried, &report));
        report
    })
}

/// Records what the code of invocation `request_id`, which ended at `end`, reported.
fn complete(
    connection: &Connection,
    request_id: &str,
    end: u64,
    retries: u32,
    report: &Report,
) -> Result<(), Failure> {
    let end = end as i64;
    let failed = report.status_code != SUCCESS;
    if report.terminated {
        connection
            .prepare_cached(
                "UPDATE invocations SET aborted_at = min(coalesce(aborted_at, ?2), ?2), ends = min(coalesce(aborted_at, ?2), ?2), \
                 status_code = ?3, err_msg = ?4, log = ?5, mem_usage = ?6, retries = ?7 WHERE request_id = ?1",
            )?
            .execute(params![
                request_id,
                end,
                report.status_code,
                report.err_msg,
                report.log,
                report.mem_usage as i64,
                retries
            ])?;
    } else {
        connection
            .prepare_cached(
                "UPDATE invocations SET natural_end = ?2, ends = min(coalesce(aborted_at, ?2), ?2), failed = ?3, \
                 status_code = ?4, ret_msg = ?5, err_msg = ?6, log = ?7, mem_usage = ?8, retries = ?9 \
                 WHERE request_id = ?1",
            )?
            .execute(params![
                request_id,
                end,
                failed,
                report.status_code,
                report.ret_msg,
                report.err_msg,
                report.log,
                report.mem_usage as i64,
                retries
            ])?;
    }
    events::complete(
        connection,
        request_id,
        end as u64,
        report.terminated,
        failed,
        report.status_code,
    )
}

/// A sync Invoke's Result from what the code did.
pub(crate) fn result(report: Report, request_id: String, tail: bool) -> InvokeResult {
    let log = if tail {
        let start = report.log.len().saturating_sub(TAIL_BYTES);
        let start = (start..report.log.len())
            .find(|&i| report.log.is_char_boundary(i))
            .unwrap_or(report.log.len());
        report.log[start..].to_owned()
    } else {
        String::new()
    };
    let millis = report.duration.as_secs_f64() * 1e3;
    InvokeResult::default()
        .ret_msg(report.ret_msg)
        .err_msg(report.err_msg)
        .log(log)
        .mem_usage(report.mem_usage as i64)
        .duration(millis)
        .bill_duration(bill_duration(millis.ceil() as u64))
        .invoke_result(if report.status_code == SUCCESS { 0 } else { -1 })
        .function_request_id(request_id)
}
