//! Published versions and aliases, and how a `Qualifier` names one of them.
//!
//! Choices where the service's documents are silent:
//! - A function keeps at most 200 published versions and 10 aliases besides
//!   `$DEFAULT` (the service states no number; these mirror the layer-version and common quotas).
//!   Version numbers are never reused after DeleteFunctionVersion.
//! - PublishVersion needs the function `Active`; the new version is `Publishing` for the emulator's
//!   `function_ready_ms`, then `Active`. It publishes even when nothing changed since the last version.
//! - ListVersionByFunction lists `$LATEST` with the versions, oldest first unless `Order` says otherwise;
//!   `Limit` 0 means 20 and above 100 is refused.
//! - DeleteFunctionVersion takes a version number only: `$LATEST` and alias names are refused with
//!   `InvalidParameterValue.Qualifier`; `ForceDelete` changes nothing, as no container runs.
//! - An alias's routing names at most one additional version, as documented, by weight (in [0, 1], the
//!   share of invocations it receives, so the weights never sum above 1) or by `AddtionVersionMatchs`
//!   (`exact` or `range` on a key `invoke.headers.<Name>` of the Invoke `RoutingKey`), never both.
//!   UpdateAlias without `RoutingConfig` sends everything to `FunctionVersion` ("不需配置此参数").
//! - ListAliases lists the oldest alias first; its `FunctionVersion` filter matches the main and the
//!   additional version. `$DEFAULT` (on `$LATEST`) comes with every function and cannot be deleted.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use scf_model::{
    Alias, CreateAliasRequest, CreateAliasResponse, DeleteAliasRequest, DeleteAliasResponse,
    DeleteFunctionVersionRequest, DeleteFunctionVersionResponse, ErrorCode, FunctionVersion,
    GetAliasRequest, GetAliasResponse, ListAliasesRequest, ListAliasesResponse,
    ListVersionByFunctionRequest, ListVersionByFunctionResponse, PublishVersionRequest,
    PublishVersionResponse, RoutingConfig, UpdateAliasRequest, UpdateAliasResponse, VersionMatch,
};

use super::functions::{Deployment, Function, Status, find_requested};
use super::paging::{by_mod_time, descending, page, unsigned_page};
use super::{Backend, Call, body, check_description, require_active};
use crate::db::{from_json, to_json};
use crate::failure::Failure;
use crate::time_format::resource_time;

/// The qualifier of the unpublished, editable version.
pub(crate) const LATEST: &str = "$LATEST";

/// The alias every function has, on `$LATEST`.
pub(crate) const DEFAULT_ALIAS: &str = "$DEFAULT";

/// How many published versions a function keeps.
pub(crate) const MAX_VERSIONS: i64 = 200;

/// How many aliases a function has besides `$DEFAULT`.
pub(crate) const MAX_ALIASES: i64 = 10;

/// The prefix of an `AddtionVersionMatchs` key; the rest names a member of the Invoke `RoutingKey`.
const HEADER_KEY: &str = "invoke.headers.";

/// The tables of this module.
pub(crate) const SCHEMA: &str = "
CREATE TABLE versions (
    function INTEGER NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    description TEXT NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    status TEXT NOT NULL,
    transient TEXT,
    transient_until INTEGER NOT NULL DEFAULT 0,
    -- JSON: the Deployment published.
    deployment TEXT NOT NULL,
    PRIMARY KEY (function, version)
) WITHOUT ROWID;
CREATE TABLE aliases (
    function INTEGER NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- The version the alias points at: a number or $LATEST.
    version TEXT NOT NULL,
    -- JSON: the RoutingConfig.
    routing TEXT NOT NULL,
    description TEXT NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    PRIMARY KEY (function, name)
) WITHOUT ROWID;
";

/// Adds a configured function's `$DEFAULT` alias, its versions (numeric qualifiers) and its aliases
/// (the others, on `$LATEST`).
pub(super) fn seed(
    connection: &Connection,
    function: &Function,
    qualifiers: &[String],
    now: u64,
) -> Result<(), Failure> {
    add_default_alias(connection, function, now)?;
    let mut last = 0;
    for qualifier in qualifiers.iter().filter(|q| q.as_str() != LATEST) {
        match qualifier.parse::<i64>() {
            Ok(version) => {
                connection.execute(
                    "INSERT OR IGNORE INTO versions (function, version, description, created, modified, status, deployment) \
                     VALUES (?1, ?2, '', ?3, ?3, 'Active', ?4)",
                    params![function.id, version, now as i64, to_json(&function.deployment)],
                )?;
                last = last.max(version);
            }
            Err(_) => {
                connection.execute(
                    "INSERT OR IGNORE INTO aliases (function, name, version, routing, description, created, modified) \
                     VALUES (?1, ?2, ?3, ?4, '', ?5, ?5)",
                    params![function.id, qualifier, LATEST, to_json(&no_routing()), now as i64],
                )?;
            }
        }
    }
    connection.execute(
        "UPDATE functions SET last_version = max(last_version, ?2) WHERE id = ?1",
        params![function.id, last],
    )?;
    Ok(())
}

