//! Credentials files: the official INI profile file and tccli's JSON profiles.
//!
//! Both are read at the first call and then served from memory: read again at the first call once
//! [`FILE_REREAD_INTERVAL`] has passed on the provider's clock since the last read, so keys rotated in the file are
//! picked up within five minutes without touching the file on every request. A file that becomes unreadable
//! or malformed after a good read leaves the keys read before in use (with a warning), and is tried again
//! ten seconds later.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Deserialize;

use super::environment::{Environment, SystemEnvironment};
use super::refresh::{Fetch, Fetched, RefreshPolicy, Refreshing};
use super::sts::AssumeRoleProvider;
use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials, credentials_from};
use crate::endpoint::Endpoint;
use crate::time::{Clock, SharedClock, SystemClock};

/// How long the contents of a credentials file are used before it is read again.
pub const FILE_REREAD_INTERVAL: Duration = Duration::from_secs(300);

/// One profile of the official credentials file.
#[derive(Clone)]
pub(crate) struct Profile {
    pub(crate) credentials: Credentials,
    pub(crate) region: Option<String>,
    pub(crate) role_arn: Option<String>,
}

/// Where both file providers look and which profile they read: the one set on the provider, else
/// `TENCENTCLOUD_PROFILE`, else `default`.
#[derive(Clone)]
struct ProfileChoice {
    environment: Arc<dyn Environment>,
    profile: Option<String>,
}

impl ProfileChoice {
    fn new(environment: impl Environment) -> Self {
        Self {
            environment: Arc::new(environment),
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
///
/// A profile with `role_arn` yields that role's temporary keys: STS `AssumeRole` signed with the profile's
/// keys, in the profile's `region` (else `ap-guangzhou`), refreshed before they expire.
///
/// The file is read once and served from memory, and read again once [`FILE_REREAD_INTERVAL`] has passed.
pub struct ProfileFileProvider {
    settings: ProfileSettings,
    file: Arc<Refreshing<ProfileFile>>,
    /// The role of the profile, once one was seen, with the settings it was assumed for.
    role: Mutex<Option<ProfileRole>>,
}

struct ProfileSettings {
    choice: ProfileChoice,
    clock: SharedClock,
    sts_endpoint: Endpoint,
}

struct ProfileRole {
    role_arn: String,
    region: Option<String>,
    provider: AssumeRoleProvider,
}

/// Reads the profile from the file.
struct ProfileFile {
    choice: ProfileChoice,
}

/// The keys written in the profile, which sign its `AssumeRole` calls.
struct ProfileKeys(Arc<Refreshing<ProfileFile>>);

impl ProfileFileProvider {
    /// The profile chosen by `TENCENTCLOUD_PROFILE`, else `default`, in the real environment.
    pub fn new() -> Self {
        Self::with_environment(SystemEnvironment)
    }

    /// Reads files as `environment` locates them.
    pub fn with_environment(environment: impl Environment) -> Self {
        Self::with_settings(ProfileSettings {
            choice: ProfileChoice::new(environment),
            clock: Arc::new(SystemClock),
            sts_endpoint: Endpoint::Default,
        })
    }

    fn with_settings(settings: ProfileSettings) -> Self {
        let file = ProfileFile {
            choice: settings.choice.clone(),
        };
        Self {
            file: Arc::new(Refreshing::new(
                file,
                RefreshPolicy::Every(FILE_REREAD_INTERVAL),
                Arc::clone(&settings.clock),
            )),
            settings,
            role: Mutex::new(None),
        }
    }

    /// Uses profile `name` whatever the environment says.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.settings.choice.profile = Some(name.into());
        Self::with_settings(self.settings)
    }

    /// Where STS is, for a profile with `role_arn`.
    pub fn sts_endpoint(mut self, endpoint: Endpoint) -> Self {
        self.settings.sts_endpoint = endpoint;
        Self::with_settings(self.settings)
    }

    /// The wall clock that times re-reading the file and the role's expiry; [`SystemClock`] by default.
    pub fn clock(self, clock: impl Clock) -> Self {
        self.clock_arc(Arc::new(clock))
    }

    /// Shares an existing wall clock.
    pub fn clock_arc(mut self, clock: SharedClock) -> Self {
        self.settings.clock = clock;
        Self::with_settings(self.settings)
    }

    /// The provider assuming `role_arn` for `profile`, made once and again only if the file changes it.
    fn role(
        &self,
        role_arn: &str,
        profile: &Profile,
    ) -> Result<AssumeRoleProvider, CredentialsError> {
        let mut role = self.role.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(current) = role.as_ref()
            && current.role_arn == role_arn
            && current.region == profile.region
        {
            return Ok(current.provider.clone());
        }
        let mut builder =
            AssumeRoleProvider::builder(role_arn, ProfileKeys(Arc::clone(&self.file)))
                .endpoint(self.settings.sts_endpoint.clone())
                .clock_arc(Arc::clone(&self.settings.clock));
        if let Some(region) = &profile.region {
            builder = builder.region(region);
        }
        let provider = builder.build()?;
        *role = Some(ProfileRole {
            role_arn: role_arn.to_owned(),
            region: profile.region.clone(),
            provider: provider.clone(),
        });
        Ok(provider)
    }
}

impl ProfileFile {
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

    fn read(&self) -> Result<Profile, CredentialsError> {
        let path = self.path()?;
        let explicit = self.choice.chosen();
        let name = explicit.clone().unwrap_or_else(|| "default".to_owned());
        let source = format!("profile file {} [{name}]", path.display());
        let text = std::fs::read_to_string(&path)
            .map_err(|e| CredentialsError::new(format!("{source}: cannot read it: {e}")))?;
        parse_profile(&text, &name, explicit.is_some(), &source)
    }
}

impl Fetch for ProfileFile {
    type Value = Profile;

    fn fetch(&self) -> BoxFuture<'_, Result<Fetched<Profile>, CredentialsError>> {
        Box::pin(std::future::ready(self.read().map(|profile| Fetched {
            value: profile,
            expires_at: None,
        })))
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
        Box::pin(async move {
            let profile = self.file.get().await?;
            match &profile.role_arn {
                None => Ok(profile.credentials),
                Some(role_arn) => self.role(role_arn, &profile)?.credentials().await,
            }
        })
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        let profile = self.file.ready()?;
        let Some(role_arn) = &profile.role_arn else {
            return Some(profile.credentials);
        };
        let role = self.role.lock().unwrap_or_else(PoisonError::into_inner);
        role.as_ref()
            .filter(|current| &current.role_arn == role_arn && current.region == profile.region)?
            .provider
            .ready_credentials()
    }
}

impl std::fmt::Debug for ProfileFileProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileFileProvider")
            .field("profile", &self.settings.choice.profile)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for ProfileKeys {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move { Ok(self.0.get().await?.credentials) })
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        self.0.ready().map(|profile| profile.credentials)
    }
}

