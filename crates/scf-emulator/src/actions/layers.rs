//! Layers and their versions: zips (stored once by SHA-256, like function code) or COS objects kept as
//! given, numbered per layer, listed, and deleted unless a function uses them.
//!
//! Documented limits (quota page 583/11637): 20 layers per region (`LimitExceeded.Layers`) and 200 versions
//! per layer (`LimitExceeded.LayerVersions`). Choices where the service's documentation is silent:
//! - A version is `Active` as soon as it is published. Version numbers start at 1 and are never reused,
//!   even after the versions are deleted; a layer whose versions are all deleted is no longer listed and
//!   counts against no limit, and publishing under its name again continues its numbering.
//! - `Content` is either `ZipFile` (checked as function code is) or `CosBucketName` with `CosObjectName`
//!   (kept as given, not fetched); neither or both → `InvalidParameterValue.Content`.
//! - `CompatibleRuntimes` holds at least one of the function runtimes; `Description` up to 1000
//!   characters; `LicenseInfo` and `Tags` are kept as given.
//! - GetLayerVersion's `Location` is, for an uploaded zip, the emulator's own download URL of it
//!   (`http://<Host>/__code/<token>.zip`, as GetFunctionAddress answers; empty if the request had no `Host`),
//!   with its SHA-256 in `CodeSha256`; for COS content it is the COS object's URL, not fetched.
//! - ListLayers shows each layer by its newest version, newest first; `CompatibleRuntime` keeps the layers
//!   whose newest version lists it; `SearchKey` matches part of the name, ignoring case; `Limit` 1-100
//!   (0 or left out: 20). ListLayerVersions lists every version, newest first, that lists any of the given
//!   runtimes.
//! - DeleteLayerVersion refuses a version that `$LATEST` or a published version of any function binds
//!   (`ResourceInUse.LayerVersion`, naming the function), as the code exists for it.

use rusqlite::{Connection, OptionalExtension, Row, params};
use scf_model::{
    Code, DeleteLayerVersionRequest, DeleteLayerVersionResponse, ErrorCode, GetLayerVersionRequest,
    GetLayerVersionResponse, LayerVersionInfo, LayerVersionSimple, ListLayerVersionsRequest,
    ListLayerVersionsResponse, ListLayersRequest, ListLayersResponse, PublishLayerVersionRequest,
    PublishLayerVersionResponse, Tag,
};

use super::functions::{CodeRef, RUNTIMES};
use super::paging::page;
use super::{Backend, Call, body, check_description, code};
use crate::db::{from_json, to_json};
use crate::failure::Failure;
use crate::time_format::resource_time;

/// The tables of this module.
pub(crate) const SCHEMA: &str = "
CREATE TABLE layers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- The number of the last version published; numbers are never reused.
    last_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE layer_versions (
    layer INTEGER NOT NULL REFERENCES layers (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    -- JSON: the CompatibleRuntimes.
    runtimes TEXT NOT NULL,
    description TEXT NOT NULL,
    license TEXT NOT NULL,
    -- JSON: the Tags.
    tags TEXT NOT NULL,
    -- JSON: a CodeRef.
    code TEXT NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (layer, version)
) WITHOUT ROWID;
CREATE INDEX layer_versions_by_added ON layer_versions (created);
";

/// How many layers a region holds.
const MAX_LAYERS: i64 = 20;
/// How many versions one layer holds.
const MAX_VERSIONS: i64 = 200;
const NAME_MAX_CHARS: usize = 64;

/// A layer version as stored.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    name: String,
    version: i64,
    runtimes: Vec<String>,
    description: String,
    license: String,
    tags: Vec<Tag>,
    code: CodeRef,
    created: u64,
}

const COLUMNS: &str =
    "l.name, v.version, v.runtimes, v.description, v.license, v.tags, v.code, v.created";