/// Gives a new function its `$DEFAULT` alias on `$LATEST`; CreateFunction calls it after the insert.
pub(crate) fn add_default_alias(
    connection: &Connection,
    function: &Function,
    now: u64,
) -> Result<(), Failure> {
    connection
        .prepare_cached(
            "INSERT OR IGNORE INTO aliases (function, name, version, routing, description, created, modified) \
             VALUES (?1, ?2, ?3, ?4, '', ?5, ?5)",
        )?
        .execute(params![
            function.id,
            DEFAULT_ALIAS,
            LATEST,
            to_json(&no_routing()),
            now as i64
        ])?;
    Ok(())
}

/// Routing that sends everything to the main version, in the shape the service answers with.
fn no_routing() -> RoutingConfig {
    RoutingConfig::default()
        .additional_version_weights(Vec::new())
        .addtion_version_matchs(Vec::new())
}

/// What a qualifier names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Resolved {
    /// `$LATEST` or a version number.
    pub(crate) version: String,
    /// The alias the qualifier named, if it named one.
    pub(crate) alias: Option<String>,
    /// What that version runs.
    pub(crate) deployment: Deployment,
}

/// Resolves `qualifier` (`$LATEST` when absent) of `function`: `$LATEST`, a published version, or an
/// alias, which picks a version by its routing weights. Fails with `ResourceNotFound.Qualifier`.
pub(crate) fn resolve(
    connection: &Connection,
    function: &Function,
    qualifier: Option<&str>,
) -> Result<Resolved, Failure> {
    resolve_routed(connection, function, qualifier, None)
}

/// [`resolve`] for an invocation carrying a `RoutingKey` (a JSON object of strings), which an alias's
/// `AddtionVersionMatchs` rules are matched against.
pub(crate) fn resolve_routed(
    connection: &Connection,
    function: &Function,
    qualifier: Option<&str>,
    routing_key: Option<&str>,
) -> Result<Resolved, Failure> {
    let qualifier = match qualifier {
        Some(q) if !q.is_empty() => q,
        _ => LATEST,
    };
    let not_found = || {
        Failure::new(
            ErrorCode::ResourceNotFoundQualifier,
            format!(
                "Version or alias `{qualifier}` of function `{}` does not exist.",
                function.name
            ),
        )
    };
    let (version, alias) = if qualifier == LATEST || qualifier.parse::<i64>().is_ok() {
        (qualifier.to_owned(), None)
    } else {
        let alias = find_alias(connection, function, qualifier)?.ok_or_else(not_found)?;
        let headers = routing_headers(routing_key);
        let version = route(&alias.version, &alias.routing, &headers, fastrand::f64());
        (version, Some(qualifier.to_owned()))
    };
    let deployment = deployment(connection, function, &version)?.ok_or_else(not_found)?;
    Ok(Resolved {
        version,
        alias,
        deployment,
    })
}

/// What `version` (`$LATEST` or a number) of `function` runs, if it exists.
pub(crate) fn deployment(
    connection: &Connection,
    function: &Function,
    version: &str,
) -> Result<Option<Deployment>, Failure> {
    if version == LATEST {
        return Ok(Some(function.deployment.clone()));
    }
    let Ok(number) = version.parse::<i64>() else {
        return Ok(None);
    };
    let stored = connection
        .prepare_cached("SELECT deployment FROM versions WHERE function = ?1 AND version = ?2")?
        .query_row(params![function.id, number], |row| row.get::<_, String>(0))
        .optional()?;
    stored.map(|text| from_json(&text)).transpose()
}

/// The status `version` (`$LATEST` or a number) of `function` shows at `now`, if it exists.
pub(crate) fn status_at(
    connection: &Connection,
    function: &Function,
    version: &str,
    now: u64,
) -> Result<Option<String>, Failure> {
    if version == LATEST {
        return Ok(Some(function.status.at(now).to_owned()));
    }
    let Ok(number) = version.parse::<i64>() else {
        return Ok(None);
    };
    Ok(find_version(connection, function, number)?.map(|v| v.status.at(now).to_owned()))
}

