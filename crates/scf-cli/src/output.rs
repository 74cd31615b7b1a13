//! Printing results: tccli's JSON (indented by four spaces, non-ASCII text as it is), a table or plain
//! text, after an optional `--filter` JMESPath expression.
#![allow(clippy::print_stdout)]

use serde::Serialize;
use serde_json::Value;
use serde_json::ser::PrettyFormatter;

use crate::args::Output;
use crate::input::InputError;

/// A compiled `--filter` expression.
pub(crate) struct Filter(jmespath::Expression<'static>);

impl Filter {
    /// Compiles `expression`, so that a bad one is refused before anything is sent.
    pub(crate) fn compile(expression: &str) -> Result<Self, InputError> {
        jmespath::compile(expression)
            .map(Self)
            .map_err(|error| InputError::new(format!("--filter: {error}")))
    }

    /// The expression applied to `value`; `None` when it selects nothing (JMESPath's null).
    ///
    /// Objects in the result have their keys sorted (the `jmespath` crate keeps objects in sorted maps),
    /// where tccli keeps the spec's order.
    pub(crate) fn apply(&self, value: &impl Serialize) -> Result<Option<Value>, InputError> {
        let result = self
            .0
            .search(value)
            .map_err(|error| InputError::new(format!("--filter: {error}")))?;
        if result.is_null() {
            return Ok(None);
        }
        serde_json::to_value(&*result)
            .map(Some)
            .map_err(|error| InputError::new(format!("--filter: {error}")))
    }
}

/// JSON as tccli prints it: `json.dumps(value, ensure_ascii=False, indent=4)`.
pub(crate) fn to_pretty_json(value: &impl Serialize) -> String {
    let mut bytes = Vec::with_capacity(256);
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut bytes, PrettyFormatter::with_indent(b"    "));
    if value.serialize(&mut serializer).is_err() {
        return "null".to_owned();
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// Prints `value` in `format`, after `filter`; a filter that selects nothing prints nothing, as in tccli.
pub(crate) fn print(
    format: Output,
    filter: Option<&Filter>,
    value: &impl Serialize,
) -> Result<(), InputError> {
    match filter {
        None => show(format, value),
        Some(filter) => {
            if let Some(result) = filter.apply(value)? {
                show(format, &result);
            }
        }
    }
    Ok(())
}

fn show(format: Output, value: &impl Serialize) {
    match format {
        Output::Json => println!("{}", to_pretty_json(value)),
        Output::Table => print_table(&serde_json::to_value(value).unwrap_or(Value::Null)),
        Output::Text => print_text(&serde_json::to_value(value).unwrap_or(Value::Null)),
    }
}

/// The rows worth showing: a list of objects (the value itself, or its first member that is one), else
/// its first object member (`Result`), else the object itself.
fn rows(value: &Value) -> Vec<&serde_json::Map<String, Value>> {
    let objects = |list: &'_ Vec<Value>| list.iter().all(Value::is_object) && !list.is_empty();
    if let Value::Array(list) = value {
        return list.iter().filter_map(Value::as_object).collect();
    }
    let Some(members) = value.as_object() else {
        return Vec::new();
    };
    if let Some(list) = members
        .values()
        .filter_map(Value::as_array)
        .find(|l| objects(l))
    {
        return list.iter().filter_map(Value::as_object).collect();
    }
    if let Some(object) = members.values().find_map(Value::as_object) {
        return vec![object];
    }
    vec![members]
}

fn cell(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn print_table(value: &Value) {
    let rows = rows(value);
    let Some(first) = rows.first() else {
        if !value.is_object() && !value.is_array() {
            println!("{}", cell(value));
        } else {
            println!("(none)");
        }
        return;
    };
    let columns: Vec<&String> = first.keys().collect();
    let widths: Vec<usize> = columns
        .iter()
        .map(|column| {
            rows.iter()
                .map(|row| {
                    cell(row.get(column.as_str()).unwrap_or(&Value::Null))
                        .chars()
                        .count()
                })
                .max()
                .unwrap_or(0)
                .max(column.chars().count())
        })
        .collect();
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(columns.iter().map(|c| (*c).clone()).collect());
    line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for row in &rows {
        line(
            columns
                .iter()
                .map(|c| cell(row.get(c.as_str()).unwrap_or(&Value::Null)))
                .collect(),
        );
    }
    for total in ["TotalCount", "Total"] {
        if let Some(count) = value.get(total).filter(|count| count.is_number()) {
            println!("{total}: {count}");
        }
    }
}

fn print_text(value: &Value) {
    let rows = rows(value);
    if rows.is_empty() && !value.is_object() && !value.is_array() {
        println!("{}", cell(value));
    }
    for row in rows {
        let fields: Vec<String> = row
            .iter()
            .map(|(k, v)| format!("{k}={}", cell(v)))
            .collect();
        println!("{}", fields.join(" "));
    }
    if let Some(id) = value.get("RequestId").and_then(Value::as_str) {
        println!("RequestId={id}");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    #[test]
    fn json_is_indented_by_four_spaces_with_text_as_it_is() {
        assert_eq!(
            to_pretty_json(&json!({"Name": "函数", "List": [1, 2.5], "Empty": {}})),
            "{\n    \"Empty\": {},\n    \"List\": [\n        1,\n        2.5\n    ],\n    \"Name\": \"函数\"\n}"
        );
    }

    #[test]
    fn a_filter_selects_a_part_or_nothing() {
        let response = json!({"Functions": [{"FunctionName": "a"}, {"FunctionName": "b"}], "TotalCount": 2, "RequestId": "r"});
        let names = Filter::compile("Functions[].FunctionName").unwrap();
        assert_eq!(names.apply(&response).unwrap(), Some(json!(["a", "b"])));
        let missing = Filter::compile("Nothing").unwrap();
        assert_eq!(missing.apply(&response).unwrap(), None);
        let total = Filter::compile("TotalCount").unwrap();
        assert_eq!(total.apply(&response).unwrap(), Some(json!(2)));
    }

    #[test]
    fn a_bad_filter_is_an_input_error() {
        let error = Filter::compile("[[").err().unwrap().to_string();
        assert!(error.starts_with("--filter: "), "{error}");
        let runtime = Filter::compile("length(TotalCount)").unwrap();
        assert!(runtime.apply(&json!({"TotalCount": 1})).is_err());
    }

    #[test]
    fn rows_come_from_the_first_list_of_objects_or_the_result() {
        let listed = json!({"EventList": [{"A": 1}, {"A": 2}], "TotalCount": 2});
        assert_eq!(rows(&listed).len(), 2);
        let result = json!({"Result": {"Status": "RUNNING"}, "RequestId": "r"});
        assert_eq!(rows(&result)[0]["Status"], "RUNNING");
        let flat = json!({"RequestId": "r"});
        assert_eq!(rows(&flat)[0]["RequestId"], "r");
        let filtered = json!([{"Name": "a"}]);
        assert_eq!(rows(&filtered)[0]["Name"], "a");
        assert!(rows(&json!("text")).is_empty());
    }
}