impl Stored {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Self, Failure>> {
        let (runtimes, tags, code): (String, String, String) =
            (row.get(2)?, row.get(5)?, row.get(6)?);
        let (name, version, description, license, created) = (
            row.get(0)?,
            row.get(1)?,
            row.get(3)?,
            row.get(4)?,
            row.get::<_, i64>(7)? as u64,
        );
        Ok((|| {
            Ok(Self {
                name,
                version,
                runtimes: from_json(&runtimes)?,
                description,
                license,
                tags: from_json(&tags)?,
                code: from_json(&code)?,
                created,
            })
        })())
    }

    fn to_info(&self) -> LayerVersionInfo {
        LayerVersionInfo::default()
            .compatible_runtimes(self.runtimes.clone())
            .add_time(resource_time(self.created))
            .description(self.description.clone())
            .license_info(self.license.clone())
            .layer_version(self.version)
            .layer_name(self.name.clone())
            .status("Active")
            .stamp("default")
            .tags(self.tags.clone())
    }

    fn supports_any(&self, runtimes: &[String]) -> bool {
        runtimes.iter().any(|wanted| self.runtimes.contains(wanted))
    }
}

fn query(
    connection: &Connection,
    condition: &str,
    values: impl rusqlite::Params,
) -> Result<Vec<Stored>, Failure> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM layer_versions v JOIN layers l ON l.id = v.layer WHERE {condition}"
    ))?;
    let rows = statement.query_map(values, Stored::from_row)?;
    let mut found = Vec::new();
    for row in rows {
        found.push(row??);
    }
    Ok(found)
}

fn find_version(connection: &Connection, name: &str, version: i64) -> Result<Stored, Failure> {
    query(
        connection,
        "l.name = ?1 AND v.version = ?2",
        params![name, version],
    )?
    .pop()
    .ok_or_else(|| {
        Failure::new(
            ErrorCode::ResourceNotFoundLayerVersion,
            format!("Version {version} of layer `{name}` does not exist."),
        )
    })
}

/// Fails unless a function may bind `binding`: `ResourceNotFound.Layer` for a layer without versions,
/// `InvalidParameterValue.Layers` for a version it does not have.
pub(crate) fn check_binding(
    connection: &Connection,
    binding: &LayerVersionSimple,
) -> Result<(), Failure> {
    let name = &binding.layer_name;
    let versions: i64 = connection
        .prepare_cached(
            "SELECT count(*) FROM layer_versions v JOIN layers l ON l.id = v.layer WHERE l.name = ?1",
        )?
        .query_row([name], |row| row.get(0))?;
    if versions == 0 {
        return Err(Failure::new(
            ErrorCode::ResourceNotFoundLayer,
            format!("Layer `{name}` does not exist."),
        ));
    }
    find_version(connection, name, binding.layer_version)
        .map(|_| ())
        .map_err(|_| {
            Failure::invalid_value(
                ErrorCode::InvalidParameterValueLayers,
                "Layers",
                &format!("layer `{name}` has no version {}", binding.layer_version),
            )
        })
}

/// The first function (`namespace/name`, with `:version` for a published one) that binds the version.
fn user(connection: &Connection, name: &str, version: i64) -> Result<Option<String>, Failure> {
    // Deployments are stored as JSON whose settings are CreateFunction's members, Layers among them.
    const BOUND: &str = "json_extract(b.value, '$.LayerName') = ?1 AND json_extract(b.value, '$.LayerVersion') = ?2";
    let sql = format!(
        "SELECT f.namespace || '/' || f.name FROM functions f, json_each(f.deployment, '$.settings.Layers') b \
         WHERE {BOUND} \
         UNION ALL \
         SELECT f.namespace || '/' || f.name || ':' || v.version \
         FROM versions v JOIN functions f ON f.id = v.function, json_each(v.deployment, '$.settings.Layers') b \
         WHERE {BOUND} LIMIT 1"
    );
    Ok(connection
        .prepare_cached(&sql)?
        .query_row(params![name, version], |row| row.get(0))
        .optional()?)
}

fn check_name(name: &str) -> Result<(), Failure> {
    let ok = (1..=NAME_MAX_CHARS).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && !name.ends_with(['-', '_'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueLayerName,
            "LayerName",
            "1-64 letters, digits, `-` and `_`, starting with a letter and ending with neither `-` nor `_`",
        ))
    }
}

