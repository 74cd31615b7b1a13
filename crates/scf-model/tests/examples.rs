//! Every example of tccli's examples.json round-trips through the typed model: its request parses into the
//! action's request type and serialises back to the same JSON, and its response parses through the
//! envelope into the typed response and back without losing a field.

#![allow(clippy::unwrap_used)]

mod support;

use scf_model::AnyRequest;
use serde_json::Value;
use support::examples::{Example, examples};
use tc_api::params::from_query;
use tc_api::{Action, ActionVisitor, ResponseError, parse_response};

/// Reads a body as the typed response of the visited request's action and writes it back as JSON.
struct TypedResponse<'a>(&'a [u8]);

impl ActionVisitor for TypedResponse<'_> {
    type Output = Result<Value, ResponseError>;

    fn visit<A>(self, _: &A) -> Self::Output
    where
        A: Action + Sync,
        A::Response: serde::Serialize + Send,
    {
        let response: A::Response = parse_response(self.0)?;
        Ok(serde_json::to_value(&response).expect("responses serialise"))
    }
}

/// The request of an example as JSON: a POST body as written, a GET query rebuilt from the schema.
fn request_json(example: &Example) -> Value {
    if let Some(body) = example.body() {
        return serde_json::from_str(body).unwrap_or_else(|e| panic!("{}: {e}", example.action));
    }
    let pairs = example
        .query_pairs()
        .unwrap_or_else(|| panic!("{}: neither GET nor POST", example.action));
    let schema = scf_model::action_schema(&example.action).unwrap();
    from_query(pairs, schema.input).unwrap_or_else(|e| panic!("{}: {e}", example.action))
}

/// Where `a` and `b` differ as the service's JSON: `null` is the same as absent, and numbers are equal
/// when their values are (`1` and `1.0`).
fn difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            let present = |map: &serde_json::Map<String, Value>| {
                map.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, _)| k.clone())
                    .collect::<std::collections::BTreeSet<_>>()
            };
            let (keys_a, keys_b) = (present(a), present(b));
            if keys_a != keys_b {
                let lost: Vec<_> = keys_a.symmetric_difference(&keys_b).collect();
                return Some(format!("{path}: members {lost:?} on one side only"));
            }
            keys_a
                .iter()
                .find_map(|key| difference(&format!("{path}.{key}"), &a[key], &b[key]))
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (a, b))| difference(&format!("{path}.{i}"), a, b)),
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => None,
        (a, b) if a == b => None,
        (a, b) => Some(format!("{path}: {a} != {b}")),
    }
}

#[test]
fn every_example_request_round_trips_through_its_typed_request() {
    let mut checked = 0;
    for example in examples() {
        let json = request_json(&example);
        let request = AnyRequest::from_value(&example.action, json.clone())
            .unwrap_or_else(|| panic!("{} is an action of the model", example.action))
            .unwrap_or_else(|e| panic!("{}: {e}\n{json}", example.action));
        assert_eq!(request.schema().name(), example.action);
        let back = serde_json::to_value(&request).unwrap();
        if let Some(difference) = difference(&example.action, &json, &back) {
            panic!("{difference}\nexample: {json}\ntyped:   {back}");
        }
        checked += 1;
    }
    assert_eq!(checked, 54, "tccli ships 54 SCF examples");
}

#[test]
fn every_example_response_round_trips_through_its_typed_response() {
    let mut checked = 0;
    for example in examples() {
        let request = AnyRequest::from_value(&example.action, request_json(&example))
            .unwrap()
            .unwrap();
        let back = request
            .visit(TypedResponse(example.output.as_bytes()))
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", example.action, example.output));
        let body: Value = serde_json::from_str(&example.output).unwrap();
        if let Some(difference) = difference(&example.action, &body["Response"], &back) {
            panic!(
                "{difference}\nexample: {}\ntyped:   {back}",
                body["Response"]
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 54);
}

/// The comparison itself can fail: a lost member, a changed value and a changed number are differences.
#[test]
fn the_comparison_finds_lost_and_changed_members() {
    let json = |text: &str| serde_json::from_str::<Value>(text).unwrap();
    let base = json(r#"{"A":1,"B":[{"C":"x"}],"D":null}"#);
    assert_eq!(
        difference("", &base, &json(r#"{"A":1.0,"B":[{"C":"x"}]}"#)),
        None
    );
    assert!(difference("", &base, &json(r#"{"A":1,"B":[{}]}"#)).is_some());
    assert!(difference("", &base, &json(r#"{"A":2,"B":[{"C":"x"}]}"#)).is_some());
    assert!(difference("", &base, &json(r#"{"A":1,"B":[{"C":"y"}]}"#)).is_some());
    assert!(difference("", &base, &json(r#"{"A":1,"B":[]}"#)).is_some());
}
