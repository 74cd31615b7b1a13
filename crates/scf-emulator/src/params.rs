//! Action parameters, from a POST JSON body or a GET query string, checked against each action's schema.

use std::collections::BTreeMap;

use scf_model::ErrorCode;
use serde_json::{Map, Value};

use crate::failure::Failure;

/// The shape of one parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    String,
    Integer,
    Boolean,
    /// `Name.0`, `Name.1`, ... in a query; an array of strings in JSON.
    StringList,
    /// `Name.Start` and `Name.End` in a query; `{"Start", "End"}` in JSON.
    TimeInterval,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Self::String => "a string",
            Self::Integer => "an integer",
            Self::Boolean => "a boolean",
            Self::StringList => "an array of strings",
            Self::TimeInterval => "an object with string fields Start and End",
        }
    }
}

/// One parameter of an action.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Param {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) required: bool,
}

const fn param(name: &'static str, kind: Kind, required: bool) -> Param {
    Param {
        name,
        kind,
        required,
    }
}

/// The actions the emulator serves, with their parameters (spec section 5).
pub(crate) const ACTIONS: &[(&str, &[Param])] = &[
    (
        "GetAsyncEventStatus",
        &[param("InvokeRequestId", Kind::String, true)],
    ),
    (
        "Invoke",
        &[
            param("FunctionName", Kind::String, true),
            param("InvocationType", Kind::String, false),
            param("Qualifier", Kind::String, false),
            param("ClientContext", Kind::String, false),
            param("LogType", Kind::String, false),
            param("Namespace", Kind::String, false),
            param("RoutingKey", Kind::String, false),
        ],
    ),
    (
        "ListAsyncEvents",
        &[
            param("FunctionName", Kind::String, true),
            param("Namespace", Kind::String, false),
            param("Qualifier", Kind::String, false),
            param("InvokeType", Kind::StringList, false),
            param("Status", Kind::StringList, false),
            param("StartTimeInterval", Kind::TimeInterval, false),
            param("EndTimeInterval", Kind::TimeInterval, false),
            param("Order", Kind::String, false),
            param("Orderby", Kind::String, false),
            param("Offset", Kind::Integer, false),
            param("Limit", Kind::Integer, false),
            param("InvokeRequestId", Kind::String, false),
        ],
    ),
    (
        "TerminateAsyncEvent",
        &[
            param("FunctionName", Kind::String, true),
            param("InvokeRequestId", Kind::String, true),
            param("Namespace", Kind::String, false),
            param("GraceShutdown", Kind::Boolean, false),
        ],
    ),
];

/// Common parameters that API 3.0 carries in headers; a query that repeats them is not wrong.
const COMMON: &[&str] = &[
    "Action",
    "Version",
    "Region",
    "Timestamp",
    "Nonce",
    "Language",
    "Token",
    "RequestClient",
];

pub(crate) fn schema(action: &str) -> Option<&'static [Param]> {
    ACTIONS
        .iter()
        .find(|(name, _)| *name == action)
        .map(|(_, params)| *params)
}

/// Parameters of a POST: the body must be a JSON object whose fields fit the schema.
pub(crate) fn from_json(body: &[u8], schema: &[Param]) -> Result<Params, Failure> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Failure::new(
            ErrorCode::InvalidParameter,
            format!("The request body is not valid JSON: {e}."),
        )
    })?;
    let Value::Object(fields) = value else {
        return Err(Failure::new(
            ErrorCode::InvalidParameter,
            "The request body must be a JSON object.",
        ));
    };
    for (name, value) in &fields {
        let param = find(schema, name)?;
        let fits = match param.kind {
            Kind::String => value.is_string(),
            Kind::Integer => value.is_i64() || value.is_u64(),
            Kind::Boolean => value.is_boolean(),
            Kind::StringList => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string)),
            Kind::TimeInterval => value.as_object().is_some_and(|interval| {
                interval.len() == 2
                    && ["Start", "End"]
                        .iter()
                        .all(|key| interval.get(*key).is_some_and(Value::is_string))
            }),
        };
        if !fits {
            return Err(Failure::invalid(name, param.kind.describe()));
        }
    }
    check_required(schema, &fields)?;
    Ok(Params(fields))
}

