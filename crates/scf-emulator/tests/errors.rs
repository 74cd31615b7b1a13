//! Typed errors: configuration files that cannot be used, and emulators that cannot start.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Duration;

use scf_emulator::{Config, ConfigErrorKind, ConfigFormat, CredentialConfig, Emulator, StartError};

/// A file in the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &str) -> Self {
        let path = std::env::temp_dir().join(format!("scf-emulator-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn file_errors_name_the_file_and_keep_their_kind() {
    let missing = std::env::temp_dir().join("scf-emulator-no-such-file.toml");
    let error = Config::from_file(&missing).unwrap_err();
    assert_eq!(error.kind(), ConfigErrorKind::Unreadable);
    assert_eq!(error.file(), Some(missing.as_path()));
    assert!(error.to_string().contains("no-such-file.toml"), "{error}");

    let json = TempFile::new("bad.json", r#"{"retention_secs": "#);
    let error = Config::from_file(&json.0).unwrap_err();
    assert_eq!(error.kind(), ConfigErrorKind::Parse(ConfigFormat::Json));
    assert_eq!(error.file(), Some(json.0.as_path()));
    assert!(error.to_string().contains("bad.json"), "{error}");

    let duplicate = TempFile::new(
        "twice.toml",
        "[[namespaces]]\nname = \"a\"\n[[namespaces]]\nname = \"a\"\n",
    );
    let error = Config::from_file(&duplicate.0).unwrap_err();
    assert_eq!(error.kind(), ConfigErrorKind::DuplicateNamespace);
    assert_eq!(error.file(), Some(duplicate.0.as_path()));
}

#[test]
fn other_names_are_read_as_toml_then_json() {
    let json = TempFile::new("emulator.conf", r#"{"retention_secs": 60}"#);
    assert_eq!(Config::from_file(&json.0).unwrap().retention_secs, 60);
    // JSON that parses but is invalid reports its own mistake, not TOML's parse error.
    let invalid = TempFile::new("invalid.conf", r#"{"namespaces": [{"name": ""}]}"#);
    assert_eq!(
        Config::from_file(&invalid.0).unwrap_err().kind(),
        ConfigErrorKind::EmptyNamespaceName
    );
    // Neither: the TOML error is reported.
    let neither = TempFile::new("neither.conf", "retention_secs = ");
    assert_eq!(
        Config::from_file(&neither.0).unwrap_err().kind(),
        ConfigErrorKind::Parse(ConfigFormat::Toml)
    );
}

#[tokio::test]
async fn start_errors_are_typed() {
    let zero = Emulator::builder()
        .keep_alive_idle_timeout(Duration::ZERO)
        .start()
        .await
        .unwrap_err();
    match zero {
        StartError::Config(error) => {
            assert_eq!(error.kind(), ConfigErrorKind::InvalidValue);
            assert_eq!(error.item(), "keep_alive_idle_timeout");
        }
        other => panic!("{other:?}"),
    }

    let padded = Emulator::builder()
        .credential(CredentialConfig::new("AKIDpadded", "secret-key "))
        .start()
        .await
        .unwrap_err();
    match &padded {
        StartError::Config(error) => {
            assert_eq!(error.kind(), ConfigErrorKind::InvalidCredential);
            assert_eq!(error.item(), r#"credentials[1] (SecretId "AKIDpadded")"#);
        }
        other => panic!("{other:?}"),
    }
    assert!(!format!("{padded} {padded:?}").contains("secret-key"));

    let first = Emulator::builder().start().await.unwrap();
    let taken = Emulator::builder()
        .listen(first.local_addr())
        .start()
        .await
        .unwrap_err();
    match &taken {
        StartError::Bind { addr, .. } => assert_eq!(*addr, first.local_addr()),
        other => panic!("{other:?}"),
    }
    assert!(
        taken.to_string().contains(&first.local_addr().to_string()),
        "{taken}"
    );
}
