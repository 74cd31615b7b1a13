//! Namespaces: `default` always exists; the others are created, listed, described and deleted.

use rusqlite::{Connection, OptionalExtension, params};
use scf_model::{
    CreateNamespaceRequest, DeleteNamespaceRequest, ErrorCode, ListNamespacesRequest,
    UpdateNamespaceRequest,
};

use super::{Backend, Call, unsupported};
use crate::config::Config;
use crate::failure::Failure;

/// The namespace of requests that name none.
pub(crate) const DEFAULT: &str = "default";

/// The tables of this module.
pub(crate) const SCHEMA: &str = "
CREATE TABLE namespaces (
    name TEXT PRIMARY KEY NOT NULL,
    description TEXT NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL
);
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
    found.ok_or_else(|| {
        Failure::new(
            ErrorCode::ResourceNotFoundNamespace,
            format!("Namespace `{name}` does not exist."),
        )
    })
}

pub(super) fn create_namespace(
    _backend: &Backend,
    _request: &CreateNamespaceRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("CreateNamespace"))
}

pub(super) fn delete_namespace(
    _backend: &Backend,
    _request: &DeleteNamespaceRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("DeleteNamespace"))
}

pub(super) fn list_namespaces(
    _backend: &Backend,
    _request: &ListNamespacesRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("ListNamespaces"))
}

pub(super) fn update_namespace(
    _backend: &Backend,
    _request: &UpdateNamespaceRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("UpdateNamespace"))
}