fn check_runtime(runtime: &str, code: ErrorCode, member: &str) -> Result<(), Failure> {
    if RUNTIMES.contains(&runtime) {
        Ok(())
    } else {
        Err(Failure::invalid_value(
            code,
            member,
            &format!("`{runtime}` is not a function runtime"),
        ))
    }
}

/// Where a version's content comes from, stored: a checked zip or a COS object as given.
fn store_content(connection: &Connection, content: &Code) -> Result<CodeRef, Failure> {
    let zip = content.zip_file.as_deref().filter(|z| !z.is_empty());
    let bucket = content.cos_bucket_name.as_deref().filter(|b| !b.is_empty());
    let object = content.cos_object_name.as_deref().filter(|o| !o.is_empty());
    match (zip, bucket, object) {
        (Some(zip), None, None) => code::store_zip(connection, zip, "Content.ZipFile"),
        (None, Some(_), Some(_)) => Ok(CodeRef {
            sha256: None,
            size: 0,
            cos: Some(content.clone()),
        }),
        _ => Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueContent,
            "Content",
            "give either ZipFile or CosBucketName with CosObjectName",
        )),
    }
}

/// The URL of a COS object, as the service's Location links show it.
fn cos_location(cos: &Code) -> String {
    let region = cos
        .cos_bucket_region
        .as_deref()
        .filter(|r| !r.is_empty())
        .unwrap_or("ap-guangzhou");
    let object = cos.cos_object_name.as_deref().unwrap_or_default();
    format!(
        "https://{}.cos.{region}.myqcloud.com/{}",
        cos.cos_bucket_name.as_deref().unwrap_or_default(),
        object.trim_start_matches('/')
    )
}

pub(super) fn publish_layer_version(
    backend: &Backend,
    request: &PublishLayerVersionRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let name = request.layer_name.as_str();
    check_name(name)?;
    if request.compatible_runtimes.is_empty() {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueCompatibleRuntimes,
            "CompatibleRuntimes",
            "name at least one runtime",
        ));
    }
    for runtime in &request.compatible_runtimes {
        check_runtime(
            runtime,
            ErrorCode::InvalidParameterValueCompatibleRuntimes,
            "CompatibleRuntimes",
        )?;
    }
    let description = request.description.clone().unwrap_or_default();
    check_description(&description)?;
    let version = backend.db.write(|tx| {
        let layer = tx
            .prepare_cached("SELECT id, last_version FROM layers WHERE name = ?1")?
            .query_row([name], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)))
            .optional()?;
        let held: i64 = match layer {
            Some((id, _)) => tx
                .prepare_cached("SELECT count(*) FROM layer_versions WHERE layer = ?1")?
                .query_row([id], |row| row.get(0))?,
            None => 0,
        };
        if held == 0 {
            let layers: i64 = tx
                .prepare_cached("SELECT count(DISTINCT layer) FROM layer_versions")?
                .query_row([], |row| row.get(0))?;
            if layers >= MAX_LAYERS {
                return Err(Failure::new(
                    ErrorCode::LimitExceededLayers,
                    format!("The region already holds {layers} layers, the most it may; layer `{name}` would be one more."),
                ));
            }
        }
        if held >= MAX_VERSIONS {
            return Err(Failure::new(
                ErrorCode::LimitExceededLayerVersions,
                format!("Layer `{name}` already holds {held} versions, the most it may."),
            ));
        }
        let content = store_content(tx, &request.content)?;
        let (id, last) = match layer {
            Some(found) => found,
            None => {
                tx.prepare_cached("INSERT INTO layers (name) VALUES (?1)")?
                    .execute([name])?;
                (tx.last_insert_rowid(), 0)
            }
        };
        let version = last + 1;
        tx.prepare_cached("UPDATE layers SET last_version = ?2 WHERE id = ?1")?
            .execute(params![id, version])?;
        tx.prepare_cached(
            "INSERT INTO layer_versions (layer, version, runtimes, description, license, tags, code, created) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            id,
            version,
            to_json(&request.compatible_runtimes),
            description,
            request.license_info.clone().unwrap_or_default(),
            to_json(&request.tags.clone().unwrap_or_default()),
            to_json(&content),
            call.now as i64,
        ])?;
        Ok(version)
    })?;
    Ok(body(
        PublishLayerVersionResponse::default()
            .layer_version(version)
            .request_id(call.request_id),
    ))
}