/// Parameters of a GET: `application/x-www-form-urlencoded` pairs, flattened with dots.
pub(crate) fn from_query(query: &str, schema: &[Param]) -> Result<Params, Failure> {
    let mut scalars = Map::new();
    let mut lists: BTreeMap<&'static str, BTreeMap<usize, String>> = BTreeMap::new();
    let mut intervals: BTreeMap<&'static str, Map<String, Value>> = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let (root, member) = match key.split_once('.') {
            Some((root, member)) => (root, Some(member)),
            None => (key.as_ref(), None),
        };
        if member.is_none() && COMMON.contains(&root) {
            continue;
        }
        let param = find(schema, root)?;
        let duplicate = || {
            Failure::new(
                ErrorCode::InvalidParameter,
                format!("The parameter `{key}` is given more than once."),
            )
        };
        match (param.kind, member) {
            (Kind::String, None) => {
                if scalars
                    .insert(param.name.to_owned(), Value::String(value.into_owned()))
                    .is_some()
                {
                    return Err(duplicate());
                }
            }
            (Kind::Integer, None) => {
                let number: i64 = value
                    .parse()
                    .map_err(|_| Failure::invalid(param.name, Kind::Integer.describe()))?;
                if scalars
                    .insert(param.name.to_owned(), Value::from(number))
                    .is_some()
                {
                    return Err(duplicate());
                }
            }
            (Kind::Boolean, None) => {
                let flag = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(Failure::invalid(param.name, Kind::Boolean.describe())),
                };
                if scalars
                    .insert(param.name.to_owned(), Value::Bool(flag))
                    .is_some()
                {
                    return Err(duplicate());
                }
            }
            (Kind::StringList, Some(index)) => {
                let index: usize = index
                    .parse()
                    .map_err(|_| Failure::invalid(&key, "indexed from 0, as in Name.0, Name.1"))?;
                if lists
                    .entry(param.name)
                    .or_default()
                    .insert(index, value.into_owned())
                    .is_some()
                {
                    return Err(duplicate());
                }
            }
            (Kind::TimeInterval, Some(member @ ("Start" | "End"))) => {
                let interval = intervals.entry(param.name).or_default();
                if interval
                    .insert(member.to_owned(), Value::String(value.into_owned()))
                    .is_some()
                {
                    return Err(duplicate());
                }
            }
            (Kind::TimeInterval, Some(_)) => return Err(Failure::unknown(&key)),
            (kind, _) => return Err(Failure::invalid(&key, kind.describe())),
        }
    }
    for (name, items) in lists {
        if items.keys().copied().ne(0..items.len()) {
            return Err(Failure::invalid(name, "indexed 0, 1, 2, ... without gaps"));
        }
        scalars.insert(
            name.to_owned(),
            Value::Array(items.into_values().map(Value::String).collect()),
        );
    }
    for (name, interval) in intervals {
        if interval.len() != 2 {
            return Err(Failure::invalid(name, Kind::TimeInterval.describe()));
        }
        scalars.insert(name.to_owned(), Value::Object(interval));
    }
    check_required(schema, &scalars)?;
    Ok(Params(scalars))
}

fn find(schema: &[Param], name: &str) -> Result<Param, Failure> {
    schema
        .iter()
        .find(|param| param.name == name)
        .copied()
        .ok_or_else(|| Failure::unknown(name))
}

fn check_required(schema: &[Param], fields: &Map<String, Value>) -> Result<(), Failure> {
    match schema
        .iter()
        .find(|p| p.required && !fields.contains_key(p.name))
    {
        Some(missing) => Err(Failure::missing(missing.name)),
        None => Ok(()),
    }
}

/// Parameters that passed the schema, read by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Map<String, Value>);

impl Params {
    /// A string parameter, which the schema guarantees to be a string when present.
    pub(crate) fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    pub(crate) fn int(&self, name: &str) -> Option<i64> {
        self.0.get(name).and_then(Value::as_i64)
    }

    pub(crate) fn bool(&self, name: &str) -> Option<bool> {
        self.0.get(name).and_then(Value::as_bool)
    }

    pub(crate) fn list(&self, name: &str) -> Option<Vec<&str>> {
        let items = self.0.get(name)?.as_array()?;
        Some(items.iter().filter_map(Value::as_str).collect())
    }