/// The members of a `RoutingKey` (`{"User":"alice"}`); anything else routes as if there were none.
fn routing_headers(routing_key: Option<&str>) -> HashMap<String, String> {
    let Some(Ok(serde_json::Value::Object(members))) =
        routing_key.map(serde_json::from_str::<serde_json::Value>)
    else {
        return HashMap::new();
    };
    members
        .into_iter()
        .map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            (key, text)
        })
        .collect()
}

/// The version an invocation through an alias runs. With match rules: the additional version when a
/// rule matches the routing key's `headers`, else the main one. With weights: `draw` (uniform in
/// [0, 1)) below an additional version's weight picks it, else the main version runs.
fn route(
    primary: &str,
    routing: &RoutingConfig,
    headers: &HashMap<String, String>,
    mut draw: f64,
) -> String {
    let matches = routing.addtion_version_matchs.iter().flatten();
    if let Some(rule) = matches.clone().find(|rule| rule_matches(rule, headers)) {
        return rule.version.clone();
    }
    if matches.count() > 0 {
        return primary.to_owned();
    }
    for weight in routing.additional_version_weights.iter().flatten() {
        if draw < weight.weight {
            return weight.version.clone();
        }
        draw -= weight.weight;
    }
    primary.to_owned()
}

fn rule_matches(rule: &VersionMatch, headers: &HashMap<String, String>) -> bool {
    let Some(value) = rule
        .key
        .strip_prefix(HEADER_KEY)
        .and_then(|name| headers.get(name))
    else {
        return false;
    };
    match rule.method.as_str() {
        "exact" => *value == rule.expression,
        "range" => match (Range::parse(&rule.expression), value.trim().parse::<i64>()) {
            (Some(range), Ok(number)) => range.contains(number),
            _ => false,
        },
        _ => false,
    }
}

/// A `range` rule's expression: `[a,b]`, `(a,b)`, or one bracket of each kind.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Range {
    low: i64,
    low_closed: bool,
    high: i64,
    high_closed: bool,
}

impl Range {
    fn parse(expression: &str) -> Option<Self> {
        let text = expression.trim();
        let low_closed = match text.chars().next()? {
            '[' => true,
            '(' => false,
            _ => return None,
        };
        let high_closed = match text.chars().last()? {
            ']' => true,
            ')' => false,
            _ => return None,
        };
        let inner = text.get(1..text.len() - 1)?;
        let (low, high) = inner.split_once(',')?;
        let (low, high) = (low.trim().parse().ok()?, high.trim().parse().ok()?);
        (low <= high).then_some(Self {
            low,
            low_closed,
            high,
            high_closed,
        })
    }

    fn contains(&self, number: i64) -> bool {
        let above = if self.low_closed {
            number >= self.low
        } else {
            number > self.low
        };
        let below = if self.high_closed {
            number <= self.high
        } else {
            number < self.high
        };
        above && below
    }
}

/// A published version as stored.
#[derive(Debug, Clone)]
struct StoredVersion {
    number: i64,
    description: String,
    created: u64,
    modified: u64,
    status: Status,
}

const VERSION_COLUMNS: &str =
    "version, description, created, modified, status, transient, transient_until";

fn version_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredVersion> {
    Ok(StoredVersion {
        number: row.get(0)?,
        description: row.get(1)?,
        created: row.get::<_, i64>(2)? as u64,
        modified: row.get::<_, i64>(3)? as u64,
        status: Status {
            status: row.get(4)?,
            transient: row.get(5)?,
            transient_until: row.get::<_, i64>(6)? as u64,
            reasons: Vec::new(),
        },
    })
}

fn find_version(
    connection: &Connection,
    function: &Function,
    number: i64,
) -> Result<Option<StoredVersion>, Failure> {
    Ok(connection
        .prepare_cached(&format!(
            "SELECT {VERSION_COLUMNS} FROM versions WHERE function = ?1 AND version = ?2"
        ))?
        .query_row(params![function.id, number], version_from_row)
        .optional()?)
}

/// An alias as stored.
#[derive(Debug, Clone)]
struct StoredAlias {
    name: String,
    version: String,
    routing: RoutingConfig,
    description: String,
    created: u64,
    modified: u64,
}

impl StoredAlias {
    /// Whether the alias sends any invocation to `version`.
    fn routes_to(&self, version: &str) -> bool {
        self.version == version
            || self
                .routing
                .additional_version_weights
                .iter()
                .flatten()
                .any(|w| w.version == version)
            || self
                .routing
                .addtion_version_matchs
                .iter()
                .flatten()
                .any(|m| m.version == version)
    }

