//! Uploaders' file names: cleaned for display when stored, and written into
//! `Content-Disposition` when served.
//!
//! A stored name is only ever shown, never used as a path. It still loses
//! any directory part, control characters and excess length, so that it
//! cannot mislead a reader or break a header.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Maximum length of a stored file name, in characters.
pub const MAX_FILENAME_CHARS: usize = 200;

/// Cleans a file name for display: keeps the part after the last `/` or
/// `\`, drops control characters and surrounding spaces, and cuts it to
/// [`MAX_FILENAME_CHARS`]. Returns `None` when nothing is left.
pub fn clean_filename(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|character| !character.is_control())
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." {
        return None;
    }
    Some(trimmed.chars().take(MAX_FILENAME_CHARS).collect())
}

/// Reads the `X-Lectern-Filename` header, whose value browsers send
/// percent-encoded because header values must be ISO-8859-1, and cleans
/// it. A value that does not decode to UTF-8 is used as it is.
pub fn filename_from_header(value: &str) -> Option<String> {
    let decoded = percent_decode_str(value)
        .decode_utf8()
        .map_or_else(|_| value.to_owned(), |text| text.into_owned());
    clean_filename(&decoded)
}

/// Bytes percent-encoded in the `filename*` parameter: everything but the
/// `attr-char`s of RFC 8187.
const ATTR_CHAR_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// Builds an `inline` `Content-Disposition` value for a served file.
///
/// The name is the stored name's stem, or `fallback_stem` without one,
/// with `extension`, which is that of the served format: a PNG upload
/// served as JPEG is named `.jpg`. The `filename` parameter carries an
/// ASCII version with every other character replaced by `_`, and
/// `filename*` the UTF-8 name (RFC 6266).
pub fn content_disposition(stored: Option<&str>, fallback_stem: &str, extension: &str) -> String {
    let stem = stored
        .map(|name| match name.rsplit_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem,
            _ => name,
        })
        .unwrap_or(fallback_stem);
    let name = format!("{stem}.{extension}");
    let ascii: String = name
        .chars()
        .map(|character| {
            if character.is_ascii_alphanumeric() || "._- ()".contains(character) {
                character
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(&name, ATTR_CHAR_ESCAPES);
    format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_drops_directories_and_controls() {
        assert_eq!(
            clean_filename("C:\\Users\\ada\\photo.png").as_deref(),
            Some("photo.png")
        );
        assert_eq!(
            clean_filename("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            clean_filename(" line\r\nbreak.jpg ").as_deref(),
            Some("linebreak.jpg")
        );
        assert_eq!(clean_filename("dir/"), None);
        assert_eq!(clean_filename(".."), None);
        assert_eq!(clean_filename("   "), None);
        let long = "x".repeat(500);
        assert_eq!(
            clean_filename(&long).map(|name| name.chars().count()),
            Some(MAX_FILENAME_CHARS)
        );
    }

    #[test]
    fn header_value_is_percent_decoded() {
        assert_eq!(
            filename_from_header("Tafel%20%C3%BCbung.png").as_deref(),
            Some("Tafel übung.png")
        );
        assert_eq!(
            filename_from_header("%2Fetc%2Fpasswd").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            filename_from_header("bad%FFbyte.png").as_deref(),
            Some("bad%FFbyte.png")
        );
    }

    #[test]
    fn disposition_names_served_format() {
        assert_eq!(
            content_disposition(Some("photo.png"), "m_1", "jpg"),
            "inline; filename=\"photo.jpg\"; filename*=UTF-8''photo.jpg"
        );
        assert_eq!(
            content_disposition(None, "m_1", "png"),
            "inline; filename=\"m_1.png\"; filename*=UTF-8''m_1.png"
        );
        assert_eq!(
            content_disposition(Some("a\"b;c ü.gif"), "m_1", "png"),
            "inline; filename=\"a_b_c _.png\"; filename*=UTF-8''a%22b%3Bc%20%C3%BC.png"
        );
        assert_eq!(
            content_disposition(Some(".hidden"), "m_1", "png"),
            "inline; filename=\".hidden.png\"; filename*=UTF-8''.hidden.png"
        );
    }
}
