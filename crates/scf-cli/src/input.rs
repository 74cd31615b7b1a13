//! An action's parameters from the command line: each flag's text read as its member's type, the way
//! tccli reads it, then the whole body checked against the action's schema before anything is sent.

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde_json::{Map, Number, Value};
use tc_api::params::{ParamError, ParamErrorKind};
use tc_api::schema::{Kind, ObjectSchema};

use crate::flags::{self, Flag};

/// A parameter the command line gave wrongly; the command stops with exit code 2 and sends nothing.
///
/// Its message names the parameter and what was expected, never the value, which may be secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InputError(String);

impl InputError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The JSON value of `flag`'s member given as `text` on the command line.
///
/// As in tccli: strings are taken as given, integers and numbers parsed, booleans `true`/`false`,
/// `t`/`f` or `1`/`0` in any case, and lists and objects parsed as JSON text. Whether a list's items or an
/// object's members fit is left to [`check`].
pub(crate) fn member_value(flag: &Flag, text: &str) -> Result<Value, InputError> {
    let member = flag.member;
    let wrong = |expected: String| {
        InputError::new(format!(
            "invalid value for {}: expected {expected}",
            flag.describe()
        ))
    };
    if member.list || matches!(member.kind, Kind::Object(_)) {
        return serde_json::from_str(text).map_err(|error| {
            wrong(format!(
                "JSON text ({}), e.g. {}; it is not JSON: {error}",
                flags::type_name(member),
                flags::example(member)
            ))
        });
    }
    let trimmed = text.trim();
    let value = match member.kind {
        Kind::String => Some(Value::String(text.to_owned())),
        Kind::Int => trimmed.parse::<i64>().ok().map(Value::from),
        Kind::UInt => trimmed.parse::<u64>().ok().map(Value::from),
        Kind::Float => trimmed
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number),
        Kind::Bool => parse_bool(trimmed).map(Value::Bool),
        Kind::Object(_) => None,
    };
    value.ok_or_else(|| {
        wrong(match member.kind {
            Kind::Bool => "true or false (also t/f, 1/0)".to_owned(),
            Kind::Float => "a finite number".to_owned(),
            kind => kind.describe(),
        })
    })
}

/// tccli's booleans: `true`, `t`, `1`, `false`, `f`, `0`, in any case.
fn parse_bool(text: &str) -> Option<bool> {
    const TRUE: [&str; 3] = ["true", "t", "1"];
    const FALSE: [&str; 3] = ["false", "f", "0"];
    if TRUE.iter().any(|word| text.eq_ignore_ascii_case(word)) {
        Some(true)
    } else if FALSE.iter().any(|word| text.eq_ignore_ascii_case(word)) {
        Some(false)
    } else {
        None
    }
}

/// The members given in a `--cli-input-json` file: `file://path`, a plain path, or `-` for stdin.
pub(crate) fn cli_input_json(argument: &str) -> Result<Map<String, Value>, InputError> {
    let path = argument.strip_prefix("file://").unwrap_or(argument);
    let text = read_input(Path::new(path)).map_err(|error| {
        InputError::new(format!("--cli-input-json: cannot read {path}: {error}"))
    })?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(members)) => Ok(members),
        Ok(_) => Err(InputError::new(
            "--cli-input-json: expected a JSON object of the action's parameters, as \
             --generate-cli-skeleton prints it",
        )),
        Err(error) => Err(InputError::new(format!(
            "--cli-input-json: {path} is not JSON: {error}"
        ))),
    }
}

/// A file's text, or stdin's for `-`.
pub(crate) fn read_input(path: &Path) -> std::io::Result<String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
}

/// Checks `body` against the action's request schema: no unknown member, every required one, and every
/// value of its member's type, through nested objects and lists.
pub(crate) fn check(body: &Value, input: &'static ObjectSchema) -> Result<(), InputError> {
    tc_api::params::check(body, input).map_err(|error| explain(&error, input))
}

