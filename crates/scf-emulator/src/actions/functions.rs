//! Functions: their settings, code, status and the actions that manage them.
//!
//! CreateFunction, UpdateFunctionCode and UpdateFunctionConfiguration answer at once; `GetFunction.Status`
//! is `Creating` / `Updating` for `function_ready_ms` on the emulator's clock, then `Active`, or the status
//! the tag `scf-emulator/status` scripts (`CreateFailed` at creation, `UpdateFailed` on every update, with
//! one `StatusReasons` entry). While a function is `Creating` or `Updating`, the calls that change it answer
//! the `FailedOperation.*` code of their action.
//!
//! Choices where the docs are silent:
//! - An update scripted to fail leaves the function as it was (the docs say a failed update keeps serving
//!   the previous code), only its status changes.
//! - `Code` other than a zip (COS, an image, a demo, Git) is kept as given; the emulator holds no bytes for
//!   it, so GetFunctionAddress answers `FailedOperation.GetFunctionAddress` and CodeSize is 0.
//!   `CosObjectName` is not required to start with `/`, as the examples do not.
//! - `Qualifier` of GetFunction and GetFunctionAddress takes `$LATEST`, a version or an alias (through its
//!   routing); an unknown version answers `ResourceNotFound.Version` / `ResourceNotFound.FunctionVersion`.
//! - `ShowCode=TRUE` fills `CodeInfo` with the text of the handler's file in the zip (at most 1 MB, UTF-8),
//!   else an empty string.
//! - CopyFunction onto an existing function answers `ResourceInUse.Function` unless `Override` is true,
//!   which replaces it; `CopyConfiguration=false` keeps only the code, runtime, handler and type. The copy
//!   is `Creating` for the same delay as a new function. A `TargetRegion` other than the request's region
//!   answers `FailedOperation.CopyFunction`.
//! - DeleteFunction with a `Qualifier` other than `$LATEST` deletes that version only, as
//!   DeleteFunctionVersion does; without one it deletes the function with everything that references it.
//! - UpdateFunctionCode and UpdateFunctionConfiguration ignore `Publish` (versions are published with
//!   PublishVersion); layer versions are checked for form, not looked up.

mod listing;
mod settings;

