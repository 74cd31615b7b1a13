//! What the commands share: a client from the global options, and waiting for an async event or for a
//! function to become Active.

use std::time::Duration;

use scf::model::{EventStatus, GetFunctionRequest, GetFunctionResponse};
use scf::transport::{DefaultChain, Timeouts};
use scf::{Client, Endpoint, FunctionRef, FunctionWaitError, FunctionWaitErrorKind};
use serde_json::json;
use tc_api::Action;

use crate::args::{Global, Language, Output, WaitArgs};
use crate::exit::Failure;
use crate::ordered::{Absent, Ordered};
use crate::output::{self, Filter};
use crate::progress;

/// A client from the global options, with credentials from the default chain.
pub(crate) fn client(global: &Global) -> Result<Client, Failure> {
    let mut chain = DefaultChain::new();
    if let Some(profile) = &global.profile {
        chain = chain.profile(profile);
    }
    let mut builder = Client::builder()
        .region(&global.region)
        .credentials(chain)
        .timeouts(Timeouts {
            operation: Duration::from_secs(global.timeout.max(1)),
            attempt: Duration::from_secs(global.timeout.clamp(1, 30)),
            ..Timeouts::default()
        });
    if let Some(endpoint) = &global.endpoint {
        builder = builder
            .endpoint(Endpoint::parse(endpoint).map_err(|e| Failure::Config(e.to_string()))?);
    }
    if let Some(language) = global.language {
        builder = builder.language(match language {
            Language::ZhCn => scf::Language::ZhCn,
            Language::EnUs => scf::Language::EnUs,
        });
    }
    builder
        .build()
        .map_err(|error| Failure::Config(error.to_string()))
}

/// Waits for the event `id` with live progress on stderr, prints how it ended, and fails with the exit
/// code of a FAILED or ABORTED event.
pub(crate) async fn wait(
    client: &Client,
    format: Output,
    filter: Option<&Filter>,
    id: &str,
    args: &WaitArgs,
) -> Result<(), Failure> {
    let outcome = client.wait(id, progress::options(args)).await?;
    output::print(
        format,
        filter,
        &json!({
            "Result": {"Status": outcome.status, "StatusCode": outcome.status_code, "InvokeRequestId": outcome.invoke_request_id},
            "Polls": outcome.polls,
            "ElapsedMs": outcome.elapsed.as_millis() as u64,
        }),
    )?;
    match outcome.status {
        EventStatus::Failed => Err(Failure::EventFailed),
        EventStatus::Aborted => Err(Failure::EventAborted),
        _ => Ok(()),
    }
}

/// Waits for `function` to be Active with live progress on stderr and prints it as `get-function` does.
/// A function that ended in a *Failed status is printed too, then fails with the API's exit code.
pub(crate) async fn wait_function(
    client: &Client,
    format: Output,
    filter: Option<&Filter>,
    function: FunctionRef,
    args: &WaitArgs,
) -> Result<(), Failure> {
    let options = progress::function_options(args);
    match client.wait_until_function_active(function, options).await {
        Ok(outcome) => print_function(format, filter, &outcome.function),
        Err(error) => {
            if let (FunctionWaitErrorKind::Failed, Some(last)) =
                (error.kind(), error.last_function())
            {
                print_function(format, filter, last)?;
            }
            Err(function_failure(error))
        }
    }
}

/// `function` in the spec's member order, as `scf get-function` prints GetFunction's answer.
fn print_function(
    format: Output,
    filter: Option<&Filter>,
    function: &GetFunctionResponse,
) -> Result<(), Failure> {
    let value = serde_json::to_value(function)
        .map_err(|e| Failure::Api(format!("GetFunction's answer cannot be shown: {e}")))?;
    let shown = Ordered::new(&value, GetFunctionRequest::SCHEMA.output, Absent::Null);
    Ok(output::print(format, filter, &shown)?)
}

/// The exit of a wait for a function: the API's for a *Failed status or a missing function, the wait's
/// for a timeout, and the call's own for a poll that failed otherwise.
pub(crate) fn function_failure(error: FunctionWaitError) -> Failure {
    let message = error.to_string();
    match (error.kind(), error.into_call_error()) {
        (FunctionWaitErrorKind::TimedOut, _) => Failure::WaitTimedOut(message),
        (FunctionWaitErrorKind::Call, Some(call)) => call.into(),
        _ => Failure::Api(message),
    }
}
