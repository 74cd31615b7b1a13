//! Namespaces: `default` always exists; the others are created, listed, described and deleted.
//!
//! Choices where the service's documents are silent:
//! - A name is 1 to 30 letters, digits, `-` and `_` (the wording of `InvalidParameterValue.NamespaceInvalid`;
//!   no first-character rule is documented, so none is applied).
//! - A region holds at most 5 namespaces, `default` included (GetAccount's example limit).
//! - ListNamespaces without `Orderby` lists the newest first (the documented example does); `Updatetime`
//!   orders by the last change; `SearchKey` values match as case-sensitive substrings, all of them at once.
//!   `Limit` 0 means the default 20; above 100 is refused.
//! - `default` may be described with UpdateNamespace; every namespace has `Type` `default`, as in the examples.

use rusqlite::{Connection, OptionalExtension, params};
use scf_model::{
    CreateNamespaceRequest, CreateNamespaceResponse, DeleteNamespaceRequest,
    DeleteNamespaceResponse, ErrorCode, ListNamespacesRequest, ListNamespacesResponse, Namespace,
    UpdateNamespaceRequest, UpdateNamespaceResponse,
};

use super::paging::{descending, page};
use super::{Backend, Call, body, check_description};
use crate::config::Config;
use crate::failure::Failure;
use crate::time_format::resource_time;

/// The namespace of requests that name none.
pub(crate) const DEFAULT: &str = "default";

/// How many namespaces a region holds, `default` included.
pub(crate) const MAX_NAMESPACES: i64 = 5;

/// The tables of this module.
pub(crate) const SCHEMA: &str = "
CREATE TABLE namespaces (
    name TEXT PRIMARY KEY NOT NULL,
    description TEXT NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL
);
CREATE INDEX namespaces_by_added ON namespaces (created, name);
";

/// Adds `default` and the configured namespaces that the store lacks.
pub(super) fn seed(connection: &Connection, config: &Config, now: u64) -> Result<(), Failure> {
    let names = std::iter::once(DEFAULT).chain(config.namespaces.iter().map(|n| n.name.as_str()));
    for name in names {
        connection.execute(
            "INSERT OR IGNORE INTO namespaces (name, description, created, modified) VALUES (?1, '', ?2, ?2)",
            params![name, now as i64],
        )?;
    }
    Ok(())
}

/// Fails with `ResourceNotFound.Namespace` unless `name` exists.
pub(crate) fn require(connection: &Connection, name: &str) -> Result<(), Failure> {
    let found = connection
        .prepare_cached("SELECT 1 FROM namespaces WHERE name = ?1")?
        .query_row([name], |_| Ok(()))
        .optional()?;
    found.ok_or_else(|| not_found(name))
}

fn not_found(name: &str) -> Failure {
    Failure::new(
        ErrorCode::ResourceNotFoundNamespace,
        format!("Namespace `{name}` does not exist."),
    )
}

