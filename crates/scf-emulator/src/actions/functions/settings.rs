//! A function's settings: the documented defaults filled in, and every value checked against the rules
//! the API reference states (names, runtimes, handlers, memory, timeouts, flags, environment, layers).

use scf_model::{CreateFunctionRequest, ErrorCode, Tag};

use crate::failure::Failure;

/// The tag whose value scripts how a function's creation or updates end.
pub(crate) const STATUS_TAG: &str = "scf-emulator/status";

/// The runtimes CreateFunction documents for code functions; image functions run `CustomImage` besides.
/// Layers are compatible with these too.
pub(crate) const RUNTIMES: &[&str] = &[
    "Python2.7",
    "Python3.6",
    "Python3.7",
    "Python3.9",
    "Python3.10",
    "Nodejs6.10",
    "Nodejs8.9",
    "Nodejs10.15",
    "Nodejs12.16",
    "Nodejs14.18",
    "Nodejs16.13",
    "Nodejs18.15",
    "Php5.6",
    "Php7",
    "Php7.4",
    "Php8.0",
    "Go1",
    "Java8",
    "CustomRuntime",
];

/// The runtime of image functions.
const IMAGE_RUNTIME: &str = "CustomImage";

/// The most layers one function may bind (the quota page's 5 per version).
const MAX_LAYERS: usize = 5;
/// Environment variables may take 4 KB in all.
const MAX_ENVIRONMENT: usize = 4 * 1024;

/// Fails unless `name` follows the FunctionName rule: 2-60 letters, digits, `-` and `_`, starting with a
/// letter and not ending with `-` or `_`; with its namespace at most 118 characters.
pub(crate) fn check_function_name(
    member: &str,
    name: &str,
    namespace: &str,
) -> Result<(), Failure> {
    let bytes = name.as_bytes();
    let well_formed = (2..=60).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        && !matches!(bytes[bytes.len() - 1], b'-' | b'_');
    if !well_formed {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueFunctionName,
            member,
            &format!(
                "`{name}` must be 2-60 letters, digits, `-` or `_`, start with a letter and not end with `-` or `_`"
            ),
        ));
    }
    if namespace.len() + name.len() > 118 {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueFunctionName,
            member,
            &format!(
                "namespace `{namespace}` and function `{name}` together exceed 118 characters"
            ),
        ));
    }
    Ok(())
}

/// The settings of a new function: the request without its code, with the documented defaults filled in.
pub(crate) fn with_defaults(request: &CreateFunctionRequest, image: bool) -> CreateFunctionRequest {
    let mut settings = request.clone();
    settings.code = Default::default();
    settings.namespace = None;
    let runtime = settings
        .runtime
        .get_or_insert_with(|| if image { IMAGE_RUNTIME } else { "Python2.7" }.to_owned());
    let default_handler = match runtime.as_str() {
        "CustomImage" => "",
        "Go1" => "main",
        "Java8" => "example.Hello::mainHandler",
        "CustomRuntime" => "bootstrap",
        _ => "index.main_handler",
    };
    settings
        .handler
        .get_or_insert_with(|| default_handler.to_owned());
    settings.description.get_or_insert_with(String::new);
    settings.memory_size.get_or_insert(128);
    settings.timeout.get_or_insert(3);
    settings
        .init_timeout
        .get_or_insert(if image { 90 } else { 65 });
    settings.r#type.get_or_insert_with(|| "Event".to_owned());
    for flag in [
        &mut settings.async_run_enable,
        &mut settings.trace_enable,
        &mut settings.install_dependency,
        &mut settings.dns_cache,
    ] {
        match flag {
            Some(value) => *value = value.to_ascii_uppercase(),
            None => *flag = Some("FALSE".to_owned()),
        }
    }
    settings.tags.get_or_insert_with(Vec::new);
    settings.layers.get_or_insert_with(Vec::new);
    settings
}

