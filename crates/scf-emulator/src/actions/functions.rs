//! Functions: their settings, code, status and the actions that manage them.

use rusqlite::{Connection, OptionalExtension, Row, params};
use scf_model::{
    CopyFunctionRequest, CreateFunctionRequest, DeleteFunctionRequest, ErrorCode,
    GetFunctionAddressRequest, GetFunctionRequest, ListFunctionsRequest, StatusReason,
    UpdateFunctionCodeRequest, UpdateFunctionConfigurationRequest,
};
use serde::{Deserialize, Serialize};

use super::{Backend, Call, unsupported};
use crate::config::{Config, FunctionConfig, Outcome};
use crate::db::{from_json, to_json};
use crate::failure::Failure;
use crate::ids::uuid;

/// The tables of this module.
pub(crate) const SCHEMA: &str = "
CREATE TABLE functions (
    id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL REFERENCES namespaces (name),
    name TEXT NOT NULL,
    function_id TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    -- Where the function ends up: Active, CreateFailed, UpdateFailed.
    status TEXT NOT NULL,
    -- Creating or Updating until transient_until on the emulator's clock.
    transient TEXT,
    transient_until INTEGER NOT NULL DEFAULT 0,
    -- JSON: the StatusReasons of a failed status.
    reasons TEXT NOT NULL DEFAULT '[]',
    -- JSON: a Deployment.
    deployment TEXT NOT NULL,
    -- The number of the last published version; versions are never renumbered.
    last_version INTEGER NOT NULL DEFAULT 0,
    UNIQUE (namespace, name)
);
CREATE INDEX functions_by_added ON functions (namespace, created, name);
CREATE INDEX functions_by_modified ON functions (namespace, modified, name);
";

/// Where a function's code lives: a stored zip, or a COS object kept as given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct CodeRef {
    /// The SHA-256 of the stored zip, hex.
    pub(crate) sha256: Option<String>,
    /// The zip's size in bytes.
    pub(crate) size: i64,
    /// The COS location of code the emulator does not hold.
    pub(crate) cos: Option<scf_model::Code>,
}

/// How invocations of a function behave while the emulator does not run its code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Script {
    pub(crate) duration_ms: u64,
    pub(crate) outcome: Outcome,
    pub(crate) failure_status_code: i64,
    pub(crate) ret_msg: String,
    pub(crate) grace_shutdown_ms: u64,
}

impl Default for Script {
    fn default() -> Self {
        Self::from(&FunctionConfig::new("", 2_000))
    }
}

impl From<&FunctionConfig> for Script {
    fn from(config: &FunctionConfig) -> Self {
        Self {
            duration_ms: config.duration_ms,
            outcome: config.outcome,
            failure_status_code: config.failure_status_code,
            ret_msg: config.ret_msg.clone(),
            grace_shutdown_ms: config.grace_shutdown_ms,
        }
    }
}

/// What one version of a function is: its settings, its code and how its invocations behave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Deployment {
    /// The members of CreateFunction other than `Code`, updated by UpdateFunctionConfiguration.
    pub(crate) settings: CreateFunctionRequest,
    pub(crate) code: CodeRef,
    pub(crate) script: Script,
}

/// A status that is transient until an instant, then final.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Status {
    pub(crate) status: String,
    pub(crate) transient: Option<String>,
    pub(crate) transient_until: u64,
    pub(crate) reasons: Vec<StatusReason>,
}

impl Status {
    /// Active at once.
    pub(crate) fn active() -> Self {
        Self {
            status: "Active".to_owned(),
            transient: None,
            transient_until: 0,
            reasons: Vec::new(),
        }
    }

    /// The status seen at `now`.
    pub(crate) fn at(&self, now: u64) -> &str {
        match &self.transient {
            Some(transient) if now < self.transient_until => transient,
            _ => &self.status,
        }
    }

    /// The reasons seen at `now`: none while transient.
    pub(crate) fn reasons_at(&self, now: u64) -> &[StatusReason] {
        match &self.transient {
            Some(_) if now < self.transient_until => &[],
            _ => &self.reasons,
        }
    }
}

/// A function as stored: `$LATEST` and what identifies it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Function {
    pub(crate) id: i64,
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) function_id: String,
    pub(crate) created: u64,
    pub(crate) modified: u64,
    pub(crate) status: Status,
    pub(crate) deployment: Deployment,
    pub(crate) last_version: i64,
}

const COLUMNS: &str = "id, namespace, name, function_id, created, modified, status, transient, \
    transient_until, reasons, deployment, last_version";

