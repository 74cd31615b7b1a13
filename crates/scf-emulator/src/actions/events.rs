//! The async-event actions: status, listing and termination of the events an async Invoke starts.

use scf_model::{
    AsyncEvent, AsyncEventStatus, ErrorCode, EventStatus, GetAsyncEventStatusRequest,
    GetAsyncEventStatusResponse, ListAsyncEventsRequest, ListAsyncEventsResponse, Order,
    TerminateAsyncEventRequest, TerminateAsyncEventResponse, TimeInterval,
};

use super::functions::{self, Function};
use super::{Backend, Call, body, namespace_or_default};
use crate::failure::Failure;
use crate::store::Event;
use crate::time_format::{event_time, parse_interval_time};

/// The tables of this module.
pub(crate) const SCHEMA: &str = "";

/// The function a request names.
fn function(backend: &Backend, namespace: Option<&str>, name: &str) -> Result<Function, Failure> {
    backend
        .db
        .read(|c| functions::find(c, namespace_or_default(namespace), name))
}

pub(super) fn get_async_event_status(
    backend: &Backend,
    request: &GetAsyncEventStatusRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let id = request.invoke_request_id.as_str();
    let store = backend.store();
    let event = store
        .get(id, call.now, backend.retention_ms())
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

pub(super) fn list_async_events(
    backend: &Backend,
    request: &ListAsyncEventsRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let function = function(
        backend,
        request.namespace.as_deref(),
        &request.function_name,
    )?;
    let namespace = function.namespace.as_str();
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

    let store = backend.store();
    let mut matches: Vec<(&Event, crate::store::View)> = store
        .of_function(namespace, &function.name, call.now, backend.retention_ms())
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

pub(super) fn terminate_async_event(
    backend: &Backend,
    request: &TerminateAsyncEventRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let function = function(
        backend,
        request.namespace.as_deref(),
        &request.function_name,
    )?;
    let namespace = function.namespace.as_str();
    let id = request.invoke_request_id.as_str();
    let grace = request.grace_shutdown.unwrap_or(false);
    let mut store = backend.store();
    let event = store
        .get_mut(id, call.now, backend.retention_ms())
        .filter(|event| event.namespace == namespace && event.function == function.name)
        .ok_or_else(|| event_not_found(id))?;
    if event.view(call.now).status != EventStatus::Running || event.aborted_at.is_some() {
        return Err(Failure::new(
            ErrorCode::FailedOperationAsyncEventStatus,
            format!("Async event `{id}` is not running, so it cannot be terminated."),
        ));
    }
    event.aborted_at = Some(if grace {
        call.now + function.deployment.script.grace_shutdown_ms
    } else {
        call.now
    });
    Ok(body(
        TerminateAsyncEventResponse::default().request_id(call.request_id),
    ))
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
