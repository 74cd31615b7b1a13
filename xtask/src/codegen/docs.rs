//! The spec's descriptions as rustdoc: Markdown that `RUSTDOCFLAGS=-D warnings cargo doc` and clippy's doc
//! lints accept, and in which nothing becomes a doctest.

/// `/// ` lines for `text`, or for `fallback` when the spec says nothing.
pub(crate) fn doc_comment(text: &str, fallback: &str) -> String {
    let mut lines = clean(text);
    if lines.is_empty() {
        lines = clean(fallback);
    }
    let mut out = String::new();
    for line in lines {
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            out.push_str("/// ");
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The lines of a cleaned description, without leading, trailing or repeated blank lines.
pub(crate) fn clean(text: &str) -> Vec<String> {
    let text = text
        .replace("\r\n", "\n")
        .replace(['\r', '\u{2028}', '\u{2029}'], "\n");
    let mut lines: Vec<String> = Vec::new();
    let mut in_fence = false;
    let mut in_list = false;
    for raw in text.split('\n') {
        let raw = raw.replace('\t', "    ");
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            // Fences become `text` blocks, so no example in the spec is compiled as a doctest.
            lines.push(if in_fence { "```" } else { "```text" }.to_owned());
            in_fence = !in_fence;
            in_list = false;
            continue;
        }
        if in_fence {
            lines.push(line.to_owned());
            continue;
        }
        if trimmed.is_empty() {
            lines.push(String::new());
            in_list = false;
            continue;
        }
        let item = is_list_item(trimmed);
        if in_list && !item {
            // A line after a list item without indentation is a lazy continuation, which clippy
            // flags; a blank line makes it a paragraph of its own.
            lines.push(String::new());
            in_list = false;
        }
        in_list |= item;
        // Indentation is dropped: four spaces would start a code block, that is a doctest.
        lines.push(escape_line(trimmed));
    }
    if in_fence {
        lines.push("```".to_owned());
    }
    let mut tidy: Vec<String> = Vec::new();
    for line in lines {
        if line.is_empty() && tidy.last().is_none_or(|last: &String| last.is_empty()) {
            continue;
        }
        tidy.push(line);
    }
    while tidy.last().is_some_and(|last| last.is_empty()) {
        tidy.pop();
    }
    tidy
}

/// Whether a line starts a Markdown list item (`- a`, `* a`, `+ a`, `1. a`, `1) a`).
fn is_list_item(line: &str) -> bool {
    if let Some(rest) = line.strip_prefix(['-', '*', '+']) {
        return rest.is_empty() || rest.starts_with(' ');
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return false;
    }
    let rest = &line[digits..];
    rest.strip_prefix(['.', ')'])
        .is_some_and(|after| after.is_empty() || after.starts_with(' '))
}

/// Escapes one line outside code spans; a line with an odd number of backticks has its backticks
/// escaped too, since Markdown would pair them with another line's.
fn escape_line(line: &str) -> String {
    let ticks = line.matches('`').count();
    if ticks % 2 == 1 {
        return escape_text(line, true);
    }
    let mut out = String::with_capacity(line.len() + 8);
    for (i, segment) in line.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(segment);
        } else {
            out.push_str(&escape_text(segment, false));
        }
    }
    out
}

/// Escapes what rustdoc would read as links or HTML, and wraps bare URLs in `<...>`.
fn escape_text(text: &str, escape_ticks: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(len) = url_len(rest) {
            out.push('<');
            out.push_str(&rest[..len]);
            out.push('>');
            rest = &rest[len..];
            continue;
        }
        let Some(ch) = rest.chars().next() else { break };
        match ch {
            '[' | ']' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            '`' if escape_ticks => out.push_str("\\`"),
            _ => out.push(ch),
        }
        rest = &rest[ch.len_utf8()..];
    }
    out
}

/// The length of the URL at the start of `text`, if one starts there.
fn url_len(text: &str) -> Option<usize> {
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|s| text.starts_with(s))?;
    let body = text[scheme.len()..]
        .find(|c: char| {
            !c.is_ascii_graphic()
                || matches!(
                    c,
                    '<' | '>'
                        | '"'
                        | '\''
                        | '`'
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '{'
                        | '}'
                        | '|'
                        | '\\'
                        | '^'
                )
        })
        .unwrap_or(text.len() - scheme.len());
    let url = &text[..scheme.len() + body];
    let url = url.trim_end_matches(['.', ',', ';', ':', '!', '?']);
    (url.len() > scheme.len()).then_some(url.len())
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn links_html_and_urls_are_made_safe() {
        assert_eq!(clean("取值 [a, b] 或 <br>"), [r"取值 \[a, b\] 或 \<br\>"]);
        assert_eq!(
            clean("详见 https://cloud.tencent.com/document/product/583/17244。"),
            ["详见 <https://cloud.tencent.com/document/product/583/17244>。"]
        );
        assert_eq!(
            clean("[文档](https://a.b/c)."),
            [r"\[文档\](<https://a.b/c>)."]
        );
        assert_eq!(clean(r"a\b"), [r"a\\b"]);
    }

    #[test]
    fn code_spans_stay_verbatim_and_odd_backticks_are_escaped() {
        assert_eq!(clean("`[x]` and [y]"), [r"`[x]` and \[y\]"]);
        assert_eq!(clean("a ` b <c>"), [r"a \` b \<c\>"]);
    }

    #[test]
    fn indentation_and_fences_cannot_become_doctests() {
        let text = "Example:\n    let x = 1;\n```\nfn main() {}\n```\n\n\n   end  ";
        assert_eq!(
            clean(text),
            [
                "Example:",
                "let x = 1;",
                "```text",
                "fn main() {}",
                "```",
                "",
                "end"
            ]
        );
        assert_eq!(clean("```json\n{}"), ["```text", "{}", "```"]);
    }

    #[test]
    fn list_items_are_not_lazily_continued() {
        assert_eq!(clean("- a\n- b\nnext"), ["- a", "- b", "", "next"]);
        assert_eq!(clean("1. a\n2) b\n3、c"), ["1. a", "2) b", "", "3、c"]);
        assert_eq!(clean("-1 is off\nmore"), ["-1 is off", "more"]);
    }

    #[test]
    fn empty_text_gives_no_lines() {
        assert!(clean(" \n\n ").is_empty());
        assert_eq!(
            super::doc_comment("", "The `X` member."),
            "/// The `X` member.\n"
        );
    }
}
