//! The framings of y-websocket messages that the servers use.
//!
//! Lectern, the raw broadcast server, the Node.js y-websocket server and
//! y-sweet send y-websocket messages as they are ([`Framing::YWebsocket`]).
//! Hocuspocus ([`Framing::Hocuspocus`]) multiplexes documents over one
//! socket, so each of its frames carries one message that starts with the
//! document name as a lib0 var-string. After the name come its own message
//! types, a superset of y-websocket's:
//!
//! | type | body |
//! |------|------|
//! | 0 sync, 4 sync reply | a y-protocols sync message (step 1, step 2 or update) |
//! | 1 awareness | a byte array holding an awareness update |
//! | 2 auth | varint 0 token, 1 permission denied + reason, 2 authenticated + scope |
//! | 3 query awareness | nothing |
//! | 5 stateless, 6 broadcast stateless, 7 close, 8 sync status | not used by the bench |
//!
//! A Hocuspocus server queues every message of a document until the client
//! has sent an auth message with a token for it, so [`Codec::opening`]
//! returns that message and the clients send it first. Without an
//! `onAuthenticate` hook the server accepts any token; the bench sends an
//! empty one. The layout was read from `@hocuspocus/server` 3.4.4
//! (`ClientConnection.ts`, `MessageReceiver.ts`, `OutgoingMessage.ts`) and
//! `@hocuspocus/common` 3.4.4 (`auth.ts`).

use lectern_board::encoding::{DecodeError, Reader, write_var_string, write_var_u64};
use lectern_board::protocol::{Message, ProtocolError, decode_frame, encode_into};
use thiserror::Error;

const HOCUSPOCUS_SYNC: u64 = 0;
const HOCUSPOCUS_AWARENESS: u64 = 1;
const HOCUSPOCUS_AUTH: u64 = 2;
const HOCUSPOCUS_QUERY_AWARENESS: u64 = 3;
const HOCUSPOCUS_SYNC_REPLY: u64 = 4;
const HOCUSPOCUS_STATELESS: u64 = 5;
const HOCUSPOCUS_BROADCAST_STATELESS: u64 = 6;
const HOCUSPOCUS_CLOSE: u64 = 7;
const HOCUSPOCUS_SYNC_STATUS: u64 = 8;

const SYNC_STEP_1: u64 = 0;
const SYNC_STEP_2: u64 = 1;
const SYNC_UPDATE: u64 = 2;

const AUTH_TOKEN: u64 = 0;
const AUTH_PERMISSION_DENIED: u64 = 1;
const AUTH_AUTHENTICATED: u64 = 2;

/// The wire format a server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Framing {
    /// Plain y-websocket messages, several per frame allowed.
    #[default]
    YWebsocket,
    /// One message per frame, prefixed with the document name. The bench
    /// puts the document name in the last path segment of the URL.
    Hocuspocus,
}

impl Framing {
    /// Returns the codec for one connection to `url`.
    pub fn codec(self, url: &str) -> Result<Codec, FramingError> {
        let document = match self {
            Self::YWebsocket => None,
            Self::Hocuspocus => Some(document_from_url(url)?),
        };
        Ok(Codec { document })
    }
}