/// A schema error in the command line's terms: the flag that sets the member, and the path inside it.
fn explain(error: &ParamError, input: &'static ObjectSchema) -> InputError {
    let path = &error.path;
    let top = path.split('.').next().unwrap_or(path);
    let Some(flag) = flags::of_member(input, top) else {
        return InputError::new(format!(
            "unknown parameter `{top}`: {} takes {}",
            input.name.strip_suffix("Request").unwrap_or(input.name),
            flags::list(input)
        ));
    };
    let flag = flag.describe();
    if top == path {
        return InputError::new(match &error.kind {
            ParamErrorKind::Missing => format!("missing required parameter {flag}"),
            ParamErrorKind::InvalidValue { expected } => {
                format!("invalid value for {flag}: expected {expected}")
            }
            _ => error.to_string(),
        });
    }
    InputError::new(match &error.kind {
        ParamErrorKind::Unknown => format!("{flag}: unknown member `{path}`"),
        ParamErrorKind::Missing => format!("{flag}: missing required member `{path}`"),
        ParamErrorKind::InvalidValue { expected } => {
            format!("{flag}: invalid value at `{path}`: expected {expected}")
        }
        _ => format!("{flag}: {error}"),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use tc_api::schema::MemberSchema;

    use super::*;
    use crate::test_schemas::{ENVIRONMENT_REQUEST, LIST_REQUEST, member};

    fn flag(member: &'static MemberSchema) -> Flag {
        Flag {
            member,
            pascal: Some(member.name),
            kebab: Some(heck::ToKebabCase::to_kebab_case(member.name)),
        }
    }

    fn value(kind: Kind, list: bool, text: &str) -> Result<Value, InputError> {
        let member = Box::leak(Box::new(member("Thing", kind, list, false, &[])));
        member_value(&flag(member), text)
    }

    fn scalar(name: &'static str, kind: Kind, list: bool) -> Flag {
        flag(Box::leak(Box::new(member(name, kind, list, false, &[]))))
    }

    #[test]
    fn scalars_are_read_as_tccli_reads_them() {
        assert_eq!(value(Kind::Int, false, "10").unwrap(), json!(10));
        assert_eq!(value(Kind::Int, false, " -3 ").unwrap(), json!(-3));
        assert_eq!(value(Kind::UInt, false, "+7").unwrap(), json!(7));
        assert_eq!(value(Kind::Float, false, "1").unwrap(), json!(1.0));
        assert_eq!(value(Kind::Float, false, "0.25").unwrap(), json!(0.25));
        assert_eq!(
            serde_json::to_string(&value(Kind::Float, false, "1").unwrap()).unwrap(),
            "1.0",
            "a Float is sent as a float, as Python's float() gives"
        );
        assert_eq!(
            value(Kind::String, false, "123").unwrap(),
            json!("123"),
            "strings are taken as given, digits or not"
        );
        assert_eq!(value(Kind::String, false, " a ").unwrap(), json!(" a "));
        for yes in ["true", "TRUE", "t", "T", "1"] {
            assert_eq!(value(Kind::Bool, false, yes).unwrap(), json!(true), "{yes}");
        }
        for no in ["false", "False", "f", "0"] {
            assert_eq!(value(Kind::Bool, false, no).unwrap(), json!(false), "{no}");
        }
    }

    #[test]
    fn lists_and_objects_are_json_text() {
        assert_eq!(
            value(Kind::String, true, r#"["RUNNING","FAILED"]"#).unwrap(),
            json!(["RUNNING", "FAILED"])
        );
        assert_eq!(
            value(
                Kind::Object(&ENVIRONMENT_REQUEST),
                false,
                r#"{"Variables":[]}"#
            )
            .unwrap(),
            json!({"Variables": []})
        );
    }

    #[test]
    fn wrong_text_names_the_flag_and_the_type_but_not_the_value() {
        let limit = scalar("Limit", Kind::UInt, false);
        let error = member_value(&limit, "abc").unwrap_err().to_string();
        assert_eq!(
            error,
            "invalid value for --Limit (--limit): expected a non-negative integer"
        );
        assert!(member_value(&limit, "-1").is_err());
        assert!(member_value(&limit, "1.5").is_err());
        let grace = scalar("GraceShutdown", Kind::Bool, false);
        assert_eq!(
            member_value(&grace, "yes").unwrap_err().to_string(),
            "invalid value for --GraceShutdown (--grace-shutdown): expected true or false (also t/f, 1/0)"
        );
        let weight = scalar("Weight", Kind::Float, false);
        assert!(
            member_value(&weight, "inf").is_err(),
            "JSON has no infinity"
        );
        assert!(member_value(&weight, "x").is_err());
        let status = scalar("Status", Kind::String, true);
        let error = member_value(&status, "RUNNING").unwrap_err().to_string();
        assert!(
            error.starts_with("invalid value for --Status (--status): expected JSON text (a JSON list of String), e.g. [\"String\"]; it is not JSON"),
            "{error}"
        );
        assert!(!error.contains("RUNNING"), "{error}");
    }

    #[test]
    fn the_body_is_checked_against_the_schema() {
        assert!(check(&json!({"FunctionName": "f", "Limit": 10}), &LIST_REQUEST).is_ok());
        assert_eq!(
            check(&json!({"Limit": 10}), &LIST_REQUEST)
                .unwrap_err()
                .to_string(),
            "missing required parameter --FunctionName (--function-name)"
        );
        assert_eq!(
            check(&json!({"FunctionName": "f", "Status": [1]}), &LIST_REQUEST)
                .unwrap_err()
                .to_string(),
            "--Status (--status): invalid value at `Status.0`: expected a string"
        );
        assert_eq!(
            check(&json!({"FunctionName": "f", "Order": "UP"}), &LIST_REQUEST)
                .unwrap_err()
                .to_string(),
            "invalid value for --Order (--order): expected one of ASC, DESC"
        );
        let error = check(&json!({"FunctionName": "f", "Bogus": 1}), &LIST_REQUEST)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("unknown parameter `Bogus`: ListThings takes --FunctionName"),
            "{error}"
        );
        let nested = json!({"FunctionName": "f", "Environment": {"Variables": [{"Key": 1}]}});
        assert_eq!(
            check(&nested, &ENVIRONMENT_REQUEST)
                .unwrap_err()
                .to_string(),
            "--Environment (--environment): invalid value at `Environment.Variables.0.Key`: expected a string"
        );
    }

    #[test]
    fn cli_input_json_reads_a_file_with_or_without_the_scheme() {
        let dir = std::env::temp_dir().join(format!("scf-cli-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("in.json");
        std::fs::write(&path, r#"{"FunctionName": "f", "Limit": 3}"#).unwrap();
        let plain = cli_input_json(path.to_str().unwrap()).unwrap();
        let scheme = cli_input_json(&format!("file://{}", path.display())).unwrap();
        assert_eq!(plain, scheme);
        assert_eq!(plain["Limit"], json!(3));
        std::fs::write(&path, "[1]").unwrap();
        assert!(
            cli_input_json(path.to_str().unwrap())
                .unwrap_err()
                .to_string()
                .contains("expected a JSON object")
        );
        std::fs::write(&path, "{").unwrap();
        assert!(
            cli_input_json(path.to_str().unwrap())
                .unwrap_err()
                .to_string()
                .contains("is not JSON")
        );
        assert!(cli_input_json(dir.join("missing.json").to_str().unwrap()).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
