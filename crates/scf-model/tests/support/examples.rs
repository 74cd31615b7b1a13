//! tccli's SCF examples (`spec/scf/v20180416/examples.json`), read once for the tests of every crate that
//! checks itself against them (`#[path]`-included by the emulator's tests too).

use std::borrow::Cow;
use std::path::Path;

use serde_json::Value;

/// One example: the action, the request as tccli's documentation writes it, and the response body.
pub(crate) struct Example {
    pub(crate) action: String,
    pub(crate) input: String,
    // Only the model's tests read the responses.
    #[allow(dead_code)]
    pub(crate) output: String,
}

impl Example {
    /// The pairs of a GET example (`https://...?Action=X\n&Name=value\n&<公共请求参数>`), without the
    /// action and the placeholder for the common parameters.
    pub(crate) fn query_pairs(&self) -> Option<Vec<(Cow<'static, str>, Cow<'static, str>)>> {
        let (_, query) = self.input.strip_prefix("https://")?.split_once('?')?;
        let query: Vec<&str> = query
            .split('&')
            .map(str::trim)
            .filter(|pair| {
                !pair.is_empty() && !pair.starts_with("Action=") && *pair != "<公共请求参数>"
            })
            .collect();
        Some(
            form_urlencoded::parse(query.join("&").as_bytes())
                .map(|(k, v)| (Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned())))
                .collect(),
        )
    }

    /// The JSON body of a POST example (headers, a blank line, the body).
    pub(crate) fn body(&self) -> Option<&str> {
        self.input
            .starts_with("POST ")
            .then(|| self.input.split_once("\n\n").map(|(_, body)| body))?
    }
}

/// Every example, in the file's order.
pub(crate) fn examples() -> Vec<Example> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/scf/v20180416/examples.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let examples: Value = serde_json::from_str(&text).expect("examples.json is JSON");
    let mut all = Vec::new();
    for (action, list) in examples["actions"].as_object().expect("actions") {
        for example in list.as_array().expect("a list of examples") {
            let text = |key: &str| example[key].as_str().expect("a string").to_owned();
            all.push(Example {
                action: action.clone(),
                input: text("input"),
                output: text("output"),
            });
        }
    }
    all
}
