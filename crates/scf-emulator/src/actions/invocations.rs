//! Invocations: sync and async `Invoke`, `InvokeFunction`, and what past invocations reported
//! (`GetRequestStatus`, `GetFunctionLogs`).
//!
//! With `run_code`, an invocation of a function that has code runs it and reports what it did (see
//! `running` below and `crate::runtime`). Otherwise, and for the functions the configuration declares,
//! which have no code, no code runs: an invocation's outcome comes from the version's
//! script (the configured function) or from a `scf_emulator` directive in the ClientContext (Invoke) or
//! the Event (InvokeFunction). Every invocation is recorded with its invoke type, the qualifier it named and the
//! version that qualifier resolved to (an alias routes by its weights); records are kept for the
//! events' retention (72 h) and dropped by an indexed delete.
//!
//! Choices where the service's documentation is silent (inferred):
//! - An async Invoke (`InvocationType=Event`) of a function whose `AsyncRunEnable` is not `TRUE` answers
//!   `UnsupportedOperation.AsyncRunEnable`. The real service accepts plain async invocations of every
//!   Event function (AsyncRunEnable selects the long-running mode); the emulator ties async events to
//!   the flag so tools learn to set it, and configured functions have it on. Timer triggers invoke
//!   every Event function, as the service's do.
//! - A missing qualifier answers `ResourceNotFound.Qualifier` for Invoke as for InvokeFunction, whose
//!   error list names it. InvokeFunction's default qualifier is `$DEFAULT` when the function has that
//!   alias, else `$LATEST`.
//! - A malformed FunctionName answers `InvalidParameter.FunctionName` only when no such function
//!   exists, so configured functions with any name stay invocable.
//! - A function that is not `Active` (or `UpdateFailed`, which keeps serving its previous code) answers
//!   `FailedOperation.FunctionStatusError` when `$LATEST` is invoked; an HTTP function answers
//!   `InvalidParameterValue.FunctionType`.
//! - A sync invocation is over when Invoke answers; an async one runs as its event does, and
//!   TerminateAsyncEvent interrupts both.
//! - GetFunctionLogs `RetCode`: 0 success, 2 running, 3 interrupted, 1 any failure. `Filter.RetCode`:
//!   `is0` successes, `not0` failures and interruptions, `UserCodeException` / `TimeLimitExceeded` /
//!   `ResourceLimitExceeded` failures with status code 430 / 433 / 434 (the function status codes of doc
//!   583/35311). Without `FunctionName` it reports every function of the namespace; without times, the
//!   last day. GetRequestStatus looks back 15 minutes unless told otherwise, and answers an unknown
//!   request id with no data.

use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};
use scf_model::{
    ErrorCode, FunctionLog, GetFunctionLogsRequest, GetFunctionLogsResponse,
    GetRequestStatusRequest, GetRequestStatusResponse, InvocationType, InvokeFunctionRequest,
    InvokeFunctionResponse, InvokeRequest, InvokeResponse, InvokeResult, LogSearchContext, LogType,
    RequestStatus,
};
use serde::{Deserialize, Serialize};
use std::sync::atomic::Ordering;
use std::time::Duration;

mod running;

use super::events::{self, Event, Run};
use super::functions::{self, Function};
use super::{Backend, Call, body, namespace_or_default, versions};
use crate::config::Outcome;
use crate::failure::Failure;
use crate::ids::uuid;
use crate::time_format::{parse_interval_time, resource_time};

/// The tables of this module.
pub(crate) const SCHEMA: &str = "
CREATE TABLE invocations (
    request_id TEXT PRIMARY KEY,
    function INTEGER NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    -- RequestResponse or Event.
    invoke_type TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    version TEXT NOT NULL,
    started INTEGER NOT NULL,
    natural_end INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    ret_msg TEXT NOT NULL,
    aborted_at INTEGER,
    -- When it stops running: the natural end, or an earlier abort.
    ends INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX invocations_by_start ON invocations (function, started);
CREATE INDEX invocations_by_expiry ON invocations (ends);
";

/// What an invocation of code that really ran reports, beside its status code and RetMsg: left NULL
/// for scripted invocations, whose ErrMsg, log and memory follow from their script.
pub(crate) const RUN_REPORT_SCHEMA: &str = "
ALTER TABLE invocations ADD COLUMN err_msg TEXT;
ALTER TABLE invocations ADD COLUMN log TEXT;
ALTER TABLE invocations ADD COLUMN mem_usage INTEGER;
ALTER TABLE invocations ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
";

/// The `natural_end` of an invocation whose code still runs: its end is not known yet.
pub(crate) const STILL_RUNNING: i64 = i64::MAX;

/// How Invoke records the invocation type of events it starts (no enum is published; inferred).
const EVENT_INVOKE_TYPE: &str = "OTHER";
/// How the events timer triggers start are recorded (ListAsyncEvents' example).
const TIMER_INVOKE_TYPE: &str = "TRIGGER_TIMER";
const SYNCHRONOUS: &str = "RequestResponse";
const ASYNCHRONOUS: &str = "Event";
const MAX_ASYNC_CONTEXT: usize = 128 * 1024;
const MAX_SYNC_CONTEXT: usize = 6 * 1024 * 1024;
const MAX_ROUTING_KEY: usize = 1024;
const MEMORY_USED: i64 = 8 * 1024 * 1024;
/// The alias InvokeFunction runs when no Qualifier is given, if the function has it.
const DEFAULT_ALIAS: &str = "$DEFAULT";
/// GetFunctionLogs pages may not reach past this many records (documented).
const MAX_LOG_WINDOW: i64 = 10_000;
const DAY_MS: u64 = 24 * 3600 * 1000;
const REQUEST_STATUS_LOOKBACK_MS: u64 = 15 * 60 * 1000;

/// Scripts an invocation from its ClientContext: `{"scf_emulator": {"outcome": "failed", ...}}`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Directive {
    /// `finished` or `failed`.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// The status code of a failure.
    #[serde(default)]
    pub status_code: Option<i64>,
    /// How long the invocation runs.
    #[serde(default)]
    pub duration_ms: Option<u64>,
    /// What it returns.
    #[serde(default)]
    pub ret_msg: Option<String>,
}

