//! ListFunctions as one SQL query over the namespace's rows: filters, search key, order and a page.
//!
//! Choices where the docs are silent: `SearchKey` matches a part of the name ignoring case; `Description`
//! matches a part of the description; the order defaults to `AddTime` `DESC` (newest first, as the
//! console shows); `Limit` 0 means the default 20 and at most 100 are returned. The filters `Stamp` and
//! `Eip` match nothing (the emulator assigns neither); `ReservedConcurrencyMem` is left out of the items.

use rusqlite::params_from_iter;
use rusqlite::types::Value;
use scf_model::{ErrorCode, ListFunctionsRequest, ListFunctionsResponse, Order};

use super::{COLUMNS, Function};
use crate::actions::{Backend, Call, body, namespace_or_default};
use crate::failure::Failure;
use crate::time_format::resource_time;

const MAX_FILTERS: usize = 10;
const MAX_VALUES: usize = 20;
const MAX_LIMIT: i64 = 100;

/// The status a row shows at the instant bound to `?1`.
const STATUS_NOW: &str =
    "(CASE WHEN transient IS NOT NULL AND transient_until > ?1 THEN transient ELSE status END)";

/// Where a filter's value lives in a row: a SQL expression, whether one value only is allowed.
fn filter_column(name: &str) -> Option<(&'static str, bool)> {
    let column = match name {
        "Status" => (STATUS_NOW, false),
        "Runtime" => ("json_extract(deployment, '$.settings.Runtime')", false),
        "Type" | "FunctionType" => ("json_extract(deployment, '$.settings.Type')", false),
        "AsyncRunEnable" => (
            "json_extract(deployment, '$.settings.AsyncRunEnable')",
            false,
        ),
        "TraceEnable" => ("json_extract(deployment, '$.settings.TraceEnable')", false),
        "PublicNetStatus" => (
            "coalesce(json_extract(deployment, '$.settings.PublicNetConfig.PublicNetStatus'), 'ENABLE')",
            false,
        ),
        "Stamp" => ("NULL", false),
        "VpcId" => (
            "json_extract(deployment, '$.settings.VpcConfig.VpcId')",
            true,
        ),
        "SubnetId" => (
            "json_extract(deployment, '$.settings.VpcConfig.SubnetId')",
            true,
        ),
        "ClsTopicId" => ("json_extract(deployment, '$.settings.ClsTopicId')", true),
        "ClsLogsetId" => ("json_extract(deployment, '$.settings.ClsLogsetId')", true),
        "Role" => ("json_extract(deployment, '$.settings.Role')", true),
        "Eip" => ("NULL", true),
        _ => return None,
    };
    Some(column)
}

fn placeholders(values: &mut Vec<Value>, items: &[String]) -> String {
    let marks: Vec<String> = items
        .iter()
        .map(|item| {
            values.push(Value::Text(item.clone()));
            format!("?{}", values.len())
        })
        .collect();
    marks.join(", ")
}

