//! Triggers: stored per function, listed, updated, enabled and disabled; timer triggers fire.
//!
//! Choices where the service's documentation is silent:
//! - A trigger is one per function, `Type` and `TriggerName` (the timer docs forbid two timers of one name;
//!   the other types follow). Another one is `ResourceInUse.Trigger`. Each function holds at most 10
//!   triggers of each type (GetAccount's documented per-type counts); one more is `LimitExceeded.Trigger`.
//! - `Qualifier` of UpdateTrigger, UpdateTriggerStatus and DeleteTrigger names the version or alias the
//!   trigger was created for, as their member docs say; when given it must match, when left out any does.
//! - Types: CreateTrigger makes `timer`, `cos`, `cls`, `ckafka` and `http` (the member docs' list); the other
//!   trigger types the service knows are `UnsupportedOperation.Trigger`, anything else
//!   `InvalidParameterValue.Type`. The later actions accept the types their own member docs list.
//! - `TriggerName`: timer names are a letter then up to 99 letters, digits, `-` and `_`; cos names are a
//!   bucket's XML API domain (`<bucket>-<appid>.cos.<region>.myqcloud.com`); other names are 1-100 visible
//!   characters.
//! - `TriggerDesc`: for timers a cron expression (seven fields, `second minute hour day month weekday year`, or the legacy five; the
//!   specials the timer docs allow), given bare or as `{"cron": ...}` and
//!   stored and answered as `{"cron":"..."}`; for cos, cls and ckafka a JSON object, required, kept as given
//!   (cos needs its `event`); for http a JSON object, by default no authentication on an extranet URL.
//!   UpdateTrigger replaces a timer's cron and, for ckafka and http, sets the members it names.
//! - `Enable` defaults to `OPEN`; `Description` holds up to 1000 characters and `CustomArgument` up to
//!   4 KB (the timer docs' limit), kept for every type as the ListTriggers example shows.
//! - ListTriggers: `Limit` 1-100 (0 or left out: 20); filters `Qualifier` and `TriggerName` match exactly,
//!   `Description` as a substring; values of one filter are alternatives, filters all apply.
//! - `ResourceId` names the one account the emulator serves, `100000000001`.
//!
//! Only timer triggers fire; the others have no source of events here. A timer fires on the emulator's
//! clock (see `crate::timers` for how often it looks): each time its cron matches, one async invocation of
//! its `Qualifier`, as an Invoke with `InvocationType` `Event` would start, whose event is
//! `{"Type":"Timer","TriggerName":...,"Time":"<fire time, UTC, ISO 8601>","Message":"<CustomArgument>"}`
//! (doc 583/9708), whose async event's `InvokeType` is `TRIGGER_TIMER` (ListAsyncEvents' example) and whose
//! code sees `TRIGGER_SRC=timer`. The invocation starts at the fire time. Inferred rules:
//! - Timers invoke every Event function, `AsyncRunEnable` or not: the service invokes every function
//!   from its timers, and only the Invoke action ties async events to the flag. A fire the function
//!   refuses (an HTTP function, `$LATEST` not Active, a qualifier gone) starts nothing and is not retried.
//! - A timer fires at the matches after it was created, re-enabled (CLOSE to OPEN) or given a new cron;
//!   a closed timer does not fire, and deleting it or its function stops it.
//! - The time up to which a timer fired is stored, so a restarted emulator never fires a time twice,
//!   even when its clock starts earlier. Matches while the emulator is stopped are not caught up.
//! - When the clock jumps (a manual clock, a clock offset), the matches it jumped over fire at once,
//!   but at most the latest 100 per timer (`MAX_FIRES_AT_ONCE`), and none older than the events'
//!   retention, whose events would be gone already. A clock that goes back fires nothing until it
//!   passes the time up to which the timer fired.

mod cron;

