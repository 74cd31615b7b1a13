//! Credentials files: the official INI profile file and tccli's JSON profiles.

use std::path::PathBuf;

use serde::Deserialize;

use super::environment::{Environment, SystemEnvironment};
use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials, credentials_from};

/// One profile of the official credentials file.
#[derive(Clone)]
pub(crate) struct Profile {
    pub(crate) credentials: Credentials,
    pub(crate) region: Option<String>,
    pub(crate) role_arn: Option<String>,
}

/// Where both file providers look and which profile they read: the one set on the provider, else
/// `TENCENTCLOUD_PROFILE`, else `default`.
struct ProfileChoice {
    environment: Box<dyn Environment>,
    profile: Option<String>,
}

impl ProfileChoice {
    fn new(environment: impl Environment) -> Self {
        Self {
            environment: Box::new(environment),
            profile: None,
        }
    }

    /// The profile the user chose, if any.
    fn chosen(&self) -> Option<String> {
        self.profile
            .clone()
            .or_else(|| self.environment.var("TENCENTCLOUD_PROFILE"))
    }
}

/// The official credentials file: `TENCENTCLOUD_CREDENTIALS_FILE`, else `~/.tencentcloud/credentials`, else
/// `/etc/tencentcloud/credentials`. INI, one section per profile (`default` unless chosen, for example with
/// `TENCENTCLOUD_PROFILE`), keys `secret_id`, `secret_key`, and optionally `token`, `region`, `role_arn`.
pub struct ProfileFileProvider {
    choice: ProfileChoice,
}

impl ProfileFileProvider {
    /// The profile chosen by `TENCENTCLOUD_PROFILE`, else `default`, in the real environment.
    pub fn new() -> Self {
        Self::with_environment(SystemEnvironment)
    }

    /// Reads files as `environment` locates them.
    pub fn with_environment(environment: impl Environment) -> Self {
        Self {
            choice: ProfileChoice::new(environment),
        }
    }

    /// Uses profile `name` whatever the environment says.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.choice.profile = Some(name.into());
        self
    }

    fn path(&self) -> Result<PathBuf, CredentialsError> {
        if let Some(path) = self.choice.environment.var("TENCENTCLOUD_CREDENTIALS_FILE") {
            if path.is_empty() {
                return Err(CredentialsError::new(
                    "profile file: TENCENTCLOUD_CREDENTIALS_FILE is set but empty",
                ));
            }
            return Ok(PathBuf::from(path));
        }
        let home = self
            .choice
            .environment
            .home_dir()
            .map(|home| home.join(".tencentcloud").join("credentials"));
        let system = self
            .choice
            .environment
            .system_path("/etc/tencentcloud/credentials");
        home.into_iter()
            .chain([system])
            .find(|path| path.is_file())
            .ok_or_else(|| {
                CredentialsError::not_configured(
                    "profile file: neither ~/.tencentcloud/credentials nor /etc/tencentcloud/credentials exists",
                )
            })
    }

    pub(crate) fn read(&self) -> Result<Profile, CredentialsError> {
        let path = self.path()?;
        let explicit = self.choice.chosen();
        let name = explicit.clone().unwrap_or_else(|| "default".to_owned());
        let source = format!("profile file {} [{name}]", path.display());
        let text = std::fs::read_to_string(&path)
            .map_err(|e| CredentialsError::new(format!("{source}: cannot read it: {e}")))?;
        parse_profile(&text, &name, explicit.is_some(), &source)
    }
}

/// Profile `name` of a credentials file's text. A missing profile is "not configured" unless the user
/// chose it (`explicit`); `source` names the file and profile in errors.
pub(crate) fn parse_profile(
    text: &str,
    name: &str,
    explicit: bool,
    source: &str,
) -> Result<Profile, CredentialsError> {
    let ini = ini::Ini::load_from_str(text)
        .map_err(|e| CredentialsError::new(format!("{source}: not a valid INI file: {e}")))?;
    let Some(section) = ini.section(Some(name)) else {
        let message = format!("{source}: no such profile");
        return Err(if explicit {
            CredentialsError::new(message)
        } else {
            CredentialsError::not_configured(message)
        });
    };
    let value = |key: &str| {
        section
            .get(key)
            .map(str::trim)
            .filter(|value| !value.is_empty())
    };
    let id = value("secret_id")
        .ok_or_else(|| CredentialsError::new(format!("{source}: secret_id is missing")))?;
    let key = value("secret_key")
        .ok_or_else(|| CredentialsError::new(format!("{source}: secret_key is missing")))?;
    Ok(Profile {
        credentials: credentials_from(source, id, key, value("token"))?,
        region: value("region").map(str::to_owned),
        role_arn: value("role_arn").map(str::to_owned),
    })
}

impl Default for ProfileFileProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for ProfileFileProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(
            self.read().map(|profile| profile.credentials),
        ))
    }
}

/// tccli's profiles: `~/.tccli/<profile>.credential`, JSON with `secretId`, `secretKey` and optionally
/// `token`, so users of the official CLI need nothing new.
pub struct TccliProvider {
    choice: ProfileChoice,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TccliCredential {
    secret_id: Option<String>,
    secret_key: Option<String>,
    #[serde(default)]
    token: Option<String>,
}

impl TccliProvider {
    /// The profile chosen by `TENCENTCLOUD_PROFILE`, else `default`, in the real environment.
    pub fn new() -> Self {
        Self::with_environment(SystemEnvironment)
    }

    /// Reads files as `environment` locates them.
    pub fn with_environment(environment: impl Environment) -> Self {
        Self {
            choice: ProfileChoice::new(environment),
        }
    }

    /// Uses profile `name`.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.choice.profile = Some(name.into());
        self
    }

    pub(crate) fn read(&self) -> Result<Credentials, CredentialsError> {
        let name = self.choice.chosen().unwrap_or_else(|| "default".to_owned());
        let Some(home) = self.choice.environment.home_dir() else {
            return Err(CredentialsError::not_configured("tccli: no home directory"));
        };
        let path = home.join(".tccli").join(format!("{name}.credential"));
        let source = format!("tccli profile {}", path.display());
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CredentialsError::not_configured(format!(
                    "{source}: does not exist"
                )));
            }
            Err(e) => {
                return Err(CredentialsError::new(format!(
                    "{source}: cannot read it: {e}"
                )));
            }
        };
        parse_tccli(&text, &source)
    }
}

/// The credentials of a tccli profile's JSON text; `source` names the file in errors.
pub(crate) fn parse_tccli(text: &str, source: &str) -> Result<Credentials, CredentialsError> {
    let parsed: TccliCredential = serde_json::from_str(text)
        .map_err(|e| CredentialsError::new(format!("{source}: not valid JSON: {e}")))?;
    match (
        parsed.secret_id.as_deref().map(str::trim),
        parsed.secret_key.as_deref().map(str::trim),
    ) {
        (Some(id), Some(key)) if !id.is_empty() && !key.is_empty() => {
            let token = parsed
                .token
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty());
            credentials_from(source, id, key, token)
        }
        _ => Err(CredentialsError::new(format!(
            "{source}: secretId or secretKey is missing"
        ))),
    }
}

impl Default for TccliProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for TccliProvider {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(self.read()))
    }
}