/// The ClientContext key that holds a [`Directive`].
pub const DIRECTIVE_KEY: &str = "scf_emulator";

/// One invocation as Invoke or InvokeFunction asks for it.
struct Plan<'r> {
    namespace: &'r str,
    name: &'r str,
    qualifier: Option<&'r str>,
    /// InvokeFunction's default alias, tried before `$LATEST` when no qualifier is named.
    default_alias: bool,
    /// Matched against an alias's `AddtionVersionMatchs` rules.
    routing_key: Option<&'r str>,
    asynchronous: bool,
    tail: bool,
    directive: Directive,
    /// What the function's code receives: the ClientContext or Event, `{}` when there is none.
    event: &'r str,
    /// Started by a timer trigger rather than by Invoke or InvokeFunction.
    timer: bool,
}

/// A past invocation, as stored.
#[derive(Debug, Clone, PartialEq)]
struct Invocation {
    request_id: String,
    function_name: String,
    synchronous: bool,
    ret_msg: String,
    run: Run,
    /// What code that really ran reported; `None` for scripted invocations.
    err_msg: Option<String>,
    log: Option<String>,
    mem_usage: Option<i64>,
    /// How often the code was tried again after failing.
    retries: i64,
}

impl Invocation {
    /// The columns [`Invocation::from_row`] reads, `i` being the invocations and `f` the functions.
    const COLUMNS: &'static str = "i.request_id, f.name, i.invoke_type, i.ret_msg, i.started, \
        i.natural_end, i.failed, i.status_code, i.aborted_at, i.err_msg, i.log, i.mem_usage, i.retries";

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            request_id: row.get(0)?,
            function_name: row.get(1)?,
            synchronous: row.get::<_, String>(2)? == SYNCHRONOUS,
            ret_msg: row.get(3)?,
            run: Run {
                started: row.get::<_, i64>(4)? as u64,
                natural_end: row.get::<_, i64>(5)? as u64,
                outcome: if row.get::<_, bool>(6)? {
                    Outcome::Failed
                } else {
                    Outcome::Finished
                },
                failure_status_code: row.get(7)?,
                aborted_at: row.get::<_, Option<i64>>(8)?.map(|v| v as u64),
            },
            err_msg: row.get(9)?,
            log: row.get(10)?,
            mem_usage: row.get(11)?,
            retries: row.get(12)?,
        })
    }

    /// Whether its code still runs, its end unknown.
    fn still_running(&self) -> bool {
        self.run.natural_end == STILL_RUNNING as u64 && self.run.aborted_at.is_none()
    }

    /// ErrMsg: what the code reported, or the script's message for its status code.
    fn error(&self, status_code: i64) -> String {
        self.err_msg
            .clone()
            .unwrap_or_else(|| error_message(status_code))
    }

    /// The log: what the code wrote, or the script's frame.
    fn log_at(&self, now: u64) -> String {
        match &self.log {
            Some(log) => log.clone(),
            None => log_text(
                &self.request_id,
                self.duration_ms(now),
                self.ended(now).is_some(),
            ),
        }
    }

    /// How the invocation looks at `now`: `None` while it runs, else how it ended. A sync invocation is
    /// over once Invoke has answered.
    fn ended(&self, now: u64) -> Option<Ending> {
        if self.still_running() {
            return None;
        }
        let at = if self.synchronous { u64::MAX } else { now };
        let view = self.run.view(at);
        let ended = view.ended?;
        let kind = if ended < self.run.natural_end {
            Ending::Interrupted
        } else if self.run.outcome == Outcome::Failed {
            Ending::Failed(view.status_code)
        } else {
            Ending::Succeeded
        };
        Some(kind)
    }

    fn duration_ms(&self, now: u64) -> u64 {
        if self.still_running() {
            return 0;
        }
        let at = if self.synchronous { u64::MAX } else { now };
        self.run
            .view(at)
            .ended
            .map_or(0, |ended| ended - self.run.started)
    }
}

/// How an invocation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Succeeded,
    Failed(i64),
    Interrupted,
}

fn error_message(status_code: i64) -> String {
    format!("{{\"errorCode\":{status_code},\"errorMessage\":\"user code exception caught\"}}")
}

fn log_text(request_id: &str, duration_ms: u64, finished: bool) -> String {
    let mut log = format!("START RequestId: {request_id}\n");
    if finished {
        log.push_str(&format!(
            "END RequestId: {request_id}\nReport RequestId: {request_id} Duration:{duration_ms}ms Memory:128MB MemUsage:8MB"
        ));
    }
    log
}

/// Billed time: the duration rounded up to the next 100 ms, at least 100 ms.
fn bill_duration(duration_ms: u64) -> i64 {
    i64::try_from(duration_ms.div_ceil(100).max(1) * 100).unwrap_or(i64::MAX)
}

