//! What the emulator serves: credentials, namespaces and their functions, limits and retention.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config_error::{ConfigError, ConfigErrorKind};

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
    /// Closes a keep-alive connection after this many seconds without a request, as real gateways do.
    /// Left out: idle connections stay open.
    #[serde(default)]
    pub idle_timeout_secs: Option<u64>,
    /// Keeps the state (namespaces, functions, code, versions, aliases, triggers, events) in this
    /// directory, so a restarted emulator finds it again. Left out: the state lives in memory.
    #[serde(default)]
    pub state_dir: Option<PathBuf>,
    /// How long a created or updated function stays `Creating` or `Updating` before it is `Active`,
    /// in milliseconds on the emulator's clock.
    #[serde(default = "default_function_ready_ms")]
    pub function_ready_ms: u64,
    /// Runs each invocation's own code: the function's `bootstrap` (runtime `CustomRuntime`) or its
    /// handler under the `python3` or `node` found on `PATH`, through SCF's Custom Runtime API. Left out:
    /// no code runs, and invocations follow their scripted outcome.
    #[serde(default)]
    pub run_code: bool,
    /// How long a failed async invocation of code waits before it is tried again, in milliseconds: a
    /// minute, as documented.
    #[serde(default = "default_retry_interval_ms")]
    pub retry_interval_ms: u64,
    /// How long an instance of a function's code stays warm after an invocation, for the next one, in
    /// milliseconds; then it is stopped. SCF does not document its own period; ten minutes is what
    /// LocalStack's Lambda keeps.
    #[serde(default = "default_keep_warm_ms")]
    pub keep_warm_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            credentials: demo_credentials(),
            namespaces: demo_namespaces(),
            rate_limits: RateLimitConfig::default(),
            retention_secs: default_retention_secs(),
            idle_timeout_secs: None,
            state_dir: None,
            function_ready_ms: default_function_ready_ms(),
            run_code: false,
            retry_interval_ms: default_retry_interval_ms(),
            keep_warm_ms: default_keep_warm_ms(),
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

    /// The signer's credentials for this pair, or why they are unusable; `index` is its place in the list.
    pub(crate) fn credentials(&self, index: usize) -> Result<tc3_signer::Credentials, ConfigError> {
        match &self.token {
            Some(token) => {
                tc3_signer::Credentials::with_token(&self.secret_id, &self.secret_key, token)
            }
            None => tc3_signer::Credentials::new(&self.secret_id, &self.secret_key),
        }
        .map_err(|e| {
            ConfigError::new(
                ConfigErrorKind::InvalidCredential,
                self.item(index),
                e.to_string(),
            )
        })
    }

    /// `credentials[i] (SecretId "…")`: the SecretId identifies the pair and is no secret.
    fn item(&self, index: usize) -> String {
        format!("credentials[{index}] (SecretId {:?})", self.secret_id)
    }

    /// Parses `SECRET_ID:SECRET_KEY`, the form of `--credential`.
    pub fn parse_pair(pair: &str) -> Result<Self, ConfigError> {
        match pair.split_once(':') {
            Some((id, key)) if !id.is_empty() && !key.is_empty() => Ok(Self::new(id, key)),
            _ => Err(ConfigError::new(
                ConfigErrorKind::MalformedCredentialPair,
                "--credential",
                "must be SECRET_ID:SECRET_KEY, both non-empty",
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
    /// Reads a TOML (`.toml`) or JSON (`.json`) file; other names are tried as TOML, then JSON, and a
    /// file that is neither reports the TOML error.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(
                ConfigErrorKind::Unreadable,
                path.display().to_string(),
                e.to_string(),
            )
            .in_file(path)
        })?;
        match path.extension().and_then(|ext| ext.to_str()) {
            Some("json") => Self::from_json(&text),
            Some("toml") => Self::from_toml(&text),
            _ => Self::from_toml(&text).or_else(|toml_error| match toml_error.kind() {
                ConfigErrorKind::Parse(_) => {
                    Self::from_json(&text).map_err(|json_error| match json_error.kind() {
                        ConfigErrorKind::Parse(_) => toml_error,
                        _ => json_error,
                    })
                }
                _ => Err(toml_error),
            }),
        }
        .map_err(|e| e.in_file(path))
    }

    /// Parses TOML.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|e| ConfigError::toml(&e, text))?;
        config.validate()
    }

    /// Parses JSON.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let config: Self = serde_json::from_str(text).map_err(|e| ConfigError::json(&e))?;
        config.validate()
    }

    /// Checks what the types cannot: names present and unique, keys usable and unambiguous, settings in
    /// range.
    pub fn validate(self) -> Result<Self, ConfigError> {
        let mut secret_ids: HashMap<&str, &CredentialConfig> = HashMap::new();
        for (index, credential) in self.credentials.iter().enumerate() {
            credential.credentials(index)?;
            match secret_ids.insert(&credential.secret_id, credential) {
                Some(earlier) if earlier != credential => {
                    return Err(ConfigError::new(
                        ConfigErrorKind::DuplicateCredential,
                        credential.item(index),
                        "this SecretId is listed before with another key or token",
                    ));
                }
                _ => {}
            }
        }
        let mut namespaces = HashSet::new();
        for (n, namespace) in self.namespaces.iter().enumerate() {
            if namespace.name.is_empty() {
                return Err(ConfigError::new(
                    ConfigErrorKind::EmptyNamespaceName,
                    format!("namespaces[{n}]"),
                    "the name is empty",
                ));
            }
            if !namespaces.insert(&namespace.name) {
                return Err(ConfigError::new(
                    ConfigErrorKind::DuplicateNamespace,
                    format!("namespaces[{n}] ({:?})", namespace.name),
                    "the name is listed twice",
                ));
            }
            let mut functions = HashSet::new();
            for (f, function) in namespace.functions.iter().enumerate() {
                if function.name.is_empty() {
                    return Err(ConfigError::new(
                        ConfigErrorKind::EmptyFunctionName,
                        format!("namespaces[{n}].functions[{f}]"),
                        "the name is empty",
                    ));
                }
                if !functions.insert(&function.name) {
                    return Err(ConfigError::new(
                        ConfigErrorKind::DuplicateFunction,
                        format!(
                            "namespaces[{n}].functions[{f}] ({:?} in namespace {:?})",
                            function.name, namespace.name
                        ),
                        "the name is listed twice in its namespace",
                    ));
                }
            }
        }
        if self.idle_timeout_secs == Some(0) {
            return Err(ConfigError::new(
                ConfigErrorKind::InvalidValue,
                "idle_timeout_secs",
                "must be at least 1 second; leave it out to keep idle connections open",
            ));
        }
        Ok(self)
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

fn default_retry_interval_ms() -> u64 {
    60_000
}

fn default_keep_warm_ms() -> u64 {
    600_000
}

fn default_function_ready_ms() -> u64 {
    1_000
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
    use crate::config_error::ConfigFormat;

    #[test]
    fn empty_files_give_the_demo_setup() {
        for config in [
            Config::from_toml("").unwrap(),
            Config::from_json("{}").unwrap(),
        ] {
            assert_eq!(config, Config::default());
            assert_eq!(config.credentials[0].secret_id, DEMO_SECRET_ID);
            assert_eq!(config.namespaces[0].name, "default");
            assert_eq!(config.namespaces[0].functions[0].name, "hello");
            assert_eq!(config.namespaces[0].functions[0].duration_ms, 2_000);
        }
    }

    #[test]
    fn rejects_unknown_keys_duplicates_and_unusable_keys() {
        let unknown = Config::from_toml("retention_secs = 5\ncolour = 1").unwrap_err();
        assert_eq!(unknown.kind(), ConfigErrorKind::Parse(ConfigFormat::Toml));
        assert_eq!(unknown.item(), "line 2, column 1");
        assert!(unknown.to_string().contains("colour"), "{unknown}");
        let twice = r#"[[namespaces]]
            name = "a"
            [[namespaces]]
            name = "a""#;
        let twice = Config::from_toml(twice).unwrap_err();
        assert_eq!(twice.kind(), ConfigErrorKind::DuplicateNamespace);
        assert_eq!(twice.item(), r#"namespaces[1] ("a")"#);
        assert!(twice.to_string().contains("listed twice"), "{twice}");
        let padded = r#"{"credentials":[{"secret_id":"AKID","secret_key":" key"}]}"#;
        let padded = Config::from_json(padded).unwrap_err();
        assert_eq!(padded.kind(), ConfigErrorKind::InvalidCredential);
        assert_eq!(padded.item(), r#"credentials[0] (SecretId "AKID")"#);
        let error = padded.to_string();
        assert!(
            error.contains("whitespace") && !error.contains(" key"),
            "{error}"
        );
    }

    #[test]
    fn each_mistake_has_its_kind_and_names_its_item() {
        let cases = [
            (
                "[[namespaces]]\nname = \"\"",
                ConfigErrorKind::EmptyNamespaceName,
                "namespaces[0]",
            ),
            (
                "[[namespaces]]\nname = \"a\"\n[[namespaces.functions]]\nname = \"f\"\n[[namespaces.functions]]\nname = \"\"",
                ConfigErrorKind::EmptyFunctionName,
                "namespaces[0].functions[1]",
            ),
            (
                "[[namespaces]]\nname = \"a\"\n[[namespaces.functions]]\nname = \"f\"\n[[namespaces.functions]]\nname = \"f\"",
                ConfigErrorKind::DuplicateFunction,
                r#"namespaces[0].functions[1] ("f" in namespace "a")"#,
            ),
            (
                "idle_timeout_secs = 0",
                ConfigErrorKind::InvalidValue,
                "idle_timeout_secs",
            ),
            (
                "[[credentials]]\nsecret_id = \"AKID\"\nsecret_key = \"one-key\"\n[[credentials]]\nsecret_id = \"AKID\"\nsecret_key = \"other-key\"",
                ConfigErrorKind::DuplicateCredential,
                r#"credentials[1] (SecretId "AKID")"#,
            ),
        ];
        for (text, kind, item) in cases {
            let error = Config::from_toml(text).unwrap_err();
            assert_eq!((error.kind(), error.item()), (kind, item), "{text}");
            assert!(
                !error.to_string().contains("one-key") && !error.to_string().contains("other-key"),
                "{error}"
            );
        }
        // The same pair listed twice is no ambiguity.
        let same = "[[credentials]]\nsecret_id = \"AKID\"\nsecret_key = \"k\"\n[[credentials]]\nsecret_id = \"AKID\"\nsecret_key = \"k\"";
        assert!(Config::from_toml(same).is_ok());
        assert_eq!(
            Config::from_toml("idle_timeout_secs = 30")
                .unwrap()
                .idle_timeout_secs,
            Some(30)
        );
    }

    #[test]
    fn parse_errors_never_repeat_a_string_of_the_file() {
        let toml = Config::from_toml("credentials = \"AKIDx:super-secret-key\"").unwrap_err();
        assert_eq!(toml.kind(), ConfigErrorKind::Parse(ConfigFormat::Toml));
        let json = Config::from_json(r#"{"credentials": "AKIDx:super-secret-key"}"#).unwrap_err();
        assert_eq!(json.kind(), ConfigErrorKind::Parse(ConfigFormat::Json));
        assert_eq!(json.item(), "line 1, column 40");
        let unterminated =
            Config::from_toml("[[credentials]]\nsecret_key = \"super-secret-key").unwrap_err();
        for error in [toml, json, unterminated] {
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("super-secret-key"), "{shown}");
            assert!(
                shown.contains("line 1") || shown.contains("line 2"),
                "{shown}"
            );
        }
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
        for malformed in ["AKID", ":key", "AKID:"] {
            let error = CredentialConfig::parse_pair(malformed).unwrap_err();
            assert_eq!(error.kind(), ConfigErrorKind::MalformedCredentialPair);
            assert_eq!(error.item(), "--credential");
        }
        let error = CredentialConfig::parse_pair("AKIDsecret-ish").unwrap_err();
        assert!(!error.to_string().contains("secret-ish"), "{error}");
    }
}