pub(crate) use settings::RUNTIMES;

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, Row, params};
use scf_model::{
    Code, CopyFunctionRequest, CopyFunctionResponse, CreateFunctionRequest, CreateFunctionResponse,
    DeleteFunctionRequest, DeleteFunctionResponse, DeleteFunctionVersionRequest, Environment,
    ErrorCode, GetFunctionAddressRequest, GetFunctionAddressResponse, GetFunctionRequest,
    GetFunctionResponse, LayerVersionInfo, ListFunctionsRequest, StatusReason,
    UpdateFunctionCodeRequest, UpdateFunctionCodeResponse, UpdateFunctionConfigurationRequest,
    UpdateFunctionConfigurationResponse,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::versions::LATEST;
use super::{Backend, Call, body, namespace_or_default};
use crate::config::{Config, FunctionConfig, Outcome};
use crate::db::{from_json, to_json};
use crate::failure::Failure;
use crate::ids::uuid;
use crate::time_format::resource_time;

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

/// The function a request names: `name` in `namespace`, the default namespace when it names none.
pub(crate) fn find_requested(
    connection: &Connection,
    namespace: Option<&str>,
    name: &str,
) -> Result<Function, Failure> {
    find(connection, namespace_or_default(namespace), name)
}

/// [`find_requested`], refused with `code` while the function is `Creating` or `Updating` at `now`.
pub(crate) fn find_settled(
    connection: &Connection,
    namespace: Option<&str>,
    name: &str,
    now: u64,
    code: ErrorCode,
) -> Result<Function, Failure> {
    let function = find_requested(connection, namespace, name)?;
    require_settled(&function, now, code)?;
    Ok(function)
}

/// The row ids of every stored function.
pub(super) fn row_ids(connection: &Connection) -> Result<HashSet<i64>, Failure> {
    let mut statement = connection.prepare_cached("SELECT id FROM functions")?;
    let ids = statement.query_map([], |row| row.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
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

impl Status {
    /// `transient` (Creating, Updating) from `now` for `delay_ms`, then `status` with its reasons.
    pub(crate) fn settling(
        transient: &str,
        now: u64,
        delay_ms: u64,
        status: &str,
        reasons: Vec<StatusReason>,
    ) -> Self {
        Self {
            status: status.to_owned(),
            transient: Some(transient.to_owned()),
            transient_until: now.saturating_add(delay_ms),
            reasons,
        }
    }
}

/// Fails with `code` while `function` is `Creating` or `Updating` at `now`, naming it and its status.
fn require_settled(function: &Function, now: u64, code: ErrorCode) -> Result<(), Failure> {
    let status = function.status.at(now);
    if matches!(status, "Creating" | "Updating") {
        return Err(Failure::new(
            code,
            format!(
                "Function `{}` in namespace `{}` is `{status}`; retry when it is `Active`.",
                function.name, function.namespace
            ),
        ));
    }
    Ok(())
}

/// Reads one generated type as another with the same members (the service's `...In` and `...Out` pairs).
fn convert<T: Serialize, U: DeserializeOwned + Default>(value: &T) -> U {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .unwrap_or_default()
}

/// The one reason a scripted failure reports.
fn scripted_reason(status: &str) -> StatusReason {
    let mut reason = StatusReason::default();
    reason.error_code = format!("FailedOperation.{}", status.trim_end_matches("Failed"));
    reason.error_message = format!(
        "The tag `{}` scripted this function to end in `{status}`.",
        settings::STATUS_TAG
    );
    reason
}

/// The code a request names: a zip stored now (within `max_zip` bytes, else the default cap), or another
/// source kept as given.
fn store_code(
    connection: &Connection,
    code: &Code,
    member: &str,
    max_zip: Option<usize>,
) -> Result<CodeRef, Failure> {
    let zip = code.zip_file.as_deref().filter(|zip| !zip.is_empty());
    let cos = code
        .cos_bucket_name
        .as_deref()
        .is_some_and(|b| !b.is_empty())
        || code
            .cos_object_name
            .as_deref()
            .is_some_and(|o| !o.is_empty());
    let others = [
        code.demo_id.as_deref(),
        code.temp_cos_object_name.as_deref(),
        code.git_url.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|value| !value.is_empty())
    .count()
        + usize::from(code.image_config.is_some());
    match (zip, usize::from(zip.is_some()) + usize::from(cos) + others) {
        (_, 0) => Err(Failure::new(
            ErrorCode::MissingParameterCode,
            format!("`{member}` names no code: give a ZipFile, a COS object or an image."),
        )),
        (Some(zip), 1) => {
            let member = match member {
                "" => "ZipFile".to_owned(),
                parent => format!("{parent}.ZipFile"),
            };
            match max_zip {
                Some(max_zip) => super::code::store_zip_within(connection, zip, &member, max_zip),
                None => super::code::store_zip(connection, zip, &member),
            }
        }
        (None, 1) => {
            if cos
                && (code
                    .cos_bucket_name
                    .as_deref()
                    .unwrap_or_default()
                    .is_empty()
                    || code
                        .cos_object_name
                        .as_deref()
                        .unwrap_or_default()
                        .is_empty())
            {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValueCode,
                    member,
                    "code in COS needs both CosBucketName and CosObjectName",
                ));
            }
            let mut kept = code.clone();
            // Secrets are not kept: nothing reads them back.
            kept.git_password = None;
            kept.git_password_secret = None;
            kept.git_user_name_secret = None;
            Ok(CodeRef {
                sha256: None,
                size: 0,
                cos: Some(kept),
            })
        }
        _ => Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueCode,
            member,
            "give only one of ZipFile, a COS object, DemoId, Git or ImageConfig",
        )),
    }
}

fn check_code_source(source: Option<&str>, allowed: &[&str]) -> Result<(), Failure> {
    match source {
        Some(source) if !allowed.contains(&source) => Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueCodeSource,
            "CodeSource",
            &format!("`{source}` is not one of {}", allowed.join(", ")),
        )),
        _ => Ok(()),
    }
}

/// Fails unless every layer version the settings bind exists.
fn check_layers(connection: &Connection, settings: &CreateFunctionRequest) -> Result<(), Failure> {
    for binding in settings.layers.iter().flatten() {
        super::layers::check_binding(connection, binding)?;
    }
    Ok(())
}

