//! The four async-event actions over the event store.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use scf_model::{
    AsyncEvent, AsyncEventStatus, Envelope, ErrorCode, EventStatus, GetAsyncEventStatusResponse,
    InvokeResponse, InvokeResult, ListAsyncEventsResponse, TerminateAsyncEventResponse,
};
use serde::{Deserialize, Serialize};

use crate::config::{Config, FunctionConfig, Missing, Outcome};
use crate::failure::Failure;
use crate::ids::uuid;
use crate::params::Params;
use crate::store::{Event, Store};
use crate::time_format::{event_time, parse_interval_time};

/// How Invoke records the invocation type of events it starts (no enum is published; inferred).
const INVOKE_TYPE: &str = "OTHER";
const MAX_ASYNC_CONTEXT: usize = 128 * 1024;
const MAX_SYNC_CONTEXT: usize = 6 * 1024 * 1024;
const MAX_ROUTING_KEY: usize = 1024;
const MEMORY_USED: i64 = 8 * 1024 * 1024;

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

/// What every action needs to know about the request.
pub(crate) struct Call<'a> {
    pub(crate) now: u64,
    pub(crate) region: Option<&'a str>,
    pub(crate) request_id: &'a str,
}

/// The state behind the actions.
#[derive(Debug)]
pub(crate) struct Backend {
    pub(crate) config: Config,
    pub(crate) store: Mutex<Store>,
    pub(crate) visibility_delay_ms: AtomicU64,
}

