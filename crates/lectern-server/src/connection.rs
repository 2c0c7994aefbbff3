//! One board WebSocket: a reader loop and a writer task.
//!
//! The reader forwards binary frames to the room actor and stops at the
//! first error. The writer drains the connection's bounded outbox, pings on
//! a timer, and sends the close frame when the actor or the reader asks for
//! one. Either side ending cancels the other.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use lectern_board::{Access, ConnectionId, Frame};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, info, info_span, warn};
use warp::ws::{Message, WebSocket};

use crate::room::{
    CloseSignal, ConnectionLink, JoinRequest, RoomCommand, RoomRegistry, close_code,
};

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

/// Runs one board connection until either side closes it.
pub async fn run(
    socket: WebSocket,
    connection: ConnectionId,
    ticket: BoardTicket,
    rooms: Arc<RoomRegistry>,
    limits: ConnectionLimits,
) {
    let span = info_span!(
        "board",
        room = %ticket.room_id,
        participant = %ticket.participant_id,
        connection = %connection
    );
    serve(socket, connection, ticket, rooms, limits)
        .instrument(span)
        .await;
}

async fn serve(
    socket: WebSocket,
    connection: ConnectionId,
    ticket: BoardTicket,
    rooms: Arc<RoomRegistry>,
    limits: ConnectionLimits,
) {
    let (sink, stream) = socket.split();
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
                .send(Message::close_with(close_code::INTERNAL_ERROR, reason))
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
    mut stream: SplitStream<WebSocket>,
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
            Some(Err(error)) => {
                // NOTE: warp hides tungstenite's error type, so the size
                // limit is recognised by its message.
                let text = error.to_string();
                if text.contains("too long") || text.contains("too big") {
                    warn!(
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
                debug!(%error, "read failed");
                return;
            }
        };
        alive.store(true, Ordering::Relaxed);

        if message.is_binary() {
            let bytes = message.into_bytes();
            if commands
                .send(RoomCommand::Frame { connection, bytes })
                .await
                .is_err()
            {
                return;
            }
        } else if message.is_text() {
            warn!("text frame on the board socket");
            break CloseSignal {
                code: close_code::UNSUPPORTED_DATA,
                reason: "text frames are not part of the y-websocket protocol; send binary frames"
                    .to_owned(),
            };
        } else if message.is_close() {
            return;
        }
    };
    let _ = closer.send(close);
}

async fn write_loop(
    mut sink: SplitSink<WebSocket, Message>,
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
                let sent = tokio::time::timeout(send_timeout, sink.send(Message::binary(frame.to_vec()))).await;
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
                    sink.send(Message::ping(Vec::new())).await?;
                    sink.send(Message::binary(KEEPALIVE_FRAME.to_vec())).await
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
            sink.send(Message::close_with(signal.code, signal.reason)),
        )
        .await;
    }
    let _ = tokio::time::timeout(send_timeout, sink.close()).await;
    cancel.cancel();
}