/// Fails with `ResourceInUse.Function` when `namespace` already holds `name`.
fn require_absent(connection: &Connection, namespace: &str, name: &str) -> Result<(), Failure> {
    let exists = connection
        .prepare_cached("SELECT 1 FROM functions WHERE namespace = ?1 AND name = ?2")?
        .query_row([namespace, name], |_| Ok(()))
        .optional()?
        .is_some();
    if exists {
        return Err(Failure::new(
            ErrorCode::ResourceInUseFunction,
            format!("Function `{name}` already exists in namespace `{namespace}`."),
        ));
    }
    Ok(())
}

/// Stores a new function, `Creating` for the configured delay and then `Active` or its scripted
/// `CreateFailed`, with the `$DEFAULT` alias every function has.
fn create(
    connection: &Connection,
    namespace: &str,
    name: &str,
    deployment: Deployment,
    call: &Call<'_>,
    ready_ms: u64,
) -> Result<(), Failure> {
    let scripted =
        settings::scripted_status(deployment.settings.tags.as_deref().unwrap_or_default())?;
    let mut function = Function::new(namespace, name, call.now, deployment);
    function.status = match scripted {
        Some("CreateFailed") => Status::settling(
            "Creating",
            call.now,
            ready_ms,
            "CreateFailed",
            vec![scripted_reason("CreateFailed")],
        ),
        _ => Status::settling("Creating", call.now, ready_ms, "Active", Vec::new()),
    };
    let stored = function.insert(connection)?;
    super::versions::add_default_alias(connection, &stored, call.now)
}

pub(super) fn create_function(
    backend: &Backend,
    request: &CreateFunctionRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let namespace = namespace_or_default(request.namespace.as_deref());
    settings::check_function_name("FunctionName", &request.function_name, namespace)?;
    check_code_source(request.code_source.as_deref(), &["ZipFile", "Cos", "Demo"])?;
    let settings = settings::with_defaults(request, request.code.image_config.is_some());
    settings::check(&settings)?;
    backend.db.write(|tx| {
        super::namespaces::require(tx, namespace)?;
        require_absent(tx, namespace, &request.function_name)?;
        check_layers(tx, &settings)?;
        let code = store_code(tx, &request.code, "Code", None)?;
        let deployment = Deployment {
            settings,
            code,
            script: Script::default(),
        };
        create(
            tx,
            namespace,
            &request.function_name,
            deployment,
            call,
            backend.config.function_ready_ms,
        )
    })?;
    Ok(body(
        CreateFunctionResponse::default().request_id(call.request_id),
    ))
}

/// What a qualifier of GetFunction or GetFunctionAddress names: the version, its deployment and status.
struct Described {
    version: String,
    deployment: Deployment,
    status: Status,
    created: u64,
    modified: u64,
}

fn describe(
    connection: &Connection,
    function: &Function,
    qualifier: Option<&str>,
    missing: ErrorCode,
) -> Result<Described, Failure> {
    let qualifier = qualifier.filter(|q| !q.is_empty()).unwrap_or(LATEST);
    let not_found = || {
        Failure::new(
            missing.clone(),
            format!(
                "Version `{qualifier}` of function `{}` in namespace `{}` does not exist.",
                function.name, function.namespace
            ),
        )
    };
    let (version, deployment) = if qualifier == LATEST || qualifier.parse::<u64>().is_ok() {
        let deployment =
            super::versions::deployment(connection, function, qualifier)?.ok_or_else(not_found)?;
        (qualifier.to_owned(), deployment)
    } else {
        let resolved =
            super::versions::resolve(connection, function, Some(qualifier)).map_err(|failure| {
                if failure.code == ErrorCode::ResourceNotFoundQualifier {
                    not_found()
                } else {
                    failure
                }
            })?;
        (resolved.version, resolved.deployment)
    };
    if version == LATEST {
        return Ok(Described {
            version,
            deployment,
            status: function.status.clone(),
            created: function.created,
            modified: function.modified,
        });
    }
    // A published version has a status of its own (Publishing, then Active) in the versions table.
    let number: i64 = version.parse().map_err(|_| not_found())?;
    let (status, transient, transient_until, created, modified) = connection
        .prepare_cached(
            "SELECT status, transient, transient_until, created, modified FROM versions \
             WHERE function = ?1 AND version = ?2",
        )?
        .query_row(params![function.id, number], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })
        .optional()?
        .ok_or_else(not_found)?;
    Ok(Described {
        version,
        deployment,
        status: Status {
            status,
            transient,
            transient_until: transient_until as u64,
            reasons: Vec::new(),
        },
        created: created as u64,
        modified: modified as u64,
    })
}