impl Backend {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            config,
            store: Mutex::new(Store::default()),
            visibility_delay_ms: AtomicU64::new(0),
        }
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        // Store operations do not panic part-way, so a poisoned lock still guards consistent data.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn retention_ms(&self) -> u64 {
        self.config.retention_secs.saturating_mul(1_000)
    }

    /// Runs `action` and returns the whole response body.
    pub(crate) fn call(
        &self,
        action: &str,
        params: &Params,
        call: &Call<'_>,
    ) -> Result<Vec<u8>, Failure> {
        match action {
            "GetAsyncEventStatus" => self.get_async_event_status(params, call),
            "Invoke" => self.invoke(params, call),
            "ListAsyncEvents" => self.list_async_events(params, call),
            "TerminateAsyncEvent" => self.terminate_async_event(params, call),
            other => Err(Failure::new(
                ErrorCode::InvalidAction,
                format!("The action `{other}` does not exist."),
            )),
        }
    }

    fn function<'c>(&'c self, params: &Params) -> Result<(&'c str, &'c FunctionConfig), Failure> {
        let namespace = params.str("Namespace").unwrap_or("default");
        let name = params.str("FunctionName").unwrap_or_default();
        match self.config.function(namespace, name) {
            Ok((namespace, function)) => Ok((namespace.name.as_str(), function)),
            Err(Missing::Namespace) => Err(Failure::new(
                ErrorCode::ResourceNotFoundNamespace,
                format!("Namespace `{namespace}` does not exist."),
            )),
            Err(Missing::Function) => Err(Failure::new(
                ErrorCode::ResourceNotFoundFunction,
                format!("Function `{name}` does not exist in namespace `{namespace}`."),
            )),
        }
    }

    fn get_async_event_status(&self, params: &Params, call: &Call<'_>) -> Result<Vec<u8>, Failure> {
        let id = params.str("InvokeRequestId").unwrap_or_default();
        let store = self.store();
        let event = store
            .get(id, call.now, self.retention_ms())
            .ok_or_else(|| event_not_found(id))?;
        let view = event.view(call.now);
        Ok(body(GetAsyncEventStatusResponse {
            result: AsyncEventStatus {
                status: view.status,
                status_code: view.status_code,
                invoke_request_id: event.id.clone(),
            },
            request_id: call.request_id.to_owned(),
        }))
    }

    fn invoke(&self, params: &Params, call: &Call<'_>) -> Result<Vec<u8>, Failure> {
        if call.region.is_none() {
            return Err(Failure::missing("Region"));
        }
        let (namespace, function) = self.function(params)?;
        let qualifier = params.str("Qualifier").unwrap_or("$LATEST");
        if !function.qualifiers.iter().any(|q| q == qualifier) {
            return Err(Failure::new(
                ErrorCode::ResourceNotFoundQualifier,
                format!(
                    "Version or alias `{qualifier}` of function `{}` does not exist.",
                    function.name
                ),
            ));
        }
        let asynchronous = match params.str("InvocationType") {
            None | Some("RequestResponse") => false,
            Some("Event") => true,
            Some(_) => {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValue,
                    "InvocationType",
                    "use RequestResponse or Event",
                ));
            }
        };
        let tail = match params.str("LogType") {
            None | Some("None") => false,
            Some("Tail") => true,
            Some(_) => {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValue,
                    "LogType",
                    "use None or Tail",
                ));
            }
        };
        if params
            .str("RoutingKey")
            .is_some_and(|key| key.len() > MAX_ROUTING_KEY)
        {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValue,
                "RoutingKey",
                "at most 1024 bytes",
            ));
        }
        let directive = directive(params.str("ClientContext"), asynchronous)?;
        let duration_ms = directive.duration_ms.unwrap_or(function.duration_ms);
        let outcome = directive.outcome.unwrap_or(function.outcome);
        let status_code = directive
            .status_code
            .unwrap_or(function.failure_status_code);
        let ret_msg = directive
            .ret_msg
            .unwrap_or_else(|| function.ret_msg.clone());
        let execution_id = uuid();

        let result = if asynchronous {
            let event = Event {
                id: execution_id.clone(),
                namespace: namespace.to_owned(),
                function: function.name.clone(),
                qualifier: qualifier.to_owned(),
                invoke_type: INVOKE_TYPE,
                started: call.now,
                visible_from: call.now + self.visibility_delay_ms.load(Ordering::Relaxed),
                natural_end: call.now + duration_ms,
                outcome,
                failure_status_code: status_code,
                aborted_at: None,
            };
            self.store().insert(event, call.now, self.retention_ms());
            InvokeResult {
                function_request_id: execution_id,
                ..InvokeResult::default()
            }
        } else {
            let log = if tail {
                format!(
                    "START RequestId: {execution_id}\nEND RequestId: {execution_id}\nReport RequestId: {execution_id} Duration:{duration_ms}ms Memory:128MB MemUsage:8MB"
                )
            } else {
                String::new()
            };
            let failed = outcome == Outcome::Failed;
            InvokeResult {
                function_request_id: execution_id,
                ret_msg: if failed { String::new() } else { ret_msg },
                err_msg: if failed {
                    format!(
                        "{{\"errorCode\":{status_code},\"errorMessage\":\"user code exception caught\"}}"
                    )
                } else {
                    String::new()
                },
                log,
                mem_usage: Some(MEMORY_USED),
                duration: Some(duration_ms as f64),
                bill_duration: Some(duration_ms.max(1) as i64),
                invoke_result: Some(if failed { -1 } else { 0 }),
            }
        };
        Ok(body(InvokeResponse {
            result,
            request_id: call.request_id.to_owned(),
        }))
    }

    fn list_async_events(&self, params: &Params, call: &Call<'_>) -> Result<Vec<u8>, Failure> {
        let (namespace, function) = self.function(params)?;
        let limit = params.int("Limit").unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueLimit,
                "Limit",
                "from 1 to 100",
            ));
        }
        let offset = params.int("Offset").unwrap_or(0);
        let offset = usize::try_from(offset).map_err(|_| {
            Failure::invalid_value(ErrorCode::InvalidParameterValue, "Offset", "0 or more")
        })?;
        let descending = match params.str("Order") {
            None | Some("DESC") => true,
            Some("ASC") => false,
            Some(_) => {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValueOrder,
                    "Order",
                    "use ASC or DESC",
                ));
            }
        };
        let by_end = match params.str("Orderby") {
            None | Some("StartTime") => false,
            Some("EndTime") => true,
            Some(_) => {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValue,
                    "Orderby",
                    "use StartTime or EndTime",
                ));
            }
        };
        let statuses = match params.list("Status") {
            Some(list) => Some(
                list.into_iter()
                    .map(|text| match EventStatus::parse(text) {
                        EventStatus::Unknown(_) => Err(Failure::invalid_value(
                            ErrorCode::InvalidParameterValueStatus,
                            "Status",
                            "use RUNNING, FINISHED, ABORTED or FAILED",
                        )),
                        known => Ok(known),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            None => None,
        };
        let invoke_types = params.list("InvokeType");
        let started_in = interval(params, "StartTimeInterval")?;
        let ended_in = interval(params, "EndTimeInterval")?;
        let qualifier = params.str("Qualifier");
        let id = params.str("InvokeRequestId");

        let store = self.store();
        let mut matches: Vec<(&Event, crate::store::View)> = store
            .of_function(namespace, &function.name, call.now, self.retention_ms())
            .map(|event| (event, event.view(call.now)))
            .filter(|(event, view)| {
                qualifier.is_none_or(|q| event.qualifier == q)
                    && id.is_none_or(|id| event.id == id)
                    && invoke_types
                        .as_ref()
                        .is_none_or(|types| types.contains(&event.invoke_type))
                    && statuses
                        .as_ref()
                        .is_none_or(|wanted| wanted.contains(&view.status))
                    && started_in.is_none_or(|(from, to)| (from..to).contains(&event.started))
                    && ended_in.is_none_or(|(from, to)| {
                        view.ended.is_some_and(|end| (from..to).contains(&end))
                    })
            })
            .collect();
        // Running events have no end yet, so they sort as ending after every finished one. The id breaks
        // ties; it is borrowed from the store, so sorting thousands of events copies none of them.
        matches.sort_by_cached_key(|&(event, ref view)| {
            let time = if by_end {
                view.ended.unwrap_or(u64::MAX)
            } else {
                event.started
            };
            (time, event.id.as_str())
        });
        if descending {
            matches.reverse();
        }
        let total_count = matches.len() as u64;
        let event_list = matches
            .into_iter()
            .skip(offset)
            .take(limit as usize)
            .map(|(event, view)| AsyncEvent {
                invoke_request_id: event.id.clone(),
                invoke_type: event.invoke_type.to_owned(),
                qualifier: event.qualifier.clone(),
                status: view.status,
                start_time: event_time(event.started),
                end_time: view.ended.map(event_time).unwrap_or_default(),
            })
            .collect();
        Ok(body(ListAsyncEventsResponse {
            total_count,
            event_list,
            request_id: call.request_id.to_owned(),
        }))
    }

    fn terminate_async_event(&self, params: &Params, call: &Call<'_>) -> Result<Vec<u8>, Failure> {
        let (namespace, function) = self.function(params)?;
        let id = params.str("InvokeRequestId").unwrap_or_default();
        let grace = params.bool("GraceShutdown").unwrap_or(false);
        let mut store = self.store();
        let event = store
            .get_mut(id, call.now, self.retention_ms())
            .filter(|event| event.namespace == namespace && event.function == function.name)
            .ok_or_else(|| event_not_found(id))?;
        if event.view(call.now).status != EventStatus::Running || event.aborted_at.is_some() {
            return Err(Failure::new(
                ErrorCode::FailedOperationAsyncEventStatus,
                format!("Async event `{id}` is not running, so it cannot be terminated."),
            ));
        }
        event.aborted_at = Some(if grace {
            call.now + function.grace_shutdown_ms
        } else {
            call.now
        });
        Ok(body(TerminateAsyncEventResponse {
            request_id: call.request_id.to_owned(),
        }))
    }
}

fn event_not_found(id: &str) -> Failure {
    Failure::new(
        ErrorCode::ResourceNotFoundAsyncEvent,
        format!("The specified AsyncEvent `{id}` was not found."),
    )
}

fn interval(params: &Params, name: &str) -> Result<Option<(u64, u64)>, Failure> {
    let Some((start, end)) = params.interval(name) else {
        return Ok(None);
    };
    match (parse_interval_time(start), parse_interval_time(end)) {
        (Some(start), Some(end)) => Ok(Some((start, end))),
        _ => Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValue,
            name,
            "Start and End are `YYYY-MM-DD HH:MM:SS`",
        )),
    }
}