    fn to_model(&self) -> Alias {
        Alias::default()
            .name(self.name.clone())
            .function_version(self.version.clone())
            .routing_config(self.routing.clone())
            .description(self.description.clone())
            .add_time(resource_time(self.created))
            .mod_time(resource_time(self.modified))
    }
}

const ALIAS_COLUMNS: &str = "name, version, routing, description, created, modified";

fn alias_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<StoredAlias, Failure>> {
    let routing: String = row.get(2)?;
    let build = || -> Result<StoredAlias, Failure> {
        Ok(StoredAlias {
            name: row.get(0)?,
            version: row.get(1)?,
            routing: from_json(&routing)?,
            description: row.get(3)?,
            created: row.get::<_, i64>(4)? as u64,
            modified: row.get::<_, i64>(5)? as u64,
        })
    };
    Ok(build())
}

fn find_alias(
    connection: &Connection,
    function: &Function,
    name: &str,
) -> Result<Option<StoredAlias>, Failure> {
    connection
        .prepare_cached(&format!(
            "SELECT {ALIAS_COLUMNS} FROM aliases WHERE function = ?1 AND name = ?2"
        ))?
        .query_row(params![function.id, name], alias_from_row)
        .optional()?
        .transpose()
}

/// Every alias of `function`, oldest first.
fn aliases_of(connection: &Connection, function: &Function) -> Result<Vec<StoredAlias>, Failure> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {ALIAS_COLUMNS} FROM aliases WHERE function = ?1 ORDER BY created, name"
    ))?;
    let rows = statement.query_map([function.id], alias_from_row)?;
    let mut aliases = Vec::new();
    for row in rows {
        aliases.push(row??);
    }
    Ok(aliases)
}

fn alias_not_found(function: &Function, name: &str) -> Failure {
    Failure::new(
        ErrorCode::ResourceNotFoundAlias,
        format!(
            "Alias `{name}` of function `{}` does not exist in namespace `{}`.",
            function.name, function.namespace
        ),
    )
}

/// Fails with `ResourceNotFound.FunctionVersion` unless `version` is `$LATEST` or a published version.
fn require_version(
    connection: &Connection,
    function: &Function,
    version: &str,
) -> Result<(), Failure> {
    let exists = version == LATEST
        || match version.parse::<i64>() {
            Ok(number) => find_version(connection, function, number)?.is_some(),
            Err(_) => false,
        };
    if exists {
        Ok(())
    } else {
        Err(Failure::new(
            ErrorCode::ResourceNotFoundFunctionVersion,
            format!(
                "Version `{version}` of function `{}` does not exist.",
                function.name
            ),
        ))
    }
}

/// Whether `name` follows the alias rule: a letter, then up to 63 letters, digits, `_` or `-`.
fn valid_alias_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && name.len() <= 64
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn invalid_routing(rule: &str) -> Failure {
    Failure::invalid_value(
        ErrorCode::InvalidParameterValueRoutingConfig,
        "RoutingConfig",
        rule,
    )
}

/// Checks an alias's main version and routing, and returns the routing as it is stored and answered.
fn checked_routing(
    connection: &Connection,
    function: &Function,
    main: &str,
    routing: Option<&RoutingConfig>,
) -> Result<RoutingConfig, Failure> {
    require_version(connection, function, main)?;
    let weights = routing
        .and_then(|r| r.additional_version_weights.clone())
        .unwrap_or_default();
    let matches = routing
        .and_then(|r| r.addtion_version_matchs.clone())
        .unwrap_or_default();
    if !weights.is_empty() && !matches.is_empty() {
        return Err(invalid_routing(
            "AdditionalVersionWeights and AddtionVersionMatchs cannot both be set",
        ));
    }
    let mut additional: Vec<&str> = weights
        .iter()
        .map(|w| w.version.as_str())
        .chain(matches.iter().map(|m| m.version.as_str()))
        .collect();
    additional.dedup();
    if additional.len() > 1 || weights.len() > 1 {
        return Err(invalid_routing(
            "an alias routes to at most one additional version",
        ));
    }
    for weight in &weights {
        if !(0.0..=1.0).contains(&weight.weight) {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueAdditionalVersionWeights,
                "RoutingConfig.AdditionalVersionWeights.Weight",
                "from 0 to 1",
            ));
        }
    }
    for rule in &matches {
        let name = rule.key.strip_prefix(HEADER_KEY).unwrap_or_default();
        if name.is_empty() {
            return Err(invalid_routing("a match Key is `invoke.headers.<Name>`"));
        }
        let expression_ok = match rule.method.as_str() {
            "exact" => true,
            "range" => Range::parse(&rule.expression).is_some(),
            _ => return Err(invalid_routing("a match Method is `exact` or `range`")),
        };
        if !expression_ok {
            return Err(invalid_routing(
                "a range Expression is `[a,b]` or `(a,b)` with integers a <= b",
            ));
        }
    }
    for version in additional {
        if version == main {
            return Err(invalid_routing(
                "the additional version must differ from FunctionVersion",
            ));
        }
        require_version(connection, function, version)?;
    }
    Ok(RoutingConfig::default()
        .additional_version_weights(weights)
        .addtion_version_matchs(matches))
}