use rusqlite::{Connection, OptionalExtension, Row, params};
use scf_model::{
    CreateTriggerRequest, CreateTriggerResponse, DeleteTriggerRequest, DeleteTriggerResponse,
    ErrorCode, Filter, ListTriggersRequest, ListTriggersResponse, Order, Trigger, TriggerInfo,
    UpdateTriggerRequest, UpdateTriggerResponse, UpdateTriggerStatusRequest,
    UpdateTriggerStatusResponse,
};
use serde::Serialize;
use serde_json::{Map, Value};

use super::functions::{self, Function};
use super::paging::unsigned_page;
use super::{
    Backend, Call, body, check_description, namespace_or_default, require_active, versions,
};
use crate::failure::Failure;
use crate::time_format::resource_time;

/// The uin of the one account the emulator serves, as resource ids show it.
pub(crate) const ACCOUNT_UIN: &str = "100000000001";

/// How many triggers of one type a function may hold.
pub(crate) const PER_TYPE_LIMIT: i64 = 10;

/// How many past fire times of one timer fire at once, at most, when the clock jumps.
pub(crate) const MAX_FIRES_AT_ONCE: usize = 100;

/// The tables of this module.
pub(crate) const SCHEMA: &str = "
CREATE TABLE triggers (
    function INTEGER NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    -- The version or alias the trigger invokes, as given.
    qualifier TEXT NOT NULL,
    -- TriggerDesc as answered: a timer's cron as {\"cron\": ...}, the other types' JSON as given.
    trigger_desc TEXT NOT NULL,
    description TEXT NOT NULL,
    custom_argument TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    PRIMARY KEY (function, type, name)
) WITHOUT ROWID;
";

/// Version 2: the time up to which each timer fired, on the emulator's clock (its creation, the last time
/// it was enabled or given a new cron, or the last time it fired).
pub(crate) const FIRED_UNTIL_SCHEMA: &str = "
ALTER TABLE triggers ADD COLUMN fired_until INTEGER NOT NULL DEFAULT 0;
";

/// The types CreateTrigger makes.
const CREATABLE: &[&str] = &["timer", "cos", "cls", "ckafka", "http"];
/// Every trigger type the service knows (GetAccount's TriggerCount members).
const KNOWN: &[&str] = &[
    "timer", "cos", "cls", "ckafka", "http", "apigw", "cmq", "clb", "mps", "cm", "vod", "eb",
];
const UPDATABLE: &[&str] = &["timer", "ckafka", "http"];
const SWITCHABLE: &[&str] = &["timer", "cos", "ckafka"];
const DELETABLE: &[&str] = &["timer", "ckafka", "apigw", "cls", "cos", "cmq", "http"];

const CUSTOM_ARGUMENT_MAX_BYTES: usize = 4096;
const TRIGGER_NAME_MAX_CHARS: usize = 100;

/// A trigger as stored.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    kind: String,
    name: String,
    qualifier: String,
    trigger_desc: String,
    description: String,
    custom_argument: String,
    enabled: bool,
    created: u64,
    modified: u64,
}

const COLUMNS: &str =
    "type, name, qualifier, trigger_desc, description, custom_argument, enabled, created, modified";