fn directive(context: Option<&str>, asynchronous: bool) -> Result<Directive, Failure> {
    let Some(context) = context else {
        return Ok(Directive::default());
    };
    let limit = if asynchronous {
        MAX_ASYNC_CONTEXT
    } else {
        MAX_SYNC_CONTEXT
    };
    let invalid = |rule: &str| {
        Failure::invalid_value(
            ErrorCode::InvalidParameterValueClientContext,
            "ClientContext",
            rule,
        )
    };
    if context.len() > limit {
        return Err(invalid(if asynchronous {
            "at most 128 KB for an async invocation"
        } else {
            "at most 6 MB"
        }));
    }
    let event: serde_json::Value =
        serde_json::from_str(context).map_err(|_| invalid("it must be a JSON document"))?;
    match event.get(DIRECTIVE_KEY) {
        Some(directive) => serde_json::from_value(directive.clone())
            .map_err(|e| invalid(&format!("bad {DIRECTIVE_KEY} directive: {e}"))),
        None => Ok(Directive::default()),
    }
}

/// `{"Response": response}` as bytes.
fn body<T: Serialize>(response: T) -> Vec<u8> {
    // Serialising these plain structs cannot fail; an empty body would show up at once in any test.
    serde_json::to_vec(&Envelope { response }).unwrap_or_default()
}