/// Drops the invocations whose retention has passed: one range of the `ends` index.
fn sweep(connection: &Connection, now: u64, retention_ms: u64) -> Result<(), Failure> {
    let cutoff = now as i64 - retention_ms.min(i64::MAX as u64) as i64;
    connection
        .prepare_cached("DELETE FROM invocations WHERE ends <= ?1")?
        .execute([cutoff])?;
    Ok(())
}

/// Records that the async invocation `request_id` is interrupted at `at` (TerminateAsyncEvent).
pub(super) fn aborted(connection: &Connection, request_id: &str, at: u64) -> Result<(), Failure> {
    connection
        .prepare_cached(
            "UPDATE invocations SET aborted_at = ?2, ends = min(natural_end, ?2) WHERE request_id = ?1",
        )?
        .execute(params![request_id, at as i64])?;
    Ok(())
}

/// Ends the invocations whose code was running when the emulator stopped: their processes are gone, so
/// they failed as a process that exits mid-invocation does (439).
pub(crate) fn end_orphans(connection: &Connection, now: u64) -> Result<(), Failure> {
    let message = r#"{"errorCode":-1,"errorMessage":"The emulator stopped while the function ran","statusCode":439}"#;
    connection.execute(
        "UPDATE invocations SET natural_end = ?1, ends = min(coalesce(aborted_at, ?1), ?1), failed = 1, \
         status_code = 439, err_msg = ?2 WHERE natural_end = ?3",
        params![now as i64, message, STILL_RUNNING],
    )?;
    connection.execute(
        "UPDATE events SET natural_end = ?1, ends = min(coalesce(aborted_at, ?1), ?1), failed = 1, \
         failure_status_code = 439 WHERE natural_end = ?2",
        params![now as i64, STILL_RUNNING],
    )?;
    Ok(())
}

/// A malformed name answers `InvalidParameter.FunctionName` when no function has it.
fn well_formed_function_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (2..=60).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn find_invoked(connection: &Connection, plan: &Plan<'_>) -> Result<Function, Failure> {
    functions::find(connection, plan.namespace, plan.name).map_err(|failure| {
        if failure.code == ErrorCode::ResourceNotFoundFunction
            && !well_formed_function_name(plan.name)
        {
            Failure::invalid_value(
                ErrorCode::InvalidParameterFunctionName,
                "FunctionName",
                "letters, digits, `_` and `-`, 2 to 60 characters, starting with a letter and ending with a letter or digit",
            )
        } else {
            failure
        }
    })
}

/// How an accepted invocation goes on: its script, or the function's code.
enum Accepted {
    Scripted {
        duration_ms: u64,
        run: Run,
        ret_msg: String,
    },
    Launched(
        crate::runtime::runner::Launch,
        std::sync::Arc<crate::runtime::runner::Runner>,
        /// How often a failed async invocation is tried again.
        u32,
    ),
}

