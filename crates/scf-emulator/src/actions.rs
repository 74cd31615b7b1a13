//! The four async-event actions over the event store; every other action is answered as not implemented.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use scf_model::{
    AnyRequest, AsyncEvent, AsyncEventStatus, ErrorCode, EventStatus, GetAsyncEventStatusRequest,
    GetAsyncEventStatusResponse, InvocationType, InvokeRequest, InvokeResponse, InvokeResult,
    ListAsyncEventsRequest, ListAsyncEventsResponse, LogType, Order, TerminateAsyncEventRequest,
    TerminateAsyncEventResponse, TimeInterval,
};
use serde::{Deserialize, Serialize};
use tc_api::Envelope;

use crate::config::{Config, FunctionConfig, Missing, Outcome};
use crate::failure::Failure;
use crate::ids::uuid;
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

    /// Runs the action of `request` and returns the whole response body.
    pub(crate) fn call(&self, request: &AnyRequest, call: &Call<'_>) -> Result<Vec<u8>, Failure> {
        match request {
            AnyRequest::GetAsyncEventStatus(request) => self.get_async_event_status(request, call),
            AnyRequest::Invoke(request) => self.invoke(request, call),
            AnyRequest::ListAsyncEvents(request) => self.list_async_events(request, call),
            AnyRequest::TerminateAsyncEvent(request) => self.terminate_async_event(request, call),
            other => Err(Failure::new(
                ErrorCode::UnsupportedOperation,
                format!(
                    "The emulator does not implement the action `{}` yet.",
                    other.schema().name()
                ),
            )),
        }
    }

    fn function<'c>(
        &'c self,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<(&'c str, &'c FunctionConfig), Failure> {
        let namespace = namespace.unwrap_or("default");
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

    fn get_async_event_status(
        &self,
        request: &GetAsyncEventStatusRequest,
        call: &Call<'_>,
    ) -> Result<Vec<u8>, Failure> {
        let id = request.invoke_request_id.as_str();
        let store = self.store();
        let event = store
            .get(id, call.now, self.retention_ms())
            .ok_or_else(|| event_not_found(id))?;
        let view = event.view(call.now);
        Ok(body(
            GetAsyncEventStatusResponse::default()
                .result(
                    AsyncEventStatus::default()
                        .status(view.status)
                        .status_code(view.status_code)
                        .invoke_request_id(event.id.clone()),
                )
                .request_id(call.request_id),
        ))
    }

    fn invoke(&self, request: &InvokeRequest, call: &Call<'_>) -> Result<Vec<u8>, Failure> {
        if call.region.is_none() {
            return Err(Failure::missing("Region"));
        }
        let (namespace, function) =
            self.function(request.namespace.as_deref(), &request.function_name)?;
        let qualifier = request.qualifier.as_deref().unwrap_or("$LATEST");
        if !function.qualifiers.iter().any(|q| q == qualifier) {
            return Err(Failure::new(
                ErrorCode::ResourceNotFoundQualifier,
                format!(
                    "Version or alias `{qualifier}` of function `{}` does not exist.",
                    function.name
                ),
            ));
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
        let tail = match &request.log_type {
            None | Some(LogType::None) => false,
            Some(LogType::Tail) => true,
            Some(_) => {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValue,
                    "LogType",
                    "use None or Tail",
                ));
            }
        };
        if request
            .routing_key
            .as_ref()
            .is_some_and(|key| key.len() > MAX_ROUTING_KEY)
        {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValue,
                "RoutingKey",
                "at most 1024 bytes",
            ));
        }
        let directive = directive(request.client_context.as_deref(), asynchronous)?;
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
            InvokeResult::default().function_request_id(execution_id)
        } else {
            let log = if tail {
                format!(
                    "START RequestId: {execution_id}\nEND RequestId: {execution_id}\nReport RequestId: {execution_id} Duration:{duration_ms}ms Memory:128MB MemUsage:8MB"
                )
            } else {
                String::new()
            };
            let failed = outcome == Outcome::Failed;
            let err_msg = if failed {
                format!(
                    "{{\"errorCode\":{status_code},\"errorMessage\":\"user code exception caught\"}}"
                )
            } else {
                String::new()
            };
            InvokeResult::default()
                .function_request_id(execution_id)
                .ret_msg(if failed { String::new() } else { ret_msg })
                .err_msg(err_msg)
                .log(log)
                .mem_usage(MEMORY_USED)
                .duration(duration_ms as f64)
                .bill_duration(i64::try_from(duration_ms.max(1)).unwrap_or(i64::MAX))
                .invoke_result(if failed { -1 } else { 0 })
        };
        Ok(body(
            InvokeResponse::default()
                .result(result)
                .request_id(call.request_id),
        ))
    }

    fn list_async_events(
        &self,
        request: &ListAsyncEventsRequest,
        call: &Call<'_>,
    ) -> Result<Vec<u8>, Failure> {
        let (namespace, function) =
            self.function(request.namespace.as_deref(), &request.function_name)?;
        let limit = request.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueLimit,
                "Limit",
                "from 1 to 100",
            ));
        }
        let offset = request.offset.unwrap_or(0);
        let offset = usize::try_from(offset).map_err(|_| {
            Failure::invalid_value(ErrorCode::InvalidParameterValue, "Offset", "0 or more")
        })?;
        // Values outside ASC and DESC, and unknown statuses, were refused by the schema's known values
        // (`InvalidParameterValue.Order`, `.Status`) before the request was read.
        let descending = request.order != Some(Order::Ascending);
        let by_end = match request.orderby.as_deref() {
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
        let statuses = request.status.as_deref();
        let invoke_types = request.invoke_type.as_deref();
        let started_in = interval(request.start_time_interval.as_ref(), "StartTimeInterval")?;
        let ended_in = interval(request.end_time_interval.as_ref(), "EndTimeInterval")?;
        let qualifier = request.qualifier.as_deref();
        let id = request.invoke_request_id.as_deref();

        let store = self.store();
        let mut matches: Vec<(&Event, crate::store::View)> = store
            .of_function(namespace, &function.name, call.now, self.retention_ms())
            .map(|event| (event, event.view(call.now)))
            .filter(|(event, view)| {
                qualifier.is_none_or(|q| event.qualifier == q)
                    && id.is_none_or(|id| event.id == id)
                    && invoke_types.is_none_or(|types| types.iter().any(|t| t == event.invoke_type))
                    && statuses.is_none_or(|wanted| wanted.contains(&view.status))
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
        let total_count = i64::try_from(matches.len()).unwrap_or(i64::MAX);
        let event_list: Vec<AsyncEvent> = matches
            .into_iter()
            .skip(offset)
            .take(limit as usize)
            .map(|(event, view)| {
                AsyncEvent::default()
                    .invoke_request_id(event.id.clone())
                    .invoke_type(event.invoke_type)
                    .qualifier(event.qualifier.clone())
                    .status(view.status)
                    .start_time(event_time(event.started))
                    .end_time(view.ended.map(event_time).unwrap_or_default())
            })
            .collect();
        Ok(body(
            ListAsyncEventsResponse::default()
                .total_count(total_count)
                .event_list(event_list)
                .request_id(call.request_id),
        ))
    }

    fn terminate_async_event(
        &self,
        request: &TerminateAsyncEventRequest,
        call: &Call<'_>,
    ) -> Result<Vec<u8>, Failure> {
        let (namespace, function) =
            self.function(request.namespace.as_deref(), &request.function_name)?;
        let id = request.invoke_request_id.as_str();
        let grace = request.grace_shutdown.unwrap_or(false);
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
        Ok(body(
            TerminateAsyncEventResponse::default().request_id(call.request_id),
        ))
    }
}

fn event_not_found(id: &str) -> Failure {
    Failure::new(
        ErrorCode::ResourceNotFoundAsyncEvent,
        format!("The specified AsyncEvent `{id}` was not found."),
    )
}

fn interval(interval: Option<&TimeInterval>, name: &str) -> Result<Option<(u64, u64)>, Failure> {
    let Some(interval) = interval else {
        return Ok(None);
    };
    match (
        parse_interval_time(&interval.start),
        parse_interval_time(&interval.end),
    ) {
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