pub(super) fn get_function(
    backend: &Backend,
    request: &GetFunctionRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let name = request.function_name.as_deref().unwrap_or_default();
    if name.is_empty() {
        return Err(Failure::new(
            ErrorCode::InvalidParameterFunctionNameOrResourceIdRequired,
            "GetFunction needs a FunctionName.",
        ));
    }
    let namespace = namespace_or_default(request.namespace.as_deref());
    let show_code = request
        .show_code
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case("TRUE"));
    let qualifier = request
        .qualifier
        .as_deref()
        .filter(|q| !q.is_empty())
        .unwrap_or(LATEST);
    let response = backend.db.read(|connection| {
        let function = find(connection, namespace, name)?;
        let described = describe(
            connection,
            &function,
            Some(qualifier),
            ErrorCode::ResourceNotFoundVersion,
        )?;
        let triggers = super::triggers::of_function(connection, &function)?;
        let code_info = match (&described.deployment.code.sha256, show_code) {
            (Some(sha256), true) => super::code::zip(connection, sha256)?
                .and_then(|zip| {
                    let handler = described
                        .deployment
                        .settings
                        .handler
                        .as_deref()
                        .unwrap_or_default();
                    super::code::entry_text(&zip, handler.split('.').next().unwrap_or_default())
                })
                .unwrap_or_default(),
            _ => String::new(),
        };
        Ok(get_function_response(
            &function, described, triggers, code_info, qualifier, call,
        ))
    })?;
    Ok(body(response))
}

fn get_function_response(
    function: &Function,
    described: Described,
    triggers: Vec<scf_model::Trigger>,
    code_info: String,
    qualifier: &str,
    call: &Call<'_>,
) -> GetFunctionResponse {
    let Described {
        version,
        deployment,
        status,
        created,
        modified,
    } = described;
    let settings = deployment.settings;
    let flag = |value: &Option<String>| value.clone().unwrap_or_else(|| "FALSE".to_owned());
    let mut response = GetFunctionResponse::default()
        .mod_time(resource_time(modified))
        .add_time(resource_time(created))
        .code_info(code_info)
        .description(settings.description.clone().unwrap_or_default())
        .triggers(triggers)
        .handler(settings.handler.clone().unwrap_or_default())
        .code_size(deployment.code.size)
        .timeout(settings.timeout.unwrap_or(3))
        .function_version(version)
        .memory_size(settings.memory_size.unwrap_or(128))
        .function_name(function.name.clone())
        .vpc_config(settings.vpc_config.clone().unwrap_or_default())
        .use_gpu("FALSE")
        .code_result("success")
        .namespace(function.namespace.clone())
        .role(settings.role.clone().unwrap_or_default())
        .install_dependency(flag(&settings.install_dependency))
        .status(status.at(call.now))
        .status_desc("")
        .cls_logset_id(settings.cls_logset_id.clone().unwrap_or_default())
        .cls_topic_id(settings.cls_topic_id.clone().unwrap_or_default())
        .function_id(function.function_id.clone())
        .tags(settings.tags.clone().unwrap_or_default())
        .r#type(
            settings
                .r#type
                .clone()
                .unwrap_or_else(|| "Event".to_owned()),
        )
        .l5_enable("FALSE")
        .layers(
            settings
                .layers
                .iter()
                .flatten()
                .map(|layer| {
                    let mut info = LayerVersionInfo::default();
                    info.layer_name = layer.layer_name.clone();
                    info.layer_version = layer.layer_version;
                    info.status = "Active".to_owned();
                    info
                })
                .collect::<Vec<_>>(),
        )
        .dead_letter_config(settings.dead_letter_config.clone().unwrap_or_default())
        .ons_enable("FALSE")
        .cfs_config(settings.cfs_config.clone().unwrap_or_default())
        .available_status("Available")
        .qualifier(qualifier)
        .init_timeout(settings.init_timeout.unwrap_or(65))
        .status_reasons(status.reasons_at(call.now).to_vec())
        .async_run_enable(flag(&settings.async_run_enable))
        .trace_enable(flag(&settings.trace_enable))
        .dns_cache(flag(&settings.dns_cache))
        .request_id(call.request_id);
    response.runtime = settings.runtime.clone();
    response.environment = settings.environment.clone().unwrap_or_else(|| {
        let mut environment = Environment::default();
        environment.variables = Some(Vec::new());
        environment
    });
    response.public_net_config = Some(match &settings.public_net_config {
        Some(config) => convert(config),
        None => {
            let mut config: scf_model::PublicNetConfigOut = Default::default();
            config.public_net_status = "ENABLE".to_owned();
            config.eip_config.eip_status = "DISABLE".to_owned();
            config
        }
    });
    response.intranet_config = settings.intranet_config.as_ref().map(convert);
    response.image_config = deployment
        .code
        .cos
        .as_ref()
        .and_then(|code| code.image_config.clone());
    response.protocol_type = settings.protocol_type.clone();
    response.protocol_params = settings.protocol_params.clone();
    response.instance_concurrency_config = settings.instance_concurrency_config.clone();
    response
}