impl Stored {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            kind: row.get(0)?,
            name: row.get(1)?,
            qualifier: row.get(2)?,
            trigger_desc: row.get(3)?,
            description: row.get(4)?,
            custom_argument: row.get(5)?,
            enabled: row.get(6)?,
            created: row.get::<_, i64>(7)? as u64,
            modified: row.get::<_, i64>(8)? as u64,
        })
    }

    fn resource_id(&self, function: &Function, region: &str) -> String {
        format!(
            "qcs::scf:{region}:uin/{ACCOUNT_UIN}:function/{}/{}",
            function.name, self.name
        )
    }

    // The deprecated members are still in every answer the service gives, so they are filled.
    #[allow(deprecated)]
    fn to_trigger(&self, function: &Function, region: &str) -> Trigger {
        Trigger::default()
            .mod_time(resource_time(self.modified))
            .r#type(self.kind.clone())
            .trigger_desc(self.trigger_desc.clone())
            .trigger_name(self.name.clone())
            .add_time(resource_time(self.created))
            .enable(i64::from(self.enabled))
            .custom_argument(self.custom_argument.clone())
            .available_status("Available")
            .resource_id(self.resource_id(function, region))
            .bind_status("on")
            .trigger_attribute("single")
            .qualifier(self.qualifier.clone())
            .description(self.description.clone())
    }

    #[allow(deprecated)]
    fn to_info(&self, function: &Function, region: &str) -> TriggerInfo {
        TriggerInfo::default()
            .enable(u64::from(self.enabled))
            .qualifier(self.qualifier.clone())
            .trigger_name(self.name.clone())
            .r#type(self.kind.clone())
            .trigger_desc(self.trigger_desc.clone())
            .available_status("Available")
            .custom_argument(self.custom_argument.clone())
            .add_time(resource_time(self.created))
            .mod_time(resource_time(self.modified))
            .resource_id(self.resource_id(function, region))
            .bind_status("on")
            .trigger_attribute("single")
            .description(self.description.clone())
    }

    fn insert(&self, connection: &Connection, function: i64) -> Result<(), Failure> {
        connection
            .prepare_cached(&format!(
                "INSERT INTO triggers (function, {COLUMNS}, fired_until) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9)"
            ))?
            .execute(params![
                function,
                self.kind,
                self.name,
                self.qualifier,
                self.trigger_desc,
                self.description,
                self.custom_argument,
                self.enabled,
                self.created as i64,
                self.modified as i64,
            ])?;
        Ok(())
    }

    /// Stores the changed members; `reschedule` makes a timer fire only at matches after now, as when
    /// it is re-enabled or given a new cron.
    fn update(
        &self,
        connection: &Connection,
        function: i64,
        reschedule: bool,
    ) -> Result<(), Failure> {
        connection
            .prepare_cached(
                "UPDATE triggers SET trigger_desc = ?4, description = ?5, custom_argument = ?6, \
                 enabled = ?7, modified = ?8, fired_until = CASE WHEN ?9 THEN ?8 ELSE fired_until END \
                 WHERE function = ?1 AND type = ?2 AND name = ?3",
            )?
            .execute(params![
                function,
                self.kind,
                self.name,
                self.trigger_desc,
                self.description,
                self.custom_argument,
                self.enabled,
                self.modified as i64,
                reschedule,
            ])?;
        Ok(())
    }
}

/// The triggers of `function`, oldest first, as GetFunction lists them.
pub(crate) fn of_function(
    connection: &Connection,
    function: &Function,
) -> Result<Vec<Trigger>, Failure> {
    // GetFunction names no region of its own here; the service's default region stands in.
    Ok(all(connection, function)?
        .iter()
        .map(|stored| stored.to_trigger(function, DEFAULT_REGION))
        .collect())
}

/// The region resource ids name when the request names none, and timers' invocations run in.
pub(crate) const DEFAULT_REGION: &str = "ap-guangzhou";

fn region<'a>(call: &Call<'a>) -> &'a str {
    call.region
        .filter(|r| !r.is_empty())
        .unwrap_or(DEFAULT_REGION)
}

fn all(connection: &Connection, function: &Function) -> Result<Vec<Stored>, Failure> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM triggers WHERE function = ?1 ORDER BY created, type, name"
    ))?;
    let rows = statement.query_map([function.id], Stored::from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn find_trigger(
    connection: &Connection,
    function: &Function,
    kind: &str,
    name: &str,
    qualifier: Option<&str>,
) -> Result<Stored, Failure> {
    let qualifier = qualifier.filter(|q| !q.is_empty());
    let found = connection
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM triggers WHERE function = ?1 AND type = ?2 AND name = ?3"
        ))?
        .query_row(params![function.id, kind, name], Stored::from_row)
        .optional()?
        .filter(|stored| qualifier.is_none_or(|q| stored.qualifier == q));
    found.ok_or_else(|| {
        let on = qualifier
            .map(|q| format!(" on qualifier `{q}`"))
            .unwrap_or_default();
        Failure::new(
            ErrorCode::ResourceNotFoundTrigger,
            format!(
                "The {kind} trigger `{name}`{on} of function `{}` in namespace `{}` does not exist.",
                function.name, function.namespace
            ),
        )
    })
}

