//! Running one action from its subcommand: the body the flags give, checked before anything is sent;
//! the call, or every page of it with `--all`; Invoke's `--async --wait`; the result as tccli prints it.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use clap::{ArgMatches, FromArgMatches};
use scf::Client;
use serde_json::{Map, Value};
use tc_api::Page;
use tc_api::schema::{ActionSchema, PaginationSchema};

use crate::action_command::{
    ALL, ASYNC, CLI_INPUT_JSON, CLIENT_CONTEXT_FILE, GENERATE_CLI_SKELETON, INVOKE, WAIT,
};
use crate::args::{Global, WaitArgs};
use crate::exit::Failure;
use crate::input::{self, InputError};
use crate::ordered::{Absent, Ordered};
use crate::output::{self, Filter};
use crate::{commands, flags, skeleton};

/// Runs `action` with the flags of its subcommand.
pub(crate) async fn run(
    action: &'static ActionSchema,
    matches: &ArgMatches,
    global: &Global,
) -> Result<(), Failure> {
    if matches.get_one::<String>(GENERATE_CLI_SKELETON).is_some() {
        println!(
            "{}",
            output::to_pretty_json(&skeleton::Object::new(action.input))
        );
        return Ok(());
    }
    let filter = global.filter.as_deref().map(Filter::compile).transpose()?;
    let body = body(action, matches)?;
    let client = commands::client(global)?;
    let all = action.pagination.filter(|_| flag(matches, ALL));
    let response = match all {
        Some(pagination) => send_all(&client, action, pagination, body).await?,
        None => send(&client, action, &body).await?,
    };
    if action.name() == INVOKE && flag(matches, WAIT) {
        let Some(id) = response
            .pointer("/Result/FunctionRequestId")
            .and_then(Value::as_str)
        else {
            return Err(Failure::Api(
                "Invoke answered without Result.FunctionRequestId".to_owned(),
            ));
        };
        eprintln!("started async event {id}");
        let wait =
            WaitArgs::from_arg_matches(matches).map_err(|e| Failure::Usage(e.to_string()))?;
        return commands::wait(&client, global.output, filter.as_ref(), id, &wait).await;
    }
    let shown = Ordered::new(&response, action.output, Absent::Null);
    output::print(global.output, filter.as_ref(), &shown)?;
    Ok(())
}

/// Whether the boolean flag `id`, which the subcommand may not have, is set.
fn flag(matches: &ArgMatches, id: &str) -> bool {
    matches
        .try_get_one::<bool>(id)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

/// The request body the subcommand's flags give (over the members of `--cli-input-json`), checked
/// against the action's schema.
pub(crate) fn body(
    action: &'static ActionSchema,
    matches: &ArgMatches,
) -> Result<Value, InputError> {
    let mut members = match matches.get_one::<String>(CLI_INPUT_JSON) {
        Some(argument) => input::cli_input_json(argument)?,
        None => Map::new(),
    };
    for flag in flags::of(action.input) {
        if flag.pascal.is_none() && flag.kebab.is_none() {
            continue;
        }
        if let Some(text) = matches.get_one::<String>(flag.member.name) {
            members.insert(
                flag.member.name.to_owned(),
                input::member_value(&flag, text)?,
            );
        }
    }
    if action.name() == INVOKE {
        invoke_extras(matches, &mut members)?;
    }
    let body = Value::Object(members);
    input::check(&body, action.input)?;
    Ok(body)
}

/// `--client-context-file` and `--async`, as the members they stand for.
fn invoke_extras(matches: &ArgMatches, members: &mut Map<String, Value>) -> Result<(), InputError> {
    if let Some(path) = matches.get_one::<String>(CLIENT_CONTEXT_FILE) {
        let context = input::read_input(std::path::Path::new(path)).map_err(|error| {
            InputError::new(format!(
                "--client-context-file: cannot read {path}: {error}"
            ))
        })?;
        members.insert("ClientContext".to_owned(), Value::String(context));
    }
    if flag(matches, ASYNC) {
        let event = Value::String("Event".to_owned());
        match members.get("InvocationType") {
            Some(given) if !given.is_null() && *given != event => {
                return Err(InputError::new(
                    "--async starts an async event (--InvocationType Event) and contradicts the \
                     --InvocationType given",
                ));
            }
            _ => {
                members.insert("InvocationType".to_owned(), event);
            }
        }
    }
    Ok(())
}

/// Sends `body`, in the spec's member order as tccli sends it, and returns the content of `Response`.
pub(crate) async fn send(
    client: &Client,
    action: &'static ActionSchema,
    body: &Value,
) -> Result<Value, Failure> {
    let ordered = Ordered::new(body, action.input, Absent::Skip);
    client
        .transport()
        .call_action::<Value, _>(&action.metadata, &ordered)
        .await
        .map_err(|error| {
            let failure = Failure::from(error);
            match body.get("InvokeRequestId").and_then(Value::as_str) {
                Some(id) => failure.about_event(id),
                None => failure,
            }
        })
}

/// Every page from the body's offset on, as one response: the last page's, holding all items.
async fn send_all(
    client: &Client,
    action: &'static ActionSchema,
    pagination: PaginationSchema,
    mut body: Value,
) -> Result<Value, Failure> {
    let mut offset = body
        .get(pagination.offset)
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let mut items = Vec::new();
    loop {
        if let Some(members) = body.as_object_mut() {
            members.insert(pagination.offset.to_owned(), Value::from(offset));
        }
        let mut response = send(client, action, &body).await?;
        let page = Page {
            items: match response.get_mut(pagination.items).map(Value::take) {
                Some(Value::Array(list)) => list,
                _ => Vec::new(),
            },
            total: pagination
                .total
                .and_then(|total| response.get(total))
                .and_then(Value::as_u64),
        };
        let more = page.has_next(offset);
        offset = offset.saturating_add(page.items.len() as u64);
        items.extend(page.items);
        if !more {
            if let Some(members) = response.as_object_mut() {
                members.insert(pagination.items.to_owned(), Value::Array(items));
            }
            return Ok(response);
        }
    }
}