/// The function a request names, in its namespace or `default`.
fn limit_from_text(
    text: Option<&str>,
    member: &str,
    code: ErrorCode,
) -> Result<Option<i64>, Failure> {
    match text {
        None | Some("") => Ok(None),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Failure::invalid_value(code, member, "a whole number")),
    }
}

pub(super) fn publish_version(
    backend: &Backend,
    request: &PublishVersionRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let description = request.description.clone().unwrap_or_default();
    check_description(&description)?;
    let ready_at = call.now.saturating_add(backend.config.function_ready_ms);
    let (function, number) = backend.db.write(|tx| {
        let mut function = find_requested(tx, request.namespace.as_deref(), &request.function_name)?;
        require_active(
            &format!("Function `{}`", function.name),
            function.status.at(call.now),
            ErrorCode::FailedOperationPublishVersion,
            "publish a version",
        )?;
        let held: i64 = tx
            .prepare_cached("SELECT count(*) FROM versions WHERE function = ?1")?
            .query_row([function.id], |r| r.get(0))?;
        if held >= MAX_VERSIONS {
            return Err(Failure::new(
                ErrorCode::LimitExceededFunctionVersions,
                format!(
                    "Function `{}` already has {held} versions, the limit; delete one first.",
                    function.name
                ),
            ));
        }
        let number = function.last_version + 1;
        tx.prepare_cached(
            "INSERT INTO versions (function, version, description, created, modified, status, \
             transient, transient_until, deployment) VALUES (?1, ?2, ?3, ?4, ?4, 'Active', 'Publishing', ?5, ?6)",
        )?
        .execute(params![
            function.id,
            number,
            description,
            call.now as i64,
            ready_at as i64,
            to_json(&function.deployment)
        ])?;
        function.last_version = number;
        function.update(tx)?;
        Ok((function, number))
    })?;
    let settings = &function.deployment.settings;
    let mut response = PublishVersionResponse::default()
        .function_version(number.to_string())
        .code_size(function.deployment.code.size)
        .memory_size(settings.memory_size.unwrap_or(128))
        .description(description)
        .handler(settings.handler.clone().unwrap_or_default())
        .timeout(settings.timeout.unwrap_or(3))
        .namespace(function.namespace.clone())
        .request_id(call.request_id);
    if let Some(runtime) = &settings.runtime {
        response = response.runtime(runtime.clone());
    }
    Ok(body(response))
}

pub(super) fn list_version_by_function(
    backend: &Backend,
    request: &ListVersionByFunctionRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let (offset, limit) = unsigned_page(request.offset, request.limit, "from 0 to 100")?;
    let descending = descending(request.order.as_ref(), false)?;
    let by_modified = by_mod_time(request.order_by.as_deref())?;
    let (function, stored) = backend.db.read(|c| {
        let function = find_requested(c, request.namespace.as_deref(), &request.function_name)?;
        let mut statement = c.prepare_cached(&format!(
            "SELECT {VERSION_COLUMNS} FROM versions WHERE function = ?1"
        ))?;
        let versions = statement
            .query_map([function.id], version_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok((function, versions))
    })?;
    let latest = StoredVersion {
        number: 0,
        description: function
            .deployment
            .settings
            .description
            .clone()
            .unwrap_or_default(),
        created: function.created,
        modified: function.modified,
        status: function.status.clone(),
    };
    let mut versions: Vec<StoredVersion> = std::iter::once(latest).chain(stored).collect();
    // `$LATEST` is number 0, so it sorts before the versions made in its millisecond.
    versions.sort_by_key(|v| (if by_modified { v.modified } else { v.created }, v.number));
    if descending {
        versions.reverse();
    }
    let total_count = versions.len() as u64;
    let page: Vec<FunctionVersion> = versions
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|v| {
            let name = if v.number == 0 {
                LATEST.to_owned()
            } else {
                v.number.to_string()
            };
            FunctionVersion::default()
                .version(name)
                .description(v.description)
                .add_time(resource_time(v.created))
                .mod_time(resource_time(v.modified))
                .status(v.status.at(call.now).to_owned())
        })
        .collect();
    let names: Vec<String> = page.iter().map(|v| v.version.clone()).collect();
    Ok(body(
        ListVersionByFunctionResponse::default()
            .function_version(names)
            .versions(page)
            .total_count(total_count)
            .request_id(call.request_id),
    ))
}

