//! Conversion between the model's plain text and the HTML that Moodle
//! stores in question texts.

/// Converts an HTML fragment to plain text.
///
/// Tags are dropped, `<br>` and the ends of block elements become line
/// breaks, the contents of `<script>` and `<style>` are dropped and
/// character references are decoded. Raw line breaks in the source count
/// as spaces, as in a browser, and each output line is trimmed.
///
/// NOTE: this is not a full HTML parser. Lists, tables and images lose
/// their structure, and a `<` that starts no tag is kept as text.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    // Once no `>` follows, no later `<` can start a tag either: remembering
    // that keeps text full of `<` linear.
    let mut tags_possible = true;

    while let Some(ch) = rest.chars().next() {
        match ch {
            '<' => match tags_possible.then(|| parse_tag(rest)).flatten() {
                Some((tag_len, name, closing)) => {
                    rest = &rest[tag_len..];
                    if !closing && (name == "script" || name == "style") {
                        rest = skip_raw_element(rest, &name);
                    } else if is_line_break(&name, closing) {
                        text.push('\n');
                    }
                }
                None => {
                    tags_possible = tags_possible && rest.contains('>');
                    text.push('<');
                    rest = &rest[1..];
                }
            },
            '&' => {
                let (decoded, consumed) = decode_reference(rest);
                text.push_str(&decoded);
                rest = &rest[consumed..];
            }
            '\n' | '\r' | '\t' => {
                text.push(' ');
                rest = &rest[1..];
            }
            _ => {
                text.push(ch);
                rest = &rest[ch.len_utf8()..];
            }
        }
    }

    let lines: Vec<&str> = text.split('\n').map(str::trim).collect();
    lines.join("\n").trim().to_owned()
}

/// Converts plain text to HTML that [`html_to_text`] turns back into the
/// same text, provided each line has no leading or trailing whitespace.
pub(crate) fn text_to_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\n' => html.push_str("<br>"),
            '\t' => html.push_str("&#9;"),
            '\r' => {}
            _ => html.push(ch),
        }
    }
    html
}

/// Parses the tag at the start of `input`, which begins with `<`.
///
/// Returns its length in bytes, its lowercase name and whether it is a
/// closing tag, or `None` when the `<` starts no tag. Comments and
/// declarations count as tags with an empty name.
fn parse_tag(input: &str) -> Option<(usize, String, bool)> {
    if let Some(after) = input.strip_prefix("<!--") {
        let end = after.find("-->").map_or(input.len(), |index| 4 + index + 3);
        return Some((end, String::new(), false));
    }

    let after = &input[1..];
    let (closing, name_start) = match after.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, after),
    };
    let first = name_start.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '!' || first == '?') {
        return None;
    }

    let end = input.find('>')?;
    let name: String = name_start
        .chars()
        .take_while(|ch| ch.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    Some((end + 1, name, closing))
}

/// Skips the raw text of a `<script>` or `<style>` element up to and
/// including its closing tag.
fn skip_raw_element<'a>(input: &'a str, name: &str) -> &'a str {
    let mut offset = 0;
    while let Some(found) = input[offset..].find("</") {
        let start = offset + found + 2;
        let candidate = &input.as_bytes()[start..];
        if candidate.len() >= name.len()
            && candidate[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        {
            return match input[start..].find('>') {
                Some(end) => &input[start + end + 1..],
                None => "",
            };
        }
        offset = start;
    }
    ""
}

fn is_line_break(name: &str, closing: bool) -> bool {
    const BLOCKS: [&str; 14] = [
        "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre",
    ];
    match name {
        "br" | "hr" => true,
        _ => closing && BLOCKS.contains(&name),
    }
}

/// Decodes the character reference at the start of `input`, which begins
/// with `&`. Returns the decoded text and the number of bytes consumed.
/// An unknown or malformed reference is kept as a literal `&`.
fn decode_reference(input: &str) -> (String, usize) {
    let Some(end) = input.char_indices().take(12).find(|&(_, ch)| ch == ';') else {
        return ("&".to_owned(), 1);
    };
    let name = &input[1..end.0];
    let decoded = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => decode_numeric_reference(name),
    };
    match decoded {
        Some(ch) => (ch.to_string(), end.0 + 1),
        None => ("&".to_owned(), 1),
    }
}

fn decode_numeric_reference(name: &str) -> Option<char> {
    let digits = name.strip_prefix('#')?;
    let code = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<u32>().ok()?,
    };
    char::from_u32(code).filter(|&ch| ch != '\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_become_lines() {
        let html = "<p>What is <b>2 + 2</b>?</p>\n<p>Pick one.</p>";
        assert_eq!(html_to_text(html), "What is 2 + 2?\nPick one.");
    }

    #[test]
    fn references_are_decoded() {
        assert_eq!(
            html_to_text("a &lt; b &amp;&amp; c&#62;d &#x41;"),
            "a < b && c>d A"
        );
        assert_eq!(html_to_text("AT&T; x & y"), "AT&T; x & y");
    }

    #[test]
    fn script_content_is_dropped() {
        assert_eq!(html_to_text("a<script>alert(1)</script>b"), "ab");
        assert_eq!(html_to_text("a<style>p{}</STYLE>b"), "ab");
    }

    #[test]
    fn stray_angle_bracket_is_text() {
        assert_eq!(html_to_text("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2");
    }

    #[test]
    fn text_survives_html_round_trip() {
        let text = "Is <b> a tag & \"x\" > y?\nSecond line";
        assert_eq!(html_to_text(&text_to_html(text)), text);
    }
}