/// The function a request names, refused while it is being created or updated.
fn settled_function(
    connection: &Connection,
    namespace: Option<&str>,
    name: &str,
    now: u64,
) -> Result<Function, Failure> {
    functions::find_settled(
        connection,
        namespace,
        name,
        now,
        ErrorCode::FailedOperationCreateTrigger,
    )
}

/// What DeleteTrigger, UpdateTrigger and UpdateTriggerStatus name: a trigger of a settled function.
struct Named<'a> {
    namespace: Option<&'a str>,
    function_name: &'a str,
    kind: &'a str,
    trigger_name: &'a str,
    qualifier: Option<&'a str>,
}

/// The [`Named`] of a DeleteTrigger, UpdateTrigger or UpdateTriggerStatus request, whose members are alike.
macro_rules! named {
    ($request:expr, $kind:expr) => {
        Named {
            namespace: $request.namespace.as_deref(),
            function_name: &$request.function_name,
            kind: $kind,
            trigger_name: &$request.trigger_name,
            qualifier: $request.qualifier.as_deref(),
        }
    };
}

/// The named trigger and its function, which must not be being created or updated.
fn settled_trigger(
    connection: &Connection,
    named: &Named<'_>,
    now: u64,
) -> Result<(Function, Stored), Failure> {
    let function = settled_function(connection, named.namespace, named.function_name, now)?;
    let stored = find_trigger(
        connection,
        &function,
        named.kind,
        named.trigger_name,
        named.qualifier,
    )?;
    Ok((function, stored))
}

fn check_type(kind: &str, allowed: &[&str], action: &str) -> Result<(), Failure> {
    if allowed.contains(&kind) {
        return Ok(());
    }
    if action == "CreateTrigger" && KNOWN.contains(&kind) {
        return Err(Failure::new(
            ErrorCode::UnsupportedOperationTrigger,
            format!(
                "CreateTrigger cannot make {kind} triggers; it makes {}.",
                allowed.join(", ")
            ),
        ));
    }
    Err(Failure::invalid_value(
        ErrorCode::InvalidParameterValueType,
        "Type",
        &format!("{action} takes one of {}", allowed.join(", ")),
    ))
}

fn check_trigger_name(kind: &str, name: &str) -> Result<(), Failure> {
    let (ok, rule) = match kind {
        "timer" => (
            name.len() <= TRIGGER_NAME_MAX_CHARS
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "a timer trigger's name is a letter, then up to 99 letters, digits, `-` and `_`",
        ),
        "cos" => (
            is_cos_domain(name),
            "a cos trigger's name is its bucket's XML API domain, `<bucket>-<appid>.cos.<region>.myqcloud.com`",
        ),
        _ => (
            (1..=TRIGGER_NAME_MAX_CHARS).contains(&name.chars().count())
                && !name.chars().any(|c| c.is_control() || c.is_whitespace()),
            "a trigger's name is 1-100 visible characters",
        ),
    };
    if ok {
        Ok(())
    } else {
        Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueTriggerName,
            "TriggerName",
            rule,
        ))
    }
}

fn is_cos_domain(name: &str) -> bool {
    let label = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    let Some(rest) = name.strip_suffix(".myqcloud.com") else {
        return false;
    };
    match rest.split_once(".cos.") {
        Some((bucket, region)) => label(bucket) && label(region),
        None => false,
    }
}

fn enable(value: Option<&str>) -> Result<Option<bool>, Failure> {
    match value {
        None => Ok(None),
        Some("OPEN") => Ok(Some(true)),
        Some("CLOSE") => Ok(Some(false)),
        Some(_) => Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueEnable,
            "Enable",
            "use OPEN or CLOSE",
        )),
    }
}

fn check_custom_argument(argument: &str) -> Result<(), Failure> {
    if argument.len() > CUSTOM_ARGUMENT_MAX_BYTES {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueCustomArgument,
            "CustomArgument",
            "at most 4 KB",
        ));
    }
    Ok(())
}

