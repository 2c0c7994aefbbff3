//! One board WebSocket: a reader loop and a writer task.
//!
//! The reader forwards binary frames to the room actor and stops at the
//! first error. The writer drains the connection's bounded outbox, pings on
//! a timer, and sends the close frame when the actor or the reader asks for
//! one. Either side ending cancels the other.
//!
//! The socket's buffers are sized for hundreds of mostly idle connections
//! per room: see [`crate::socket`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::SplitStream;
use lectern_board::{Access, ConnectionId, Frame};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, info, info_span, warn};
use warp::hyper::upgrade::OnUpgrade;

use crate::frame_file::FrameFiles;
use crate::room::{
    CloseSignal, ConnectionLink, JoinRequest, RoomCommand, RoomRegistry, close_code,
};
use crate::socket::{self, ServerSink, ServerSocket, close_message};

/// An empty awareness update (zero entries). Stock y-websocket clients
/// reconnect after 30 s without any message, so an idle room sends this
/// with every ping; applying it changes nothing.
const KEEPALIVE_FRAME: [u8; 3] = [1, 1, 0];

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
    files: Arc<FrameFiles>,
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
    serve(upgrade, connection, ticket, rooms, files, limits).instrument(span)
}

async fn serve(
    upgrade: OnUpgrade,
    connection: ConnectionId,
    ticket: BoardTicket,
    rooms: Arc<RoomRegistry>,
    files: Arc<FrameFiles>,
    limits: ConnectionLimits,
) {
    let accepted = socket::accept(upgrade, limits.max_message_bytes, Some(files)).await;
    let (mut sink, stream) = match accepted {
        Ok(halves) => halves,
        Err(error) => {
            debug!(%error, "the WebSocket upgrade failed");
            return;
        }
    };
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
            let _ = sink
                .send_control(close_message(close_code::INTERNAL_ERROR, reason))
                .await;
            return;
        }
    };

    let writer = tokio::spawn(
        write_loop(
            sink,
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
    mut stream: SplitStream<ServerSocket>,
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
    mut sink: ServerSink,
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
                let sent = tokio::time::timeout(send_timeout, sink.send_frame(frame)).await;
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
                    sink.send_control(Message::Ping(Bytes::new())).await?;
                    sink.send_binary(Bytes::from_static(&KEEPALIVE_FRAME)).await
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
            sink.send_control(close_message(signal.code, signal.reason)),
        )
        .await;
    }
    let _ = tokio::time::timeout(send_timeout, sink.close()).await;
    cancel.cancel();
}
