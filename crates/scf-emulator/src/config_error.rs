//! Why a configuration is unusable: a kind to match on, the item at fault, and a reason that never
//! repeats a secret.

use std::fmt;
use std::path::{Path, PathBuf};

/// The format a configuration was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFormat {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

impl fmt::Display for ConfigFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Toml => "TOML",
            Self::Json => "JSON",
        })
    }
}

/// What is wrong with a configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The file could not be read.
    Unreadable,
    /// The text is not valid in its format, or does not fit the schema: an unknown key, a wrong type.
    Parse(ConfigFormat),
    /// A key pair the signer cannot use, such as an empty SecretKey or one padded with whitespace.
    InvalidCredential,
    /// One SecretId listed with two different keys or tokens.
    DuplicateCredential,
    /// A `--credential` value that is not `SECRET_ID:SECRET_KEY` with both halves present.
    MalformedCredentialPair,
    /// A namespace without a name.
    EmptyNamespaceName,
    /// Two namespaces with the same name.
    DuplicateNamespace,
    /// A function without a name.
    EmptyFunctionName,
    /// Two functions with the same name in one namespace.
    DuplicateFunction,
    /// A setting outside its range, such as an idle timeout of zero.
    InvalidValue,
}

/// A configuration that cannot be used.
///
/// The message names the file, the item (`credentials[1]`, `namespaces[0].functions[2]`, a line and
/// column) and the reason. It never shows a SecretKey or a token: parse errors leave out every string
/// value, since any of them could be one.
///
/// ```
/// use scf_emulator::{Config, ConfigErrorKind};
///
/// let error = Config::from_toml("[[namespaces]]\nname = \"\"").unwrap_err();
/// assert_eq!(error.kind(), ConfigErrorKind::EmptyNamespaceName);
/// assert_eq!(error.item(), "namespaces[0]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    kind: ConfigErrorKind,
    item: String,
    reason: String,
    file: Option<PathBuf>,
}

impl ConfigError {
    pub(crate) fn new(
        kind: ConfigErrorKind,
        item: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            item: item.into(),
            reason: reason.into(),
            file: None,
        }
    }

    /// Records the file the configuration came from.
    pub(crate) fn in_file(mut self, path: &Path) -> Self {
        self.file = Some(path.to_owned());
        self
    }

    /// A TOML parse error, located by line and column, with string values left out.
    pub(crate) fn toml(error: &toml::de::Error, text: &str) -> Self {
        let item = match error.span() {
            Some(span) => {
                let (line, column) = line_and_column(text, span.start);
                format!("line {line}, column {column}")
            }
            None => "document".to_owned(),
        };
        Self::new(
            ConfigErrorKind::Parse(ConfigFormat::Toml),
            item,
            without_string_values(error.message()),
        )
    }

    /// A JSON parse error, located by line and column, with string values left out.
    pub(crate) fn json(error: &serde_json::Error) -> Self {
        let full = error.to_string();
        let position = format!(" at line {} column {}", error.line(), error.column());
        let message = full.strip_suffix(&position).unwrap_or(&full);
        Self::new(
            ConfigErrorKind::Parse(ConfigFormat::Json),
            format!("line {}, column {}", error.line(), error.column()),
            without_string_values(message),
        )
    }

    /// What is wrong.
    pub fn kind(&self) -> ConfigErrorKind {
        self.kind
    }

    /// The item at fault: `credentials[1]`, `namespaces[0].functions[2]`, `idle_timeout_secs`, a line and
    /// column, or the file that could not be read.
    pub fn item(&self) -> &str {
        &self.item
    }

    /// The file the configuration came from, when it came from one.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == ConfigErrorKind::Unreadable {
            return write!(
                f,
                "cannot read emulator configuration {}: {}",
                self.item, self.reason
            );
        }
        f.write_str("invalid emulator configuration")?;
        if let Some(file) = &self.file {
            write!(f, " in {}", file.display())?;
        }
        f.write_str(": ")?;
        if let ConfigErrorKind::Parse(format) = self.kind {
            write!(f, "{format} ")?;
        }
        write!(f, "{}: {}", self.item, self.reason)
    }
}

/// The 1-based line and column of byte `offset` in `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Replaces every `string "…"` that serde puts in its messages by `a string`: the value may be a secret,
/// as when a whole `SECRET_ID:SECRET_KEY` pair stands where a list of credentials belongs.
fn without_string_values(message: &str) -> String {
    const QUOTED: &str = "string \"";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(QUOTED) {
        out.push_str(&rest[..start]);
        out.push_str("a string");
        let mut chars = rest[start + QUOTED.len()..].char_indices();
        let mut end = rest.len() - start - QUOTED.len();
        while let Some((at, c)) = chars.next() {
            match c {
                // serde writes the value with `{:?}`, which escapes quotes and backslashes.
                '\\' => {
                    chars.next();
                }
                '"' => {
                    end = at + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &rest[start + QUOTED.len() + end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_values_are_left_out_escapes_included() {
        assert_eq!(
            without_string_values(r#"invalid type: string "AKID:k\"e\\y", expected a sequence"#),
            "invalid type: a string, expected a sequence"
        );
        assert_eq!(
            without_string_values(r#"string "a" and string "b"#),
            "a string and a string"
        );
        assert_eq!(
            without_string_values("unknown field `colour`"),
            "unknown field `colour`"
        );
    }

    #[test]
    fn lines_and_columns_count_from_one() {
        assert_eq!(line_and_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_and_column("ab\ncd", 4), (2, 2));
    }
}
