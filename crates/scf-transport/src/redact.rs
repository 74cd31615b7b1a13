//! Making request and response data safe to log or to put in an error.

use http::HeaderMap;

/// The text shown instead of a secret.
pub const REDACTED: &str = "** redacted **";
/// Headers whose values are secrets or grant access.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "x-tc-token",
    "proxy-authorization",
    "cookie",
];
/// The longest snippet of a body kept in an error.
const SNIPPET_CHARS: usize = 256;
/// Runs of token-like characters this long are masked: keys, tokens and signatures are long and
/// unbroken, while RequestIds are broken by hyphens into short groups.
const MASK_RUN: usize = 24;

/// `name: value` lines of `headers`, with secret values replaced.
pub fn headers(headers: &HeaderMap) -> String {
    let mut text = String::new();
    for (name, value) in headers {
        let shown = if SECRET_HEADERS.contains(&name.as_str()) {
            REDACTED.to_owned()
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        text.push_str(name.as_str());
        text.push_str(": ");
        text.push_str(&shown);
        text.push('\n');
    }
    text
}

/// The start of `body` as text, with long token-like runs masked.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut shortened: String = text.chars().take(SNIPPET_CHARS).collect();
    if text.chars().nth(SNIPPET_CHARS).is_some() {
        shortened.push('…');
    }
    mask_long_runs(&shortened)
}

fn mask_long_runs(text: &str) -> String {
    let token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_');
    let mut masked = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, masked: &mut String| {
        if run.chars().count() >= MASK_RUN {
            masked.push_str(REDACTED);
        } else {
            masked.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if token_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut masked);
            masked.push(c);
        }
    }
    flush(&mut run, &mut masked);
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_headers_are_redacted() {
        let mut map = HeaderMap::new();
        map.insert(
            "authorization",
            "TC3-HMAC-SHA256 Credential=AKID/x, Signature=abc"
                .parse()
                .unwrap(),
        );
        map.insert("x-tc-token", "tok".parse().unwrap());
        map.insert("x-tc-action", "Invoke".parse().unwrap());
        let text = headers(&map);
        assert!(text.contains("x-tc-action: Invoke"));
        assert!(
            !text.contains("Signature=abc") && !text.contains("tok\n"),
            "{text}"
        );
    }

    #[test]
    fn snippets_are_short_and_mask_tokens_but_keep_request_ids() {
        let body = r#"{"Token":"c2VjcmV0LXNlc3Npb24tdG9rZW4tdGhhdC1pcy1sb25n","RequestId":"5f825fd3-a59d-4879-aa28-3ac967c12888"}"#;
        let text = snippet(body.as_bytes());
        assert!(!text.contains("c2VjcmV0"), "{text}");
        assert!(
            text.contains("5f825fd3-a59d-4879-aa28-3ac967c12888"),
            "{text}"
        );
        let long = snippet("x ".repeat(1000).as_bytes());
        assert!(long.chars().count() <= 257 && long.ends_with('…'));
        assert_eq!(snippet(b"\xff<html>"), "\u{fffd}<html>");
    }
}
