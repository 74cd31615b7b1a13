//! What the emulator serves: credentials, namespaces and their functions, limits and retention.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The SecretId of the built-in demo credential pair.
pub const DEMO_SECRET_ID: &str = "AKIDEMULATORDEMOKEY0000000000000000";
/// The SecretKey of the built-in demo credential pair. It is public on purpose: it opens only the emulator.
pub const DEMO_SECRET_KEY: &str = "emulator-demo-secret-key-not-a-real-one";

/// The emulator's configuration, read from TOML or JSON, or built in code.
///
/// ```
/// let config = scf_emulator::Config::from_toml(r#"
///     [[credentials]]
///     secret_id = "AKIDtest"
///     secret_key = "test-key"
///
///     [[namespaces]]
///     name = "default"
///     [[namespaces.functions]]
///     name = "resize"
///     duration_ms = 500
///     outcome = "failed"
///     failure_status_code = 433
/// "#)?;
/// assert_eq!(config.namespaces[0].functions[0].duration_ms, 500);
/// # Ok::<(), scf_emulator::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The key pairs whose signatures are accepted. Left out: the demo pair.
    #[serde(default = "demo_credentials")]
    pub credentials: Vec<CredentialConfig>,
    /// Namespaces and their functions. Left out: namespace `default` with function `hello`.
    #[serde(default = "demo_namespaces")]
    pub namespaces: Vec<NamespaceConfig>,
    /// Per-action request limits.
    #[serde(default)]
    pub rate_limits: RateLimitConfig,
    /// How long an event stays queryable after it ends, in seconds: 72 hours, as documented.
    #[serde(default = "default_retention_secs")]
    pub retention_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            credentials: demo_credentials(),
            namespaces: demo_namespaces(),
            rate_limits: RateLimitConfig::default(),
            retention_secs: default_retention_secs(),
        }
    }
}

/// A key pair the emulator accepts. With a token it is a temporary key, and requests must carry the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialConfig {
    /// The SecretId.
    pub secret_id: String,
    /// The SecretKey.
    pub secret_key: String,
    /// The session token of a temporary key.
    #[serde(default)]
    pub token: Option<String>,
}

impl CredentialConfig {
    /// A long-term key pair.
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self {
            secret_id: secret_id.into(),
            secret_key: secret_key.into(),
            token: None,
        }
    }

    /// The signer's credentials for this pair, or why they are unusable.
    pub(crate) fn credentials(&self) -> Result<tc3_signer::Credentials, ConfigError> {
        match &self.token {
            Some(token) => {
                tc3_signer::Credentials::with_token(&self.secret_id, &self.secret_key, token)
            }
            None => tc3_signer::Credentials::new(&self.secret_id, &self.secret_key),
        }
        .map_err(|e| ConfigError::new(format!("credential {}: {e}", self.secret_id)))
    }

    /// Parses `SECRET_ID:SECRET_KEY`, the form of `--credential`.
    pub fn parse_pair(pair: &str) -> Result<Self, ConfigError> {
        match pair.split_once(':') {
            Some((id, key)) if !id.is_empty() && !key.is_empty() => Ok(Self::new(id, key)),
            _ => Err(ConfigError::new(
                "a credential must be SECRET_ID:SECRET_KEY, both non-empty",
            )),
        }
    }
}

impl fmt::Debug for CredentialConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialConfig")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"** redacted **")
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .finish()
    }
}

/// A namespace and its functions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamespaceConfig {
    /// The namespace name.
    pub name: String,
    /// Its functions.
    #[serde(default)]
    pub functions: Vec<FunctionConfig>,
}

/// How an invocation of a function ends, unless its ClientContext says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// `FINISHED`, status code 200.
    #[default]
    Finished,
    /// `FAILED`, with the function's failure status code.
    Failed,
}

/// A function and how its invocations behave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionConfig {
    /// The function name.
    pub name: String,
    /// How long an invocation runs.
    #[serde(default = "default_duration_ms")]
    pub duration_ms: u64,
    /// How an invocation ends.
    #[serde(default)]
    pub outcome: Outcome,
    /// The status code of a failed invocation: 430 is a user code exception.
    #[serde(default = "default_failure_status_code")]
    pub failure_status_code: i64,
    /// What a successful invocation returns.
    #[serde(default = "default_ret_msg")]
    pub ret_msg: String,
    /// How long a terminated invocation with `GraceShutdown` keeps running after its SIGTERM.
    #[serde(default = "default_grace_ms")]
    pub grace_shutdown_ms: u64,
    /// The versions and aliases that exist.
    #[serde(default = "default_qualifiers")]
    pub qualifiers: Vec<String>,
}

impl FunctionConfig {
    /// A function that runs for `duration_ms` and succeeds.
    pub fn new(name: impl Into<String>, duration_ms: u64) -> Self {
        Self {
            name: name.into(),
            duration_ms,
            outcome: Outcome::Finished,
            failure_status_code: default_failure_status_code(),
            ret_msg: default_ret_msg(),
            grace_shutdown_ms: default_grace_ms(),
            qualifiers: default_qualifiers(),
        }
    }
}

/// Per-action request limits, answered with `RequestLimitExceeded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Whether limits apply at all.
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// Requests per second by action, replacing the documented value.
    #[serde(default)]
    pub per_second: HashMap<String, u32>,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            per_second: HashMap::new(),
        }
    }
}

