//! Reading columns out of the lists that List* actions answer.

use serde_json::Value;

/// The string `field` of every item in the array `member` of `response`, in order.
pub fn string_column(response: &Value, member: &str, field: &str) -> Vec<String> {
    response[member]
        .as_array()
        .unwrap_or_else(|| panic!("no array `{member}` in {response}"))
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}