/// Runs `plan`: checks the function, resolves the qualifier, records the invocation (and the event of
/// an async one) in one transaction, and returns the Result: the script's, or what the code did.
async fn run(backend: &Backend, plan: Plan<'_>, call: &Call<'_>) -> Result<InvokeResult, Failure> {
    let request_id = uuid();
    let retention_ms = backend.retention_ms();
    let accepted = backend.db.write(|tx| {
        let function = find_invoked(tx, &plan)?;
        let (qualifier, resolved) = match plan.qualifier {
            Some(qualifier) => (
                qualifier,
                versions::resolve_routed(tx, &function, Some(qualifier), plan.routing_key)?,
            ),
            None if plan.default_alias => {
                match versions::resolve_routed(tx, &function, Some(DEFAULT_ALIAS), plan.routing_key) {
                    Ok(resolved) => (DEFAULT_ALIAS, resolved),
                    Err(failure) if failure.code == ErrorCode::ResourceNotFoundQualifier => {
                        (versions::LATEST, versions::resolve(tx, &function, None)?)
                    }
                    Err(failure) => return Err(failure),
                }
            }
            None => (versions::LATEST, versions::resolve(tx, &function, None)?),
        };
        if resolved.version == versions::LATEST {
            let status = function.status.at(call.now);
            if status != "Active" && status != "UpdateFailed" {
                return Err(Failure::new(
                    ErrorCode::FailedOperationFunctionStatusError,
                    format!(
                        "Function `{}` is {status}, so it cannot be invoked; wait until it is Active.",
                        function.name
                    ),
                ));
            }
        }
        let settings = &resolved.deployment.settings;
        if settings.r#type.as_deref() == Some("HTTP") {
            return Err(Failure::new(
                ErrorCode::InvalidParameterValueFunctionType,
                format!(
                    "Function `{}` is an HTTP function; it is invoked through its HTTP endpoint.",
                    function.name
                ),
            ));
        }
        if plan.asynchronous && !plan.timer && settings.async_run_enable.as_deref() != Some("TRUE") {
            return Err(Failure::new(
                ErrorCode::UnsupportedOperationAsyncRunEnable,
                format!(
                    "Function `{}` does not have AsyncRunEnable set, so it cannot be invoked with InvocationType Event.",
                    function.name
                ),
            ));
        }
        let script = &resolved.deployment.script;
        // A function with no code at all (one the configuration declares) keeps its script.
        let code = &resolved.deployment.code;
        let has_code = code.sha256.is_some() || code.cos.is_some();
        let launch = match &backend.runner {
            Some(runner) if has_code => {
                let mut launch = running::launch(tx, &function, &resolved, call)?;
                if plan.timer {
                    // SCF sets it for timer invocations (doc 583/30228); their instances are apart.
                    launch.env.push(("TRIGGER_SRC".to_owned(), "timer".to_owned()));
                    launch.pool.push_str("/timer");
                }
                Some((launch, std::sync::Arc::clone(runner)))
            }
            _ => None,
        };
        let directive = &plan.directive;
        let duration_ms = directive.duration_ms.unwrap_or(script.duration_ms);
        let run = match launch {
            // The end is known once the code reports.
            Some(_) => Run {
                started: call.now,
                natural_end: STILL_RUNNING as u64,
                outcome: Outcome::Finished,
                failure_status_code: 0,
                aborted_at: None,
            },
            None => Run {
                started: call.now,
                natural_end: call.now.saturating_add(duration_ms),
                outcome: directive.outcome.unwrap_or(script.outcome),
                failure_status_code: directive.status_code.unwrap_or(script.failure_status_code),
                aborted_at: None,
            },
        };
        let ret_msg = match launch {
            Some(_) => String::new(),
            None => directive
                .ret_msg
                .clone()
                .unwrap_or_else(|| script.ret_msg.clone()),
        };
        sweep(tx, call.now, retention_ms)?;
        tx.prepare_cached(
            "INSERT INTO invocations (request_id, function, invoke_type, qualifier, version, started, \
             natural_end, failed, status_code, ret_msg, ends) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?7)",
        )?
        .execute(params![
            request_id,
            function.id,
            if plan.asynchronous { ASYNCHRONOUS } else { SYNCHRONOUS },
            qualifier,
            resolved.version,
            run.started as i64,
            run.natural_end as i64,
            run.outcome == Outcome::Failed,
            run.failure_status_code,
            ret_msg,
        ])?;
        if plan.asynchronous {
            let event = Event {
                id: request_id.clone(),
                qualifier: qualifier.to_owned(),
                version: resolved.version.clone(),
                invoke_type: if plan.timer {
                    TIMER_INVOKE_TYPE
                } else {
                    EVENT_INVOKE_TYPE
                }
                .to_owned(),
                visible_from: call.now
                    + backend.visibility_delay_ms.load(Ordering::Relaxed),
                grace_shutdown_ms: script.grace_shutdown_ms,
                run: run.clone(),
            };
            events::insert(tx, function.id, &event, call.now, retention_ms)?;
        }
        let retries = match launch {
            Some(_) if plan.asynchronous => running::retries(tx, function.id)?,
            _ => 0,
        };
        Ok(match launch {
            Some((launch, runner)) => Accepted::Launched(launch, runner, retries),
            None => Accepted::Scripted {
                duration_ms,
                run,
                ret_msg,
            },
        })
    })?;
    let (duration_ms, run, ret_msg) = match accepted {
        Accepted::Scripted {
            duration_ms,
            run,
            ret_msg,
        } => (duration_ms, run, ret_msg),
        Accepted::Launched(launch, runner, retries) => {
            let job = running::Job {
                launch,
                request_id: request_id.clone(),
                event: plan.event.as_bytes().to_vec(),
                started: call.now,
                retries: if plan.asynchronous { retries } else { 0 },
                retry_interval: Duration::from_millis(backend.config.retry_interval_ms),
            };
            let task = running::spawn(&runner, &backend.db, job);
            if plan.asynchronous {
                return Ok(InvokeResult::default().function_request_id(request_id));
            }
            let report = task.await.map_err(|_| {
                Failure::new(
                    ErrorCode::InternalError,
                    "The invocation's task ended before it reported.",
                )
            })?;
            return Ok(running::result(report, request_id, plan.tail));
        }
    };
    if plan.asynchronous {
        // "Log/RetMsg/ErrMsg/MemUsage/Duration/BillDuration 异步调用返回为空".
        return Ok(InvokeResult::default().function_request_id(request_id));
    }
    let failed = run.outcome == Outcome::Failed;
    let log = if plan.tail {
        log_text(&request_id, duration_ms, true)
    } else {
        String::new()
    };
    Ok(InvokeResult::default()
        .ret_msg(if failed { String::new() } else { ret_msg })
        .err_msg(if failed {
            error_message(run.failure_status_code)
        } else {
            String::new()
        })
        .log(log)
        .mem_usage(MEMORY_USED)
        .duration(duration_ms as f64)
        .bill_duration(bill_duration(duration_ms))
        .invoke_result(if failed { -1 } else { 0 })
        .function_request_id(request_id))
}

fn check_routing_key(routing_key: Option<&str>) -> Result<(), Failure> {
    if routing_key.is_some_and(|key| key.len() > MAX_ROUTING_KEY) {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValue,
            "RoutingKey",
            "at most 1024 bytes",
        ));
    }
    Ok(())
}

fn tail(log_type: Option<&LogType>) -> Result<bool, Failure> {
    match log_type {
        None | Some(LogType::None) => Ok(false),
        Some(LogType::Tail) => Ok(true),
        Some(_) => Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValue,
            "LogType",
            "use None or Tail",
        )),
    }
}

