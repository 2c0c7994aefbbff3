//! One board WebSocket: a reader loop and a writer task.
//!
//! The reader forwards binary frames to the room actor and stops at the
//! first error. The writer drains the connection's bounded outbox, pings on
//! a timer, and sends the close frame when the actor or the reader asks for
//! one. Either side ending cancels the other.
//!
//! The socket's buffers are sized for hundreds of mostly idle connections
//! per room: see [`READ_BUFFER_BYTES`] and [`MAX_BUFFERED_PAYLOAD`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use lectern_board::{Access, ConnectionId, Frame};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, info, info_span, warn};
use warp::hyper::upgrade::{OnUpgrade, Upgraded};

use crate::room::{
    CloseSignal, ConnectionLink, JoinRequest, RoomCommand, RoomRegistry, close_code,
};
use crate::write_batch::{BatchedWrites, SharedFrames};

/// An empty awareness update (zero entries). Stock y-websocket clients
/// reconnect after 30 s without any message, so an idle room sends this
/// with every ping; applying it changes nothing.
const KEEPALIVE_FRAME: [u8; 3] = [1, 1, 0];

/// Initial size of the socket's read buffer. Clients mostly send small
/// frames, and once a frame's header is read the buffer grows to the
/// frame's whole length, so a small buffer adds no reads for large
/// updates. tungstenite 0.26 defaults to 128 KiB.
const READ_BUFFER_BYTES: usize = 512;

/// Maximum message payload sent through tungstenite. tungstenite copies
/// each frame into a write buffer that keeps its peak capacity until the
/// socket closes. Through it, the presence update of a room with 500
/// students (500 ids of 36 characters, about 19 KiB) would keep that much
/// on every connection. A longer message is queued on [`BatchedWrites`]
/// as one frame whose payload is the room's own copy, so it takes no
/// memory of the connection's and is not copied before the kernel.
const MAX_BUFFERED_PAYLOAD: usize = 1024;

/// A board WebSocket on an upgraded HTTP connection.
type BoardSocket = WebSocketStream<BatchedWrites<Upgraded>>;

/// Identity and rights of a connecting client, settled before the upgrade.
#[derive(Debug, Clone)]
pub struct BoardTicket {
    pub room_id: String,
    pub participant_id: String,
    pub is_lecturer: bool,
    pub access: Access,
}

/// Limits that apply to one connection.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_message_bytes: usize,
    pub outbox_frames: usize,
    pub ping_interval: Duration,
}

/// Completes the HTTP upgrade, then runs the board connection until
/// either side closes it.
pub fn run(
    upgrade: OnUpgrade,
    connection: ConnectionId,
    ticket: BoardTicket,
    rooms: Arc<RoomRegistry>,
    limits: ConnectionLimits,
) -> impl Future<Output = ()> {
    let span = info_span!(
        "board",
        room = %ticket.room_id,
        participant = %ticket.participant_id,
        connection = %connection
    );
    // The whole connection is one async fn, so its task stores the
    // arguments once. With the upgrade in a nested async block the task's
    // future was 1,720 bytes instead of 1,096 (rustc 1.95).
    serve(upgrade, connection, ticket, rooms, limits).instrument(span)
}

fn socket_config(limits: ConnectionLimits) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        // tungstenite hands each frame on at once, and `BatchedWrites`
        // gathers them and frees its buffers after every flush.
        .write_buffer_size(0)
        .max_message_size(Some(limits.max_message_bytes))
        .max_frame_size(Some(limits.max_message_bytes))
}

async fn serve(
    upgrade: OnUpgrade,
    connection: ConnectionId,
    ticket: BoardTicket,
    rooms: Arc<RoomRegistry>,
    limits: ConnectionLimits,
) {
    let upgraded = match upgrade.await {
        Ok(upgraded) => upgraded,
        Err(error) => {
            debug!(%error, "the WebSocket upgrade failed");
            return;
        }
    };
    let (batched, shared) = BatchedWrites::new(upgraded);
    let (sink, stream) =
        WebSocketStream::from_raw_socket(batched, Role::Server, Some(socket_config(limits)))
            .await
            .split();
    let (reader_closer, reader_close) = oneshot::channel();
    let cancel = CancellationToken::new();
    let alive = Arc::new(AtomicBool::new(true));

    // Each attempt gets fresh channels: when a join reaches an actor that
    // was unloading, the command and its link are dropped, and the retry
    // must not reuse them.
    let mut receivers = None;
    let joined = rooms
        .request(&ticket.room_id, |joined| {
            let (outbox, outbox_receiver) = mpsc::channel(limits.outbox_frames);
            let (closer, close_receiver) = oneshot::channel();
            receivers = Some((outbox_receiver, close_receiver));
            RoomCommand::Join {
                request: JoinRequest {
                    connection,
                    participant_id: ticket.participant_id.clone(),
                    is_lecturer: ticket.is_lecturer,
                    access: ticket.access,
                    link: ConnectionLink { outbox, closer },
                },
                joined,
            }
        })
        .await;
    let (commands, (outbox_receiver, actor_close)) = match (joined, receivers) {
        (Ok(((), commands)), Some(receivers)) => (commands, receivers),
        (joined, _) => {
            let reason = match joined {
                Err(error) => error.to_string(),
                Ok(_) => "join was not sent".to_owned(),
            };
            warn!(%reason, "could not join the room");
            let mut sink = sink;
            let _ = sink
                .send(close_message(close_code::INTERNAL_ERROR, reason))
                .await;
            return;
        }
    };

    let writer = tokio::spawn(
        write_loop(
            BoardSink {
                tungstenite: sink,
                shared,
            },
            outbox_receiver,
            actor_close,
            reader_close,
            cancel.clone(),
            Arc::clone(&alive),
            limits.ping_interval,
        )
        .in_current_span(),
    );

    read_loop(
        stream,
        connection,
        &commands,
        reader_closer,
        &cancel,
        &alive,
        limits,
    )
    .await;
    let _ = commands.send(RoomCommand::Leave { connection }).await;

    cancel.cancel();
    let _ = writer.await;
    info!("connection closed");
}