fn bad_desc(rule: &str) -> Failure {
    Failure::invalid_value(
        ErrorCode::InvalidParameterValueTriggerDesc,
        "TriggerDesc",
        rule,
    )
}

fn json_object(text: &str, kind: &str) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(bad_desc(&format!(
            "a {kind} trigger's TriggerDesc is a JSON object"
        ))),
    }
}

/// A timer's cron, from a bare expression or `{"cron": ...}`, as stored: `{"cron":"..."}`.
fn timer_desc(text: &str) -> Result<String, Failure> {
    let text = text.trim();
    let expression = if text.starts_with('{') {
        json_object(text, "timer")?
            .get("cron")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| bad_desc("a timer's JSON TriggerDesc holds its expression in `cron`"))?
    } else {
        text.to_owned()
    };
    let expression = expression.split_whitespace().collect::<Vec<_>>().join(" ");
    cron::check(&expression).map_err(|why| bad_desc(&format!("the cron expression: {why}")))?;
    Ok(serde_json::json!({ "cron": expression }).to_string())
}

/// The TriggerDesc CreateTrigger stores for a trigger of `kind`.
fn new_desc(kind: &str, given: Option<&str>) -> Result<String, Failure> {
    let given = given.filter(|text| !text.trim().is_empty());
    match (kind, given) {
        ("timer", Some(text)) => timer_desc(text),
        ("http", None) => Ok(serde_json::json!({
            "AuthType": "NONE",
            "NetConfig": {"EnableIntranet": false, "EnableExtranet": true},
        })
        .to_string()),
        ("cos", Some(text)) => {
            let object = json_object(text, kind)?;
            match object.get("event").and_then(Value::as_str) {
                Some(event) if event.starts_with("cos:") => Ok(text.to_owned()),
                _ => Err(bad_desc(
                    "a cos trigger's TriggerDesc names its `event`, such as `cos:ObjectCreated:*`",
                )),
            }
        }
        (_, Some(text)) => json_object(text, kind).map(|_| text.to_owned()),
        (_, None) => Err(bad_desc(&format!("a {kind} trigger needs one"))),
    }
}

/// The TriggerDesc after UpdateTrigger: a timer's new cron, or the stored object with the given members set.
fn updated_desc(stored: &Stored, given: &str) -> Result<String, Failure> {
    if stored.kind == "timer" {
        return timer_desc(given);
    }
    let changes = json_object(given, &stored.kind)?;
    let mut object = json_object(&stored.trigger_desc, &stored.kind).unwrap_or_default();
    object.extend(changes);
    Ok(Value::Object(object).to_string())
}

/// cos triggers are named by their bucket and event, so the later actions need the TriggerDesc too.
fn require_cos_desc(kind: &str, given: Option<&str>) -> Result<(), Failure> {
    if kind == "cos" {
        let text =
            given.ok_or_else(|| bad_desc("a cos trigger is named with its JSON TriggerDesc"))?;
        json_object(text, kind)?;
    }
    Ok(())
}

