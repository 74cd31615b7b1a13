//! Concurrency settings (reserved per function, provisioned per version or alias, the account total), the
//! account's limits and usage (GetAccount), and a function's async retry settings.
//!
//! Memory is in MB throughout, as the service counts it. Choices where the documents are silent:
//! - The emulator serves one account. Its concurrency total starts at 128,000 MB (the documented
//!   quota) and PutTotalConcurrencyConfig sets it for the whole account; the
//!   `Namespace` member must name an existing namespace, and per-namespace quotas are not kept (GetAccount
//!   shows each namespace's `TotalConcurrencyMem` as 0, as its example does for one without a quota).
//! - Reserved memory across all functions stays within the total minus 12,800 MB ("用户总并发内存配额 -
//!   12800"); DeleteReservedConcurrencyConfig of a function without one succeeds. Functions without
//!   reserved concurrency share what is not reserved: with `run_code`, their running instances' memory
//!   stays within it.
//! - Provisioned concurrency is set on a published version or an alias (which provisions its main
//!   version's memory), never `$LATEST`. A function's instances are its reserved memory (or the account
//!   total) divided by its `$LATEST` memory; provisioned instances over all its versions stay within that
//!   minus 100 ("函数最大并发配额 - 100"), and within its reserved memory when it has one. A new setting is
//!   `InProgress` with nothing available for the emulator's `function_ready_ms`, then `Done`.
//!   `ConcurrencyUtilizationTracking` provisions `MinCapacity` instances. Deleting a version or alias drops
//!   its setting.
//! - The async retry settings apply to the function as a whole (UpdateFunctionEventInvokeConfig takes no
//!   Qualifier); until set they are `RetryConfig [{RetryNum: 2}]`, `MsgTTL` 21600, the account limits.
//!   Every `RetryNum` is 0 to 2 and `MsgTTL` 60 to 21600 seconds; at least one `RetryConfig` is needed.

use rusqlite::{Connection, OptionalExtension, params};
use scf_model::{
    AsyncTriggerConfig, DeleteProvisionedConcurrencyConfigRequest,
    DeleteProvisionedConcurrencyConfigResponse, DeleteReservedConcurrencyConfigRequest,
    DeleteReservedConcurrencyConfigResponse, ErrorCode, GetAccountRequest, GetAccountResponse,
    GetFunctionEventInvokeConfigRequest, GetFunctionEventInvokeConfigResponse,
    GetProvisionedConcurrencyConfigRequest, GetProvisionedConcurrencyConfigResponse,
    GetReservedConcurrencyConfigRequest, GetReservedConcurrencyConfigResponse, LimitsInfo,
    NamespaceLimit, NamespaceUsage, PutProvisionedConcurrencyConfigRequest,
    PutProvisionedConcurrencyConfigResponse, PutReservedConcurrencyConfigRequest,
    PutReservedConcurrencyConfigResponse, PutTotalConcurrencyConfigRequest,
    PutTotalConcurrencyConfigResponse, RetryConfig, TriggerAction, TriggerCount,
    UpdateFunctionEventInvokeConfigRequest, UpdateFunctionEventInvokeConfigResponse, UsageInfo,
    VersionProvisionedConcurrencyInfo,
};
use serde::{Deserialize, Serialize};

use super::functions::{Function, find_requested, find_settled};
use super::namespaces::{self, MAX_NAMESPACES};
use super::versions::{self, LATEST};
use super::{Backend, Call, body, namespace_or_default, require_active};
use crate::db::{from_json, to_json};
use crate::failure::Failure;

