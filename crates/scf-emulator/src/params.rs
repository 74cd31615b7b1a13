//! Action parameters, from a POST JSON body or a GET query string, checked against the action's generated
//! schema and read into its typed request, refused as the service refuses them.

use scf_model::{AnyRequest, ErrorCode};
use serde_json::Value;
use tc_api::params::{self, ParamError, ParamErrorKind};
use tc_api::schema::ActionSchema;

use crate::failure::Failure;

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

/// The request of a POST: the body must be a JSON object that fits the action's schema.
pub(crate) fn from_json(body: &[u8], action: &'static ActionSchema) -> Result<AnyRequest, Failure> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Failure::new(
            ErrorCode::InvalidParameter,
            format!("The request body is not valid JSON: {e}."),
        )
    })?;
    if !value.is_object() {
        return Err(Failure::new(
            ErrorCode::InvalidParameter,
            "The request body must be a JSON object.",
        ));
    }
    typed(value, action)
}

/// The request of a GET: `application/x-www-form-urlencoded` pairs, flattened with dots.
pub(crate) fn from_query(
    query: &str,
    action: &'static ActionSchema,
) -> Result<AnyRequest, Failure> {
    let pairs = form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| !COMMON.contains(&name.as_ref()));
    let value = params::from_query(pairs, action.input).map_err(refused)?;
    typed(value, action)
}

/// Checks `value` against the action's request schema, then reads it into the typed request.
fn typed(value: Value, action: &'static ActionSchema) -> Result<AnyRequest, Failure> {
    params::check(&value, action.input).map_err(refused)?;
    match AnyRequest::from_value(action.name(), value) {
        Some(Ok(request)) => Ok(request),
        // The schema and the types are generated together, so what the schema accepts the type reads.
        // The deserializer's message may quote the value, so it is not passed on.
        Some(Err(_)) => Err(Failure::new(
            ErrorCode::InvalidParameterValue,
            format!(
                "The parameters do not fit the request of `{}`.",
                action.name()
            ),
        )),
        None => Err(Failure::new(
            ErrorCode::InvalidAction,
            format!("The action `{}` does not exist.", action.name()),
        )),
    }
}

/// The error the service answers for a parameter that does not fit the schema.
fn refused(error: ParamError) -> Failure {
    match &error.kind {
        ParamErrorKind::Unknown => Failure::unknown(&error.path),
        ParamErrorKind::Missing => Failure::missing(&error.path),
        ParamErrorKind::InvalidValue { expected } => Failure::invalid_value(
            value_code(&error),
            &error.path,
            &format!("expected {expected}"),
        ),
        // A kind added later is still a parameter the service refuses.
        _ => Failure::new(
            ErrorCode::InvalidParameter,
            format!("The parameter `{}` is invalid: {error}.", error.path),
        ),
    }
}