pub(super) fn list_functions(
    backend: &Backend,
    request: &ListFunctionsRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let namespace = namespace_or_default(request.namespace.as_deref());
    let limit = match request.limit.unwrap_or(0) {
        0 => 20,
        limit if (1..=MAX_LIMIT).contains(&limit) => limit,
        limit => {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueLimit,
                "Limit",
                &format!("{limit} is outside 0..={MAX_LIMIT}"),
            ));
        }
    };
    let offset = request.offset.unwrap_or(0);
    if offset < 0 {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueOffset,
            "Offset",
            &format!("{offset} is negative"),
        ));
    }
    let direction = match &request.order {
        None | Some(Order::Descending) => "DESC",
        Some(Order::Ascending) => "ASC",
        Some(other) => {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueOrder,
                "Order",
                &format!("`{}` is neither ASC nor DESC", other.as_str()),
            ));
        }
    };
    let column = match request.orderby.as_deref().unwrap_or("AddTime") {
        "AddTime" => "created",
        "ModTime" => "modified",
        "FunctionName" => "name",
        other => {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueOrderBy,
                "Orderby",
                &format!("`{other}` is not one of AddTime, ModTime, FunctionName"),
            ));
        }
    };

    let mut values = vec![
        Value::Integer(call.now as i64),
        Value::Text(namespace.to_owned()),
    ];
    // `+?n`, not a bare `?n` (here and in LIMIT): SQLite's planner reads the values of bare parameters
    // in the page's WHERE and LIMIT, so every request would prepare the page statement again.
    let mut conditions = vec!["namespace = +?2".to_owned()];
    if let Some(key) = request.search_key.as_deref().filter(|key| !key.is_empty()) {
        values.push(Value::Text(key.to_lowercase()));
        conditions.push(format!("instr(lower(name), ?{}) > 0", values.len()));
    }
    if let Some(description) = request.description.as_deref().filter(|d| !d.is_empty()) {
        values.push(Value::Text(description.to_owned()));
        conditions.push(format!(
            "instr(json_extract(deployment, '$.settings.Description'), ?{}) > 0",
            values.len()
        ));
    }
    let filters = request.filters.as_deref().unwrap_or_default();
    if filters.len() > MAX_FILTERS {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueLimitExceeded,
            "Filters",
            &format!("at most {MAX_FILTERS} filters are allowed"),
        ));
    }
    for filter in filters {
        let too_many = |most: usize| {
            Failure::invalid_value(
                ErrorCode::InvalidParameterValueLimitExceeded,
                "Filters.Values",
                &format!("the filter `{}` takes 1 to {most} values", filter.name),
            )
        };
        if let Some(key) = filter.name.strip_prefix("tag-") {
            if filter.values.is_empty() || filter.values.len() > MAX_VALUES {
                return Err(too_many(MAX_VALUES));
            }
            values.push(Value::Text(key.to_owned()));
            let key_mark = values.len();
            let marks = placeholders(&mut values, &filter.values);
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM json_each(deployment, '$.settings.Tags') AS tag \
                 WHERE json_extract(tag.value, '$.Key') = ?{key_mark} \
                 AND json_extract(tag.value, '$.Value') IN ({marks}))"
            ));
            continue;
        }
        if let Some(path) = match filter.name.as_str() {
            "CfsId" => Some("$.CfsId"),
            "CfsMountInsId" => Some("$.MountInsId"),
            _ => None,
        } {
            if filter.values.len() != 1 {
                return Err(too_many(1));
            }
            let marks = placeholders(&mut values, &filter.values);
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM json_each(deployment, '$.settings.CfsConfig.CfsInsList') AS cfs \
                 WHERE json_extract(cfs.value, '{path}') IN ({marks}))"
            ));
            continue;
        }
        let Some((expression, single)) = filter_column(&filter.name) else {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueName,
                "Filters.Name",
                &format!("`{}` is not a filter of ListFunctions", filter.name),
            ));
        };
        let most = if single { 1 } else { MAX_VALUES };
        if filter.values.is_empty() || filter.values.len() > most {
            return Err(too_many(most));
        }
        let marks = placeholders(&mut values, &filter.values);
        conditions.push(format!("{expression} IN ({marks})"));
    }

    let condition = conditions.join(" AND ");
    let response = backend.db.read(|connection| {
        crate::actions::namespaces::require(connection, namespace)?;
        let total: i64 = connection
            .prepare_cached(&format!("SELECT count(*) FROM functions WHERE {condition}"))?
            .query_row(params_from_iter(values.iter()), |row| row.get(0))?;
        let mut page_values = values.clone();
        page_values.push(Value::Integer(limit));
        page_values.push(Value::Integer(offset));
        let count = page_values.len();
        let mut statement = connection.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM functions WHERE {condition} \
             ORDER BY {column} {direction}, id {direction} LIMIT +?{} OFFSET +?{count}",
            count - 1
        ))?;
        let rows = statement.query_map(params_from_iter(page_values.iter()), Function::from_row)?;
        let mut functions = Vec::new();
        for row in rows {
            functions.push(summary(&row??, call.now));
        }
        Ok(ListFunctionsResponse::default()
            .functions(functions)
            .total_count(total)
            .request_id(call.request_id))
    })?;
    Ok(body(response))
}

fn summary(function: &Function, now: u64) -> scf_model::Function {
    let settings = &function.deployment.settings;
    let flag = |value: &Option<String>| value.clone().unwrap_or_else(|| "FALSE".to_owned());
    let mut item = scf_model::Function::default();
    item.mod_time = resource_time(function.modified);
    item.add_time = resource_time(function.created);
    item.runtime = settings.runtime.clone();
    item.function_name = function.name.clone();
    item.function_id = function.function_id.clone();
    item.namespace = function.namespace.clone();
    item.status = function.status.at(now).to_owned();
    item.description = settings.description.clone().unwrap_or_default();
    item.tags = settings.tags.clone().unwrap_or_default();
    item.r#type = settings
        .r#type
        .clone()
        .unwrap_or_else(|| "Event".to_owned());
    item.status_reasons = function.status.reasons_at(now).to_vec();
    item.total_provisioned_concurrency_mem = Some(0);
    item.async_run_enable = flag(&settings.async_run_enable);
    item.trace_enable = flag(&settings.trace_enable);
    item
}