impl Function {
    /// A new function, not yet stored.
    pub(crate) fn new(namespace: &str, name: &str, now: u64, deployment: Deployment) -> Self {
        Self {
            id: 0,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            function_id: format!("lam-{}", &uuid()[..8]),
            created: now,
            modified: now,
            status: Status::active(),
            deployment,
            last_version: 0,
        }
    }

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Self, Failure>> {
        let reasons: String = row.get(9)?;
        let deployment: String = row.get(10)?;
        let build = || -> Result<Self, Failure> {
            Ok(Self {
                id: row.get(0)?,
                namespace: row.get(1)?,
                name: row.get(2)?,
                function_id: row.get(3)?,
                created: row.get::<_, i64>(4)? as u64,
                modified: row.get::<_, i64>(5)? as u64,
                status: Status {
                    status: row.get(6)?,
                    transient: row.get(7)?,
                    transient_until: row.get::<_, i64>(8)? as u64,
                    reasons: from_json(&reasons)?,
                },
                deployment: from_json(&deployment)?,
                last_version: row.get(11)?,
            })
        };
        Ok(build())
    }

    /// Stores a new function and returns it with its row id.
    pub(crate) fn insert(mut self, connection: &Connection) -> Result<Self, Failure> {
        connection
            .prepare_cached(
                "INSERT INTO functions (namespace, name, function_id, created, modified, status, \
                 transient, transient_until, reasons, deployment, last_version) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                self.namespace,
                self.name,
                self.function_id,
                self.created as i64,
                self.modified as i64,
                self.status.status,
                self.status.transient,
                self.status.transient_until as i64,
                to_json(&self.status.reasons),
                to_json(&self.deployment),
                self.last_version,
            ])?;
        self.id = connection.last_insert_rowid();
        Ok(self)
    }

    /// Writes back everything but the identity.
    pub(crate) fn update(&self, connection: &Connection) -> Result<(), Failure> {
        connection
            .prepare_cached(
                "UPDATE functions SET modified = ?2, status = ?3, transient = ?4, transient_until = ?5, \
                 reasons = ?6, deployment = ?7, last_version = ?8 WHERE id = ?1",
            )?
            .execute(params![
                self.id,
                self.modified as i64,
                self.status.status,
                self.status.transient,
                self.status.transient_until as i64,
                to_json(&self.status.reasons),
                to_json(&self.deployment),
                self.last_version,
            ])?;
        Ok(())
    }
}

/// The function `name` of `namespace`, or `ResourceNotFound.Namespace` / `ResourceNotFound.Function`.
pub(crate) fn find(
    connection: &Connection,
    namespace: &str,
    name: &str,
) -> Result<Function, Failure> {
    let found = connection
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM functions WHERE namespace = ?1 AND name = ?2"
        ))?
        .query_row([namespace, name], Function::from_row)
        .optional()?;
    match found {
        Some(function) => function,
        None => {
            super::namespaces::require(connection, namespace)?;
            Err(Failure::new(
                ErrorCode::ResourceNotFoundFunction,
                format!("Function `{name}` does not exist in namespace `{namespace}`."),
            ))
        }
    }
}

/// Adds the configured functions that the store lacks, `Active` at once, with the configured versions
/// and aliases.
pub(super) fn seed(connection: &Connection, config: &Config, now: u64) -> Result<(), Failure> {
    for namespace in &config.namespaces {
        for function in &namespace.functions {
            let exists = connection
                .prepare_cached("SELECT 1 FROM functions WHERE namespace = ?1 AND name = ?2")?
                .query_row([&namespace.name, &function.name], |_| Ok(()))
                .optional()?
                .is_some();
            if exists {
                continue;
            }
            let deployment = Deployment {
                settings: CreateFunctionRequest::default()
                    .function_name(function.name.clone())
                    .handler("index.main_handler")
                    .runtime("Python3.9")
                    .memory_size(128)
                    .timeout(3)
                    .r#type("Event")
                    .async_run_enable("TRUE"),
                code: CodeRef::default(),
                script: Script::from(function),
            };
            let stored = Function::new(&namespace.name, &function.name, now, deployment)
                .insert(connection)?;
            super::versions::seed(connection, &stored, &function.qualifiers, now)?;
        }
    }
    Ok(())
}

pub(super) fn create_function(
    _backend: &Backend,
    _request: &CreateFunctionRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("CreateFunction"))
}

pub(super) fn get_function(
    _backend: &Backend,
    _request: &GetFunctionRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("GetFunction"))
}

pub(super) fn list_functions(
    _backend: &Backend,
    _request: &ListFunctionsRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("ListFunctions"))
}

pub(super) fn update_function_code(
    _backend: &Backend,
    _request: &UpdateFunctionCodeRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("UpdateFunctionCode"))
}

pub(super) fn update_function_configuration(
    _backend: &Backend,
    _request: &UpdateFunctionConfigurationRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("UpdateFunctionConfiguration"))
}

pub(super) fn copy_function(
    _backend: &Backend,
    _request: &CopyFunctionRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("CopyFunction"))
}

pub(super) fn delete_function(
    _backend: &Backend,
    _request: &DeleteFunctionRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("DeleteFunction"))
}

pub(super) fn get_function_address(
    _backend: &Backend,
    _request: &GetFunctionAddressRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("GetFunctionAddress"))
}