pub(super) fn get_layer_version(
    backend: &Backend,
    request: &GetLayerVersionRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let (stored, token) = backend.db.read(|c| {
        let stored = find_version(c, &request.layer_name, request.layer_version)?;
        let token = match &stored.code.sha256 {
            Some(sha256) => code::token(c, sha256)?,
            None => None,
        };
        Ok((stored, token))
    })?;
    let location = match (&stored.code.cos, token, call.host) {
        (Some(cos), _, _) => cos_location(cos),
        (None, Some(token), Some(host)) => crate::code_route::url(host, &token),
        _ => String::new(),
    };
    let mut response = GetLayerVersionResponse::default()
        .compatible_runtimes(stored.runtimes.clone())
        .location(location)
        .add_time(resource_time(stored.created))
        .description(stored.description.clone())
        .license_info(stored.license.clone())
        .layer_version(stored.version)
        .layer_name(stored.name.clone())
        .status("Active")
        .request_id(call.request_id);
    if let Some(sha256) = &stored.code.sha256 {
        response = response.code_sha256(sha256.clone());
    }
    Ok(body(response))
}

pub(super) fn list_layers(
    backend: &Backend,
    request: &ListLayersRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    if let Some(runtime) = &request.compatible_runtime {
        check_runtime(
            runtime,
            ErrorCode::InvalidParameterValueRuntime,
            "CompatibleRuntime",
        )?;
    }
    let (offset, limit) = page(request.offset, request.limit, "from 1 to 100")?;
    let search = request
        .search_key
        .as_deref()
        .unwrap_or_default()
        .to_lowercase();
    let newest = backend.db.read(|c| {
        query(
            c,
            "v.version = (SELECT max(version) FROM layer_versions WHERE layer = v.layer) \
             ORDER BY v.created DESC, l.name",
            [],
        )
    })?;
    let matching: Vec<&Stored> = newest
        .iter()
        .filter(|layer| layer.name.to_lowercase().contains(&search))
        .filter(|layer| {
            request
                .compatible_runtime
                .as_ref()
                .is_none_or(|runtime| layer.runtimes.contains(runtime))
        })
        .collect();
    let page: Vec<LayerVersionInfo> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|layer| layer.to_info())
        .collect();
    Ok(body(
        ListLayersResponse::default()
            .layers(page)
            .total_count(matching.len() as i64)
            .request_id(call.request_id),
    ))
}

pub(super) fn list_layer_versions(
    backend: &Backend,
    request: &ListLayerVersionsRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let runtimes = request.compatible_runtime.as_deref().unwrap_or_default();
    for runtime in runtimes {
        check_runtime(
            runtime,
            ErrorCode::InvalidParameterValueRuntime,
            "CompatibleRuntime",
        )?;
    }
    let name = request.layer_name.as_str();
    let versions = backend
        .db
        .read(|c| query(c, "l.name = ?1 ORDER BY v.version DESC", [name]))?;
    if versions.is_empty() {
        return Err(Failure::new(
            ErrorCode::ResourceNotFoundLayer,
            format!("Layer `{name}` does not exist."),
        ));
    }
    let listed: Vec<LayerVersionInfo> = versions
        .iter()
        .filter(|version| runtimes.is_empty() || version.supports_any(runtimes))
        .map(Stored::to_info)
        .collect();
    Ok(body(
        ListLayerVersionsResponse::default()
            .layer_versions(listed)
            .request_id(call.request_id),
    ))
}