pub(super) fn create_trigger(
    backend: &Backend,
    request: &CreateTriggerRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let kind = request.r#type.as_str();
    check_type(kind, CREATABLE, "CreateTrigger")?;
    check_trigger_name(kind, &request.trigger_name)?;
    let trigger_desc = new_desc(kind, request.trigger_desc.as_deref())?;
    let enabled = enable(request.enable.as_deref())?.unwrap_or(true);
    let description = request.description.clone().unwrap_or_default();
    check_description(&description)?;
    let custom_argument = request.custom_argument.clone().unwrap_or_default();
    check_custom_argument(&custom_argument)?;
    let qualifier = request
        .qualifier
        .clone()
        .filter(|q| !q.is_empty())
        .unwrap_or_else(|| versions::LATEST.to_owned());
    let now = call.now;
    let (function, stored) = backend.db.write(|tx| {
        let function = settled_function(
            tx,
            request.namespace.as_deref(),
            &request.function_name,
            now,
        )?;
        require_active(
            &format!("Function `{}`", function.name),
            function.status.at(now),
            ErrorCode::FailedOperationCreateTrigger,
            "triggers can be added",
        )?;
        versions::resolve(tx, &function, Some(&qualifier))?;
        let exists = tx
            .prepare_cached(
                "SELECT 1 FROM triggers WHERE function = ?1 AND type = ?2 AND name = ?3",
            )?
            .query_row(params![function.id, kind, request.trigger_name], |_| Ok(()))
            .optional()?
            .is_some();
        if exists {
            return Err(Failure::new(
                ErrorCode::ResourceInUseTrigger,
                format!(
                    "Function `{}` already has a {kind} trigger named `{}`.",
                    function.name, request.trigger_name
                ),
            ));
        }
        let count: i64 = tx
            .prepare_cached("SELECT count(*) FROM triggers WHERE function = ?1 AND type = ?2")?
            .query_row(params![function.id, kind], |row| row.get(0))?;
        if count >= PER_TYPE_LIMIT {
            return Err(Failure::new(
                ErrorCode::LimitExceededTrigger,
                format!(
                    "Function `{}` already has {count} {kind} triggers, the most it may hold.",
                    function.name
                ),
            ));
        }
        let stored = Stored {
            kind: kind.to_owned(),
            name: request.trigger_name.clone(),
            qualifier,
            trigger_desc,
            description,
            custom_argument,
            enabled,
            created: now,
            modified: now,
        };
        stored.insert(tx, function.id)?;
        Ok((function, stored))
    })?;
    Ok(body(
        CreateTriggerResponse::default()
            .trigger_info(stored.to_trigger(&function, region(call)))
            .request_id(call.request_id),
    ))
}

pub(super) fn delete_trigger(
    backend: &Backend,
    request: &DeleteTriggerRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let kind = request.r#type.as_str();
    check_type(kind, DELETABLE, "DeleteTrigger")?;
    require_cos_desc(kind, request.trigger_desc.as_deref())?;
    backend.db.write(|tx| {
        let (function, stored) = settled_trigger(tx, &named!(request, kind), call.now)?;
        tx.prepare_cached("DELETE FROM triggers WHERE function = ?1 AND type = ?2 AND name = ?3")?
            .execute(params![function.id, stored.kind, stored.name])?;
        Ok(())
    })?;
    Ok(body(
        DeleteTriggerResponse::default().request_id(call.request_id),
    ))
}

/// Whether `stored` passes every filter: values of one filter are alternatives.
fn matches(stored: &Stored, filters: &[Filter]) -> bool {
    filters.iter().all(|filter| {
        filter
            .values
            .iter()
            .any(|value| match filter.name.as_str() {
                "Qualifier" => stored.qualifier == *value,
                "TriggerName" => stored.name == *value,
                _ => stored.description.contains(value.as_str()),
            })
    })
}

pub(super) fn list_triggers(
    backend: &Backend,
    request: &ListTriggersRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let (offset, limit) = unsigned_page(request.offset, request.limit, "from 1 to 100")?;
    let by_added = match request.order_by.as_deref() {
        None | Some("") | Some("mod_time") => false,
        Some("add_time") => true,
        Some(_) => {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueOrderBy,
                "OrderBy",
                "use add_time or mod_time",
            ));
        }
    };
    // Values outside ASC and DESC were refused by the schema before the request was read.
    let ascending = request.order == Some(Order::Ascending);
    let filters = request.filters.as_deref().unwrap_or_default();
    if let Some(filter) = filters
        .iter()
        .find(|f| !matches!(f.name.as_str(), "Qualifier" | "TriggerName" | "Description"))
    {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueFilters,
            "Filters.Name",
            &format!(
                "`{}` is not one of Qualifier, TriggerName, Description",
                filter.name
            ),
        ));
    }
    let (function, triggers) = backend.db.read(|c| {
        let function = functions::find(
            c,
            namespace_or_default(request.namespace.as_deref()),
            &request.function_name,
        )?;
        let triggers = all(c, &function)?;
        Ok((function, triggers))
    })?;
    let mut triggers: Vec<Stored> = triggers
        .into_iter()
        .filter(|stored| matches(stored, filters))
        .collect();
    triggers.sort_by(|a, b| {
        let time = |t: &Stored| if by_added { t.created } else { t.modified };
        (time(a), &a.kind, &a.name).cmp(&(time(b), &b.kind, &b.name))
    });
    if !ascending {
        triggers.reverse();
    }
    let total_count = triggers.len() as u64;
    let page: Vec<TriggerInfo> = triggers
        .iter()
        .skip(offset)
        .take(limit)
        .map(|stored| stored.to_info(&function, region(call)))
        .collect();
    Ok(body(
        ListTriggersResponse::default()
            .total_count(total_count)
            .triggers(page)
            .request_id(call.request_id),
    ))
}