async fn read_loop(
    mut stream: SplitStream<BoardSocket>,
    connection: ConnectionId,
    commands: &mpsc::Sender<RoomCommand>,
    closer: oneshot::Sender<CloseSignal>,
    cancel: &CancellationToken,
    alive: &AtomicBool,
    limits: ConnectionLimits,
) {
    let close = loop {
        let message = tokio::select! {
            () = cancel.cancelled() => return,
            message = stream.next() => message,
        };

        let message = match message {
            None => return,
            Some(Ok(message)) => message,
            Some(Err(WsError::Capacity(CapacityError::MessageTooLong { size, .. }))) => {
                warn!(
                    size,
                    limit = limits.max_message_bytes,
                    "message over the size limit"
                );
                break CloseSignal {
                    code: close_code::MESSAGE_TOO_BIG,
                    reason: format!(
                        "message over the limit of {} bytes",
                        limits.max_message_bytes
                    ),
                };
            }
            Some(Err(error)) => {
                debug!(%error, "read failed");
                return;
            }
        };
        alive.store(true, Ordering::Relaxed);

        match message {
            Message::Binary(bytes) => {
                let bytes = Vec::from(bytes);
                if commands
                    .send(RoomCommand::Frame { connection, bytes })
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Message::Text(_) => {
                warn!("text frame on the board socket");
                break CloseSignal {
                    code: close_code::UNSUPPORTED_DATA,
                    reason:
                        "text frames are not part of the y-websocket protocol; send binary frames"
                            .to_owned(),
                };
            }
            Message::Close(_) => return,
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
    };
    let _ = closer.send(close);
}

async fn write_loop(
    mut sink: BoardSink,
    mut outbox: mpsc::Receiver<Frame>,
    mut actor_close: oneshot::Receiver<CloseSignal>,
    mut reader_close: oneshot::Receiver<CloseSignal>,
    cancel: CancellationToken,
    alive: Arc<AtomicBool>,
    ping_interval: Duration,
) {
    let mut ticker =
        tokio::time::interval_at(tokio::time::Instant::now() + ping_interval, ping_interval);
    // A client that stops reading would block a send forever; one ping
    // interval is long enough for any live client.
    let send_timeout = ping_interval;

    let close = loop {
        tokio::select! {
            biased;
            signal = &mut actor_close => break signal.ok(),
            signal = &mut reader_close => break signal.ok(),
            () = cancel.cancelled() => break None,
            frame = outbox.recv() => {
                let Some(frame) = frame else { break None };
                let sent = tokio::time::timeout(send_timeout, sink.send_binary(frame)).await;
                if !matches!(sent, Ok(Ok(()))) {
                    debug!("send failed or timed out");
                    break None;
                }
            }
            _ = ticker.tick() => {
                if !alive.swap(false, Ordering::Relaxed) {
                    info!("no answer to ping; closing dead connection");
                    break Some(CloseSignal {
                        code: close_code::POLICY_VIOLATION,
                        reason: "no answer to ping".to_owned(),
                    });
                }
                let sent = tokio::time::timeout(send_timeout, async {
                    sink.tungstenite.send(Message::Ping(Bytes::new())).await?;
                    sink.tungstenite.send(Message::Binary(Bytes::from_static(&KEEPALIVE_FRAME))).await
                })
                .await;
                if !matches!(sent, Ok(Ok(()))) {
                    break None;
                }
            }
        }
    };

    if let Some(signal) = close {
        debug!(code = signal.code, reason = %signal.reason, "closing connection");
        let _ = tokio::time::timeout(
            send_timeout,
            sink.tungstenite
                .send(close_message(signal.code, signal.reason)),
        )
        .await;
    }
    let _ = tokio::time::timeout(send_timeout, sink.tungstenite.close()).await;
    cancel.cancel();
}

/// The sending half of a board socket.
struct BoardSink {
    /// Short messages and control frames, encoded by tungstenite.
    tungstenite: SplitSink<BoardSocket, Message>,
    /// The direct path for long messages.
    shared: SharedFrames,
}

impl BoardSink {
    /// Sends `frame` as one binary message in one WebSocket frame. A short
    /// one goes through tungstenite; a long one is queued directly on the
    /// socket (see [`MAX_BUFFERED_PAYLOAD`]).
    async fn send_binary(&mut self, frame: Frame) -> Result<(), WsError> {
        let payload = Bytes::from_owner(frame);
        if payload.len() <= MAX_BUFFERED_PAYLOAD {
            return self.tungstenite.send(Message::Binary(payload)).await;
        }

        // Every earlier send ended with a flush, so tungstenite has no
        // part of a data frame left. A pong it writes meanwhile is a whole
        // frame, and goes before or after this one.
        let header = FrameHeader {
            is_final: true,
            opcode: OpCode::Data(Data::Binary),
            ..FrameHeader::default()
        };
        let mut encoded = Vec::with_capacity(header.len(payload.len() as u64));
        header.format(payload.len() as u64, &mut encoded)?;
        self.shared.queue(Bytes::from(encoded), payload);
        self.tungstenite.flush().await
    }
}

fn close_message(code: u16, reason: String) -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    }))
}