/// A frame that does not fit the server's framing.
#[derive(Debug, Error)]
pub enum FramingError {
    #[error(transparent)]
    Protocol(#[from] ProtocolError),

    #[error(transparent)]
    Decode(#[from] DecodeError),

    #[error("frame is for document {found:?}, expected {expected:?}")]
    WrongDocument { expected: String, found: String },

    #[error("unknown Hocuspocus message type {message_type}")]
    UnknownMessageType { message_type: u64 },

    #[error("unknown Hocuspocus {what} type {value}")]
    UnknownSubtype { what: &'static str, value: u64 },

    #[error("{count} bytes follow the Hocuspocus message")]
    TrailingBytes { count: usize },

    #[error("invalid Hocuspocus URL {url:?}: its path must end in the document name")]
    NoDocument { url: String },
}

/// Encodes and decodes the frames of one connection.
#[derive(Debug, Clone)]
pub struct Codec {
    /// The Hocuspocus document name, `None` for plain y-websocket.
    document: Option<String>,
}

impl Codec {
    /// Returns the frame to send before anything else, if the server needs
    /// one: Hocuspocus's auth message with an empty token.
    pub fn opening(&self) -> Option<Vec<u8>> {
        let document = self.document.as_deref()?;
        let mut out = Vec::new();
        write_var_string(&mut out, document);
        write_var_u64(&mut out, HOCUSPOCUS_AUTH);
        write_var_u64(&mut out, AUTH_TOKEN);
        write_var_string(&mut out, "");
        Some(out)
    }

    /// Encodes one message as a frame.
    pub fn encode(&self, message: &Message<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(document) = &self.document {
            write_var_string(&mut out, document);
        }
        encode_into(&mut out, message);
        out
    }

    /// Decodes the messages of a frame. Hocuspocus messages that have no
    /// y-websocket counterpart (authenticated, sync status, stateless,
    /// close) decode to nothing.
    pub fn decode<'a>(&self, frame: &'a [u8]) -> Result<Vec<Message<'a>>, FramingError> {
        match &self.document {
            None => Ok(decode_frame(frame)?),
            Some(document) => Ok(decode_hocuspocus(document, frame)?.into_iter().collect()),
        }
    }
}

fn decode_hocuspocus<'a>(
    document: &str,
    frame: &'a [u8],
) -> Result<Option<Message<'a>>, FramingError> {
    let mut reader = Reader::new(frame);
    let found = reader.read_var_string("document name")?;
    if found != document {
        return Err(FramingError::WrongDocument {
            expected: document.to_owned(),
            found: found.to_owned(),
        });
    }

    let message_type = reader.read_var_u64("message type")?;
    let message = match message_type {
        HOCUSPOCUS_SYNC | HOCUSPOCUS_SYNC_REPLY => Some(decode_sync(&mut reader)?),
        HOCUSPOCUS_AWARENESS => Some(Message::Awareness(
            reader.read_var_bytes("awareness update")?,
        )),
        HOCUSPOCUS_AUTH => decode_auth(&mut reader)?,
        HOCUSPOCUS_QUERY_AWARENESS => Some(Message::QueryAwareness),
        HOCUSPOCUS_STATELESS
        | HOCUSPOCUS_BROADCAST_STATELESS
        | HOCUSPOCUS_CLOSE
        | HOCUSPOCUS_SYNC_STATUS => return Ok(None),
        _ => return Err(FramingError::UnknownMessageType { message_type }),
    };

    let count = frame.len() - reader.offset();
    if count > 0 {
        return Err(FramingError::TrailingBytes { count });
    }
    Ok(message)
}

fn decode_sync<'a>(reader: &mut Reader<'a>) -> Result<Message<'a>, FramingError> {
    let sync_type = reader.read_var_u64("sync message type")?;
    match sync_type {
        SYNC_STEP_1 => Ok(Message::SyncStep1(reader.read_var_bytes("state vector")?)),
        SYNC_STEP_2 => Ok(Message::SyncStep2(
            reader.read_var_bytes("sync step 2 update")?,
        )),
        SYNC_UPDATE => Ok(Message::Update(reader.read_var_bytes("update")?)),
        value => Err(FramingError::UnknownSubtype {
            what: "sync message",
            value,
        }),
    }
}

fn decode_auth<'a>(reader: &mut Reader<'a>) -> Result<Option<Message<'a>>, FramingError> {
    match reader.read_var_u64("auth message type")? {
        // The server requests a fresh token, but the bench's token never expires.
        AUTH_TOKEN => Ok(None),
        AUTH_PERMISSION_DENIED => Ok(Some(Message::PermissionDenied(
            reader.read_var_string("permission denied reason")?,
        ))),
        AUTH_AUTHENTICATED => {
            reader.read_var_string("authorized scope")?;
            Ok(None)
        }
        value => Err(FramingError::UnknownSubtype {
            what: "auth message",
            value,
        }),
    }
}

