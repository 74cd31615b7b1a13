//! Reading what the generator works from: a service's `api.json` and `errorcodes.json`, the common error
//! codes and the hand-kept overrides.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// A service's `api.json`, as tccli ships it.
///
/// Maps are `BTreeMap`s so that the order of actions and objects never depends on serde_json's features.
#[derive(Debug, Deserialize)]
pub(crate) struct ApiSpec {
    pub(crate) metadata: Metadata,
    pub(crate) actions: BTreeMap<String, ActionSpec>,
    pub(crate) objects: BTreeMap<String, ObjectSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Metadata {
    /// `2018-04-16`.
    pub(crate) api_version: String,
    /// `scf`.
    pub(crate) service_short_name: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ActionSpec {
    #[serde(default)]
    pub(crate) document: Option<String>,
    pub(crate) input: String,
    pub(crate) output: String,
    /// The short title (`获取函数列表`).
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// `online`, `deprecated` or `offline`; tccli leaves it out for some actions.
    #[serde(default)]
    pub(crate) status: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ObjectSpec {
    #[serde(default)]
    pub(crate) document: Option<String>,
    pub(crate) members: Vec<MemberSpec>,
    /// Which side a data type is used on; requests and responses have none.
    #[serde(default)]
    pub(crate) usage: Option<Usage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Usage {
    In,
    Out,
    Both,
}

#[derive(Debug, Deserialize)]
pub(crate) struct MemberSpec {
    pub(crate) name: String,
    /// `string`, `int`, `float`, `bool`, `binary`, `object` or `list`.
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// The scalar's precise type (`int64`, `datetime`), the object's type, or a list's item type.
    pub(crate) member: String,
    #[serde(default)]
    pub(crate) document: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub(crate) required: Option<bool>,
    #[serde(default, deserialize_with = "flag")]
    pub(crate) output_required: Option<bool>,
    #[serde(default, deserialize_with = "flag")]
    pub(crate) value_allowed_null: Option<bool>,
    #[serde(default, deserialize_with = "flag")]
    pub(crate) disabled: Option<bool>,
}

/// A flag written as a boolean or, in a few specs, as `0`/`1`.
fn flag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Int(i64),
    }
    Ok(
        Option::<Flag>::deserialize(deserializer)?.map(|flag| match flag {
            Flag::Bool(value) => value,
            Flag::Int(value) => value != 0,
        }),
    )
}

/// One entry of an `errorcodes.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErrorCodeSpec {
    pub(crate) code: String,
    pub(crate) description: String,
}

/// `spec/overrides.toml`: what the spec does not say.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Overrides {
    /// Actions whose names start with one of these are idempotent.
    pub(crate) idempotent_prefixes: Vec<String>,
    /// Type names to use instead of the spec's.
    #[serde(default)]
    pub(crate) type_renames: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) services: BTreeMap<String, ServiceOverrides>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServiceOverrides {
    #[serde(default)]
    pub(crate) actions: BTreeMap<String, ActionOverride>,
    #[serde(default)]
    pub(crate) enums: Vec<EnumOverride>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActionOverride {
    pub(crate) rate_limit: Option<u32>,
    pub(crate) idempotent: Option<bool>,
}

/// An enumeration the spec gives only in prose.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnumOverride {
    pub(crate) name: String,
    pub(crate) doc: String,
    /// `Type.Member` for every member that takes the enumeration.
    pub(crate) members: Vec<String>,
    pub(crate) values: Vec<EnumValue>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnumValue {
    pub(crate) wire: String,
    pub(crate) name: String,
    pub(crate) doc: String,
}

/// Everything one service's generation reads.
pub(crate) struct ServiceInput {
    /// The spec's path as the generated files name it (`spec/scf/v20180416/api.json`).
    pub(crate) spec_label: String,
    pub(crate) api: ApiSpec,
    pub(crate) error_codes: Vec<ErrorCodeSpec>,
    pub(crate) common_error_codes: Vec<ErrorCodeSpec>,
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

pub(crate) fn read_api(path: &Path) -> Result<ApiSpec, String> {
    parse_api(&read_text(path)?).map_err(|e| format!("{}: {e}", path.display()))
}

pub(crate) fn parse_api(text: &str) -> Result<ApiSpec, String> {
    serde_json::from_str(text).map_err(|e| format!("not a tccli api.json: {e}"))
}

pub(crate) fn read_error_codes(path: &Path) -> Result<Vec<ErrorCodeSpec>, String> {
    serde_json::from_str(&read_text(path)?)
        .map_err(|e| format!("{}: not a list of codes: {e}", path.display()))
}

/// The codes of `path`, or none when the service has no error code file.
pub(crate) fn read_optional_error_codes(path: &Path) -> Result<Vec<ErrorCodeSpec>, String> {
    if path.exists() {
        read_error_codes(path)
    } else {
        Ok(Vec::new())
    }
}

pub(crate) fn read_overrides(path: &Path) -> Result<Overrides, String> {
    toml::from_str(&read_text(path)?).map_err(|e| format!("{}: {e}", path.display()))
}