pub(super) async fn invoke(
    backend: &Backend,
    request: &InvokeRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    if call.region.is_none() {
        return Err(Failure::missing("Region"));
    }
    let asynchronous = match &request.invocation_type {
        None | Some(InvocationType::RequestResponse) => false,
        Some(InvocationType::Event) => true,
        Some(_) => {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValue,
                "InvocationType",
                "use RequestResponse or Event",
            ));
        }
    };
    let tail = tail(request.log_type.as_ref())?;
    check_routing_key(request.routing_key.as_deref())?;
    let limit = if asynchronous {
        MAX_ASYNC_CONTEXT
    } else {
        MAX_SYNC_CONTEXT
    };
    let directive = directive(request.client_context.as_deref(), "ClientContext", limit)?;
    let plan = Plan {
        namespace: namespace_or_default(request.namespace.as_deref()),
        name: &request.function_name,
        qualifier: request.qualifier.as_deref().filter(|q| !q.is_empty()),
        default_alias: false,
        routing_key: request.routing_key.as_deref(),
        asynchronous,
        tail,
        directive,
        event: request.client_context.as_deref().unwrap_or("{}"),
        timer: false,
    };
    let result = run(backend, plan, call).await?;
    Ok(body(
        InvokeResponse::default()
            .result(result)
            .request_id(call.request_id),
    ))
}

pub(super) async fn invoke_function(
    backend: &Backend,
    request: &InvokeFunctionRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    if call.region.is_none() {
        return Err(Failure::missing("Region"));
    }
    let tail = tail(request.log_type.as_ref())?;
    check_routing_key(request.routing_key.as_deref())?;
    let directive = directive(request.event.as_deref(), "Event", MAX_SYNC_CONTEXT)?;
    let plan = Plan {
        namespace: namespace_or_default(request.namespace.as_deref()),
        name: &request.function_name,
        qualifier: request.qualifier.as_deref().filter(|q| !q.is_empty()),
        default_alias: true,
        routing_key: request.routing_key.as_deref(),
        asynchronous: false,
        tail,
        directive,
        event: request.event.as_deref().unwrap_or("{}"),
        timer: false,
    };
    let result = run(backend, plan, call).await?;
    Ok(body(
        InvokeFunctionResponse::default()
            .result(result)
            .request_id(call.request_id),
    ))
}

/// Starts the async invocation a timer trigger fires at `call.now`: an Event Invoke of `qualifier`
/// whose code gets `event`, with the function's script when no code runs (see the triggers module).
pub(crate) async fn fire_timer(
    backend: &Backend,
    namespace: &str,
    name: &str,
    qualifier: &str,
    event: &str,
    call: &Call<'_>,
) -> Result<(), Failure> {
    let plan = Plan {
        namespace,
        name,
        qualifier: Some(qualifier),
        default_alias: false,
        routing_key: None,
        asynchronous: true,
        tail: false,
        directive: Directive::default(),
        event,
        timer: true,
    };
    run(backend, plan, call).await.map(|_| ())
}

/// A time parameter of the logs and status queries, `YYYY-MM-DD HH:MM:SS` in the service's zone.
fn time_parameter(text: &str, code: ErrorCode, name: &str) -> Result<u64, Failure> {
    parse_interval_time(text)
        .ok_or_else(|| Failure::invalid_value(code, name, "use `YYYY-MM-DD HH:MM:SS`"))
}

fn start_or_end_time(rule: &str) -> Failure {
    Failure::invalid_value(
        ErrorCode::InvalidParameterValueStartTimeOrEndTime,
        "StartTime",
        rule,
    )
}

pub(super) fn get_request_status(
    backend: &Backend,
    request: &GetRequestStatusRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let id = request.function_request_id.as_str();
    let start = request
        .start_time
        .as_deref()
        .map(|start| {
            time_parameter(
                start,
                ErrorCode::InvalidParameterValueStartTime,
                "StartTime",
            )
        })
        .transpose()?;
    let (start, end) = match (start, request.end_time.as_deref()) {
        (start, Some(end)) => {
            let end = time_parameter(end, ErrorCode::InvalidParameterValueDateTime, "EndTime")?;
            let start = start.unwrap_or(end.saturating_sub(REQUEST_STATUS_LOOKBACK_MS));
            if end <= start {
                return Err(start_or_end_time("EndTime must come after StartTime"));
            }
            // The end second is included.
            (start, end + 999)
        }
        (Some(_), None) => return Err(start_or_end_time("a StartTime needs an EndTime")),
        (None, None) => (
            call.now.saturating_sub(REQUEST_STATUS_LOOKBACK_MS),
            call.now,
        ),
    };
    let namespace = namespace_or_default(request.namespace.as_deref());
    let found = backend.db.read(|c| {
        let function = functions::find(c, namespace, &request.function_name)?;
        if id.is_empty()
            || id.len() > 64
            || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueFunctionRequestId,
                "FunctionRequestId",
                "a request id: letters, digits and `-`, at most 64 characters",
            ));
        }
        let found = c
            .prepare_cached(&format!(
                "SELECT {} FROM invocations i JOIN functions f ON f.id = i.function \
                 WHERE i.request_id = ?1 AND i.function = ?2 AND i.started >= ?3 AND i.started <= ?4 \
                 AND i.ends > ?5",
                Invocation::COLUMNS
            ))?
            .query_map(
                params![
                    id,
                    function.id,
                    start as i64,
                    end as i64,
                    cutoff(call.now, backend.retention_ms())
                ],
                Invocation::from_row,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(found)
    })?;
    let data: Vec<RequestStatus> = found
        .iter()
        .map(|invocation| {
            let duration = invocation.duration_ms(call.now);
            let mem_mb = invocation.mem_usage.unwrap_or(MEMORY_USED) as f64 / (1024.0 * 1024.0);
            let (ret_code, ret_msg, mem_mb) = match invocation.ended(call.now) {
                None => (1, String::new(), 0.0),
                Some(Ending::Succeeded) => (0, invocation.ret_msg.clone(), mem_mb),
                Some(Ending::Failed(code)) => (-1, invocation.error(code), mem_mb),
                Some(Ending::Interrupted) => {
                    (-1, invocation.error(events::ABORTED_STATUS_CODE), mem_mb)
                }
            };
            RequestStatus::default()
                .function_name(invocation.function_name.clone())
                .ret_msg(ret_msg)
                .request_id(invocation.request_id.clone())
                .start_time(resource_time(invocation.run.started))
                .ret_code(ret_code)
                .duration(duration as f64)
                .mem_usage(mem_mb)
                .retry_num(invocation.retries)
        })
        .collect();
    Ok(body(
        GetRequestStatusResponse::default()
            .total_count(data.len() as i64)
            .data(data)
            .request_id(call.request_id),
    ))
}

