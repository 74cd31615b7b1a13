//! What the commands share: a client from the global options, and waiting for an async event.

use std::time::Duration;

use scf::model::EventStatus;
use scf::transport::{DefaultChain, Timeouts};
use scf::{Client, Endpoint};
use serde_json::json;

use crate::args::{Global, Language, Output, WaitArgs};
use crate::exit::Failure;
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
