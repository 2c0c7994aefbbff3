//! lib0 variable-length encoding, the framing every y-websocket message uses.
//!
//! An unsigned integer is written seven bits at a time, least significant group
//! first, with the high bit of each byte set while more bytes follow. Byte
//! arrays and strings are a length in that encoding followed by the bytes.

use thiserror::Error;

/// The longest varint accepted: ten bytes carry 64 bits.
const MAX_VARINT_BYTES: usize = 10;

/// A lib0 value that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("unexpected end of message while reading {what} at byte {offset}")]
    UnexpectedEnd { what: &'static str, offset: usize },

    #[error("varint at byte {offset} is longer than 64 bits")]
    VarintOverflow { offset: usize },

    #[error("{what} at byte {offset} declares {declared} bytes but only {remaining} remain")]
    LengthExceedsFrame {
        what: &'static str,
        offset: usize,
        declared: u64,
        remaining: usize,
    },

    #[error("string at byte {offset} is not valid UTF-8")]
    InvalidUtf8 { offset: usize },
}

/// A cursor over a received frame.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, offset: 0 }
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn is_empty(&self) -> bool {
        self.offset >= self.bytes.len()
    }

    /// Reads an unsigned varint; `what` names the field in errors.
    pub fn read_var_u64(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        let start = self.offset;
        let mut value: u64 = 0;

        for index in 0..MAX_VARINT_BYTES {
            let Some(&byte) = self.bytes.get(self.offset) else {
                return Err(DecodeError::UnexpectedEnd {
                    what,
                    offset: self.offset,
                });
            };
            self.offset += 1;

            let group = u64::from(byte & 0x7f);
            let shift = 7 * index as u32;
            if shift == 63 && group > 1 {
                return Err(DecodeError::VarintOverflow { offset: start });
            }
            value |= group << shift;

            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }

        Err(DecodeError::VarintOverflow { offset: start })
    }

    /// Reads one byte.
    pub fn read_u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        let byte = *self
            .bytes
            .get(self.offset)
            .ok_or(DecodeError::UnexpectedEnd {
                what,
                offset: self.offset,
            })?;
        self.offset += 1;
        Ok(byte)
    }

    /// Reads a length-prefixed byte array without copying it.
    pub fn read_var_bytes(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let start = self.offset;
        let declared = self.read_var_u64(what)?;
        let remaining = self.bytes.len() - self.offset;

        let length = usize::try_from(declared)
            .ok()
            .filter(|&length| length <= remaining)
            .ok_or(DecodeError::LengthExceedsFrame {
                what,
                offset: start,
                declared,
                remaining,
            })?;

        let slice = &self.bytes[self.offset..self.offset + length];
        self.offset += length;
        Ok(slice)
    }

    /// Reads a length-prefixed UTF-8 string.
    pub fn read_var_string(&mut self, what: &'static str) -> Result<&'a str, DecodeError> {
        let start = self.offset;
        let bytes = self.read_var_bytes(what)?;
        std::str::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8 { offset: start })
    }
}

/// Appends `value` as a varint.
pub fn write_var_u64(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Appends a length-prefixed byte array.
pub fn write_var_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_var_u64(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Appends a length-prefixed UTF-8 string.
pub fn write_var_string(out: &mut Vec<u8>, text: &str) {
    write_var_bytes(out, text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_round_trips_edge_values() {
        for value in [0, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut out = Vec::new();
            write_var_u64(&mut out, value);
            let mut reader = Reader::new(&out);
            assert_eq!(reader.read_var_u64("value"), Ok(value));
            assert!(reader.is_empty());
        }
    }

    #[test]
    fn varint_matches_lib0_bytes() {
        let mut out = Vec::new();
        write_var_u64(&mut out, 300);
        assert_eq!(out, [0xac, 0x02]);
    }

    #[test]
    fn truncated_varint_is_rejected() {
        let mut reader = Reader::new(&[0x80, 0x80]);
        assert_eq!(
            reader.read_var_u64("message type"),
            Err(DecodeError::UnexpectedEnd {
                what: "message type",
                offset: 2
            })
        );
    }

    #[test]
    fn overlong_varint_is_rejected() {
        let bytes = [0xff; 11];
        let mut reader = Reader::new(&bytes);
        assert_eq!(
            reader.read_var_u64("length"),
            Err(DecodeError::VarintOverflow { offset: 0 })
        );
    }

    #[test]
    fn declared_length_beyond_frame_is_rejected() {
        let mut reader = Reader::new(&[5, 1, 2]);
        assert_eq!(
            reader.read_var_bytes("update"),
            Err(DecodeError::LengthExceedsFrame {
                what: "update",
                offset: 0,
                declared: 5,
                remaining: 2
            })
        );
    }

    #[test]
    fn invalid_utf8_string_is_rejected() {
        let mut reader = Reader::new(&[2, 0xc3, 0x28]);
        assert_eq!(
            reader.read_var_string("reason"),
            Err(DecodeError::InvalidUtf8 { offset: 0 })
        );
    }
}