/// The most concurrency memory the account may have, and its total until PutTotalConcurrencyConfig.
pub(crate) const USER_CONCURRENCY_MEM_LIMIT: i64 = 128_000;
/// The memory the account keeps unreserved.
const UNRESERVED_MEM: i64 = 12_800;
/// The instances a function keeps unprovisioned.
const UNPROVISIONED_INSTANCES: i64 = 100;
/// How many functions a namespace holds (GetAccount's `FunctionsCount` limit).
pub(crate) const FUNCTIONS_PER_NAMESPACE: i64 = 50;
/// The longest a function may run, in seconds.
pub(crate) const TIMEOUT_LIMIT: i64 = 900;
/// The longest a function's initialisation may run, in seconds.
pub(crate) const INIT_TIMEOUT_LIMIT: i64 = 300;
/// Async retries at most.
pub(crate) const RETRY_NUM_LIMIT: i64 = 2;
/// How long an async event may wait, in seconds.
pub(crate) const MIN_MSG_TTL: i64 = 60;
/// How long an async event may wait at most, in seconds.
pub(crate) const MAX_MSG_TTL: i64 = 21_600;
/// Triggers of one type per function.
pub(crate) const TRIGGERS_PER_TYPE: i64 = 10;
const CONCURRENT_EXECUTIONS: i64 = 100;
const TEST_MODEL_LIMIT: i64 = 20;
const TOTAL_KEY: &str = "total_concurrency_mem";

/// The tables of this module.
pub(crate) const SCHEMA: &str = "
CREATE TABLE account_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE reserved_concurrency (
    function INTEGER PRIMARY KEY REFERENCES functions (id) ON DELETE CASCADE,
    memory INTEGER NOT NULL
);
CREATE TABLE provisioned_concurrency (
    function INTEGER NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    -- A version number or an alias name.
    qualifier TEXT NOT NULL,
    instances INTEGER NOT NULL,
    -- The memory of one instance of the version provisioned, fixed when it is set.
    memory INTEGER NOT NULL,
    -- JSON: the Provisioned record.
    settings TEXT NOT NULL,
    ready_at INTEGER NOT NULL,
    PRIMARY KEY (function, qualifier)
) WITHOUT ROWID;
CREATE TABLE event_invoke_configs (
    function INTEGER PRIMARY KEY REFERENCES functions (id) ON DELETE CASCADE,
    -- JSON: the AsyncTriggerConfig.
    config TEXT NOT NULL
);
";

/// How a provisioned setting was asked for, kept to answer with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Provisioned {
    trigger_actions: Vec<TriggerAction>,
    provisioned_type: String,
    tracking_target: Option<f64>,
    min_capacity: Option<u64>,
    max_capacity: Option<u64>,
}

/// One stored provisioned setting.
#[derive(Debug, Clone)]
struct ProvisionedRow {
    qualifier: String,
    instances: i64,
    memory: i64,
    settings: Provisioned,
    ready_at: u64,
}

impl ProvisionedRow {
    fn in_progress(&self, now: u64) -> bool {
        now < self.ready_at
    }

    fn to_model(&self, now: u64) -> VersionProvisionedConcurrencyInfo {
        let instances = self.instances.max(0) as u64;
        let (status, available) = if self.in_progress(now) {
            ("InProgress", 0)
        } else {
            ("Done", instances)
        };
        VersionProvisionedConcurrencyInfo::default()
            .qualifier(self.qualifier.clone())
            .allocated_provisioned_concurrency_num(instances)
            .available_provisioned_concurrency_num(available)
            .status(status)
            .status_reason("")
            .trigger_actions(self.settings.trigger_actions.clone())
    }
}

/// Drops what is set on `qualifier` (a version or alias being deleted) of `function`.
pub(super) fn forget_qualifier(
    connection: &Connection,
    function: &Function,
    qualifier: &str,
) -> Result<(), Failure> {
    connection
        .prepare_cached(
            "DELETE FROM provisioned_concurrency WHERE function = ?1 AND qualifier = ?2",
        )?
        .execute(params![function.id, qualifier])?;
    Ok(())
}

/// The account's concurrency total.
fn total_mem(connection: &Connection) -> Result<i64, Failure> {
    let stored = connection
        .prepare_cached("SELECT value FROM account_settings WHERE key = ?1")?
        .query_row([TOTAL_KEY], |r| r.get::<_, i64>(0))
        .optional()?;
    Ok(stored.unwrap_or(USER_CONCURRENCY_MEM_LIMIT))
}

