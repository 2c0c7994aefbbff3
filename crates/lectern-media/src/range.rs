//! Parsing of the HTTP `Range` request header (RFC 9110, section 14) for
//! serving stored files, which video players request in parts.

/// A satisfiable byte range of a file, both ends inclusive as in
/// `Content-Range`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    /// Offset of the first byte.
    pub first: u64,
    /// Offset of the last byte; never before `first`.
    pub last: u64,
}

impl ByteRange {
    /// Returns the number of bytes in the range.
    #[allow(clippy::len_without_is_empty)] // a satisfiable range is never empty
    pub fn len(&self) -> u64 {
        self.last - self.first + 1
    }

    /// Formats the `Content-Range` value of a 206 response, such as
    /// `bytes 0-499/1234`.
    pub fn content_range(&self, complete_length: u64) -> String {
        format!("bytes {}-{}/{complete_length}", self.first, self.last)
    }
}

/// Reason a `Range` header yields no range to serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// The value does not follow the `bytes=` syntax. RFC 9110 lets the
    /// server ignore such a header: answer 200 with the whole file.
    #[error("the Range header {value:?} is not a valid byte range; the whole file is sent")]
    Invalid { value: String },

    /// The value asks for several ranges, which this server does not send
    /// as multipart responses: answer 200 with the whole file.
    #[error("the Range header asks for {count} ranges; only one is supported")]
    MultipleRanges { count: usize },

    /// No requested byte exists in a file of `length` bytes: answer 416
    /// with `Content-Range: bytes */{length}`.
    #[error("the requested range is outside the file of {length} bytes")]
    Unsatisfiable { length: u64 },
}

impl RangeError {
    /// Returns whether the server should ignore the header and send the
    /// whole file with status 200, which is so for every error but
    /// [`RangeError::Unsatisfiable`].
    pub fn serve_whole_file(&self) -> bool {
        !matches!(self, RangeError::Unsatisfiable { .. })
    }

    /// Formats the `Content-Range` value of a 416 response, such as
    /// `bytes */1234`, for [`RangeError::Unsatisfiable`].
    pub fn content_range(&self) -> Option<String> {
        match self {
            RangeError::Unsatisfiable { length } => Some(format!("bytes */{length}")),
            RangeError::Invalid { .. } | RangeError::MultipleRanges { .. } => None,
        }
    }
}

/// Parses a `Range` header value against a file of `length` bytes.
///
/// Accepts one range in the forms `bytes=first-last`, `bytes=first-` and
/// `bytes=-suffix_length`, with the unit in any case and spaces around the
/// range. A `last` past the end is cut to the last byte and a suffix
/// longer than the file means the whole file, as RFC 9110 requires. A
/// `first` at or past the end, a suffix of zero bytes and any range of an
/// empty file are unsatisfiable.
pub fn parse_range(value: &str, length: u64) -> Result<ByteRange, RangeError> {
    let invalid = || RangeError::Invalid {
        value: value.to_owned(),
    };

    let (unit, set) = value.split_once('=').ok_or_else(invalid)?;
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return Err(invalid());
    }
    // The list syntax allows empty elements between commas.
    let specs: Vec<&str> = set
        .split(',')
        .map(str::trim)
        .filter(|spec| !spec.is_empty())
        .collect();
    let spec = match specs.as_slice() {
        [] => return Err(invalid()),
        [spec] => *spec,
        many => {
            // Reject a malformed list as invalid before reporting its length.
            for spec in many {
                parse_spec(spec).ok_or_else(invalid)?;
            }
            return Err(RangeError::MultipleRanges { count: many.len() });
        }
    };

    let unsatisfiable = RangeError::Unsatisfiable { length };
    match parse_spec(spec).ok_or_else(invalid)? {
        Spec::FromTo(first, last) => {
            if first >= length {
                return Err(unsatisfiable);
            }
            Ok(ByteRange {
                first,
                last: last.min(length - 1),
            })
        }
        Spec::From(first) => {
            if first >= length {
                return Err(unsatisfiable);
            }
            Ok(ByteRange {
                first,
                last: length - 1,
            })
        }
        Spec::Suffix(suffix_length) => {
            if suffix_length == 0 || length == 0 {
                return Err(unsatisfiable);
            }
            Ok(ByteRange {
                first: length - suffix_length.min(length),
                last: length - 1,
            })
        }
    }
}

/// One `range-spec` of the header.
enum Spec {
    FromTo(u64, u64),
    From(u64),
    Suffix(u64),
}

fn parse_spec(spec: &str) -> Option<Spec> {
    let (first, last) = spec.split_once('-')?;
    match (first.is_empty(), last.is_empty()) {
        (true, true) => None,
        (true, false) => Some(Spec::Suffix(parse_position(last)?)),
        (false, true) => Some(Spec::From(parse_position(first)?)),
        (false, false) => {
            let first = parse_position(first)?;
            let last = parse_position(last)?;
            (first <= last).then_some(Spec::FromTo(first, last))
        }
    }
}

/// Parses a run of ASCII digits. A number past `u64::MAX` becomes
/// `u64::MAX`, which is past the end of any file, so such a range is still
/// judged correctly.
fn parse_position(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some(digits.bytes().fold(0u64, |value, digit| {
        value
            .saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    }))
}