/// Returns the last path segment of `url`, without the query.
fn document_from_url(url: &str) -> Result<String, FramingError> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .split_once('/')
        .map_or("", |(_, path)| path);
    let document = path.rsplit('/').next().unwrap_or_default();
    if document.is_empty() {
        return Err(FramingError::NoDocument {
            url: url.to_owned(),
        });
    }
    Ok(document.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hocuspocus() -> Codec {
        Framing::Hocuspocus
            .codec("ws://127.0.0.1:4000/room-1?x=1")
            .expect("URL has a document")
    }

    #[test]
    fn y_websocket_frames_are_unchanged() {
        let codec = Framing::YWebsocket
            .codec("ws://127.0.0.1:4000/room-1")
            .expect("codec");
        let message = Message::Update(&[1, 2, 3]);
        let frame = codec.encode(&message);
        assert_eq!(frame, lectern_board::protocol::encode(&message));
        assert_eq!(codec.decode(&frame).expect("decodes"), vec![message]);
        assert!(codec.opening().is_none());
    }

    #[test]
    fn document_is_last_path_segment() {
        for (url, document) in [
            ("ws://127.0.0.1:4000/room-1", "room-1"),
            ("ws://127.0.0.1:4000/rooms/room-2?token=a", "room-2"),
        ] {
            assert_eq!(document_from_url(url).expect(url), document);
        }
    }

    #[test]
    fn url_without_document_is_rejected() {
        for url in ["ws://127.0.0.1:4000", "ws://127.0.0.1:4000/"] {
            assert!(Framing::Hocuspocus.codec(url).is_err(), "{url}");
        }
    }

    #[test]
    fn hocuspocus_encode_prefixes_document() {
        let frame = hocuspocus().encode(&Message::Update(&[9]));
        assert_eq!(frame, b"\x06room-1\x00\x02\x01\x09");
    }

    #[test]
    fn hocuspocus_opening_is_auth_token() {
        let opening = hocuspocus().opening().expect("Hocuspocus needs auth");
        assert_eq!(opening, b"\x06room-1\x02\x00\x00");
    }

    #[test]
    fn hocuspocus_decode_strips_document() {
        let codec = hocuspocus();
        let frame = codec.encode(&Message::SyncStep2(&[7, 7]));
        assert_eq!(
            codec.decode(&frame).expect("decodes"),
            vec![Message::SyncStep2(&[7, 7])]
        );
    }

    #[test]
    fn hocuspocus_sync_reply_is_sync() {
        let frame = b"\x06room-1\x04\x00\x01\x05";
        assert_eq!(
            hocuspocus().decode(frame).expect("decodes"),
            vec![Message::SyncStep1(&[5])]
        );
    }

    #[test]
    fn hocuspocus_status_messages_decode_to_nothing() {
        for frame in [
            &b"\x06room-1\x08\x01"[..],
            &b"\x06room-1\x02\x02\x0aread-write"[..],
        ] {
            assert!(hocuspocus().decode(frame).expect("decodes").is_empty());
        }
    }

    #[test]
    fn hocuspocus_permission_denied_is_reported() {
        let frame = b"\x06room-1\x02\x01\x02no";
        assert_eq!(
            hocuspocus().decode(frame).expect("decodes"),
            vec![Message::PermissionDenied("no")]
        );
    }

    #[test]
    fn hocuspocus_other_document_is_rejected() {
        let frame = b"\x06room-2\x00\x02\x01\x09";
        assert!(matches!(
            hocuspocus().decode(frame),
            Err(FramingError::WrongDocument { .. })
        ));
    }

    #[test]
    fn hocuspocus_trailing_bytes_are_rejected() {
        let frame = b"\x06room-1\x00\x02\x01\x09\x00";
        assert!(matches!(
            hocuspocus().decode(frame),
            Err(FramingError::TrailingBytes { count: 1 })
        ));
    }
}
