//! The server's end of a WebSocket, shared by the board and control
//! sockets.
//!
//! warp builds its sockets with tungstenite's default buffers: two 4 KiB
//! read buffers, and a write buffer that keeps the capacity of the largest
//! frame it ever sent. A room has hundreds of mostly idle connections, so
//! these sockets are built from the raw HTTP upgrade instead (see
//! [`crate::http_server::PendingUpgrade`]), with a small read buffer, and
//! long messages bypass tungstenite's write buffer (see
//! [`MAX_BUFFERED_PAYLOAD`]).

use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use warp::http::StatusCode;
use warp::http::header::{CONNECTION, HeaderValue, SEC_WEBSOCKET_ACCEPT, UPGRADE};
use warp::hyper::Body;
use warp::hyper::upgrade::{OnUpgrade, Upgraded};
use warp::reply::Response;

use crate::write_batch::{BatchedWrites, SharedFrames};

/// Initial size of a socket's read buffer. Clients mostly send small
/// frames, and once a frame's header is read the buffer grows to the
/// frame's whole length, so a small buffer adds no reads for large
/// messages. tungstenite 0.26 defaults to 128 KiB.
const READ_BUFFER_BYTES: usize = 512;

/// Maximum message payload sent through tungstenite. tungstenite copies
/// each frame into a write buffer that keeps its peak capacity until the
/// socket closes. Through it, the presence update of a room with 500
/// students (500 ids of 36 characters, about 19 KiB) would keep that much
/// on every connection. A longer message is queued on [`BatchedWrites`]
/// as one frame whose payload is the sender's own copy, so it takes no
/// memory of the connection's and is not copied before the kernel.
const MAX_BUFFERED_PAYLOAD: usize = 1024;

/// A WebSocket on an upgraded HTTP connection.
pub type ServerSocket = WebSocketStream<BatchedWrites<Upgraded>>;

/// Returns the `101 Switching Protocols` response to a WebSocket handshake
/// with `key` as its `Sec-WebSocket-Key` (RFC 6455, section 4.2.2).
pub fn switching_protocols(key: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    let accept = derive_accept_key(key.as_bytes());
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

/// Completes the HTTP upgrade and returns the socket's sending and
/// receiving halves. Messages and frames over `max_message_bytes` end the
/// stream with a capacity error.
///
/// # Errors
///
/// The upgrade's error when the client went away before it completed.
pub async fn accept(
    upgrade: OnUpgrade,
    max_message_bytes: usize,
) -> Result<(ServerSink, SplitStream<ServerSocket>), warp::hyper::Error> {
    let upgraded = upgrade.await?;
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        // tungstenite hands each frame on at once, and `BatchedWrites`
        // gathers them and frees its buffers after every flush.
        .write_buffer_size(0)
        .max_message_size(Some(max_message_bytes))
        .max_frame_size(Some(max_message_bytes));

    let (batched, shared) = BatchedWrites::new(upgraded);
    let (tungstenite, stream) =
        WebSocketStream::from_raw_socket(batched, Role::Server, Some(config))
            .await
            .split();
    Ok((
        ServerSink {
            tungstenite,
            shared,
        },
        stream,
    ))
}

/// The sending half of a server socket.
pub struct ServerSink {
    /// Short messages and control frames, encoded by tungstenite.
    tungstenite: SplitSink<ServerSocket, Message>,
    /// The direct path for long messages.
    shared: SharedFrames,
}

impl ServerSink {
    /// Sends `payload` as one binary message.
    pub async fn send_binary(&mut self, payload: Bytes) -> Result<(), WsError> {
        if payload.len() <= MAX_BUFFERED_PAYLOAD {
            return self.tungstenite.send(Message::Binary(payload)).await;
        }
        self.send_direct(Data::Binary, payload).await
    }

    /// Sends `text` as one text message.
    pub async fn send_text(&mut self, text: String) -> Result<(), WsError> {
        if text.len() <= MAX_BUFFERED_PAYLOAD {
            return self.tungstenite.send(Message::Text(text.into())).await;
        }
        self.send_direct(Data::Text, Bytes::from(text.into_bytes()))
            .await
    }

    /// Sends a control frame, such as a ping or a close frame.
    pub async fn send_control(&mut self, message: Message) -> Result<(), WsError> {
        self.tungstenite.send(message).await
    }

    /// Flushes what is queued and completes the close handshake's sending
    /// side.
    pub async fn close(&mut self) -> Result<(), WsError> {
        self.tungstenite.close().await
    }

    /// Queues one data frame directly on the socket (see
    /// [`MAX_BUFFERED_PAYLOAD`]) and flushes it.
    async fn send_direct(&mut self, data: Data, payload: Bytes) -> Result<(), WsError> {
        // Every earlier send ended with a flush, so tungstenite has no
        // part of a data frame left. A pong it writes meanwhile is a whole
        // frame, and goes before or after this one.
        let header = FrameHeader {
            is_final: true,
            opcode: OpCode::Data(data),
            ..FrameHeader::default()
        };
        let mut encoded = Vec::with_capacity(header.len(payload.len() as u64));
        header.format(payload.len() as u64, &mut encoded)?;
        self.shared.queue(Bytes::from(encoded), payload);
        self.tungstenite.flush().await
    }
}

/// Returns a close frame with `code` and `reason`.
pub fn close_message(code: u16, reason: String) -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    }))
}
