//! HTTP `Range` header parsing against a file length (RFC 9110, section
//! 14.1.2 for the forms, 15.5.17 for 416).

use lectern_media::{ByteRange, RangeError, parse_range};

fn range(first: u64, last: u64) -> Result<ByteRange, RangeError> {
    Ok(ByteRange { first, last })
}

fn invalid(value: &str) -> Result<ByteRange, RangeError> {
    Err(RangeError::Invalid {
        value: value.to_owned(),
    })
}

fn unsatisfiable(length: u64) -> Result<ByteRange, RangeError> {
    Err(RangeError::Unsatisfiable { length })
}

#[test]
fn closed_range() {
    assert_eq!(parse_range("bytes=0-499", 1000), range(0, 499));
    assert_eq!(parse_range("bytes=500-999", 1000), range(500, 999));
    assert_eq!(parse_range("bytes=10-10", 1000), range(10, 10));
}

#[test]
fn closed_range_past_end_is_cut() {
    assert_eq!(parse_range("bytes=900-5000", 1000), range(900, 999));
    assert_eq!(parse_range("bytes=0-999", 1000), range(0, 999));
}

#[test]
fn open_range_runs_to_end() {
    assert_eq!(parse_range("bytes=0-", 1000), range(0, 999));
    assert_eq!(parse_range("bytes=999-", 1000), range(999, 999));
}

#[test]
fn suffix_range_takes_last_bytes() {
    assert_eq!(parse_range("bytes=-1", 1000), range(999, 999));
    assert_eq!(parse_range("bytes=-500", 1000), range(500, 999));
}

#[test]
fn suffix_longer_than_file_is_whole_file() {
    assert_eq!(parse_range("bytes=-5000", 1000), range(0, 999));
}

#[test]
fn start_at_or_past_end_is_unsatisfiable() {
    assert_eq!(parse_range("bytes=1000-", 1000), unsatisfiable(1000));
    assert_eq!(parse_range("bytes=1000-2000", 1000), unsatisfiable(1000));
    assert_eq!(parse_range("bytes=5000-", 1000), unsatisfiable(1000));
}

#[test]
fn zero_suffix_is_unsatisfiable() {
    assert_eq!(parse_range("bytes=-0", 1000), unsatisfiable(1000));
}

#[test]
fn empty_file_is_unsatisfiable() {
    assert_eq!(parse_range("bytes=0-", 0), unsatisfiable(0));
    assert_eq!(parse_range("bytes=0-0", 0), unsatisfiable(0));
    assert_eq!(parse_range("bytes=-10", 0), unsatisfiable(0));
}

#[test]
fn unsatisfiable_gives_416_content_range() {
    let error = parse_range("bytes=2000-", 1234).expect_err("past the end");
    assert!(!error.serve_whole_file());
    assert_eq!(error.content_range().as_deref(), Some("bytes */1234"));
    assert_eq!(
        error.to_string(),
        "the requested range is outside the file of 1234 bytes"
    );
}

#[test]
fn reversed_range_is_invalid() {
    assert_eq!(parse_range("bytes=500-100", 1000), invalid("bytes=500-100"));
}

#[test]
fn malformed_values_are_invalid() {
    let cases = [
        "",
        "bytes",
        "bytes=",
        "bytes=-",
        "bytes=abc-def",
        "bytes=1-2-3",
        "bytes=+1-2",
        "bytes=1 -2",
        "bytes=0x10-",
        "items=0-10",
        "bytes 0-10",
        "bytes=١-٢",
    ];
    for value in cases {
        assert_eq!(parse_range(value, 1000), invalid(value), "{value:?}");
    }
}

#[test]
fn invalid_header_serves_whole_file() {
    let error = parse_range("bytes=x", 1000).expect_err("invalid");
    assert!(error.serve_whole_file());
    assert_eq!(error.content_range(), None);
}

#[test]
fn unit_is_case_insensitive() {
    assert_eq!(parse_range("Bytes=0-1", 10), range(0, 1));
    assert_eq!(parse_range("BYTES=0-1", 10), range(0, 1));
}

#[test]
fn spaces_around_range_are_allowed() {
    assert_eq!(parse_range("bytes= 0-1 ", 10), range(0, 1));
    assert_eq!(parse_range(" bytes =0-1", 10), range(0, 1));
}

#[test]
fn empty_list_elements_are_skipped() {
    assert_eq!(parse_range("bytes=,0-1,", 10), range(0, 1));
}

#[test]
fn multiple_ranges_serve_whole_file() {
    let error = parse_range("bytes=0-1, 5-6", 10).expect_err("two ranges");
    assert_eq!(error, RangeError::MultipleRanges { count: 2 });
    assert!(error.serve_whole_file());
}

#[test]
fn multiple_ranges_with_bad_element_are_invalid() {
    assert_eq!(parse_range("bytes=0-1,x", 10), invalid("bytes=0-1,x"));
}

#[test]
fn huge_positions_do_not_overflow() {
    let huge = "bytes=99999999999999999999999-";
    assert_eq!(parse_range(huge, 1000), unsatisfiable(1000));
    assert_eq!(
        parse_range("bytes=0-99999999999999999999999", 1000),
        range(0, 999)
    );
    assert_eq!(
        parse_range("bytes=-99999999999999999999999", 1000),
        range(0, 999)
    );
    assert_eq!(parse_range("bytes=0-", u64::MAX), range(0, u64::MAX - 1));
}

#[test]
fn content_range_and_length() {
    let byte_range = ByteRange {
        first: 0,
        last: 499,
    };
    assert_eq!(byte_range.len(), 500);
    assert_eq!(byte_range.content_range(1234), "bytes 0-499/1234");
}