pub(super) fn delete_layer_version(
    backend: &Backend,
    request: &DeleteLayerVersionRequest,
    call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    let (name, version) = (request.layer_name.as_str(), request.layer_version);
    backend.db.write(|tx| {
        find_version(tx, name, version)?;
        if let Some(function) = user(tx, name, version)? {
            return Err(Failure::new(
                ErrorCode::ResourceInUseLayerVersion,
                format!("Version {version} of layer `{name}` is bound to function `{function}`."),
            ));
        }
        tx.prepare_cached(
            "DELETE FROM layer_versions WHERE version = ?2 AND layer = (SELECT id FROM layers WHERE name = ?1)",
        )?
        .execute(params![name, version])?;
        Ok(())
    })?;
    Ok(body(
        DeleteLayerVersionResponse::default().request_id(call.request_id),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::functions::{Deployment, Function, Script};
    use crate::db::Db;
    use scf_model::CreateFunctionRequest;

    fn publish(connection: &Connection, name: &str) -> i64 {
        connection
            .execute(
                "INSERT INTO layers (name, last_version) VALUES (?1, 1)",
                [name],
            )
            .unwrap();
        let id = connection.last_insert_rowid();
        connection
            .execute(
                "INSERT INTO layer_versions (layer, version, runtimes, description, license, tags, code, created) \
                 VALUES (?1, 1, '[\"Python3.9\"]', '', '', '[]', ?2, 0)",
                params![id, to_json(&CodeRef::default())],
            )
            .unwrap();
        id
    }

    fn bound_to(layers: &[(&str, i64)]) -> Deployment {
        let layers: Vec<LayerVersionSimple> = layers
            .iter()
            .map(|(name, version)| {
                LayerVersionSimple::default()
                    .layer_name(*name)
                    .layer_version(*version)
            })
            .collect();
        Deployment {
            settings: CreateFunctionRequest::default().layers(layers),
            code: CodeRef::default(),
            script: Script::default(),
        }
    }

    #[test]
    fn a_version_bound_by_latest_or_a_published_version_is_in_use() {
        let db = Db::open(None).unwrap();
        db.write(|tx| {
            publish(tx, "deps");
            publish(tx, "other");
            assert_eq!(user(tx, "deps", 1)?, None);
            tx.execute(
                "INSERT INTO namespaces (name, description, created, modified) VALUES ('default', '', 0, 0)",
                [],
            )?;
            let latest = Function::new("default", "uses", 0, bound_to(&[("deps", 1)])).insert(tx)?;
            assert_eq!(user(tx, "deps", 1)?.as_deref(), Some("default/uses"));
            assert_eq!(user(tx, "deps", 2)?, None, "another version is free");
            assert_eq!(user(tx, "other", 1)?, None, "another layer is free");

            // Once $LATEST lets go, a published version that kept the binding still holds it.
            tx.execute(
                "INSERT INTO versions (function, version, description, created, modified, status, deployment) \
                 VALUES (?1, 3, '', 0, 0, 'Active', ?2)",
                params![latest.id, to_json(&latest.deployment)],
            )?;
            let mut unbound = latest.clone();
            unbound.deployment = bound_to(&[]);
            unbound.update(tx)?;
            assert_eq!(user(tx, "deps", 1)?.as_deref(), Some("default/uses:3"));
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn bindings_name_existing_versions() {
        let db = Db::open(None).unwrap();
        db.write(|tx| {
            publish(tx, "deps");
            let binding = |name: &str, version: i64| {
                LayerVersionSimple::default()
                    .layer_name(name)
                    .layer_version(version)
            };
            assert_eq!(check_binding(tx, &binding("deps", 1)), Ok(()));
            let missing_version = check_binding(tx, &binding("deps", 2)).unwrap_err();
            assert_eq!(missing_version.code, ErrorCode::InvalidParameterValueLayers);
            let missing_layer = check_binding(tx, &binding("nope", 1)).unwrap_err();
            assert_eq!(missing_layer.code, ErrorCode::ResourceNotFoundLayer);
            Ok(())
        })
        .unwrap();
    }
}
