//! The y-websocket wire protocol (y-protocols `sync`, `awareness` and `auth`).
//!
//! Every frame carries one or more messages back to back. A message starts
//! with its type as a varint:
//!
//! | type | body |
//! |------|------|
//! | 0 sync | sub-type varint: 0 step 1 (state vector), 1 step 2 (update), 2 update; then a byte array |
//! | 1 awareness | a byte array holding an awareness update |
//! | 2 auth | varint 0 (permission denied), then a reason string |
//! | 3 query awareness | nothing |

use thiserror::Error;

use crate::encoding::{DecodeError, Reader, write_var_bytes, write_var_string, write_var_u64};

const MESSAGE_SYNC: u64 = 0;
const MESSAGE_AWARENESS: u64 = 1;
const MESSAGE_AUTH: u64 = 2;
const MESSAGE_QUERY_AWARENESS: u64 = 3;

const SYNC_STEP_1: u64 = 0;
const SYNC_STEP_2: u64 = 1;
const SYNC_UPDATE: u64 = 2;

const AUTH_PERMISSION_DENIED: u64 = 0;

/// One decoded y-websocket message, borrowing its payload from the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message<'a> {
    /// The sender's state vector: it asks for everything it lacks.
    SyncStep1(&'a [u8]),
    /// The reply to step 1: a v1 update with what the other side lacked.
    SyncStep2(&'a [u8]),
    /// A v1 update produced by an edit.
    Update(&'a [u8]),
    /// An awareness update (cursors, names, selections).
    Awareness(&'a [u8]),
    /// The server refused an action; clients never send this.
    PermissionDenied(&'a str),
    /// The sender asks for every known awareness state.
    QueryAwareness,
}

/// A frame that breaks the protocol.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtocolError {
    #[error("malformed frame: {0}")]
    Decode(#[from] DecodeError),

    #[error("unknown message type {message_type} at byte {offset}")]
    UnknownMessageType { message_type: u64, offset: usize },

    #[error("unknown sync message type {sync_type} at byte {offset}")]
    UnknownSyncType { sync_type: u64, offset: usize },

    #[error("unknown auth message type {auth_type} at byte {offset}")]
    UnknownAuthType { auth_type: u64, offset: usize },

    #[error("empty frame")]
    EmptyFrame,
}

/// Decodes every message in a frame.
///
/// The whole frame is decoded before any message is acted on, so a frame that
/// ends in garbage has no effect at all.
pub fn decode_frame(frame: &[u8]) -> Result<Vec<Message<'_>>, ProtocolError> {
    if frame.is_empty() {
        return Err(ProtocolError::EmptyFrame);
    }

    let mut reader = Reader::new(frame);
    let mut messages = Vec::new();
    while !reader.is_empty() {
        messages.push(decode_message(&mut reader)?);
    }
    Ok(messages)
}

fn decode_message<'a>(reader: &mut Reader<'a>) -> Result<Message<'a>, ProtocolError> {
    let offset = reader.offset();
    let message_type = reader.read_var_u64("message type")?;

    match message_type {
        MESSAGE_SYNC => decode_sync(reader),
        MESSAGE_AWARENESS => Ok(Message::Awareness(
            reader.read_var_bytes("awareness update")?,
        )),
        MESSAGE_AUTH => {
            let auth_offset = reader.offset();
            let auth_type = reader.read_var_u64("auth message type")?;
            if auth_type != AUTH_PERMISSION_DENIED {
                return Err(ProtocolError::UnknownAuthType {
                    auth_type,
                    offset: auth_offset,
                });
            }
            Ok(Message::PermissionDenied(
                reader.read_var_string("permission denied reason")?,
            ))
        }
        MESSAGE_QUERY_AWARENESS => Ok(Message::QueryAwareness),
        _ => Err(ProtocolError::UnknownMessageType {
            message_type,
            offset,
        }),
    }
}

fn decode_sync<'a>(reader: &mut Reader<'a>) -> Result<Message<'a>, ProtocolError> {
    let offset = reader.offset();
    let sync_type = reader.read_var_u64("sync message type")?;

    match sync_type {
        SYNC_STEP_1 => Ok(Message::SyncStep1(reader.read_var_bytes("state vector")?)),
        SYNC_STEP_2 => Ok(Message::SyncStep2(
            reader.read_var_bytes("sync step 2 update")?,
        )),
        SYNC_UPDATE => Ok(Message::Update(reader.read_var_bytes("update")?)),
        _ => Err(ProtocolError::UnknownSyncType { sync_type, offset }),
    }
}

