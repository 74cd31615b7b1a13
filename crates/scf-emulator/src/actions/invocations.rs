//! Invocations: sync and async `Invoke`, `InvokeFunction`, and what past invocations reported.

use std::sync::atomic::Ordering;

use scf_model::{
    ErrorCode, GetFunctionLogsRequest, GetRequestStatusRequest, InvocationType,
    InvokeFunctionRequest, InvokeRequest, InvokeResponse, InvokeResult, LogType,
};
use serde::{Deserialize, Serialize};

use super::{Backend, Call, body, functions, namespace_or_default, unsupported, versions};
use crate::config::Outcome;
use crate::failure::Failure;
use crate::ids::uuid;
use crate::store::Event;

/// The tables of this module.
pub(crate) const SCHEMA: &str = "";

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

pub(super) fn invoke(
    backend: &Backend,
    request: &InvokeRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    if call.region.is_none() {
        return Err(Failure::missing("Region"));
    }
    let namespace = namespace_or_default(request.namespace.as_deref());
    let (function, resolved) = backend.db.read(|c| {
        let function = functions::find(c, namespace, &request.function_name)?;
        let resolved = versions::resolve(c, &function, request.qualifier.as_deref())?;
        Ok((function, resolved))
    })?;
    let qualifier = request.qualifier.as_deref().unwrap_or(versions::LATEST);
    let script = &resolved.deployment.script;
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
    let duration_ms = directive.duration_ms.unwrap_or(script.duration_ms);
    let outcome = directive.outcome.unwrap_or(script.outcome);
    let status_code = directive.status_code.unwrap_or(script.failure_status_code);
    let ret_msg = directive.ret_msg.unwrap_or_else(|| script.ret_msg.clone());
    let execution_id = uuid();

    let result = if asynchronous {
        let event = Event {
            id: execution_id.clone(),
            namespace: namespace.to_owned(),
            function: function.name.clone(),
            qualifier: qualifier.to_owned(),
            invoke_type: INVOKE_TYPE,
            started: call.now,
            visible_from: call.now + backend.visibility_delay_ms.load(Ordering::Relaxed),
            natural_end: call.now + duration_ms,
            outcome,
            failure_status_code: status_code,
            aborted_at: None,
        };
        backend
            .store()
            .insert(event, call.now, backend.retention_ms());
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

pub(super) fn invoke_function(
    _backend: &Backend,
    _request: &InvokeFunctionRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("InvokeFunction"))
}

pub(super) fn get_request_status(
    _backend: &Backend,
    _request: &GetRequestStatusRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("GetRequestStatus"))
}

pub(super) fn get_function_logs(
    _backend: &Backend,
    _request: &GetFunctionLogsRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("GetFunctionLogs"))
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