/// The memory that functions without reserved concurrency share: the account's total less what is
/// reserved.
pub(super) fn unreserved_mem(connection: &Connection) -> Result<i64, Failure> {
    Ok((total_mem(connection)? - reserved_mem(connection, None)?).max(0))
}

/// The memory reserved by every function but `except`; by every function with `None`.
fn reserved_mem(connection: &Connection, except: Option<i64>) -> Result<i64, Failure> {
    // `IS NOT NULL` holds for every row, so `None` leaves none out.
    Ok(connection
        .prepare_cached(
            "SELECT coalesce(sum(memory), 0) FROM reserved_concurrency WHERE function IS NOT ?1",
        )?
        .query_row([except], |r| r.get(0))?)
}

pub(super) fn reserved_of(
    connection: &Connection,
    function: &Function,
) -> Result<Option<i64>, Failure> {
    Ok(connection
        .prepare_cached("SELECT memory FROM reserved_concurrency WHERE function = ?1")?
        .query_row([function.id], |r| r.get(0))
        .optional()?)
}

fn provisioned_of(
    connection: &Connection,
    function: &Function,
) -> Result<Vec<ProvisionedRow>, Failure> {
    let mut statement = connection.prepare_cached(
        "SELECT qualifier, instances, memory, settings, ready_at FROM provisioned_concurrency \
         WHERE function = ?1",
    )?;
    let rows = statement
        .query_map([function.id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut provisioned: Vec<ProvisionedRow> = rows
        .into_iter()
        .map(|(qualifier, instances, memory, settings, ready_at)| {
            Ok(ProvisionedRow {
                qualifier,
                instances,
                memory,
                settings: from_json(&settings)?,
                ready_at: ready_at as u64,
            })
        })
        .collect::<Result<_, Failure>>()?;
    // Versions in number order, then aliases by name.
    provisioned.sort_by_key(|row| {
        (
            row.qualifier.parse::<i64>().unwrap_or(i64::MAX),
            row.qualifier.clone(),
        )
    });
    Ok(provisioned)
}

/// The memory of one instance of `version` of `function`.
fn memory_of(
    connection: &Connection,
    function: &Function,
    version: &str,
) -> Result<Option<i64>, Failure> {
    Ok(versions::deployment(connection, function, version)?
        .map(|deployment| deployment.settings.memory_size.unwrap_or(128)))
}

/// How many instances `function` may provision over all its versions.
fn provisionable(function: &Function, reserved: Option<i64>, total: i64) -> i64 {
    let memory = function
        .deployment
        .settings
        .memory_size
        .unwrap_or(128)
        .max(1);
    (reserved.unwrap_or(total) / memory - UNPROVISIONED_INSTANCES).max(0)
}

/// The version a provisioned setting's qualifier (a version or an alias, never `$LATEST`) runs.
fn provisioned_version(
    connection: &Connection,
    function: &Function,
    qualifier: &str,
) -> Result<String, Failure> {
    if qualifier == LATEST || qualifier.is_empty() {
        return Err(Failure::new(
            ErrorCode::InvalidParameterValueQualifier,
            format!(
                "Provisioned concurrency is set on a published version or an alias of function `{}`, not on `$LATEST`.",
                function.name
            ),
        ));
    }
    let not_found = || {
        Failure::new(
            ErrorCode::ResourceNotFoundVersion,
            format!(
                "Version or alias `{qualifier}` of function `{}` does not exist.",
                function.name
            ),
        )
    };
    let resolved =
        versions::resolve(connection, function, Some(qualifier)).map_err(|_| not_found())?;
    // An alias provisions its main version; `resolve` may have routed to an additional one.
    match resolved.alias {
        None => Ok(resolved.version),
        Some(alias) => {
            let main: String = connection
                .prepare_cached("SELECT version FROM aliases WHERE function = ?1 AND name = ?2")?
                .query_row(params![function.id, alias], |r| r.get(0))?;
            if main == LATEST {
                return Err(Failure::new(
                    ErrorCode::InvalidParameterValueQualifier,
                    format!(
                        "Alias `{qualifier}` of function `{}` points at `$LATEST`, which takes no provisioned concurrency.",
                        function.name
                    ),
                ));
            }
            Ok(main)
        }
    }
}

pub(super) fn put_reserved_concurrency_config(
    backend: &Backend,
    request: &PutReservedConcurrencyConfigRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let memory = i64::try_from(request.reserved_concurrency_mem).unwrap_or(i64::MAX);
    backend.db.write(|tx| {
        let function = find_settled(
            tx,
            request.namespace.as_deref(),
            &request.function_name,
            call.now,
            ErrorCode::FailedOperationFunctionVersionStatusNotActive,
        )?;
        let total = total_mem(tx)?;
        let reservable = total - UNRESERVED_MEM;
        let reserved = reserved_mem(tx, Some(function.id))?.saturating_add(memory);
        if reserved > reservable {
            return Err(Failure::new(
                ErrorCode::LimitExceededFunctionReservedConcurrencyMemory,
                format!(
                    "Reserving {memory} MB for function `{}` would reserve {reserved} MB in all; the account's total of {total} MB allows {reservable} MB.",
                    function.name
                ),
            ));
        }
        let provisioned: i64 = provisioned_of(tx, &function)?
            .iter()
            .map(|row| row.instances * row.memory)
            .sum();
        if provisioned > memory {
            return Err(Failure::new(
                ErrorCode::FailedOperationProvisionedExceedReserved,
                format!(
                    "Function `{}` has {provisioned} MB of provisioned concurrency, more than the {memory} MB asked to reserve.",
                    function.name
                ),
            ));
        }
        tx.prepare_cached(
            "INSERT INTO reserved_concurrency (function, memory) VALUES (?1, ?2) \
             ON CONFLICT (function) DO UPDATE SET memory = excluded.memory",
        )?
        .execute(params![function.id, memory])?;
        Ok(())
    })?;
    Ok(body(
        PutReservedConcurrencyConfigResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn get_reserved_concurrency_config(
    backend: &Backend,
    request: &GetReservedConcurrencyConfigRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let reserved = backend.db.read(|c| {
        let function = find_requested(c, request.namespace.as_deref(), &request.function_name)?;
        reserved_of(c, &function)
    })?;
    let mut response = GetReservedConcurrencyConfigResponse::default().request_id(call.request_id);
    if let Some(memory) = reserved {
        response = response.reserved_mem(memory.max(0) as u64);
    }
    Ok(body(response))
}

pub(super) fn delete_reserved_concurrency_config(
    backend: &Backend,
    request: &DeleteReservedConcurrencyConfigRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    backend.db.write(|tx| {
        let function = find_requested(tx, request.namespace.as_deref(), &request.function_name)?;
        tx.prepare_cached("DELETE FROM reserved_concurrency WHERE function = ?1")?
            .execute([function.id])?;
        Ok(())
    })?;
    Ok(body(
        DeleteReservedConcurrencyConfigResponse::default().request_id(call.request_id),
    ))
}

/// The instances and settings a PutProvisionedConcurrencyConfig asks for.
fn requested_provisioning(
    request: &PutProvisionedConcurrencyConfigRequest,
) -> Result<(i64, Provisioned), Failure> {
    let trigger_actions = request.trigger_actions.clone().unwrap_or_default();
    for (i, action) in trigger_actions.iter().enumerate() {
        let earlier = &trigger_actions[..i];
        if earlier
            .iter()
            .any(|a| a.trigger_name == action.trigger_name)
        {
            return Err(Failure::new(
                ErrorCode::InvalidParameterValueProvisionTriggerNameDuplicate,
                format!(
                    "TriggerActions name `{}` appears twice.",
                    action.trigger_name
                ),
            ));
        }
        if earlier
            .iter()
            .any(|a| a.trigger_cron_config == action.trigger_cron_config)
        {
            return Err(Failure::new(
                ErrorCode::InvalidParameterValueProvisionTriggerCronConfigDuplicate,
                format!(
                    "TriggerActions cron `{}` appears twice.",
                    action.trigger_cron_config
                ),
            ));
        }
    }
    let provisioned_type = request
        .provisioned_type
        .clone()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Default".to_owned());
    let instances = match provisioned_type.as_str() {
        "Default" => i64::try_from(request.version_provisioned_concurrency_num).unwrap_or(i64::MAX),
        "ConcurrencyUtilizationTracking" => {
            let target = request.tracking_target.unwrap_or(f64::NAN);
            if !(target > 0.0 && target < 1.0) {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValueTrackingTarget,
                    "TrackingTarget",
                    "between 0 and 1, both excluded",
                ));
            }
            let min = request.min_capacity.unwrap_or(0);
            if min < 1 {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValueMinCapacity,
                    "MinCapacity",
                    "1 or more",
                ));
            }
            if request.max_capacity.is_none_or(|max| max < min) {
                return Err(Failure::new(
                    ErrorCode::LimitExceededMaxCapacity,
                    format!("MaxCapacity must be at least MinCapacity ({min})."),
                ));
            }
            i64::try_from(min).unwrap_or(i64::MAX)
        }
        other => {
            return Err(Failure::new(
                ErrorCode::InvalidParameterValueProvisionType,
                format!(
                    "ProvisionedType `{other}` is invalid: use Default or ConcurrencyUtilizationTracking."
                ),
            ));
        }
    };
    Ok((
        instances,
        Provisioned {
            trigger_actions,
            provisioned_type,
            tracking_target: request.tracking_target,
            min_capacity: request.min_capacity,
            max_capacity: request.max_capacity,
        },
    ))
}

pub(super) fn put_provisioned_concurrency_config(
    backend: &Backend,
    request: &PutProvisionedConcurrencyConfigRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let (instances, settings) = requested_provisioning(request)?;
    let qualifier = request.qualifier.as_str();
    let ready_at = call.now.saturating_add(backend.config.function_ready_ms);
    backend.db.write(|tx| {
        let function = find_requested(tx, request.namespace.as_deref(), &request.function_name)?;
        let version = provisioned_version(tx, &function, qualifier)?;
        let status = versions::status_at(tx, &function, &version, call.now)?.unwrap_or_default();
        require_active(
            &format!("Version `{version}` of function `{}`", function.name),
            &status,
            ErrorCode::FailedOperationFunctionVersionStatusNotActive,
            "provision it",
        )?;
        let memory = memory_of(tx, &function, &version)?.unwrap_or(128);
        let existing = provisioned_of(tx, &function)?;
        if existing
            .iter()
            .any(|row| row.qualifier == qualifier && row.in_progress(call.now))
        {
            return Err(Failure::new(
                ErrorCode::FailedOperationProvisionedInProgress,
                format!(
                    "Provisioned concurrency of `{qualifier}` of function `{}` is still being set up; try again once it is Done.",
                    function.name
                ),
            ));
        }
        let others = existing.iter().filter(|row| row.qualifier != qualifier);
        let reserved = reserved_of(tx, &function)?;
        if let Some(reserved) = reserved {
            let wanted: i64 = others.clone().map(|row| row.instances * row.memory).sum::<i64>()
                + instances.saturating_mul(memory);
            if wanted > reserved {
                return Err(Failure::new(
                    ErrorCode::FailedOperationProvisionedExceedReserved,
                    format!(
                        "Function `{}` would have {wanted} MB of provisioned concurrency, more than its {reserved} MB reserved.",
                        function.name
                    ),
                ));
            }
        }
        let limit = provisionable(&function, reserved, total_mem(tx)?);
        let wanted: i64 = others.map(|row| row.instances).sum::<i64>().saturating_add(instances);
        if wanted > limit {
            return Err(Failure::new(
                ErrorCode::FailedOperationProvisionedExceedAvailable,
                format!(
                    "Function `{}` would have {wanted} provisioned instances over its versions; it may have {limit}.",
                    function.name
                ),
            ));
        }
        tx.prepare_cached(
            "INSERT INTO provisioned_concurrency (function, qualifier, instances, memory, settings, ready_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (function, qualifier) DO UPDATE SET \
             instances = excluded.instances, memory = excluded.memory, settings = excluded.settings, \
             ready_at = excluded.ready_at",
        )?
        .execute(params![
            function.id,
            qualifier,
            instances,
            memory,
            to_json(&settings),
            ready_at as i64
        ])?;
        Ok(())
    })?;
    Ok(body(
        PutProvisionedConcurrencyConfigResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn get_provisioned_concurrency_config(
    backend: &Backend,
    request: &GetProvisionedConcurrencyConfigRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let qualifier = request.qualifier.as_deref().filter(|q| !q.is_empty());
    let (function, rows, limit) = backend.db.read(|c| {
        let function = find_requested(c, request.namespace.as_deref(), &request.function_name)?;
        if let Some(qualifier) = qualifier {
            provisioned_version(c, &function, qualifier)?;
        }
        let rows = provisioned_of(c, &function)?;
        let limit = provisionable(&function, reserved_of(c, &function)?, total_mem(c)?);
        Ok((function, rows, limit))
    })?;
    drop(function);
    let allocated: i64 = rows.iter().map(|row| row.instances).sum();
    let shown: Vec<VersionProvisionedConcurrencyInfo> = rows
        .iter()
        .filter(|row| qualifier.is_none_or(|q| row.qualifier == q))
        .map(|row| row.to_model(call.now))
        .collect();
    Ok(body(
        GetProvisionedConcurrencyConfigResponse::default()
            .unallocated_concurrency_num((limit - allocated).max(0) as u64)
            .allocated(shown)
            .request_id(call.request_id),
    ))
}

pub(super) fn delete_provisioned_concurrency_config(
    backend: &Backend,
    request: &DeleteProvisionedConcurrencyConfigRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let qualifier = request.qualifier.as_str();
    backend.db.write(|tx| {
        let function = find_requested(tx, request.namespace.as_deref(), &request.function_name)?;
        provisioned_version(tx, &function, qualifier)?;
        let row = provisioned_of(tx, &function)?
            .into_iter()
            .find(|row| row.qualifier == qualifier)
            .ok_or_else(|| {
                Failure::new(
                    ErrorCode::ResourceNotFound,
                    format!(
                        "`{qualifier}` of function `{}` has no provisioned concurrency.",
                        function.name
                    ),
                )
            })?;
        if row.in_progress(call.now) {
            return Err(Failure::new(
                ErrorCode::FailedOperationProvisionedInProgress,
                format!(
                    "Provisioned concurrency of `{qualifier}` of function `{}` is still being set up; try again once it is Done.",
                    function.name
                ),
            ));
        }
        forget_qualifier(tx, &function, qualifier)
    })?;
    Ok(body(
        DeleteProvisionedConcurrencyConfigResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn put_total_concurrency_config(
    backend: &Backend,
    request: &PutTotalConcurrencyConfigRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let total = i64::try_from(request.total_concurrency_mem).unwrap_or(i64::MAX);
    backend.db.write(|tx| {
        namespaces::require(tx, namespace_or_default(request.namespace.as_deref()))?;
        if total > USER_CONCURRENCY_MEM_LIMIT {
            return Err(Failure::new(
                ErrorCode::LimitExceededTotalConcurrencyMemory,
                format!(
                    "TotalConcurrencyMem {total} MB is above the account's limit of {USER_CONCURRENCY_MEM_LIMIT} MB."
                ),
            ));
        }
        let reserved = reserved_mem(tx, None)?;
        let least = reserved + UNRESERVED_MEM;
        if total < least {
            return Err(Failure::new(
                ErrorCode::FailedOperationReservedExceedTotal,
                format!(
                    "TotalConcurrencyMem {total} MB is below the {least} MB needed: {reserved} MB reserved by functions plus {UNRESERVED_MEM} MB unreserved."
                ),
            ));
        }
        tx.prepare_cached(
            "INSERT INTO account_settings (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![TOTAL_KEY, total])?;
        Ok(())
    })?;
    Ok(body(
        PutTotalConcurrencyConfigResponse::default().request_id(call.request_id),
    ))
}

/// One namespace's functions and the concurrency they hold.
struct NamespaceRow {
    name: String,
    functions: Vec<String>,
    reserved: i64,
    provisioned: i64,
}

pub(super) fn get_account(
    backend: &Backend,
    _request: &GetAccountRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let (rows, total) = backend.db.read(|c| {
        let names = c
            .prepare_cached("SELECT name FROM namespaces ORDER BY name")?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut rows = Vec::with_capacity(names.len());
        for name in names {
            let functions = c
                .prepare_cached("SELECT name FROM functions WHERE namespace = ?1 ORDER BY name")?
                .query_map([&name], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            let reserved: i64 = c
                .prepare_cached(
                    "SELECT coalesce(sum(r.memory), 0) FROM reserved_concurrency r \
                     JOIN functions f ON f.id = r.function WHERE f.namespace = ?1",
                )?
                .query_row([&name], |r| r.get(0))?;
            let provisioned: i64 = c
                .prepare_cached(
                    "SELECT coalesce(sum(p.instances * p.memory), 0) FROM provisioned_concurrency p \
                     JOIN functions f ON f.id = p.function WHERE f.namespace = ?1",
                )?
                .query_row([&name], |r| r.get(0))?;
            rows.push(NamespaceRow {
                name,
                functions,
                reserved,
                provisioned,
            });
        }
        Ok((rows, total_mem(c)?))
    })?;
    let reserved: i64 = rows.iter().map(|row| row.reserved).sum();
    let usage = UsageInfo::default()
        .namespaces_count(rows.len() as i64)
        .namespace(
            rows.iter()
                .map(|row| {
                    NamespaceUsage::default()
                        .namespace(row.name.clone())
                        .functions(row.functions.clone())
                        .functions_count(row.functions.len() as i64)
                        .total_concurrency_mem(0)
                        .total_allocated_concurrency_mem(row.reserved)
                        .total_allocated_provisioned_mem(row.provisioned)
                })
                .collect::<Vec<_>>(),
        )
        .total_concurrency_mem(total)
        .total_allocated_concurrency_mem(reserved)
        .user_concurrency_mem_limit(USER_CONCURRENCY_MEM_LIMIT);
    let triggers = TriggerCount::default()
        .apigw(TRIGGERS_PER_TYPE)
        .ckafka(TRIGGERS_PER_TYPE)
        .clb(TRIGGERS_PER_TYPE)
        .cls(TRIGGERS_PER_TYPE)
        .cm(TRIGGERS_PER_TYPE)
        .cmq(TRIGGERS_PER_TYPE)
        .cos(TRIGGERS_PER_TYPE)
        .eb(TRIGGERS_PER_TYPE)
        .mps(TRIGGERS_PER_TYPE)
        .timer(TRIGGERS_PER_TYPE)
        .vod(TRIGGERS_PER_TYPE)
        .total(11 * TRIGGERS_PER_TYPE);
    let limits = LimitsInfo::default()
        .namespaces_count(MAX_NAMESPACES)
        .namespace(
            rows.iter()
                .map(|row| {
                    NamespaceLimit::default()
                        .namespace(row.name.clone())
                        .functions_count(FUNCTIONS_PER_NAMESPACE)
                        .trigger(triggers.clone())
                        .concurrent_executions(CONCURRENT_EXECUTIONS)
                        .timeout_limit(TIMEOUT_LIMIT)
                        .test_model_limit(TEST_MODEL_LIMIT)
                        .init_timeout_limit(INIT_TIMEOUT_LIMIT)
                        .retry_num_limit(RETRY_NUM_LIMIT)
                        .min_msg_ttl(MIN_MSG_TTL)
                        .max_msg_ttl(MAX_MSG_TTL)
                })
                .collect::<Vec<_>>(),
        );
    Ok(body(
        GetAccountResponse::default()
            .account_usage(usage)
            .account_limit(limits)
            .request_id(call.request_id),
    ))
}

/// The retry settings of a function that has none of its own.
fn default_event_invoke_config() -> AsyncTriggerConfig {
    AsyncTriggerConfig::default()
        .retry_config(vec![RetryConfig::default().retry_num(RETRY_NUM_LIMIT)])
        .msg_ttl(MAX_MSG_TTL)
}

/// The async invoke config of the function with row id `function`: the stored one, else the default.
pub(super) fn event_invoke_config(
    connection: &Connection,
    function: i64,
) -> Result<AsyncTriggerConfig, Failure> {
    let stored = connection
        .prepare_cached("SELECT config FROM event_invoke_configs WHERE function = ?1")?
        .query_row([function], |r| r.get::<_, String>(0))
        .optional()?;
    match stored {
        Some(text) => from_json::<AsyncTriggerConfig>(&text),
        None => Ok(default_event_invoke_config()),
    }
}

pub(super) fn get_function_event_invoke_config(
    backend: &Backend,
    request: &GetFunctionEventInvokeConfigRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let qualifier = request
        .qualifier
        .as_deref()
        .filter(|q| !q.is_empty())
        .unwrap_or(LATEST);
    let config = backend.db.read(|c| {
        let function = find_requested(c, request.namespace.as_deref(), &request.function_name)?;
        let status = versions::status_at(c, &function, qualifier, call.now)?.ok_or_else(|| {
            Failure::new(
                ErrorCode::ResourceNotFoundFunctionVersion,
                format!(
                    "Version `{qualifier}` of function `{}` does not exist.",
                    function.name
                ),
            )
        })?;
        require_active(
            &format!("Version `{qualifier}` of function `{}`", function.name),
            &status,
            ErrorCode::FailedOperationFunctionVersionStatusNotActive,
            "try again",
        )?;
        event_invoke_config(c, function.id)
    })?;
    Ok(body(
        GetFunctionEventInvokeConfigResponse::default()
            .async_trigger_config(config)
            .request_id(call.request_id),
    ))
}

pub(super) fn update_function_event_invoke_config(
    backend: &Backend,
    request: &UpdateFunctionEventInvokeConfigRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let config = &request.async_trigger_config;
    if config.retry_config.is_empty() {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueAsyncTriggerConfig,
            "AsyncTriggerConfig.RetryConfig",
            "give at least one RetryNum",
        ));
    }
    if let Some(retry) = config
        .retry_config
        .iter()
        .find(|r| !(0..=RETRY_NUM_LIMIT).contains(&r.retry_num))
    {
        return Err(Failure::new(
            ErrorCode::LimitExceededRetryNum,
            format!(
                "RetryNum {} is outside 0 to {RETRY_NUM_LIMIT}.",
                retry.retry_num
            ),
        ));
    }
    if !(MIN_MSG_TTL..=MAX_MSG_TTL).contains(&config.msg_ttl) {
        return Err(Failure::new(
            ErrorCode::LimitExceededMsgTtl,
            format!(
                "MsgTTL {} is outside {MIN_MSG_TTL} to {MAX_MSG_TTL} seconds.",
                config.msg_ttl
            ),
        ));
    }
    backend.db.write(|tx| {
        let function = find_settled(
            tx,
            request.namespace.as_deref(),
            &request.function_name,
            call.now,
            ErrorCode::FailedOperationFunctionVersionStatusNotActive,
        )?;
        tx.prepare_cached(
            "INSERT INTO event_invoke_configs (function, config) VALUES (?1, ?2) \
             ON CONFLICT (function) DO UPDATE SET config = excluded.config",
        )?
        .execute(params![function.id, to_json(config)])?;
        Ok(())
    })?;
    Ok(body(
        UpdateFunctionEventInvokeConfigResponse::default().request_id(call.request_id),
    ))
}