/// Fails unless every value of `settings` (defaults filled in) is one the service accepts.
pub(crate) fn check(settings: &CreateFunctionRequest) -> Result<(), Failure> {
    let runtime = settings.runtime.as_deref().unwrap_or_default();
    if runtime != IMAGE_RUNTIME && !RUNTIMES.contains(&runtime) {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueRuntime,
            "Runtime",
            &format!(
                "`{runtime}` is not one of {}, {IMAGE_RUNTIME}",
                RUNTIMES.join(", ")
            ),
        ));
    }
    check_handler(runtime, settings.handler.as_deref().unwrap_or_default())?;
    let description = settings.description.as_deref().unwrap_or_default();
    if description.chars().count() > 1000 {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueDescription,
            "Description",
            "it is longer than 1000 characters",
        ));
    }
    check_memory(settings.memory_size.unwrap_or(128))?;
    check_timeout(settings.timeout.unwrap_or(3))?;
    check_init_timeout(settings.init_timeout.unwrap_or(65))?;
    let kind = settings.r#type.as_deref().unwrap_or_default();
    if !matches!(kind, "Event" | "HTTP") {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueFunctionType,
            "Type",
            &format!("`{kind}` is neither `Event` nor `HTTP`"),
        ));
    }
    let async_run = flag(
        "AsyncRunEnable",
        settings.async_run_enable.as_deref(),
        ErrorCode::InvalidParameterValueAsyncRunEnable,
    )?;
    let trace = flag(
        "TraceEnable",
        settings.trace_enable.as_deref(),
        ErrorCode::InvalidParameterValueTraceEnable,
    )?;
    flag(
        "InstallDependency",
        settings.install_dependency.as_deref(),
        ErrorCode::InvalidParameterValue,
    )?;
    flag(
        "DnsCache",
        settings.dns_cache.as_deref(),
        ErrorCode::InvalidParameterValue,
    )?;
    if async_run && kind == "HTTP" {
        return Err(Failure::new(
            ErrorCode::UnsupportedOperationAsyncRunEnable,
            "AsyncRunEnable=TRUE is not supported for HTTP functions.",
        ));
    }
    if trace && !async_run {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueTraceEnable,
            "TraceEnable",
            "event status tracing needs AsyncRunEnable=TRUE",
        ));
    }
    check_environment(settings)?;
    let layers = settings.layers.as_deref().unwrap_or_default();
    if layers.len() > MAX_LAYERS {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueLayers,
            "Layers",
            &format!("a function binds at most {MAX_LAYERS} layers"),
        ));
    }
    if let Some(layer) = layers
        .iter()
        .find(|layer| layer.layer_name.is_empty() || layer.layer_version < 1)
    {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueLayers,
            "Layers",
            &format!(
                "`{}` version {} is not a layer version",
                layer.layer_name, layer.layer_version
            ),
        ));
    }
    scripted_status(settings.tags.as_deref().unwrap_or_default())?;
    Ok(())
}

/// The status the tag [`STATUS_TAG`] scripts: `CreateFailed`, `UpdateFailed`, or none.
pub(crate) fn scripted_status(tags: &[Tag]) -> Result<Option<&'static str>, Failure> {
    let Some(tag) = tags.iter().find(|tag| tag.key == STATUS_TAG) else {
        return Ok(None);
    };
    match tag.value.as_str() {
        "CreateFailed" => Ok(Some("CreateFailed")),
        "UpdateFailed" => Ok(Some("UpdateFailed")),
        other => Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValue,
            "Tags",
            &format!(
                "the tag `{STATUS_TAG}` takes `CreateFailed` or `UpdateFailed`, not `{other}`"
            ),
        )),
    }
}

fn flag(member: &str, value: Option<&str>, code: ErrorCode) -> Result<bool, Failure> {
    match value.unwrap_or("FALSE") {
        "TRUE" => Ok(true),
        "FALSE" => Ok(false),
        other => Err(Failure::invalid_value(
            code,
            member,
            &format!("`{other}` is neither `TRUE` nor `FALSE`"),
        )),
    }
}

fn check_handler(runtime: &str, handler: &str) -> Result<(), Failure> {
    let word = |part: &str| {
        let bytes = part.as_bytes();
        !bytes.is_empty()
            && bytes[0].is_ascii_alphabetic()
            && bytes[bytes.len() - 1].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    };
    let (valid, rule) = match runtime {
        "CustomImage" | "CustomRuntime" => (true, ""),
        "Go1" => (
            word(handler),
            "a Go handler is the name of the executable, letters, digits, `-` and `_`",
        ),
        "Java8" => (
            handler.split_once("::").is_some_and(|(class, method)| {
                word(method) && class.split('.').all(word) && class.contains('.')
            }),
            "a Java handler is `package.Class::method`",
        ),
        _ => (
            (2..=60).contains(&handler.len())
                && handler
                    .split_once('.')
                    .is_some_and(|(file, method)| word(file) && word(method)),
            "the handler is `file.method`, each part starting with a letter, 2-60 characters in all",
        ),
    };
    if valid {
        Ok(())
    } else {
        Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueHandler,
            "Handler",
            &format!("`{handler}` does not fit runtime {runtime}: {rule}"),
        ))
    }
}