pub(super) fn update_trigger(
    backend: &Backend,
    request: &UpdateTriggerRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let kind = request.r#type.as_str();
    check_type(kind, UPDATABLE, "UpdateTrigger")?;
    let enabled = enable(request.enable.as_deref())?;
    if let Some(description) = &request.description {
        check_description(description)?;
    }
    if let Some(argument) = &request.custom_argument {
        check_custom_argument(argument)?;
    }
    backend.db.write(|tx| {
        let (function, mut stored) = settled_trigger(tx, &named!(request, kind), call.now)?;
        let before = stored.clone();
        if let Some(given) = request.trigger_desc.as_deref() {
            stored.trigger_desc = updated_desc(&stored, given)?;
        }
        if let Some(enabled) = enabled {
            stored.enabled = enabled;
        }
        if let Some(description) = &request.description {
            stored.description.clone_from(description);
        }
        if let Some(argument) = &request.custom_argument {
            stored.custom_argument.clone_from(argument);
        }
        stored.modified = call.now;
        let reschedule =
            (stored.enabled && !before.enabled) || stored.trigger_desc != before.trigger_desc;
        stored.update(tx, function.id, reschedule)
    })?;
    Ok(body(
        UpdateTriggerResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn update_trigger_status(
    backend: &Backend,
    request: &UpdateTriggerStatusRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let kind = request.r#type.as_str();
    check_type(kind, SWITCHABLE, "UpdateTriggerStatus")?;
    let wanted = enable(Some(&request.enable))?.unwrap_or(true);
    require_cos_desc(kind, request.trigger_desc.as_deref())?;
    backend.db.write(|tx| {
        let (function, mut stored) = settled_trigger(tx, &named!(request, kind), call.now)?;
        if stored.enabled == wanted {
            return Err(Failure::new(
                ErrorCode::FailedOperationUpdateTriggerStatus,
                format!(
                    "The {kind} trigger `{}` of function `{}` is already {}.",
                    stored.name, function.name, request.enable
                ),
            ));
        }
        stored.enabled = wanted;
        stored.modified = call.now;
        stored.update(tx, function.id, wanted)
    })?;
    Ok(body(
        UpdateTriggerStatusResponse::default().request_id(call.request_id),
    ))
}

/// An enabled timer trigger, as the scheduler reads it.
#[derive(Debug)]
pub(crate) struct Timer {
    function: i64,
    namespace: String,
    function_name: String,
    name: String,
    qualifier: String,
    trigger_desc: String,
    custom_argument: String,
    schedule: cron::Schedule,
    /// Its matches up to this time have fired, or came before it was created or enabled.
    fired_until: u64,
}

/// The event a timer's function receives (doc 583/9708), in the documented member order.
#[derive(Serialize)]
struct TimerEvent<'a> {
    #[serde(rename = "Type")]
    kind: &'a str,
    #[serde(rename = "TriggerName")]
    trigger_name: &'a str,
    #[serde(rename = "Time")]
    time: String,
    #[serde(rename = "Message")]
    message: &'a str,
}

/// `2019-02-21T11:49:00Z`: a fire time as the timer event gives it, in UTC.
const EVENT_TIME: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// Every enabled timer trigger of every function.
pub(crate) fn enabled_timers(connection: &Connection) -> Result<Vec<Timer>, Failure> {
    let mut statement = connection.prepare_cached(
        "SELECT t.function, f.namespace, f.name, t.name, t.qualifier, t.trigger_desc, t.custom_argument, \
         t.fired_until FROM triggers t JOIN functions f ON f.id = t.function \
         WHERE t.type = 'timer' AND t.enabled ORDER BY t.function, t.name",
    )?;
    let timers = statement
        .query_map([], |row| {
            let trigger_desc: String = row.get(5)?;
            // Stored crons were checked when they were given, so one that does not parse is never due.
            let Some(schedule) = serde_json::from_str::<Value>(&trigger_desc)
                .ok()
                .and_then(|desc| cron::parse(desc.get("cron")?.as_str()?).ok())
            else {
                return Ok(None);
            };
            Ok(Some(Timer {
                function: row.get(0)?,
                namespace: row.get(1)?,
                function_name: row.get(2)?,
                name: row.get(3)?,
                qualifier: row.get(4)?,
                trigger_desc,
                custom_argument: row.get(6)?,
                schedule,
                fired_until: row.get::<_, i64>(7)?.max(0) as u64,
            }))
        })?
        .filter_map(Result::transpose)
        .collect::<Result<_, _>>()?;
    Ok(timers)
}

impl Timer {
    pub(crate) fn namespace(&self) -> &str {
        &self.namespace
    }

    pub(crate) fn function_name(&self) -> &str {
        &self.function_name
    }

    pub(crate) fn qualifier(&self) -> &str {
        &self.qualifier
    }

    /// Its fire times after `after` (and after the time up to which it fired) up to `until`, oldest
    /// first: at most [`MAX_FIRES_AT_ONCE`], the latest.
    pub(crate) fn due(&self, after: u64, until: u64) -> Vec<u64> {
        self.schedule
            .fire_times(after.max(self.fired_until), until, MAX_FIRES_AT_ONCE)
    }

    /// Records that its matches up to `until` fired, unless it changed since it was read (closed,
    /// deleted, rescheduled); returns whether it was recorded, and so whether to fire.
    pub(crate) fn mark_fired(&self, connection: &Connection, until: u64) -> Result<bool, Failure> {
        let changed = connection
            .prepare_cached(
                "UPDATE triggers SET fired_until = ?4 WHERE function = ?1 AND type = 'timer' AND name = ?2 \
                 AND enabled AND trigger_desc = ?3 AND fired_until = ?5",
            )?
            .execute(params![
                self.function,
                self.name,
                self.trigger_desc,
                until as i64,
                self.fired_until as i64,
            ])?;
        Ok(changed == 1)
    }

    /// The event its function receives for the fire time `at`.
    pub(crate) fn event(&self, at: u64) -> String {
        let time = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
            .ok()
            .and_then(|at| at.format(EVENT_TIME).ok())
            .unwrap_or_default();
        crate::db::to_json(&TimerEvent {
            kind: "Timer",
            trigger_name: &self.name,
            time,
            message: &self.custom_argument,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// 2019-02-21T11:49:00Z, the fire time of the timer docs' example event.
    const FIRED: u64 = 1_550_749_740_000;

    #[test]
    fn a_timer_fires_in_utc_plus_8_with_the_documented_event() {
        let timer = Timer {
            function: 1,
            namespace: "default".into(),
            function_name: "daily".into(),
            name: "EveryDay".into(),
            qualifier: versions::LATEST.into(),
            trigger_desc: timer_desc("0 49 19 * * * *").unwrap(),
            custom_argument: "user define msg body".into(),
            schedule: cron::parse("0 49 19 * * * *").unwrap(),
            fired_until: FIRED - 1,
        };
        let day = 24 * 3600 * 1000;
        assert_eq!(timer.due(0, FIRED + day), [FIRED, FIRED + day]);
        // Not at or before the time up to which it fired.
        assert_eq!(timer.due(0, FIRED - 1), Vec::<u64>::new());
        assert_eq!(
            timer.event(FIRED),
            r#"{"Type":"Timer","TriggerName":"EveryDay","Time":"2019-02-21T11:49:00Z","Message":"user define msg body"}"#
        );
    }
}