fn cutoff(now: u64, retention_ms: u64) -> i64 {
    now as i64 - retention_ms.min(i64::MAX as u64) as i64
}

/// When an invocation has ended at `?1`, in SQL: scripted sync ones at once, the others at `ends`
/// (which stays in the future while code still runs).
const ENDED: &str = "((i.invoke_type = 'RequestResponse' AND i.natural_end < 9223372036854775807) \
    OR i.ends <= ?1)";
const _: () = assert!(
    STILL_RUNNING == 9_223_372_036_854_775_807,
    "ENDED spells STILL_RUNNING out"
);
/// Ended by a TerminateAsyncEvent before its natural end.
const INTERRUPTED: &str = "(i.aborted_at IS NOT NULL AND i.aborted_at < i.natural_end)";

pub(super) fn get_function_logs(
    backend: &Backend,
    request: &GetFunctionLogsRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let offset = request.offset.unwrap_or(0);
    if offset < 0 {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueOffset,
            "Offset",
            "0 or more",
        ));
    }
    let limit = match request.limit.unwrap_or(0) {
        0 => 20,
        limit if limit < 0 => {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueLimit,
                "Limit",
                "1 or more",
            ));
        }
        limit => limit,
    };
    if offset.saturating_add(limit) > MAX_LOG_WINDOW {
        return Err(Failure::new(
            ErrorCode::LimitExceededOffset,
            "Offset + Limit may not exceed 10000.",
        ));
    }
    let descending = match request
        .order
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueOrder,
                "Order",
                "use desc or asc",
            ));
        }
    };
    let direction = if descending { "DESC" } else { "ASC" };
    let order_column = match request.order_by.as_deref() {
        None | Some("start_time") => "i.started".to_owned(),
        Some("function_name") => "f.name".to_owned(),
        Some("duration") => format!("CASE WHEN {ENDED} THEN i.ends - i.started ELSE 0 END"),
        Some("mem_usage") => ENDED.to_owned(),
        Some(_) => {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueOrderBy,
                "OrderBy",
                "use function_name, duration, mem_usage or start_time",
            ));
        }
    };

    let succeeded = format!("({ENDED} AND NOT {INTERRUPTED} AND NOT i.failed)");
    let failed_with = |code: i64| {
        format!("({ENDED} AND NOT {INTERRUPTED} AND i.failed AND i.status_code = {code})")
    };
    let ret_code = match request.filter.as_ref().and_then(|f| f.ret_code.as_deref()) {
        None | Some("") => None,
        Some("is0") => Some(succeeded),
        Some("not0") => Some(format!("({ENDED} AND NOT {succeeded})")),
        Some("UserCodeException") => Some(failed_with(430)),
        Some("TimeLimitExceeded") => Some(failed_with(433)),
        Some("ResourceLimitExceeded") => Some(failed_with(434)),
        Some(_) => {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueRetCode,
                "Filter.RetCode",
                "use not0, is0, TimeLimitExceeded, ResourceLimitExceeded or UserCodeException",
            ));
        }
    };
    let (start, end) = match (request.start_time.as_deref(), request.end_time.as_deref()) {
        (None, None) => (call.now.saturating_sub(DAY_MS), call.now),
        (Some(start), Some(end)) => {
            let start =
                time_parameter(start, ErrorCode::InvalidParameterValueDateTime, "StartTime")?;
            let end =
                time_parameter(end, ErrorCode::InvalidParameterValueDateTime, "EndTime")? + 999;
            if end < start || end - start > DAY_MS {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValueDateTime,
                    "EndTime",
                    "at most one day after StartTime",
                ));
            }
            (start, end)
        }
        _ => {
            return Err(start_or_end_time(
                "give both StartTime and EndTime, or neither",
            ));
        }
    };
    let namespace = namespace_or_default(request.namespace.as_deref());
    let retention_ms = backend.retention_ms();
    let (total, logs) = backend.db.read(|c| {
        let mut values = vec![
            Value::Integer(call.now as i64),
            Value::Integer(start as i64),
            Value::Integer(end as i64),
            Value::Integer(cutoff(call.now, retention_ms)),
        ];
        let mut condition =
            String::from("i.started >= ?2 AND i.started <= ?3 AND i.ends > ?4");
        match request.function_name.as_deref().filter(|n| !n.is_empty()) {
            Some(name) => {
                let function = functions::find(c, namespace, name)?;
                values.push(Value::Integer(function.id));
                condition.push_str(&format!(" AND i.function = ?{}", values.len()));
            }
            None => {
                super::namespaces::require(c, namespace)?;
                values.push(Value::Text(namespace.to_owned()));
                condition.push_str(&format!(" AND f.namespace = ?{}", values.len()));
            }
        }
        if let Some(qualifier) = request.qualifier.as_deref().filter(|q| !q.is_empty()) {
            values.push(Value::Text(qualifier.to_owned()));
            let slot = values.len();
            condition.push_str(&format!(" AND (i.qualifier = ?{slot} OR i.version = ?{slot})"));
        }
        if let Some(id) = request.function_request_id.as_deref().filter(|i| !i.is_empty()) {
            values.push(Value::Text(id.to_owned()));
            condition.push_str(&format!(" AND i.request_id = ?{}", values.len()));
        }
        if let Some(ret_code) = &ret_code {
            condition.push_str(&format!(" AND {ret_code}"));
        }
        let from = "FROM invocations i JOIN functions f ON f.id = i.function";
        let total: i64 = c
            .prepare_cached(&format!("SELECT count(*) {from} WHERE {condition}"))?
            .query_row(params_from_iter(&values), |row| row.get(0))?;
        let page = c
            .prepare_cached(&format!(
                "SELECT {columns} {from} WHERE {condition} \
                 ORDER BY {order_column} {direction}, i.started {direction}, i.request_id {direction} \
                 LIMIT ?{limit} OFFSET ?{offset}",
                columns = Invocation::COLUMNS,
                limit = values.len() + 1,
                offset = values.len() + 2,
            ))?
            .query_map(
                params_from_iter(values.iter().chain(&[
                    Value::Integer(limit),
                    Value::Integer(offset),
                ])),
                Invocation::from_row,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok((total, page))
    })?;
    let data: Vec<FunctionLog> = logs
        .iter()
        .map(|invocation| function_log(invocation, call.now))
        .collect();
    Ok(body(
        GetFunctionLogsResponse::default()
            .total_count(total)
            .data(data)
            .search_context(
                LogSearchContext::default()
                    .offset("")
                    .limit(0)
                    .keyword("")
                    .r#type(""),
            )
            .request_id(call.request_id),
    ))
}

