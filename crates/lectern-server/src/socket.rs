//! The server's end of a WebSocket, shared by the board and control
//! sockets.
//!
//! warp builds its sockets with tungstenite's default buffers: two 4 KiB
//! read buffers, and a write buffer that keeps the capacity of the largest
//! frame it ever sent. A room has hundreds of mostly idle connections, so
//! these sockets are built from the raw HTTP upgrade instead (see
//! [`crate::http_server::PendingUpgrade`]), with a small read buffer, and
//! long messages bypass tungstenite's write buffer (see
//! [`MAX_BUFFERED_PAYLOAD`]). On a TCP connection, large board frames
//! go from their file with `sendfile` (see [`crate::frame_file`]).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use lectern_board::Frame;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use warp::http::StatusCode;
use warp::http::header::{CONNECTION, HeaderValue, SEC_WEBSOCKET_ACCEPT, UPGRADE};
use warp::hyper::Body;
use warp::hyper::server::conn::AddrStream;
use warp::hyper::upgrade::{OnUpgrade, Upgraded};
use warp::reply::Response;

use crate::frame_file::{FrameFile, FrameFiles};
use crate::write_batch::{BatchedWrites, SendFile, SharedFrames};

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
pub type ServerSocket = WebSocketStream<BatchedWrites<Transport>>;

/// The connection under a server socket.
#[derive(Debug)]
pub enum Transport {
    /// A TCP connection, and the bytes hyper read past the HTTP request.
    Tcp { stream: TcpStream, unread: Bytes },
    /// Any other upgraded connection.
    Upgraded(Upgraded),
}

impl Transport {
    /// Unwraps a TCP connection from hyper's upgrade, so that large frames
    /// can be sent with `sendfile`.
    fn from_upgraded(upgraded: Upgraded) -> Self {
        match upgraded.downcast::<AddrStream>() {
            // The bytes are copied out, because `read_buf` can keep
            // hyper's whole read buffer (8 KiB) alive for as long as the
            // socket is open.
            Ok(parts) => Self::Tcp {
                stream: parts.io.into_inner(),
                unread: Bytes::copy_from_slice(&parts.read_buf),
            },
            Err(upgraded) => Self::Upgraded(upgraded),
        }
    }
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Tcp { unread, .. } if !unread.is_empty() => {
                let count = unread.len().min(buffer.remaining());
                buffer.put_slice(&unread[..count]);
                unread.advance(count);
                Poll::Ready(Ok(()))
            }
            Self::Tcp { stream, .. } => Pin::new(stream).poll_read(context, buffer),
            Self::Upgraded(upgraded) => Pin::new(upgraded).poll_read(context, buffer),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Tcp { stream, .. } => Pin::new(stream).poll_write(context, bytes),
            Self::Upgraded(upgraded) => Pin::new(upgraded).poll_write(context, bytes),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        slices: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Tcp { stream, .. } => Pin::new(stream).poll_write_vectored(context, slices),
            Self::Upgraded(upgraded) => Pin::new(upgraded).poll_write_vectored(context, slices),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Self::Tcp { stream, .. } => stream.is_write_vectored(),
            Self::Upgraded(upgraded) => upgraded.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Tcp { stream, .. } => Pin::new(stream).poll_flush(context),
            Self::Upgraded(upgraded) => Pin::new(upgraded).poll_flush(context),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Tcp { stream, .. } => Pin::new(stream).poll_shutdown(context),
            Self::Upgraded(upgraded) => Pin::new(upgraded).poll_shutdown(context),
        }
    }
}

impl SendFile for Transport {
    fn can_send_file(&self) -> bool {
        cfg!(target_os = "linux") && matches!(self, Self::Tcp { .. })
    }