pub(super) fn delete_function_version(
    backend: &Backend,
    request: &DeleteFunctionVersionRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let qualifier = request.qualifier.as_str();
    if qualifier == LATEST {
        return Err(Failure::new(
            ErrorCode::InvalidParameterValueQualifier,
            format!(
                "Version `$LATEST` of function `{}` cannot be deleted; delete the function instead.",
                request.function_name
            ),
        ));
    }
    let number = qualifier
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            Failure::new(
                ErrorCode::InvalidParameterValueQualifier,
                format!("Qualifier `{qualifier}` is not a version number."),
            )
        })?;
    backend.db.write(|tx| {
        let function = find_requested(tx, request.namespace.as_deref(), &request.function_name)?;
        let version = find_version(tx, &function, number)?.ok_or_else(|| {
            Failure::new(
                ErrorCode::ResourceNotFoundQualifier,
                format!(
                    "Version `{number}` of function `{}` does not exist.",
                    function.name
                ),
            )
        })?;
        require_active(
            &format!("Version `{number}` of function `{}`", function.name),
            version.status.at(call.now),
            ErrorCode::FailedOperationFunctionStatusError,
            "delete it",
        )?;
        let bound: Vec<String> = aliases_of(tx, &function)?
            .into_iter()
            .filter(|alias| alias.routes_to(qualifier))
            .map(|alias| format!("`{}`", alias.name))
            .collect();
        if !bound.is_empty() {
            return Err(Failure::new(
                ErrorCode::UnsupportedOperationAliasBind,
                format!(
                    "Version `{number}` of function `{}` is routed to by alias {}; unbind it first.",
                    function.name,
                    bound.join(", ")
                ),
            ));
        }
        tx.prepare_cached("DELETE FROM versions WHERE function = ?1 AND version = ?2")?
            .execute(params![function.id, number])?;
        super::concurrency::forget_qualifier(tx, &function, qualifier)
    })?;
    Ok(body(
        DeleteFunctionVersionResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn create_alias(
    backend: &Backend,
    request: &CreateAliasRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let name = request.name.as_str();
    if !valid_alias_name(name) {
        return Err(Failure::new(
            ErrorCode::InvalidParameterValueName,
            format!(
                "Alias name `{name}` is invalid: start with a letter, then letters, digits, `_` or `-`, 1 to 64 in all."
            ),
        ));
    }
    let description = request.description.clone().unwrap_or_default();
    check_description(&description)?;
    backend.db.write(|tx| {
        let function = find_requested(tx, request.namespace.as_deref(), &request.function_name)?;
        if find_alias(tx, &function, name)?.is_some() {
            return Err(Failure::new(
                ErrorCode::ResourceInUseAlias,
                format!(
                    "Alias `{name}` of function `{}` already exists.",
                    function.name
                ),
            ));
        }
        let held: i64 = tx
            .prepare_cached("SELECT count(*) FROM aliases WHERE function = ?1 AND name <> ?2")?
            .query_row(params![function.id, DEFAULT_ALIAS], |r| r.get(0))?;
        if held >= MAX_ALIASES {
            return Err(Failure::new(
                ErrorCode::LimitExceededAlias,
                format!(
                    "Function `{}` already has {held} aliases, the limit.",
                    function.name
                ),
            ));
        }
        let routing = checked_routing(
            tx,
            &function,
            &request.function_version,
            request.routing_config.as_ref(),
        )?;
        tx.prepare_cached(
            "INSERT INTO aliases (function, name, version, routing, description, created, modified) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        )?
        .execute(params![
            function.id,
            name,
            request.function_version,
            to_json(&routing),
            description,
            call.now as i64
        ])?;
        Ok(())
    })?;
    Ok(body(
        CreateAliasResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn get_alias(
    backend: &Backend,
    request: &GetAliasRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let alias = backend.db.read(|c| {
        let function = find_requested(c, request.namespace.as_deref(), &request.function_name)?;
        find_alias(c, &function, &request.name)?
            .ok_or_else(|| alias_not_found(&function, &request.name))
    })?;
    Ok(body(
        GetAliasResponse::default()
            .name(alias.name)
            .function_version(alias.version)
            .routing_config(alias.routing)
            .description(alias.description)
            .add_time(resource_time(alias.created))
            .mod_time(resource_time(alias.modified))
            .request_id(call.request_id),
    ))
}

pub(super) fn list_aliases(
    backend: &Backend,
    request: &ListAliasesRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let offset = limit_from_text(
        request.offset.as_deref(),
        "Offset",
        ErrorCode::InvalidParameterValueOffset,
    )?;
    let limit = limit_from_text(
        request.limit.as_deref(),
        "Limit",
        ErrorCode::InvalidParameterValueLimit,
    )?;
    let (offset, limit) = page(offset, limit, "from 0 to 100")?;
    let aliases = backend.db.read(|c| {
        let function = find_requested(c, request.namespace.as_deref(), &request.function_name)?;
        aliases_of(c, &function)
    })?;
    let wanted = request
        .function_version
        .as_deref()
        .filter(|v| !v.is_empty());
    let matching: Vec<&StoredAlias> = aliases
        .iter()
        .filter(|alias| wanted.is_none_or(|version| alias.routes_to(version)))
        .collect();
    let total_count = matching.len() as u64;
    let page: Vec<Alias> = matching
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(StoredAlias::to_model)
        .collect();
    Ok(body(
        ListAliasesResponse::default()
            .aliases(page)
            .total_count(total_count)
            .request_id(call.request_id),
    ))
}

pub(super) fn update_alias(
    backend: &Backend,
    request: &UpdateAliasRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    if let Some(description) = &request.description {
        check_description(description)?;
    }
    backend.db.write(|tx| {
        let function = find_requested(tx, request.namespace.as_deref(), &request.function_name)?;
        let alias = find_alias(tx, &function, &request.name)?
            .ok_or_else(|| alias_not_found(&function, &request.name))?;
        let routing = checked_routing(
            tx,
            &function,
            &request.function_version,
            request.routing_config.as_ref(),
        )?;
        let description = request.description.clone().unwrap_or(alias.description);
        tx.prepare_cached(
            "UPDATE aliases SET version = ?3, routing = ?4, description = ?5, modified = ?6 \
             WHERE function = ?1 AND name = ?2",
        )?
        .execute(params![
            function.id,
            alias.name,
            request.function_version,
            to_json(&routing),
            description,
            call.now as i64
        ])?;
        Ok(())
    })?;
    Ok(body(
        UpdateAliasResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn delete_alias(
    backend: &Backend,
    request: &DeleteAliasRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    backend.db.write(|tx| {
        let function = find_requested(tx, request.namespace.as_deref(), &request.function_name)?;
        let alias = find_alias(tx, &function, &request.name)?
            .ok_or_else(|| alias_not_found(&function, &request.name))?;
        if alias.name == DEFAULT_ALIAS {
            return Err(Failure::new(
                ErrorCode::InvalidParameterValueAlias,
                format!(
                    "Alias `$DEFAULT` of function `{}` cannot be deleted.",
                    function.name
                ),
            ));
        }
        tx.prepare_cached("DELETE FROM aliases WHERE function = ?1 AND name = ?2")?
            .execute(params![function.id, alias.name])?;
        super::concurrency::forget_qualifier(tx, &function, &alias.name)
    })?;
    Ok(body(
        DeleteAliasResponse::default().request_id(call.request_id),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use scf_model::{AnyRequest, VersionWeight};

    use super::*;
    use crate::config::{Config, FunctionConfig};

    fn weighted(version: &str, weight: f64) -> RoutingConfig {
        RoutingConfig::default()
            .additional_version_weights(vec![
                VersionWeight::default().version(version).weight(weight),
            ])
            .addtion_version_matchs(Vec::new())
    }

    fn rule(key: &str, method: &str, expression: &str) -> RoutingConfig {
        RoutingConfig::default()
            .additional_version_weights(Vec::new())
            .addtion_version_matchs(vec![
                VersionMatch::default()
                    .version("2")
                    .key(key)
                    .method(method)
                    .expression(expression),
            ])
    }

    #[test]
    fn weights_choose_the_additional_version_in_proportion() {
        let routing = weighted("2", 0.3);
        let none = HashMap::new();
        let mut rng = fastrand::Rng::with_seed(14);
        let draws = 10_000;
        let additional = (0..draws)
            .filter(|_| route("1", &routing, &none, rng.f64()) == "2")
            .count();
        // Seeded, so the count is fixed; the bounds are those a fair 30% draw meets anyway.
        assert!((2_700..=3_300).contains(&additional), "{additional}");
        assert!((0..100).all(|_| route("1", &weighted("2", 0.0), &none, rng.f64()) == "1"));
        assert!((0..100).all(|_| route("1", &weighted("2", 1.0), &none, rng.f64()) == "2"));
    }

    #[test]
    fn match_rules_route_by_the_routing_key() {
        let headers = routing_headers(Some(r#"{"User":"alice","Age":"30"}"#));
        let exact = rule("invoke.headers.User", "exact", "alice");
        assert_eq!(route("1", &exact, &headers, 0.0), "2");
        let other = routing_headers(Some(r#"{"User":"bob"}"#));
        assert_eq!(route("1", &exact, &other, 0.0), "1");
        assert_eq!(route("1", &exact, &routing_headers(None), 0.0), "1");
        assert_eq!(
            route("1", &exact, &routing_headers(Some("not json")), 0.0),
            "1"
        );
        let closed = rule("invoke.headers.Age", "range", "[30,40]");
        assert_eq!(route("1", &closed, &headers, 0.0), "2");
        let open = rule("invoke.headers.Age", "range", "(30,40)");
        assert_eq!(route("1", &open, &headers, 0.0), "1");
        assert_eq!(Range::parse("[5,1]"), None);
        assert_eq!(Range::parse("5,1"), None);
        assert!(Range::parse("( -3 , 4 ]").unwrap().contains(4));
    }

    fn backend(ready_ms: u64) -> Backend {
        let mut config = Config::default();
        config.namespaces[0]
            .functions
            .push(FunctionConfig::new("routed", 1_000));
        config.function_ready_ms = ready_ms;
        Backend::open(config, 0, None).unwrap()
    }

    fn call(backend: &Backend, request: AnyRequest, now: u64) -> Result<Vec<u8>, Failure> {
        let call = Call {
            now,
            region: Some("ap-guangzhou"),
            request_id: "test",
            host: None,
        };
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(backend.call(&request, &call))
    }

    fn routed_function(backend: &Backend) -> Function {
        backend
            .db
            .read(|c| crate::actions::functions::find(c, "default", "routed"))
            .unwrap()
    }

    #[test]
    fn resolve_routes_an_alias_by_its_stored_weights() {
        let backend = backend(0);
        call(
            &backend,
            AnyRequest::PublishVersion(PublishVersionRequest::default().function_name("routed")),
            1,
        )
        .unwrap();
        call(
            &backend,
            AnyRequest::CreateAlias(
                CreateAliasRequest::default()
                    .function_name("routed")
                    .name("canary")
                    .function_version("1")
                    .routing_config(weighted(LATEST, 0.25)),
            ),
            2,
        )
        .unwrap();
        let function = routed_function(&backend);
        fastrand::seed(14);
        let latest = (0..4_000)
            .filter(|_| {
                let resolved = backend
                    .db
                    .read(|c| resolve(c, &function, Some("canary")))
                    .unwrap();
                assert_eq!(resolved.alias.as_deref(), Some("canary"));
                resolved.version == LATEST
            })
            .count();
        assert!((800..=1_200).contains(&latest), "{latest}");
        let missing = backend
            .db
            .read(|c| resolve(c, &function, Some("nope")))
            .unwrap_err();
        assert_eq!(missing.code, ErrorCode::ResourceNotFoundQualifier);
        assert!(missing.message.contains("`nope`"), "{}", missing.message);
    }

    #[test]
    fn a_version_is_published_only_from_an_active_function() {
        let backend = backend(1_000);
        let mut function = routed_function(&backend);
        function.status.transient = Some("Updating".to_owned());
        function.status.transient_until = 500;
        backend.db.write(|tx| function.update(tx)).unwrap();
        let publish =
            || AnyRequest::PublishVersion(PublishVersionRequest::default().function_name("routed"));
        let refused = call(&backend, publish(), 499).unwrap_err();
        assert_eq!(refused.code, ErrorCode::FailedOperationPublishVersion);
        assert!(
            refused.message.contains("`routed` is Updating"),
            "{}",
            refused.message
        );
        call(&backend, publish(), 500).unwrap();
        let function = routed_function(&backend);
        assert_eq!(function.last_version, 1);
        let status = |now| {
            backend
                .db
                .read(|c| status_at(c, &function, "1", now))
                .unwrap()
        };
        assert_eq!(status(1_499).as_deref(), Some("Publishing"));
        assert_eq!(status(1_500).as_deref(), Some("Active"));
    }
}
