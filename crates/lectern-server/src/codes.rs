//! Room codes: short enough to type from a projector, hard to guess.

use rand::Rng;

/// Digits and lowercase letters without 0, 1, i, l and o, which are easy
/// to misread.
const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// Characters in a code: 31^10 is about 8 * 10^14 codes (49 bits), and
/// joins are rate-limited per address.
pub const CODE_LENGTH: usize = 10;

/// Draws a random room code.
pub fn new_room_code() -> String {
    let mut rng = rand::thread_rng();
    (0..CODE_LENGTH)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Normalises a code as typed: case-insensitive, dashes and spaces ignored.
/// Returns `None` when it cannot be a room code.
pub fn normalize_room_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let valid = code.len() == CODE_LENGTH && code.bytes().all(|byte| ALPHABET.contains(&byte));
    valid.then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_codes_are_valid() {
        for _ in 0..100 {
            let code = new_room_code();
            assert_eq!(normalize_room_code(&code), Some(code));
        }
    }

    #[test]
    fn typed_code_is_normalised() {
        assert_eq!(
            normalize_room_code("ABC-DEF 2345"),
            Some("abcdef2345".to_owned())
        );
    }

    #[test]
    fn ambiguous_or_short_codes_are_rejected() {
        assert_eq!(
            normalize_room_code("abcdef234o"),
            None,
            "o is not in the alphabet"
        );
        assert_eq!(normalize_room_code("abc"), None);
    }
}