    #[cfg(target_os = "linux")]
    fn poll_send_file(
        &mut self,
        context: &mut Context<'_>,
        file: &FrameFile,
        offset: usize,
        len: usize,
    ) -> Poll<io::Result<usize>> {
        let Self::Tcp { stream, .. } = self else {
            return Poll::Ready(Err(io::ErrorKind::Unsupported.into()));
        };
        loop {
            std::task::ready!(stream.poll_write_ready(context))?;
            let sent = stream.try_io(tokio::io::Interest::WRITABLE, || {
                file.send_to(&*stream, offset, len)
            });
            match sent {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                sent => return Poll::Ready(sent),
            }
        }
    }
}

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
    files: Option<Arc<FrameFiles>>,
) -> Result<(ServerSink, SplitStream<ServerSocket>), warp::hyper::Error> {
    let transport = Transport::from_upgraded(upgrade.await?);
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        // tungstenite hands each frame on at once, and `BatchedWrites`
        // gathers them and frees its buffers after every flush.
        .write_buffer_size(0)
        .max_message_size(Some(max_message_bytes))
        .max_frame_size(Some(max_message_bytes));

    let (batched, shared) = BatchedWrites::new(transport);
    let (tungstenite, stream) =
        WebSocketStream::from_raw_socket(batched, Role::Server, Some(config))
            .await
            .split();
    Ok((
        ServerSink {
            tungstenite,
            shared,
            files,
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
    /// The files of large board frames, or `None` on a control socket.
    files: Option<Arc<FrameFiles>>,
}

impl ServerSink {
    /// Sends `payload` as one binary message.
    pub async fn send_binary(&mut self, payload: Bytes) -> Result<(), WsError> {
        if payload.len() <= MAX_BUFFERED_PAYLOAD {
            return self.tungstenite.send(Message::Binary(payload)).await;
        }
        self.send_direct(Data::Binary, payload, None).await
    }

    /// Sends a board frame as one binary message, from the frame's file
    /// when it is large enough to have one.
    pub async fn send_frame(&mut self, frame: Frame) -> Result<(), WsError> {
        if frame.len() <= MAX_BUFFERED_PAYLOAD {
            return self.send_binary(Bytes::from_owner(frame)).await;
        }
        let file = self.files.as_ref().and_then(|files| files.file_for(&frame));
        self.send_direct(Data::Binary, Bytes::from_owner(frame), file)
            .await
    }

    /// Sends `text` as one text message.
    pub async fn send_text(&mut self, text: String) -> Result<(), WsError> {
        if text.len() <= MAX_BUFFERED_PAYLOAD {
            return self.tungstenite.send(Message::Text(text.into())).await;
        }
        self.send_direct(Data::Text, Bytes::from(text.into_bytes()), None)
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
    async fn send_direct(
        &mut self,
        data: Data,
        payload: Bytes,
        file: Option<Arc<FrameFile>>,
    ) -> Result<(), WsError> {
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
        self.shared.queue(Bytes::from(encoded), payload, file);
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

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpSocket};

    use super::*;

    /// Returns a connected pair: a sending stream with a small send buffer,
    /// so that large writes go out in many parts, and the receiving stream.
    async fn tcp_pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let socket = TcpSocket::new_v4().expect("socket");
        socket.set_send_buffer_size(8 * 1024).expect("send buffer");
        let sender = socket
            .connect(listener.local_addr().expect("address"))
            .await
            .expect("connect");
        let (receiver, _) = listener.accept().await.expect("accept");
        (sender, receiver)
    }

    #[tokio::test]
    async fn tcp_transport_sends_payload_from_file() {
        let (sender, mut receiver) = tcp_pair().await;
        let transport = Transport::Tcp {
            stream: sender,
            unread: Bytes::new(),
        };
        assert!(transport.can_send_file());
        let (mut writer, shared) = BatchedWrites::new(transport);
        let reading = tokio::spawn(async move {
            let mut received = vec![0_u8; 12 + 1_000_000 + 5];
            receiver.read_exact(&mut received).await.expect("read");
            received
        });

        // The file and the queued bytes differ on purpose: what arrives
        // shows which of the two was sent.
        let content: Frame = (0..1_000_000_u32)
            .map(|at| (at % 251) as u8)
            .collect::<Vec<_>>()
            .into();
        let file = Arc::new(FrameFile::create(&content).expect("file"));
        let in_memory = Bytes::from(vec![0_u8; content.len()]);
        writer.write_all(b"before").await.expect("write");
        shared.queue(Bytes::from_static(b"[head]"), in_memory, Some(file));
        writer.write_all(b"after").await.expect("write");
        writer.flush().await.expect("flush");
        let received = reading.await.expect("reader task");

        assert_eq!(&received[..12], b"before[head]");
        assert!(
            received[12..12 + content.len()] == content[..],
            "sent from the file"
        );
        assert_eq!(&received[12 + content.len()..], b"after");
    }

    #[tokio::test]
    async fn tcp_transport_reads_early_bytes_first() {
        let (mut sender, receiver) = tcp_pair().await;
        let mut transport = Transport::Tcp {
            stream: receiver,
            unread: Bytes::from_static(b"read by hyper,"),
        };
        sender.write_all(b" then by us").await.expect("write");

        let mut received = vec![0_u8; 25];
        transport.read_exact(&mut received).await.expect("read");
        assert_eq!(&received, b"read by hyper, then by us");
    }
}