/// tccli's profiles: `~/.tccli/<profile>.credential`, JSON with `secretId`, `secretKey` and optionally
/// `token`, so users of the official CLI need nothing new.
///
/// The file is read once and served from memory, and read again once [`FILE_REREAD_INTERVAL`] has passed.
pub struct TccliProvider {
    choice: ProfileChoice,
    clock: SharedClock,
    file: Refreshing<TccliFile>,
}

/// Reads the tccli profile from its file.
struct TccliFile {
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
        Self::with_settings(ProfileChoice::new(environment), Arc::new(SystemClock))
    }

    fn with_settings(choice: ProfileChoice, clock: SharedClock) -> Self {
        let file = TccliFile {
            choice: choice.clone(),
        };
        Self {
            file: Refreshing::new(
                file,
                RefreshPolicy::Every(FILE_REREAD_INTERVAL),
                Arc::clone(&clock),
            ),
            choice,
            clock,
        }
    }

    /// Uses profile `name`.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.choice.profile = Some(name.into());
        Self::with_settings(self.choice, self.clock)
    }

    /// The wall clock that times re-reading the file; [`SystemClock`] by default.
    pub fn clock(self, clock: impl Clock) -> Self {
        self.clock_arc(Arc::new(clock))
    }

    /// Shares an existing wall clock.
    pub fn clock_arc(self, clock: SharedClock) -> Self {
        Self::with_settings(self.choice, clock)
    }
}

impl TccliFile {
    fn read(&self) -> Result<Credentials, CredentialsError> {
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

impl Fetch for TccliFile {
    type Value = Credentials;

    fn fetch(&self) -> BoxFuture<'_, Result<Fetched<Credentials>, CredentialsError>> {
        Box::pin(std::future::ready(self.read().map(|credentials| Fetched {
            value: credentials,
            expires_at: None,
        })))
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
        Box::pin(self.file.get())
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        self.file.ready()
    }
}

impl std::fmt::Debug for TccliProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TccliProvider")
            .field("profile", &self.choice.profile)
            .finish_non_exhaustive()
    }
}