/// 64 MB, or 128 MB to 3072 MB in steps of 128 MB.
pub(crate) fn check_memory(memory: i64) -> Result<(), Failure> {
    if memory > 3072 {
        return Err(Failure::new(
            ErrorCode::LimitExceededMemory,
            format!("MemorySize {memory} exceeds the limit of 3072 MB."),
        ));
    }
    if memory == 64 || (memory >= 128 && memory % 128 == 0) {
        Ok(())
    } else {
        Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValueMemory,
            "MemorySize",
            &format!("{memory} is not 64, or 128 MB to 3072 MB in steps of 128 MB"),
        ))
    }
}

/// 1 to 900 seconds.
pub(crate) fn check_timeout(timeout: i64) -> Result<(), Failure> {
    if timeout > 900 {
        return Err(Failure::new(
            ErrorCode::LimitExceededTimeout,
            format!("Timeout {timeout} exceeds the limit of 900 seconds."),
        ));
    }
    if timeout < 1 {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValue,
            "Timeout",
            &format!("{timeout} is below 1 second"),
        ));
    }
    Ok(())
}

/// 1 to 300 seconds (GetAccount's InitTimeoutLimit).
pub(crate) fn check_init_timeout(timeout: i64) -> Result<(), Failure> {
    if timeout > 300 {
        return Err(Failure::new(
            ErrorCode::LimitExceededInitTimeout,
            format!("InitTimeout {timeout} exceeds the limit of 300 seconds."),
        ));
    }
    if timeout < 1 {
        return Err(Failure::invalid_value(
            ErrorCode::InvalidParameterValue,
            "InitTimeout",
            &format!("{timeout} is below 1 second"),
        ));
    }
    Ok(())
}

fn check_environment(settings: &CreateFunctionRequest) -> Result<(), Failure> {
    let variables = settings
        .environment
        .as_ref()
        .and_then(|environment| environment.variables.as_deref())
        .unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    let mut size = 0;
    for variable in variables {
        let key = variable.key.as_deref().unwrap_or_default();
        if key.is_empty() {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueEnvironment,
                "Environment.Variables.Key",
                "a variable's key must not be empty",
            ));
        }
        if !seen.insert(key) {
            return Err(Failure::invalid_value(
                ErrorCode::InvalidParameterValueEnvironment,
                "Environment.Variables.Key",
                &format!("the variable `{key}` is given twice"),
            ));
        }
        size += key.len() + variable.value.as_deref().unwrap_or_default().len();
    }
    if size > MAX_ENVIRONMENT {
        return Err(Failure::new(
            ErrorCode::InvalidParameterValueEnvironmentExceededLimit,
            format!("The environment variables take {size} bytes; keep them within 4 KB."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_follow_the_documented_rule() {
        for good in ["ab", "my-func_1", "A1"] {
            assert!(
                check_function_name("FunctionName", good, "default").is_ok(),
                "{good}"
            );
        }
        for bad in ["a", "1abc", "abc-", "abc_", "a b", &"a".repeat(61)] {
            assert!(
                check_function_name("FunctionName", bad, "default").is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn memory_and_handlers_follow_the_documented_rules() {
        assert!(check_memory(64).is_ok() && check_memory(3072).is_ok());
        assert_eq!(
            check_memory(100).unwrap_err().code,
            ErrorCode::InvalidParameterValueMemory
        );
        assert_eq!(
            check_memory(3200).unwrap_err().code,
            ErrorCode::LimitExceededMemory
        );
        assert!(check_handler("Python3.9", "index.main_handler").is_ok());
        assert!(check_handler("Python3.9", "index").is_err());
        assert!(check_handler("Java8", "example.Hello::mainHandler").is_ok());
        assert!(check_handler("Go1", "main").is_ok());
    }
}
