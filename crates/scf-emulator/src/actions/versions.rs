//! Published versions and aliases, and how a `Qualifier` names one of them.

use rusqlite::{Connection, OptionalExtension, params};
use scf_model::{
    CreateAliasRequest, DeleteAliasRequest, DeleteFunctionVersionRequest, ErrorCode,
    GetAliasRequest, ListAliasesRequest, ListVersionByFunctionRequest, PublishVersionRequest,
    RoutingConfig, UpdateAliasRequest,
};

use super::functions::{Deployment, Function};
use super::{Backend, Call, unsupported};
use crate::db::{from_json, to_json};
use crate::failure::Failure;

/// The qualifier of the unpublished, editable version.
pub(crate) const LATEST: &str = "$LATEST";

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

/// Adds a configured function's versions (numeric qualifiers) and aliases (the others, on `$LATEST`).
pub(super) fn seed(
    connection: &Connection,
    function: &Function,
    qualifiers: &[String],
    now: u64,
) -> Result<(), Failure> {
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
                     VALUES (?1, ?2, ?3, '{}', '', ?4, ?4)",
                    params![function.id, qualifier, LATEST, now as i64],
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
        let alias = connection
            .prepare_cached(
                "SELECT version, routing FROM aliases WHERE function = ?1 AND name = ?2",
            )?
            .query_row(params![function.id, qualifier], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .optional()?
            .ok_or_else(not_found)?;
        let routing: RoutingConfig = from_json(&alias.1)?;
        (route(&alias.0, &routing), Some(qualifier.to_owned()))
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

/// The version an invocation through an alias runs: an additional version with its weight's chance,
/// else the alias's own.
fn route(primary: &str, routing: &RoutingConfig) -> String {
    let mut draw = fastrand::f64();
    for weight in routing.additional_version_weights.iter().flatten() {
        if draw < weight.weight {
            return weight.version.clone();
        }
        draw -= weight.weight;
    }
    primary.to_owned()
}

pub(super) fn publish_version(
    _backend: &Backend,
    _request: &PublishVersionRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("PublishVersion"))
}

pub(super) fn list_version_by_function(
    _backend: &Backend,
    _request: &ListVersionByFunctionRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("ListVersionByFunction"))
}

pub(super) fn delete_function_version(
    _backend: &Backend,
    _request: &DeleteFunctionVersionRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("DeleteFunctionVersion"))
}

pub(super) fn create_alias(
    _backend: &Backend,
    _request: &CreateAliasRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("CreateAlias"))
}

pub(super) fn get_alias(
    _backend: &Backend,
    _request: &GetAliasRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("GetAlias"))
}

pub(super) fn list_aliases(
    _backend: &Backend,
    _request: &ListAliasesRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("ListAliases"))
}

pub(super) fn update_alias(
    _backend: &Backend,
    _request: &UpdateAliasRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("UpdateAlias"))
}

pub(super) fn delete_alias(
    _backend: &Backend,
    _request: &DeleteAliasRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("DeleteAlias"))
}