pub(super) fn list_functions(
    backend: &Backend,
    request: &ListFunctionsRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    listing::list_functions(backend, request, call)
}

/// Starts an update: `Updating` for the configured delay, then `Active`, or `UpdateFailed` when scripted,
/// in which case the function keeps what it ran before.
fn updating(
    function: &mut Function,
    updated: Deployment,
    call: &Call<'_>,
    ready_ms: u64,
) -> Result<(), Failure> {
    let scripted = settings::scripted_status(
        function
            .deployment
            .settings
            .tags
            .as_deref()
            .unwrap_or_default(),
    )?;
    function.modified = call.now;
    if scripted == Some("UpdateFailed") {
        function.status = Status::settling(
            "Updating",
            call.now,
            ready_ms,
            "UpdateFailed",
            vec![scripted_reason("UpdateFailed")],
        );
    } else {
        function.status = Status::settling("Updating", call.now, ready_ms, "Active", Vec::new());
        function.deployment = updated;
    }
    Ok(())
}

pub(super) fn update_function_code(
    backend: &Backend,
    request: &UpdateFunctionCodeRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    check_code_source(
        request.code_source.as_deref(),
        &["ZipFile", "Cos", "Inline"],
    )?;
    backend.db.write(|tx| {
        let mut function = find_settled(
            tx,
            request.namespace.as_deref(),
            &request.function_name,
            call.now,
            ErrorCode::FailedOperationUpdateFunctionCode,
        )?;
        let top_level = Code::default();
        let mut top_level = top_level;
        top_level.zip_file = request.zip_file.clone();
        top_level.cos_bucket_name = request.cos_bucket_name.clone();
        top_level.cos_object_name = request.cos_object_name.clone();
        top_level.cos_bucket_region = request.cos_bucket_region.clone();
        let given_top = top_level != Code::default();
        let code = match (&request.code, given_top) {
            (Some(_), true) => {
                return Err(Failure::invalid_value(
                    ErrorCode::InvalidParameterValueCode,
                    "Code",
                    "give the code either in Code or in ZipFile / CosBucketName / CosObjectName, not both",
                ));
            }
            (Some(code), false) => store_code(tx, code, "Code", None),
            (None, _) => store_code(tx, &top_level, "", Some(super::code::MAX_UPDATE_ZIP)),
        }
        .map_err(|failure| {
            if failure.code == ErrorCode::MissingParameterCode {
                Failure::new(ErrorCode::InvalidParameterValueCode, format!("UpdateFunctionCode of `{}` names no code: give ZipFile, CosBucketName and CosObjectName, or Code.", function.name))
            } else {
                failure
            }
        })?;
        let mut updated = function.deployment.clone();
        updated.code = code;
        if let Some(handler) = &request.handler {
            updated.settings.handler = Some(handler.clone());
        }
        if let Some(install) = &request.install_dependency {
            updated.settings.install_dependency = Some(install.to_ascii_uppercase());
        }
        settings::check(&updated.settings)?;
        updating(&mut function, updated, call, backend.config.function_ready_ms)?;
        function.update(tx)
    })?;
    Ok(body(
        UpdateFunctionCodeResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn update_function_configuration(
    backend: &Backend,
    request: &UpdateFunctionConfigurationRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    backend.db.write(|tx| {
        let mut function = find_settled(
            tx,
            request.namespace.as_deref(),
            &request.function_name,
            call.now,
            ErrorCode::FailedOperationUpdateFunctionConfiguration,
        )?;
        let mut updated = function.deployment.clone();
        let settings = &mut updated.settings;
        if let Some(runtime) = &request.runtime
            && Some(runtime) != settings.runtime.as_ref()
        {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueRuntime,
                "Runtime",
                &format!(
                    "function `{}` runs {}; the runtime is chosen at creation and cannot change",
                    function.name,
                    settings.runtime.as_deref().unwrap_or_default()
                ),
            ));
        }
        macro_rules! merge {
            ($($member:ident),*) => {
                $(if let Some(value) = &request.$member {
                    settings.$member = Some(value.clone());
                })*
            };
        }
        merge!(
            description,
            memory_size,
            timeout,
            environment,
            vpc_config,
            role,
            cls_logset_id,
            cls_topic_id,
            layers,
            dead_letter_config,
            public_net_config,
            cfs_config,
            init_timeout,
            protocol_params,
            instance_concurrency_config,
            intranet_config
        );
        for (flag, value) in [
            (
                &mut settings.install_dependency,
                &request.install_dependency,
            ),
            (&mut settings.dns_cache, &request.dns_cache),
        ] {
            if let Some(value) = value {
                *flag = Some(value.to_ascii_uppercase());
            }
        }
        settings::check(settings)?;
        check_layers(tx, settings)?;
        updating(
            &mut function,
            updated,
            call,
            backend.config.function_ready_ms,
        )?;
        function.update(tx)
    })?;
    Ok(body(
        UpdateFunctionConfigurationResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn copy_function(
    backend: &Backend,
    request: &CopyFunctionRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let namespace = namespace_or_default(request.namespace.as_deref());
    let target_namespace = namespace_or_default(request.target_namespace.as_deref());
    settings::check_function_name(
        "NewFunctionName",
        &request.new_function_name,
        target_namespace,
    )?;
    if let (Some(target), Some(region)) = (
        request.target_region.as_deref().filter(|r| !r.is_empty()),
        call.region,
    ) && target != region
    {
        return Err(Failure::new(
            ErrorCode::FailedOperationCopyFunction,
            format!(
                "The emulator serves one region per request; it cannot copy function `{}` from {region} to {target}.",
                request.function_name
            ),
        ));
    }
    if request
        .description
        .as_ref()
        .is_some_and(|description| description.chars().count() > 1000)
    {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueDescription,
            "Description",
            "it is longer than 1000 characters",
        ));
    }
    // The function an override replaces, deleted with the copy's transaction.
    let mut replaced = None;
    backend.db.write(|tx| {
        let source = find(tx, namespace, &request.function_name)?;
        super::namespaces::require(tx, target_namespace)?;
        if request.r#override == Some(true) {
            let existing = match find(tx, target_namespace, &request.new_function_name) {
                Ok(existing) => Some(existing),
                Err(failure) if failure.code == ErrorCode::ResourceNotFoundFunction => None,
                Err(failure) => return Err(failure),
            };
            if let Some(existing) = existing {
                if existing.id == source.id {
                    return Err(Failure::invalid_value(
                        ErrorCode::InvalidParameterValueFunctionName,
                        "NewFunctionName",
                        "a function cannot be copied onto itself",
                    ));
                }
                require_settled(&existing, call.now, ErrorCode::FailedOperationCopyFunction)?;
                tx.prepare_cached("DELETE FROM functions WHERE id = ?1")?
                    .execute([existing.id])?;
                replaced = Some(existing.id);
            }
        } else {
            require_absent(tx, target_namespace, &request.new_function_name)?;
        }
        let mut deployment = source.deployment.clone();
        deployment.settings.function_name = request.new_function_name.clone();
        if request.copy_configuration == Some(false) {
            let kept = &source.deployment.settings;
            let mut fresh = CreateFunctionRequest::default();
            fresh.function_name = request.new_function_name.clone();
            fresh.runtime = kept.runtime.clone();
            fresh.handler = kept.handler.clone();
            fresh.r#type = kept.r#type.clone();
            fresh.async_run_enable = kept.async_run_enable.clone();
            deployment.settings = settings::with_defaults(
                &fresh,
                deployment
                    .code
                    .cos
                    .as_ref()
                    .is_some_and(|c| c.image_config.is_some()),
            );
        }
        if let Some(description) = &request.description {
            deployment.settings.description = Some(description.clone());
        }
        create(
            tx,
            target_namespace,
            &request.new_function_name,
            deployment,
            call,
            backend.config.function_ready_ms,
        )
    })?;
    // As for DeleteFunction: the replaced function's code does not run again, and a copy given its
    // freed row id finds none of its files.
    if let (Some(replaced), Some(runner)) = (replaced, &backend.runner) {
        runner.forget(replaced);
    }
    Ok(body(
        CopyFunctionResponse::default().request_id(call.request_id),
    ))
}

pub(super) fn delete_function(
    backend: &Backend,
    request: &DeleteFunctionRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    match request.qualifier.as_deref() {
        Some(qualifier) if !qualifier.is_empty() && qualifier != LATEST => {
            let mut version = DeleteFunctionVersionRequest::default();
            version.function_name = request.function_name.clone();
            version.qualifier = qualifier.to_owned();
            version.namespace = request.namespace.clone();
            return super::versions::delete_function_version(backend, &version, call);
        }
        _ => {}
    }
    let function = backend.db.write(|tx| {
        let function = find_settled(
            tx,
            request.namespace.as_deref(),
            &request.function_name,
            call.now,
            ErrorCode::FailedOperationDeleteFunction,
        )?;
        // Versions, aliases, triggers and every other record of the function go with it (ON DELETE CASCADE).
        tx.prepare_cached("DELETE FROM functions WHERE id = ?1")?
            .execute([function.id])?;
        Ok(function.id)
    })?;
    // Its code does not run again.
    if let Some(runner) = &backend.runner {
        runner.forget(function);
    }
    Ok(body(
        DeleteFunctionResponse::default().request_id(call.request_id),
    ))
}

/// GetFunctionAddress answers a URL on the emulator itself: `http://<Host>/__code/<token>.zip`, where
/// `<Host>` is the request's `Host` header. That is the address the client reached the emulator at (it is
/// signed with the request), so the URL works behind port mappings and on `0.0.0.0` binds alike.
pub(super) fn get_function_address(
    backend: &Backend,
    request: &GetFunctionAddressRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let namespace = namespace_or_default(request.namespace.as_deref());
    let (token, sha256) = backend.db.read(|connection| {
        let function = find(connection, namespace, &request.function_name)?;
        let described = describe(connection, &function, request.qualifier.as_deref(), ErrorCode::ResourceNotFoundFunctionVersion)?;
        let status = described.status.at(call.now);
        if status != "Active" {
            return Err(Failure::new(
                ErrorCode::FailedOperationFunctionStatusError,
                format!("Function `{}` in namespace `{namespace}` is `{status}`; its code has an address once it is `Active`.", function.name),
            ));
        }
        let no_zip = || {
            Failure::new(
                ErrorCode::FailedOperationGetFunctionAddress,
                format!("The code of function `{}` lives in COS or an image registry; the emulator holds no zip for it.", function.name),
            )
        };
        let sha256 = described.deployment.code.sha256.clone().ok_or_else(no_zip)?;
        let token = super::code::token(connection, &sha256)?.ok_or_else(no_zip)?;
        Ok((token, sha256))
    })?;
    let host = call.host.ok_or_else(|| {
        Failure::new(
            ErrorCode::FailedOperationGetFunctionAddress,
            "The request has no Host header to build the code's address from.",
        )
    })?;
    let url = crate::code_route::url(host, &token);
    Ok(body(
        GetFunctionAddressResponse::default()
            .url(url)
            .code_sha256(sha256)
            .request_id(call.request_id),
    ))
}