    pub(crate) fn interval(&self, name: &str) -> Option<(&str, &str)> {
        let interval = self.0.get(name)?;
        Some((
            interval.get("Start")?.as_str()?,
            interval.get("End")?.as_str()?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn any_query_gives_params_or_a_failure(query in "[A-Za-z0-9.=&%+_ -]{0,120}", action in 0..ACTIONS.len()) {
            let _ = from_query(&query, ACTIONS[action].1);
        }

        #[test]
        fn flattened_queries_of_known_names(parts in proptest::collection::vec(("(FunctionName|Status|InvokeType|StartTimeInterval|Limit|Offset)(\\.(0|1|2|Start|End|x|-1|99999999999999999999))?", "[a-zA-Z0-9%+:]{0,12}"), 0..8), action in 0..ACTIONS.len()) {
            let query: Vec<String> = parts.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = from_query(&query.join("&"), ACTIONS[action].1);
        }

        #[test]
        fn any_body_gives_params_or_a_failure(body in proptest::collection::vec(any::<u8>(), 0..200), action in 0..ACTIONS.len()) {
            let _ = from_json(&body, ACTIONS[action].1);
        }

        #[test]
        fn json_objects_of_known_names_with_any_values(value in any::<i64>(), text in ".{0,20}", action in 0..ACTIONS.len()) {
            for param in ACTIONS[action].1 {
                for candidate in [Value::from(value), Value::from(text.clone()), Value::Null, Value::Array(vec![Value::from(value)]), serde_json::json!({"Start": text, "End": value})] {
                    let body = serde_json::json!({ param.name: candidate }).to_string();
                    let _ = from_json(body.as_bytes(), ACTIONS[action].1);
                }
            }
        }
    }

    fn list_schema() -> &'static [Param] {
        schema("ListAsyncEvents").unwrap()
    }

    #[test]
    fn query_unflattens_lists_intervals_and_numbers() {
        let query = "FunctionName=hello&Status.0=RUNNING&Status.1=FAILED&StartTimeInterval.Start=2024-12-14+00%3A00%3A00&StartTimeInterval.End=2024-12-14+01%3A00%3A00&Limit=10&Action=ListAsyncEvents";
        let params = from_query(query, list_schema()).unwrap();
        assert_eq!(params.str("FunctionName"), Some("hello"));
        assert_eq!(params.list("Status").unwrap(), ["RUNNING", "FAILED"]);
        assert_eq!(
            params.interval("StartTimeInterval").unwrap(),
            ("2024-12-14 00:00:00", "2024-12-14 01:00:00")
        );
        assert_eq!(params.int("Limit"), Some(10));
    }

    #[test]
    fn query_errors_have_their_codes() {
        let code = |query: &str| from_query(query, list_schema()).unwrap_err().code;
        assert_eq!(code("Limit=1"), ErrorCode::MissingParameter);
        assert_eq!(code("FunctionName=f&Extra=1"), ErrorCode::UnknownParameter);
        assert_eq!(
            code("FunctionName=f&Limit=ten"),
            ErrorCode::InvalidParameter
        );
        assert_eq!(
            code("FunctionName=f&Status.1=RUNNING"),
            ErrorCode::InvalidParameter
        );
        assert_eq!(
            code("FunctionName=f&Status=RUNNING"),
            ErrorCode::InvalidParameter
        );
        assert_eq!(
            code("FunctionName=f&FunctionName=g"),
            ErrorCode::InvalidParameter
        );
        assert_eq!(
            code("FunctionName=f&StartTimeInterval.Start=x"),
            ErrorCode::InvalidParameter
        );
        assert_eq!(
            code("FunctionName=f&StartTimeInterval.Middle=x"),
            ErrorCode::UnknownParameter
        );
        let terminate = schema("TerminateAsyncEvent").unwrap();
        let flag = from_query(
            "FunctionName=f&InvokeRequestId=i&GraceShutdown=True",
            terminate,
        )
        .unwrap();
        assert_eq!(flag.bool("GraceShutdown"), Some(true));
    }

    #[test]
    fn json_errors_have_their_codes() {
        let code = |body: &str| from_json(body.as_bytes(), list_schema()).unwrap_err().code;
        assert_eq!(code("{"), ErrorCode::InvalidParameter);
        assert_eq!(code("[]"), ErrorCode::InvalidParameter);
        assert_eq!(code("{}"), ErrorCode::MissingParameter);
        assert_eq!(
            code(r#"{"FunctionName":"f","Nope":1}"#),
            ErrorCode::UnknownParameter
        );
        assert_eq!(code(r#"{"FunctionName":7}"#), ErrorCode::InvalidParameter);
        assert_eq!(
            code(r#"{"FunctionName":"f","Limit":"10"}"#),
            ErrorCode::InvalidParameter
        );
        assert_eq!(
            code(r#"{"FunctionName":"f","Status":["RUNNING",1]}"#),
            ErrorCode::InvalidParameter
        );
        assert_eq!(
            code(r#"{"FunctionName":"f","StartTimeInterval":{"Start":"a"}}"#),
            ErrorCode::InvalidParameter
        );
        let ok = from_json(
            br#"{"FunctionName":"f","Limit":100,"Status":["RUNNING"]}"#,
            list_schema(),
        )
        .unwrap();
        assert_eq!(ok.int("Limit"), Some(100));
    }
}