/// `InvalidParameterValue.<Member>` for a value outside a member's known values when the service has that
/// code (`InvalidParameterValue.Order`), else `InvalidParameterValue`.
fn value_code(error: &ParamError) -> ErrorCode {
    if error.allowed.is_empty() {
        return ErrorCode::InvalidParameterValue;
    }
    let member = error
        .path
        .rsplit('.')
        .find(|segment| !segment.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_default();
    match ErrorCode::parse(&format!("InvalidParameterValue.{member}")) {
        ErrorCode::Other(_) => ErrorCode::InvalidParameterValue,
        specific => specific,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;
    use scf_model::{ACTIONS, EventStatus, Order};

    use super::*;

    fn schema(action: &str) -> &'static ActionSchema {
        scf_model::action_schema(action).unwrap()
    }

    fn json_code(action: &str, body: &str) -> ErrorCode {
        from_json(body.as_bytes(), schema(action)).unwrap_err().code
    }

    fn query_code(action: &str, query: &str) -> ErrorCode {
        from_query(query, schema(action)).unwrap_err().code
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn any_query_gives_a_request_or_a_failure(query in "[A-Za-z0-9.=&%+_ -]{0,120}", action in 0..ACTIONS.len()) {
            let _ = from_query(&query, ACTIONS[action]);
        }

        #[test]
        fn flattened_queries_of_known_names(parts in proptest::collection::vec(("(FunctionName|Status|InvokeType|StartTimeInterval|Limit|Offset|Filters|Environment|Variables|Key|Value|RoutingConfig)(\\.(0|1|2|Start|End|Name|Values|Variables|Key|x|-1|99999999999999999999)){0,3}", "[a-zA-Z0-9%+:]{0,12}"), 0..8), action in 0..ACTIONS.len()) {
            let query: Vec<String> = parts.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = from_query(&query.join("&"), ACTIONS[action]);
        }

        #[test]
        fn any_body_gives_a_request_or_a_failure(body in proptest::collection::vec(any::<u8>(), 0..200), action in 0..ACTIONS.len()) {
            let _ = from_json(&body, ACTIONS[action]);
        }

        /// Every member of every action, given a value of any JSON type: a typed request or a failure
        /// with one of the parameter codes, never a panic.
        #[test]
        fn members_with_any_values(value in any::<i64>(), text in ".{0,20}", action in 0..ACTIONS.len()) {
            let action = ACTIONS[action];
            for member in action.input.members {
                for candidate in [Value::from(value), Value::from(text.clone()), Value::Bool(true), Value::Null, Value::Array(vec![Value::from(value)]), serde_json::json!({"Start": text, "End": value})] {
                    let body = serde_json::json!({ member.name: candidate }).to_string();
                    if let Err(failure) = from_json(body.as_bytes(), action) {
                        prop_assert!(
                            [ErrorCode::MissingParameter, ErrorCode::UnknownParameter].contains(&failure.code)
                                || failure.code.as_str().starts_with("InvalidParameterValue"),
                            "{body}: {failure:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn query_unflattens_lists_intervals_and_numbers() {
        let query = "FunctionName=hello&Status.0=RUNNING&Status.1=FAILED&StartTimeInterval.Start=2024-12-14+00%3A00%3A00&StartTimeInterval.End=2024-12-14+01%3A00%3A00&Limit=10&Order=ASC&Action=ListAsyncEvents&Version=2018-04-16";
        let AnyRequest::ListAsyncEvents(request) =
            from_query(query, schema("ListAsyncEvents")).unwrap()
        else {
            panic!("a ListAsyncEvents request");
        };
        assert_eq!(request.function_name, "hello");
        assert_eq!(
            request.status,
            Some(vec![EventStatus::Running, EventStatus::Failed])
        );
        let interval = request.start_time_interval.unwrap();
        assert_eq!(
            (interval.start.as_str(), interval.end.as_str()),
            ("2024-12-14 00:00:00", "2024-12-14 01:00:00")
        );
        assert_eq!(request.limit, Some(10));
        assert_eq!(request.order, Some(Order::Ascending));
    }

    #[test]
    fn query_errors_have_their_codes() {
        let code = |query: &str| query_code("ListAsyncEvents", query);
        assert_eq!(code("Limit=1"), ErrorCode::MissingParameter);
        assert_eq!(code("FunctionName=f&Extra=1"), ErrorCode::UnknownParameter);
        assert_eq!(
            code("FunctionName=f&StartTimeInterval.Middle=x"),
            ErrorCode::UnknownParameter
        );
        for wrong in [
            "FunctionName=f&Limit=ten",
            "FunctionName=f&Status.1=RUNNING",
            "FunctionName=f&InvokeType=OTHER",
            "FunctionName=f&FunctionName=g",
            "FunctionName=f&StartTimeInterval=x",
        ] {
            assert_eq!(code(wrong), ErrorCode::InvalidParameterValue, "{wrong}");
        }
        assert_eq!(
            code("FunctionName=f&StartTimeInterval.Start=x"),
            ErrorCode::MissingParameter
        );
        assert_eq!(
            code("FunctionName=f&Order=UP"),
            ErrorCode::InvalidParameterValueOrder
        );
        assert_eq!(
            code("FunctionName=f&Status.0=DONE"),
            ErrorCode::InvalidParameterValueStatus
        );
        let AnyRequest::TerminateAsyncEvent(terminate) = from_query(
            "FunctionName=f&InvokeRequestId=i&GraceShutdown=True",
            schema("TerminateAsyncEvent"),
        )
        .unwrap() else {
            panic!("a TerminateAsyncEvent request");
        };
        assert_eq!(terminate.grace_shutdown, Some(true));
    }

    #[test]
    fn json_errors_have_their_codes() {
        let code = |body: &str| json_code("ListAsyncEvents", body);
        assert_eq!(code("{"), ErrorCode::InvalidParameter);
        assert_eq!(code("[]"), ErrorCode::InvalidParameter);
        assert_eq!(code("{}"), ErrorCode::MissingParameter);
        assert_eq!(
            code(r#"{"FunctionName":null}"#),
            ErrorCode::MissingParameter
        );
        assert_eq!(
            code(r#"{"FunctionName":"f","Nope":1}"#),
            ErrorCode::UnknownParameter
        );
        for wrong in [
            r#"{"FunctionName":7}"#,
            r#"{"FunctionName":"f","Limit":"10"}"#,
            r#"{"FunctionName":"f","Status":["RUNNING",1]}"#,
            r#"{"FunctionName":"f","StartTimeInterval":"today"}"#,
        ] {
            assert_eq!(code(wrong), ErrorCode::InvalidParameterValue, "{wrong}");
        }
        assert_eq!(
            code(r#"{"FunctionName":"f","StartTimeInterval":{"Start":"a"}}"#),
            ErrorCode::MissingParameter
        );
        assert_eq!(
            code(r#"{"FunctionName":"f","Order":"UP"}"#),
            ErrorCode::InvalidParameterValueOrder
        );
        // InvocationType has known values but no code of its own.
        assert_eq!(
            json_code("Invoke", r#"{"FunctionName":"f","InvocationType":"Later"}"#),
            ErrorCode::InvalidParameterValue
        );
        let AnyRequest::ListAsyncEvents(ok) = from_json(
            br#"{"FunctionName":"f","Limit":100,"Status":["RUNNING"],"Namespace":null}"#,
            schema("ListAsyncEvents"),
        )
        .unwrap() else {
            panic!("a ListAsyncEvents request");
        };
        assert_eq!((ok.limit, ok.namespace), (Some(100), None));
    }

    #[test]
    fn nested_members_are_checked_and_named_by_path() {
        let update =
            r#"{"FunctionName":"f","Environment":{"Variables":[{"Key":"A","Value":"1"}]}}"#;
        let AnyRequest::UpdateFunctionConfiguration(request) =
            from_json(update.as_bytes(), schema("UpdateFunctionConfiguration")).unwrap()
        else {
            panic!("an UpdateFunctionConfiguration request");
        };
        assert_eq!(request.function_name, "f");
        let wrong = from_json(
            br#"{"FunctionName":"f","Environment":{"Variables":[{"Key":"A","Value":1}]}}"#,
            schema("UpdateFunctionConfiguration"),
        )
        .unwrap_err();
        assert_eq!(wrong.code, ErrorCode::InvalidParameterValue);
        assert!(
            wrong.message.contains("`Environment.Variables.0.Value`"),
            "{}",
            wrong.message
        );
        let unknown = from_query(
            "FunctionName=f&Environment.Variables.0.Key=A&Environment.Variables.0.Colour=red",
            schema("UpdateFunctionConfiguration"),
        )
        .unwrap_err();
        assert_eq!(unknown.code, ErrorCode::UnknownParameter);
        assert!(
            unknown.message.contains("`Environment.Variables.0.Colour`"),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn messages_never_repeat_the_value() {
        let secret = "hunter2-secret";
        let body = format!(
            r#"{{"FunctionName":"f","Environment":{{"Variables":[{{"Key":"A","Value":["{secret}"]}}]}}}}"#
        );
        let failure =
            from_json(body.as_bytes(), schema("UpdateFunctionConfiguration")).unwrap_err();
        assert!(!failure.message.contains(secret), "{}", failure.message);
    }
}
