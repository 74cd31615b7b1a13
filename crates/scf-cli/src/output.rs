//! Printing results as JSON (tccli's shape), a table or plain text.
#![allow(clippy::print_stdout)]

use serde::Serialize;
use serde_json::Value;

use crate::args::Output;

/// Prints `response` (the content of `Response`) in `format`; `columns` pick table and text fields.
pub(crate) fn print(format: Output, response: &impl Serialize) {
    let value = serde_json::to_value(response).unwrap_or(Value::Null);
    match format {
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ),
        Output::Table => print_table(&value),
        Output::Text => print_text(&value),
    }
}

/// The rows worth showing: a list's items, or the object itself.
fn rows(value: &Value) -> Vec<&serde_json::Map<String, Value>> {
    if let Some(list) = value.get("EventList").and_then(Value::as_array) {
        return list.iter().filter_map(Value::as_object).collect();
    }
    if let Some(result) = value.get("Result").and_then(Value::as_object) {
        return vec![result];
    }
    value.as_object().into_iter().collect()
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
        println!("(no events)");
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
                .max(column.len())
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
    if let Some(total) = value.get("TotalCount") {
        println!("TotalCount: {total}");
    }
}

fn print_text(value: &Value) {
    for row in rows(value) {
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
