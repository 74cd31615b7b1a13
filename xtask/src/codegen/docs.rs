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
    let text = html_to_markdown(&text);
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

/// The HTML many specs write their descriptions in, as the Markdown it means: paragraphs, line breaks,
/// list items, code, bold and links. Other tags are left for [`escape_text`] to show as text.
fn html_to_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // The target of the `<a href>` being read, written after its text.
    let mut link: Option<String> = None;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let tag_text = &rest[start..];
        let inside = tag_text[1..].trim_start_matches('/');
        let end = tag_text
            .find('>')
            .filter(|end| !tag_text[1..*end].contains('<'));
        let (Some(end), true) = (end, inside.starts_with(|c: char| c.is_ascii_alphabetic())) else {
            // Not a tag (`a < b`): the `<` stays text.
            out.push('<');
            rest = &tag_text[1..];
            continue;
        };
        let tag = &tag_text[1..end];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let replacement = match (name.as_str(), closing) {
            ("br", _) => "\n".to_owned(),
            ("p" | "div", _) => "\n\n".to_owned(),
            ("ul" | "ol", _) => "\n".to_owned(),
            ("li", true) => String::new(),
            ("li", false) => "\n- ".to_owned(),
            ("code", _) => "`".to_owned(),
            ("strong" | "b", _) => "**".to_owned(),
            ("a", false) => {
                link = href(tag);
                String::new()
            }
            ("a", true) => link
                .take()
                .map(|url| format!(" ({url})"))
                .unwrap_or_default(),
            _ => tag_text[..=end].to_owned(),
        };
        out.push_str(&replacement);
        rest = &tag_text[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The `href` of an `<a ...>` tag's inside.
fn href(tag: &str) -> Option<String> {
    let at = tag.find("href=")? + "href=".len();
    let value = &tag[at..];
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &value[1..];
    Some(value[..value.find(quote)?].to_owned())
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
        if let Some((text, url, len)) = markdown_link(rest) {
            // A Markdown link to a web page is kept: rustdoc only complains about links to Rust items.
            out.push('[');
            out.push_str(&escape_text(text, escape_ticks));
            out.push_str("](");
            out.push_str(url);
            out.push(')');
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

/// `[text](https://...)` at the start of `text`: the link text, the URL and the length of the whole.
fn markdown_link(text: &str) -> Option<(&str, &str, usize)> {
    let inner = text.strip_prefix('[')?;
    let close = inner.find(']')?;
    let label = &inner[..close];
    if label.is_empty() || label.contains('[') {
        return None;
    }
    let after = inner[close + 1..].strip_prefix('(')?;
    let url_len = url_len(after)?;
    after[url_len..]
        .starts_with(')')
        .then(|| (label, &after[..url_len], 1 + close + 2 + url_len + 1))
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
        assert_eq!(clean("取值 [a, b] 或 <x>"), [r"取值 \[a, b\] 或 \<x\>"]);
        assert_eq!(
            clean("详见 https://cloud.tencent.com/document/product/583/17244。"),
            ["详见 <https://cloud.tencent.com/document/product/583/17244>。"]
        );
        assert_eq!(
            clean("见[文档](https://a.b/c#x.3C)."),
            ["见[文档](https://a.b/c#x.3C)."]
        );
        assert_eq!(clean("[a[b]](https://a.b)"), [r"\[a\[b\]\](<https://a.b>)"]);
        assert_eq!(clean("[文档](/document/1)"), [r"\[文档\](/document/1)"]);
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
    fn html_becomes_markdown() {
        assert_eq!(
            clean(
                "<p>第一段<br/>续</p><p>见 <a href=\"https://a.b/c\" target=\"_blank\">文档</a></p><ul><li>一</li><li><code>x<y</code></li></ul>"
            ),
            [
                "第一段",
                "续",
                "",
                "见 文档 (<https://a.b/c>)",
                "",
                "- 一",
                "- `x<y`"
            ]
        );
        assert_eq!(
            clean("<B>粗</B> <font color=red>红</font>"),
            [r"**粗** \<font color=red\>红\</font\>"]
        );
        assert_eq!(clean("a < b"), [r"a \< b"]);
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