fn function_log(invocation: &Invocation, now: u64) -> FunctionLog {
    let duration = invocation.duration_ms(now);
    let ending = invocation.ended(now);
    let (ret_code, ret_msg) = match ending {
        None => (2, String::new()),
        Some(Ending::Succeeded) => (0, invocation.ret_msg.clone()),
        Some(Ending::Failed(code)) => (1, invocation.error(code)),
        Some(Ending::Interrupted) => (3, invocation.error(events::ABORTED_STATUS_CODE)),
    };
    let finished = ending.is_some();
    FunctionLog::default()
        .function_name(invocation.function_name.clone())
        .ret_msg(ret_msg)
        .request_id(invocation.request_id.clone())
        .start_time(resource_time(invocation.run.started))
        .ret_code(ret_code)
        .invoke_finished(i64::from(finished))
        .duration(duration as f64)
        .bill_duration(if finished { bill_duration(duration) } else { 0 })
        .mem_usage(if finished {
            invocation.mem_usage.unwrap_or(MEMORY_USED)
        } else {
            0
        })
        .log(invocation.log_at(now))
        .retry_num(invocation.retries.max(0) as u64)
}

/// The directive in a ClientContext or Event: at most `limit` bytes of JSON, with an optional
/// `scf_emulator` member.
fn directive(context: Option<&str>, member: &str, limit: usize) -> Result<Directive, Failure> {
    let Some(context) = context else {
        return Ok(Directive::default());
    };
    if context.len() > limit {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterRequestTooLarge,
            member,
            if limit == MAX_ASYNC_CONTEXT {
                "at most 128 KB for an async invocation"
            } else {
                "at most 6 MB"
            },
        ));
    }
    let event: serde_json::Value = serde_json::from_str(context).map_err(|_| {
        Failure::invalid_value(
            ErrorCode::InvalidParameterValueParam,
            member,
            "it must be a JSON document",
        )
    })?;
    match event.get(DIRECTIVE_KEY) {
        Some(directive) => serde_json::from_value(directive.clone()).map_err(|e| {
            Failure::invalid_value(
                ErrorCode::InvalidParameterValueClientContext,
                member,
                &format!("bad {DIRECTIVE_KEY} directive: {e}"),
            )
        }),
        None => Ok(Directive::default()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use scf_model::{CreateFunctionRequest, RoutingConfig, VersionWeight};

    use super::*;
    use crate::actions::functions::{CodeRef, Deployment, Script, Status};
    use crate::config::Config;
    use crate::db::to_json;

    const NOW: u64 = 1_734_105_600_000;

    fn call() -> Call<'static> {
        Call {
            now: NOW,
            region: Some("ap-guangzhou"),
            request_id: "test",
            host: None,
        }
    }

    /// A backend with the function `name` of `default` made from `settings`, and its row id.
    fn backend_with(name: &str, settings: CreateFunctionRequest, status: Status) -> (Backend, i64) {
        let backend = Backend::open(Config::default(), NOW, None).unwrap();
        let deployment = Deployment {
            settings,
            code: CodeRef::default(),
            script: Script::default(),
        };
        let mut function = Function::new("default", name, NOW, deployment);
        function.status = status;
        let id = backend.db.write(|tx| Ok(function.insert(tx)?.id)).unwrap();
        (backend, id)
    }

    fn event_function() -> CreateFunctionRequest {
        CreateFunctionRequest::default().r#type("Event")
    }

    /// Runs an action's future to its end, as the server would.
    fn blocking<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    fn invoked(backend: &Backend, request: InvokeRequest) -> Result<Value, ErrorCode> {
        blocking(invoke(backend, &request, &call()))
            .map(|body| {
                let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
                Value::Text(body["Response"]["Result"]["FunctionRequestId"].to_string())
            })
            .map_err(|failure| failure.code)
    }

    fn asynchronous(name: &str) -> InvokeRequest {
        InvokeRequest::default()
            .function_name(name)
            .invocation_type(InvocationType::Event)
    }

    #[test]
    fn async_invocation_needs_async_run_enable() {
        let (backend, _) = backend_with("plain", event_function(), Status::active());
        assert_eq!(
            invoked(&backend, asynchronous("plain")),
            Err(ErrorCode::UnsupportedOperationAsyncRunEnable)
        );
        assert!(invoked(&backend, InvokeRequest::default().function_name("plain")).is_ok());
        assert_eq!(backend.event_count(), 0);
        let (backend, _) = backend_with(
            "asynchronous",
            event_function().async_run_enable("TRUE"),
            Status::active(),
        );
        assert!(invoked(&backend, asynchronous("asynchronous")).is_ok());
        assert_eq!(backend.event_count(), 1);
    }

    #[test]
    fn deleted_http_and_unsettled_functions_are_refused() {
        let (backend, id) = backend_with(
            "gone",
            event_function().async_run_enable("TRUE"),
            Status::active(),
        );
        invoked(&backend, asynchronous("gone")).unwrap();
        backend
            .db
            .write(|tx| Ok(tx.execute("DELETE FROM functions WHERE id = ?1", [id])?))
            .unwrap();
        assert_eq!(
            invoked(&backend, asynchronous("gone")),
            Err(ErrorCode::ResourceNotFoundFunction)
        );
        assert_eq!(backend.event_count(), 0, "its events went with it");

        let (backend, _) = backend_with(
            "web",
            CreateFunctionRequest::default().r#type("HTTP"),
            Status::active(),
        );
        assert_eq!(
            invoked(&backend, InvokeRequest::default().function_name("web")),
            Err(ErrorCode::InvalidParameterValueFunctionType)
        );

        let creating = Status {
            status: "Active".into(),
            transient: Some("Creating".into()),
            transient_until: NOW + 1,
            reasons: Vec::new(),
        };
        let (backend, _) = backend_with("new", event_function(), creating);
        assert_eq!(
            invoked(&backend, InvokeRequest::default().function_name("new")),
            Err(ErrorCode::FailedOperationFunctionStatusError)
        );
        let later = Call {
            now: NOW + 1,
            ..call()
        };
        assert!(
            blocking(invoke(
                &backend,
                &InvokeRequest::default().function_name("new"),
                &later
            ))
            .is_ok()
        );
    }

    #[test]
    fn an_alias_routes_by_weight_and_the_version_run_is_recorded() {
        let (backend, id) = backend_with(
            "routed",
            event_function().async_run_enable("TRUE"),
            Status::active(),
        );
        let routing = RoutingConfig::default()
            .additional_version_weights(vec![VersionWeight::default().version("1").weight(1.0)]);
        backend
            .db
            .write(|tx| {
                tx.execute(
                    "INSERT INTO versions (function, version, description, created, modified, status, deployment) \
                     SELECT id, 1, '', 0, 0, 'Active', deployment FROM functions WHERE id = ?1",
                    [id],
                )?;
                tx.execute(
                    "INSERT INTO aliases (function, name, version, routing, description, created, modified) \
                     VALUES (?1, 'canary', '$LATEST', ?2, '', 0, 0)",
                    params![id, to_json(&routing)],
                )?;
                Ok(())
            })
            .unwrap();
        for request in [
            InvokeRequest::default()
                .function_name("routed")
                .qualifier("canary"),
            asynchronous("routed").qualifier("canary"),
        ] {
            invoked(&backend, request).unwrap();
        }
        let recorded: Vec<(String, String, String)> = backend
            .db
            .read(|c| {
                let mut statement = c.prepare(
                    "SELECT invoke_type, qualifier, version FROM invocations ORDER BY invoke_type",
                )?;
                let rows = statement
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                    .collect::<Result<_, _>>()?;
                Ok(rows)
            })
            .unwrap();
        let expected = |kind: &str| (kind.to_owned(), "canary".to_owned(), "1".to_owned());
        assert_eq!(recorded, [expected(ASYNCHRONOUS), expected(SYNCHRONOUS)]);
        let event: (String, String) = backend
            .db
            .read(|c| {
                Ok(
                    c.query_row("SELECT qualifier, version FROM events", [], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })?,
                )
            })
            .unwrap();
        assert_eq!(event, ("canary".to_owned(), "1".to_owned()));
    }

    #[test]
    fn billing_rounds_up_to_100_ms() {
        assert_eq!(bill_duration(0), 100);
        assert_eq!(bill_duration(1), 100);
        assert_eq!(bill_duration(100), 100);
        assert_eq!(bill_duration(101), 200);
        assert_eq!(bill_duration(2_000), 2_000);
    }

    #[test]
    fn function_names_follow_the_service_rule() {
        for good in ["ab", "hello", "my-func_1", &format!("a{}", "b".repeat(59))] {
            assert!(well_formed_function_name(good), "{good}");
        }
        for bad in [
            "a",
            "1abc",
            "abc-",
            "abc_",
            "a.b",
            "",
            &format!("a{}", "b".repeat(60)),
        ] {
            assert!(!well_formed_function_name(bad), "{bad}");
        }
    }
}
