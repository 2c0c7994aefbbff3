//! Text normalisation for comparing short-text answers and counting words.

use unicode_normalization::UnicodeNormalization;

/// Normalises `text` for comparison: Unicode NFKC, trimmed, inner runs of
/// whitespace collapsed to one space, and lowercased unless `case_sensitive`.
///
/// NFKC maps compatibility forms to their plain letters, so a full-width
/// `Ｐａｒｉｓ` and a ligature `ﬁ` compare equal to `Paris` and `fi`.
///
/// NOTE: lowercasing uses [`str::to_lowercase`], which is not full Unicode
/// case folding: `ß` and `SS` stay different.
pub fn normalize_text(text: &str, case_sensitive: bool) -> String {
    let composed: String = text.nfkc().collect();
    let collapsed = composed.split_whitespace().collect::<Vec<_>>().join(" ");

    if case_sensitive {
        collapsed
    } else {
        collapsed.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_text_cases() {
        let cases = [
            ("  Paris  ", false, "paris"),
            ("New   York\tCity", false, "new york city"),
            ("New   York", true, "New York"),
            ("Ｐａｒｉｓ", true, "Paris"),
            ("ﬁsh", false, "fish"),
            ("Cafe\u{301}", false, "café"),
            ("ÉCOLE", false, "école"),
            ("", false, ""),
            (" \u{3000} ", false, ""),
        ];

        for (input, case_sensitive, expected) in cases {
            assert_eq!(
                normalize_text(input, case_sensitive),
                expected,
                "input {input:?}, case_sensitive {case_sensitive}"
            );
        }
    }
}