/// Encodes one message as a frame of its own.
pub fn encode(message: &Message<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(&mut out, message);
    out
}

/// Appends one message to `out`, so several can share a frame.
pub fn encode_into(out: &mut Vec<u8>, message: &Message<'_>) {
    match message {
        Message::SyncStep1(state_vector) => {
            write_var_u64(out, MESSAGE_SYNC);
            write_var_u64(out, SYNC_STEP_1);
            write_var_bytes(out, state_vector);
        }
        Message::SyncStep2(update) => {
            write_var_u64(out, MESSAGE_SYNC);
            write_var_u64(out, SYNC_STEP_2);
            write_var_bytes(out, update);
        }
        Message::Update(update) => {
            write_var_u64(out, MESSAGE_SYNC);
            write_var_u64(out, SYNC_UPDATE);
            write_var_bytes(out, update);
        }
        Message::Awareness(update) => {
            write_var_u64(out, MESSAGE_AWARENESS);
            write_var_bytes(out, update);
        }
        Message::PermissionDenied(reason) => {
            write_var_u64(out, MESSAGE_AUTH);
            write_var_u64(out, AUTH_PERMISSION_DENIED);
            write_var_string(out, reason);
        }
        Message::QueryAwareness => write_var_u64(out, MESSAGE_QUERY_AWARENESS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_round_trips() {
        let messages = [
            Message::SyncStep1(&[0]),
            Message::SyncStep2(&[0, 0]),
            Message::Update(&[1, 2, 3]),
            Message::Awareness(&[0]),
            Message::PermissionDenied("read-only"),
            Message::QueryAwareness,
        ];
        for message in messages {
            let frame = encode(&message);
            assert_eq!(decode_frame(&frame), Ok(vec![message]));
        }
    }

    #[test]
    fn several_messages_in_one_frame() {
        let mut frame = Vec::new();
        encode_into(&mut frame, &Message::SyncStep1(&[0]));
        encode_into(&mut frame, &Message::QueryAwareness);
        encode_into(&mut frame, &Message::Update(&[0, 0]));

        let decoded = decode_frame(&frame).expect("valid frame");
        assert_eq!(
            decoded,
            [
                Message::SyncStep1(&[0]),
                Message::QueryAwareness,
                Message::Update(&[0, 0])
            ]
        );
    }

    #[test]
    fn unknown_message_type_is_named() {
        let error = decode_frame(&[7]).expect_err("type 7 is unknown");
        assert_eq!(
            error.to_string(),
            "unknown message type 7 at byte 0",
            "the error names the type and where it was"
        );
    }

    #[test]
    fn unknown_sync_type_is_rejected() {
        assert_eq!(
            decode_frame(&[0, 9, 0]),
            Err(ProtocolError::UnknownSyncType {
                sync_type: 9,
                offset: 1
            })
        );
    }

    #[test]
    fn garbage_after_valid_message_rejects_frame() {
        let mut frame = encode(&Message::QueryAwareness);
        frame.push(0x80);
        assert!(decode_frame(&frame).is_err());
    }

    #[test]
    fn empty_frame_is_rejected() {
        assert_eq!(decode_frame(&[]), Err(ProtocolError::EmptyFrame));
    }
}
