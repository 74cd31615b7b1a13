//! The API subcommands.
#![allow(clippy::print_stdout)]

use std::io::Read;
use std::time::Duration;

use futures_util::StreamExt;
use scf::model::{EventStatus, InvokeRequest, ListAsyncEventsRequest, LogType, Order, OrderBy};
use scf::transport::{DefaultChain, Timeouts};
use scf::{Client, Endpoint};
use serde_json::json;

use crate::args::{Global, InvokeArgs, Language, ListArgs, Output, WaitArgs};
use crate::exit::Failure;
use crate::{output, progress};

/// A client from the global options, with credentials from the default chain, whose calls default to
/// `namespace` when one is given.
pub(crate) fn client(global: &Global, namespace: Option<&str>) -> Result<Client, Failure> {
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
    if let Some(namespace) = namespace {
        builder = builder.namespace(namespace);
    }
    if let Some(language) = global.language {
        builder = builder.language(match language {
            Language::ZhCn => scf::Language::ZhCn,
            Language::EnUs => scf::Language::EnUs,
        });
    }
    Ok(builder.build()?)
}

pub(crate) async fn get_async_event_status(
    client: &Client,
    output: Output,
    id: &str,
) -> Result<(), Failure> {
    let response = client.get_async_event_status(id).await?;
    output::print(output, &response);
    Ok(())
}

pub(crate) async fn invoke(
    client: &Client,
    output: Output,
    args: InvokeArgs,
) -> Result<(), Failure> {
    let client_context = match (&args.client_context, &args.client_context_file) {
        (Some(context), _) => Some(context.clone()),
        (None, Some(path)) => Some(read_input(path)?),
        (None, None) => None,
    };
    let mut request = if args.asynchronous {
        InvokeRequest::event(&args.function_name)
    } else {
        InvokeRequest::new(&args.function_name)
    };
    request.client_context = client_context;
    request.namespace = args.namespace;
    request.qualifier = args.qualifier;
    request.log_type = args.tail_log.then_some(LogType::Tail);
    let response = client.invoke(&request).await?;
    if !args.wait {
        output::print(output, &response);
        return Ok(());
    }
    let id = response.result.function_request_id;
    eprintln_started(&id);
    wait(client, output, &id, &args.wait_options).await
}

#[allow(clippy::print_stderr)]
fn eprintln_started(id: &str) {
    eprintln!("started async event {id}");
}

pub(crate) async fn wait(
    client: &Client,
    output: Output,
    id: &str,
    args: &WaitArgs,
) -> Result<(), Failure> {
    let outcome = client.wait(id, progress::options(args)).await?;
    output::print(
        output,
        &json!({
            "Result": {"Status": outcome.status, "StatusCode": outcome.status_code, "InvokeRequestId": outcome.invoke_request_id},
            "Polls": outcome.polls,
            "ElapsedMs": outcome.elapsed.as_millis() as u64,
        }),
    );
    match outcome.status {
        EventStatus::Failed => Err(Failure::EventFailed),
        EventStatus::Aborted => Err(Failure::EventAborted),
        _ => Ok(()),
    }
}

pub(crate) async fn list_async_events(
    client: &Client,
    output: Output,
    args: ListArgs,
) -> Result<(), Failure> {
    let order = match args.order.as_deref() {
        None => None,
        Some("ASC") => Some(Order::Ascending),
        Some("DESC") => Some(Order::Descending),
        Some(other) => {
            return Err(Failure::Config(format!(
                "--order must be ASC or DESC, not {other}"
            )));
        }
    };
    let orderby = match args.orderby.as_deref() {
        None => None,
        Some("StartTime") => Some(OrderBy::StartTime),
        Some("EndTime") => Some(OrderBy::EndTime),
        Some(other) => {
            return Err(Failure::Config(format!(
                "--orderby must be StartTime or EndTime, not {other}"
            )));
        }
    };
    let request = ListAsyncEventsRequest {
        namespace: args.namespace,
        qualifier: args.qualifier,
        status: (!args.status.is_empty())
            .then(|| args.status.iter().map(|s| EventStatus::parse(s)).collect()),
        invoke_type: (!args.invoke_type.is_empty()).then_some(args.invoke_type),
        invoke_request_id: args.invoke_request_id,
        order,
        orderby,
        offset: args.offset,
        limit: args.limit,
        ..ListAsyncEventsRequest::new(&args.function_name)
    };
    if !args.all {
        let response = client.list_async_events(&request).await?;
        output::print(output, &response);
        return Ok(());
    }
    let mut events = Vec::new();
    let mut stream = Box::pin(client.list_all_async_events(request));
    while let Some(event) = stream.next().await {
        events.push(event?);
    }
    output::print(
        output,
        &json!({"TotalCount": events.len(), "EventList": events}),
    );
    Ok(())
}

pub(crate) async fn terminate_async_event(
    client: &Client,
    output: Output,
    function: &str,
    id: &str,
    grace: bool,
) -> Result<(), Failure> {
    let response = client.terminate_async_event(function, id, grace).await?;
    output::print(output, &response);
    Ok(())
}

/// A file's text, or stdin's for `-`.
pub(crate) fn read_input(path: &std::path::Path) -> Result<String, Failure> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::Config(format!("cannot read stdin: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
        .map_err(|e| Failure::Config(format!("cannot read {}: {e}", path.display())))
}