/// Whether `name` follows the service's rule: 1 to 30 letters, digits, `-` or `_`.
fn valid_name(name: &str) -> bool {
    (1..=30).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(super) fn create_namespace(
    backend: &Backend,
    request: &CreateNamespaceRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let name = request.namespace.as_str();
    // `default` is refused as such before the general checks, so the answer says why.
    if name == DEFAULT {
        return Err(Failure::new(
            ErrorCode::InvalidParameterValueDefaultNamespace,
            "Namespace `default` always exists and cannot be created.",
        ));
    }
    if !valid_name(name) {
        return Err(Failure::new(
            ErrorCode::InvalidParameterValueNamespaceInvalid,
            format!("Namespace `{name}` is invalid: use 1 to 30 letters, digits, `-` and `_`."),
        ));
    }
    let description = request.description.as_deref().unwrap_or_default();
    check_description(description)?;
    backend.db.write(|tx| {
        if tx
            .prepare_cached("SELECT 1 FROM namespaces WHERE name = ?1")?
            .query_row([name], |_| Ok(()))
            .optional()?
            .is_some()
        {
            return Err(Failure::new(
                ErrorCode::ResourceInUseNamespace,
                format!("Namespace `{name}` already exists."),
            ));
        }
        let count: i64 = tx.query_row("SELECT count(*) FROM namespaces", [], |r| r.get(0))?;
        if count >= MAX_NAMESPACES {
            return Err(Failure::new(
                ErrorCode::LimitExceededNamespace,
                format!(
                    "Namespace `{name}` cannot be created: the region already holds {count} namespaces, the limit."
                ),
            ));
        }
        tx.prepare_cached(
            "INSERT INTO namespaces (name, description, created, modified) VALUES (?1, ?2, ?3, ?3)",
        )?
        .execute(params![name, description, call.now as i64])?;
        Ok(())
    })?;
    Ok(body(
        CreateNamespaceResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn delete_namespace(
    backend: &Backend,
    request: &DeleteNamespaceRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let name = request.namespace.as_str();
    backend.db.write(|tx| {
        require(tx, name)?;
        if name == DEFAULT {
            return Err(Failure::new(
                ErrorCode::FailedOperationDeleteNamespace,
                "Namespace `default` cannot be deleted.",
            ));
        }
        let functions: i64 = tx
            .prepare_cached("SELECT count(*) FROM functions WHERE namespace = ?1")?
            .query_row([name], |r| r.get(0))?;
        if functions > 0 {
            return Err(Failure::new(
                ErrorCode::ResourceInUseNamespace,
                format!(
                    "Namespace `{name}` still holds {functions} function(s); delete them first."
                ),
            ));
        }
        tx.prepare_cached("DELETE FROM namespaces WHERE name = ?1")?
            .execute([name])?;
        Ok(())
    })?;
    Ok(body(
        DeleteNamespaceResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn list_namespaces(
    backend: &Backend,
    request: &ListNamespacesRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let (offset, limit) = page(request.offset, request.limit, "from 0 to 100")?;
    let descending = descending(request.order.as_ref(), true)?;
    let column = match request.orderby.as_deref() {
        None | Some("") => "created",
        Some("Name") => "name",
        Some("Updatetime") => "modified",
        Some(_) => {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueOrderBy,
                "Orderby",
                "use Name or Updatetime",
            ));
        }
    };
    let mut name_contains = Vec::new();
    let mut description_contains = Vec::new();
    for search in request.search_key.iter().flatten() {
        match search.key.as_str() {
            "Namespace" => name_contains.push(search.value.as_str()),
            "Description" => description_contains.push(search.value.as_str()),
            other => {
                return Err(Failure::new(
                    ErrorCode::InvalidParameterValueSearchKey,
                    format!("SearchKey.Key `{other}` is invalid: use Namespace or Description."),
                ));
            }
        }
    }
    let direction = if descending { "DESC" } else { "ASC" };
    // The name breaks ties, so pages of namespaces made in one millisecond do not overlap.
    let sql = format!(
        "SELECT name, description, created, modified FROM namespaces ORDER BY {column} {direction}, name {direction}"
    );
    let rows = backend.db.read(|c| {
        let mut statement = c.prepare_cached(&sql)?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
            ))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    })?;
    let matching: Vec<_> = rows
        .into_iter()
        .filter(|(name, description, _, _)| {
            name_contains.iter().all(|part| name.contains(part))
                && description_contains
                    .iter()
                    .all(|part| description.contains(part))
        })
        .collect();
    let total_count = matching.len() as i64;
    let namespaces = matching
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(name, description, created, modified)| {
            Namespace::default()
                .name(name)
                .description(description)
                .add_time(resource_time(created as u64))
                .mod_time(resource_time(modified as u64))
                .r#type(DEFAULT)
        })
        .collect::<Vec<_>>();
    Ok(body(
        ListNamespacesResponse::default()
            .namespaces(namespaces)
            .total_count(total_count)
            .request_id(call.request_id),
    ))
}

pub(super) fn update_namespace(
    backend: &Backend,
    request: &UpdateNamespaceRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let name = request.namespace.as_str();
    check_description(&request.description)?;
    backend.db.write(|tx| {
        let changed = tx
            .prepare_cached(
                "UPDATE namespaces SET description = ?2, modified = ?3 WHERE name = ?1",
            )?
            .execute(params![name, request.description, call.now as i64])?;
        if changed == 0 {
            return Err(not_found(name));
        }
        Ok(())
    })?;
    Ok(body(
        UpdateNamespaceResponse::default().request_id(call.request_id),
    ))
}