impl Config {
    /// Reads a TOML (`.toml`) or JSON (`.json`) file; other names are tried as TOML, then JSON.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(format!("cannot read {}: {e}", path.display())))?;
        let in_file = |e: ConfigError| ConfigError::new(format!("{}: {}", path.display(), e.0));
        match path.extension().and_then(|ext| ext.to_str()) {
            Some("json") => Self::from_json(&text).map_err(in_file),
            Some("toml") => Self::from_toml(&text).map_err(in_file),
            _ => Self::from_toml(&text)
                .or_else(|_| Self::from_json(&text))
                .map_err(in_file),
        }
    }

    /// Parses TOML.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|e| ConfigError::new(e.to_string()))?;
        config.validate()
    }

    /// Parses JSON.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let config: Self =
            serde_json::from_str(text).map_err(|e| ConfigError::new(e.to_string()))?;
        config.validate()
    }

    /// Checks what the types cannot: names present and unique, keys usable.
    pub fn validate(self) -> Result<Self, ConfigError> {
        for credential in &self.credentials {
            credential.credentials()?;
        }
        let mut namespaces = std::collections::HashSet::new();
        for namespace in &self.namespaces {
            if namespace.name.is_empty() || !namespaces.insert(&namespace.name) {
                return Err(ConfigError::new(format!(
                    "namespace {:?} is empty or listed twice",
                    namespace.name
                )));
            }
            let mut functions = std::collections::HashSet::new();
            for function in &namespace.functions {
                if function.name.is_empty() || !functions.insert(&function.name) {
                    return Err(ConfigError::new(format!(
                        "function {:?} in namespace {} is empty or listed twice",
                        function.name, namespace.name
                    )));
                }
            }
        }
        Ok(self)
    }

    /// The function `name` of namespace `namespace` with its namespace, or which of the two is missing.
    pub(crate) fn function(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<(&NamespaceConfig, &FunctionConfig), Missing> {
        let namespace = self
            .namespaces
            .iter()
            .find(|n| n.name == namespace)
            .ok_or(Missing::Namespace)?;
        let function = namespace
            .functions
            .iter()
            .find(|f| f.name == name)
            .ok_or(Missing::Function)?;
        Ok((namespace, function))
    }
}

/// Which part of a function's address does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    Namespace,
    Function,
}

/// A configuration that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid emulator configuration: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

fn demo_credentials() -> Vec<CredentialConfig> {
    vec![CredentialConfig::new(DEMO_SECRET_ID, DEMO_SECRET_KEY)]
}

fn demo_namespaces() -> Vec<NamespaceConfig> {
    vec![NamespaceConfig {
        name: "default".to_owned(),
        functions: vec![FunctionConfig::new("hello", default_duration_ms())],
    }]
}

fn default_duration_ms() -> u64 {
    2_000
}

fn default_failure_status_code() -> i64 {
    430
}

fn default_ret_msg() -> String {
    "\"Hello World\"".to_owned()
}

fn default_grace_ms() -> u64 {
    500
}

fn default_qualifiers() -> Vec<String> {
    vec!["$LATEST".to_owned()]
}

fn default_retention_secs() -> u64 {
    72 * 3600
}

fn enabled() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_files_give_the_demo_setup() {
        for config in [
            Config::from_toml("").unwrap(),
            Config::from_json("{}").unwrap(),
        ] {
            assert_eq!(config, Config::default());
            assert_eq!(config.credentials[0].secret_id, DEMO_SECRET_ID);
            assert_eq!(
                config.function("default", "hello").unwrap().1.duration_ms,
                2_000
            );
        }
    }

    #[test]
    fn rejects_unknown_keys_duplicates_and_unusable_keys() {
        assert!(Config::from_toml("colour = 1").is_err());
        let twice = r#"[[namespaces]]
            name = "a"
            [[namespaces]]
            name = "a""#;
        assert!(
            Config::from_toml(twice)
                .unwrap_err()
                .to_string()
                .contains("listed twice")
        );
        let padded = r#"{"credentials":[{"secret_id":"AKID","secret_key":" key"}]}"#;
        let error = Config::from_json(padded).unwrap_err().to_string();
        assert!(
            error.contains("whitespace") && !error.contains(" key"),
            "{error}"
        );
    }

    #[test]
    fn debug_redacts_keys_and_tokens() {
        let credential = CredentialConfig {
            token: Some("tok-secret".into()),
            ..CredentialConfig::new("AKID", "key-secret")
        };
        let debug = format!("{credential:?}");
        assert!(!debug.contains("secret") || !debug.contains("key-secret"));
        assert!(
            !debug.contains("tok-secret") && !debug.contains("key-secret"),
            "{debug}"
        );
    }

    #[test]
    fn credential_pairs_parse_from_flags() {
        let pair = CredentialConfig::parse_pair("AKID:k:with:colons").unwrap();
        assert_eq!(
            (pair.secret_id.as_str(), pair.secret_key.as_str()),
            ("AKID", "k:with:colons")
        );
        assert!(CredentialConfig::parse_pair("AKID").is_err());
        assert!(CredentialConfig::parse_pair(":key").is_err());
    }
}
