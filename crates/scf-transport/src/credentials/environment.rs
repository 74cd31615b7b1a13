//! The process environment, injectable so tests never read the real one, and the two variable providers.

use std::path::PathBuf;

use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials, credentials_from};

/// Variables, the home directory and the file system root, as providers see them.
pub trait Environment: Send + Sync + 'static {
    /// The variable `name`, if it is set (possibly empty).
    fn var(&self, name: &str) -> Option<String>;
    /// The user's home directory.
    fn home_dir(&self) -> Option<PathBuf>;
    /// Where an absolute system path such as `/etc/tencentcloud/credentials` lives.
    fn system_path(&self, absolute: &str) -> PathBuf;
}

impl<E: Environment + ?Sized> Environment for std::sync::Arc<E> {
    fn var(&self, name: &str) -> Option<String> {
        (**self).var(name)
    }

    fn home_dir(&self) -> Option<PathBuf> {
        (**self).home_dir()
    }

    fn system_path(&self, absolute: &str) -> PathBuf {
        (**self).system_path(absolute)
    }
}

/// The real process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemEnvironment;

impl Environment for SystemEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        std::env::home_dir()
    }

    fn system_path(&self, absolute: &str) -> PathBuf {
        PathBuf::from(absolute)
    }
}

/// An environment made up for tests: fixed variables, and home and system paths under a directory.
///
/// Only with the `test-util` feature, which tests enable in `[dev-dependencies]`:
/// `scf-transport = { version = "0.1", features = ["test-util"] }`.
#[cfg(any(test, feature = "test-util"))]
#[derive(Debug, Clone, Default)]
pub struct FakeEnvironment {
    /// The variables.
    pub vars: std::collections::HashMap<String, String>,
    /// The home directory.
    pub home: Option<PathBuf>,
    /// The directory standing for `/`.
    pub root: PathBuf,
}

#[cfg(any(test, feature = "test-util"))]
impl FakeEnvironment {
    /// Sets a variable.
    pub fn with_var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_owned(), value.to_owned());
        self
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Environment for FakeEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        self.home.clone()
    }

    fn system_path(&self, absolute: &str) -> PathBuf {
        self.root.join(absolute.trim_start_matches('/'))
    }
}

/// Reads an id, key and optional token from variables. A variable that is set but empty is an error.
fn from_variables(
    environment: &dyn Environment,
    source: &str,
    id_var: &str,
    key_var: &str,
    token_vars: &[&str],
) -> Result<Credentials, CredentialsError> {
    let id = environment.var(id_var);
    let key = environment.var(key_var);
    let (id, key) = match (id, key) {
        (None, None) => {
            return Err(CredentialsError::not_configured(format!(
                "{source}: {id_var} and {key_var} are not set"
            )));
        }
        (Some(id), Some(key)) => (id, key),
        (Some(_), None) => {
            return Err(CredentialsError::new(format!(
                "{source}: {id_var} is set but {key_var} is not"
            )));
        }
        (None, Some(_)) => {
            return Err(CredentialsError::new(format!(
                "{source}: {key_var} is set but {id_var} is not"
            )));
        }
    };
    for (name, value) in [(id_var, &id), (key_var, &key)] {
        if value.is_empty() {
            return Err(CredentialsError::new(format!(
                "{source}: {name} is set but empty"
            )));
        }
    }
    let mut token = None;
    for name in token_vars {
        match environment.var(name) {
            Some(value) if value.is_empty() => {
                return Err(CredentialsError::new(format!(
                    "{source}: {name} is set but empty"
                )));
            }
            Some(value) => {
                token = Some(value);
                break;
            }
            None => {}
        }
    }
    credentials_from(source, &id, &key, token.as_deref())
}

/// A provider reading an id, a key and a token from named variables.
macro_rules! variables_provider {
    ($(#[$doc:meta])* $name:ident, $source:literal, $id:literal, $key:literal, [$($token:literal),*]) => {
        $(#[$doc])*
        pub struct $name {
            environment: Box<dyn Environment>,
        }

        impl $name {
            /// Reads the real environment.
            pub fn new() -> Self {
                Self::with_environment(SystemEnvironment)
            }

            /// Reads `environment`.
            pub fn with_environment(environment: impl Environment) -> Self {
                Self {
                    environment: Box::new(environment),
                }
            }

            fn read(&self) -> Result<Credentials, CredentialsError> {
                from_variables(self.environment.as_ref(), $source, $id, $key, &[$($token),*])
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ProvideCredentials for $name {
            fn credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
                Box::pin(std::future::ready(self.read()))
            }

            // Reading variables takes no waiting, so the keys are always at hand when they are set.
            fn ready_credentials(&self) -> Option<Credentials> {
                self.read().ok()
            }
        }
    };
}

variables_provider!(
    /// `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, and a token from `TENCENTCLOUD_TOKEN` or
    /// `TENCENTCLOUD_SESSION_TOKEN`.
    EnvironmentProvider,
    "environment",
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    ["TENCENTCLOUD_TOKEN", "TENCENTCLOUD_SESSION_TOKEN"]
);

variables_provider!(
    /// The temporary keys SCF gives a running function: `TENCENTCLOUD_SECRETID`, `TENCENTCLOUD_SECRETKEY`
    /// and `TENCENTCLOUD_SESSIONTOKEN`, so code inside SCF needs no set-up.
    ScfRuntimeProvider,
    "SCF runtime environment",
    "TENCENTCLOUD_SECRETID",
    "TENCENTCLOUD_SECRETKEY",
    ["TENCENTCLOUD_SESSIONTOKEN"]
);
