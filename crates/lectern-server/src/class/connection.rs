//! One control WebSocket: a reader loop and a writer task.
//!
//! The reader rate-limits and decodes text frames and forwards requests to
//! the class actor; it answers malformed ones itself. The writer drains the
//! connection's bounded outbox, pings on a timer, and sends the close frame
//! when the actor or the reader asks for one. Either side ending cancels
//! the other.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::SplitStream;
use lectern_board::ConnectionId;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, info, info_span, warn};
use warp::hyper::upgrade::OnUpgrade;

use super::protocol::{self, ErrorCode, Rejection, Role};
use super::{ClassCommand, ClassRegistry, ControlJoin, ControlLink};
use crate::clock::unix_millis;
use crate::rate_limit::{MessageRate, RateVerdict};
use crate::room::{CloseSignal, close_code};
use crate::socket::{self, ServerSink, ServerSocket, close_message};

/// Identity of a connecting client, settled before the upgrade.
#[derive(Debug, Clone)]
pub struct ControlTicket {
    pub room_id: String,
    pub room_code: String,
    pub participant_id: String,
    pub role: Role,
    pub name: String,
    /// A student's own drawing permission as stored; false for lecturers.
    pub drawing_permission: bool,
}

/// Limits that apply to one control connection.
#[derive(Debug, Clone, Copy)]
pub struct ControlLimits {
    pub max_message_bytes: usize,
    pub outbox_messages: usize,
    pub ping_interval: Duration,
    pub messages_per_second: u32,
}

/// Completes the HTTP upgrade, then runs one control connection until
/// either side closes it.
pub async fn run(
    upgrade: OnUpgrade,
    connection: ConnectionId,
    ticket: ControlTicket,
    classes: Arc<ClassRegistry>,
    limits: ControlLimits,
) {
    let span = info_span!(
        "control",
        room = %ticket.room_id,
        participant = %ticket.participant_id,
        connection = %connection
    );
    serve(upgrade, connection, ticket, classes, limits)
        .instrument(span)
        .await;
}

async fn serve(
    upgrade: OnUpgrade,
    connection: ConnectionId,
    ticket: ControlTicket,
    classes: Arc<ClassRegistry>,
    limits: ControlLimits,
) {
    let (mut sink, stream) = match socket::accept(upgrade, limits.max_message_bytes, None).await {
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
    let mut channels = None;
    let joined = classes
        .request(&ticket.room_id, |joined| {
            let (outbox, outbox_receiver) = mpsc::channel(limits.outbox_messages);
            let (closer, close_receiver) = oneshot::channel();
            channels = Some((outbox.clone(), outbox_receiver, close_receiver));
            ClassCommand::Join {
                request: ControlJoin {
                    connection,
                    participant_id: ticket.participant_id.clone(),
                    role: ticket.role,
                    name: ticket.name.clone(),
                    room_code: ticket.room_code.clone(),
                    drawing_permission: ticket.drawing_permission,
                    link: ControlLink { outbox, closer },
                },
                joined,
            }
        })
        .await;
    let (commands, (outbox, outbox_receiver, actor_close)) = match (joined, channels) {
        (Ok(((), commands)), Some(channels)) => (commands, channels),
        (joined, _) => {
            let reason = match joined {
                Err(error) => error.to_string(),
                Ok(_) => "join was not sent".to_owned(),
            };
            warn!(%reason, "could not join the control channel");
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

    let reader = Reader {
        connection,
        commands: &commands,
        outbox,
        cancel: &cancel,
        alive: &alive,
        limits,
    };
    let mut stream = stream;
    if let Some(close) = reader.read_loop(&mut stream).await {
        let _ = reader_closer.send(close);
        // Frames the client sent after the one that caused the close would
        // sit unread, and closing a socket with unread data makes the
        // kernel reset it, which can destroy the close frame in flight. So
        // the reader discards frames until the client answers the close.
        let drain = async { while let Some(Ok(_)) = stream.next().await {} };
        let _ = tokio::time::timeout(limits.ping_interval, drain).await;
    }
    let _ = commands.send(ClassCommand::Leave { connection }).await;

    cancel.cancel();
    let _ = writer.await;
    info!("control connection closed");
}

struct Reader<'a> {
    connection: ConnectionId,
    commands: &'a mpsc::Sender<ClassCommand>,
    /// The connection's outbox, for errors the reader sends itself.
    outbox: mpsc::Sender<String>,
    cancel: &'a CancellationToken,
    alive: &'a AtomicBool,
    limits: ControlLimits,
}

impl Reader<'_> {
    /// Reads frames until the peer or the actor ends the connection.
    /// Returns the close frame to send, if the reader decided to close.
    async fn read_loop(&self, stream: &mut SplitStream<ServerSocket>) -> Option<CloseSignal> {
        let mut rate = MessageRate::new(self.limits.messages_per_second, std::time::Instant::now());

        loop {
            let message = tokio::select! {
                () = self.cancel.cancelled() => return None,
                message = stream.next() => message,
            };
            let message = match message {
                None => return None,
                Some(Ok(message)) => message,
                Some(Err(WsError::Capacity(CapacityError::MessageTooLong { size, .. }))) => {
                    warn!(
                        size,
                        limit = self.limits.max_message_bytes,
                        "control message over the size limit"
                    );
                    return Some(CloseSignal {
                        code: close_code::MESSAGE_TOO_BIG,
                        reason: format!(
                            "message over the limit of {} bytes",
                            self.limits.max_message_bytes
                        ),
                    });
                }
                Some(Err(error)) => {
                    debug!(%error, "read failed");
                    return None;
                }
            };
            self.alive.store(true, Ordering::Relaxed);

            let text = match &message {
                Message::Text(text) => text.as_str(),
                Message::Binary(_) => {
                    warn!("binary frame on the control channel");
                    return Some(CloseSignal {
                        code: close_code::UNSUPPORTED_DATA,
                        reason:
                            "binary frames are not part of the control protocol; send JSON text"
                                .to_owned(),
                    });
                }
                Message::Close(_) => return None,
                // Pings and pongs: the liveness flag is all they carry.
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            };

            match rate.check(std::time::Instant::now()) {
                RateVerdict::Allowed => {}
                RateVerdict::Dropped { first } => {
                    if first {
                        warn!("control messages over the rate limit; dropping them");
                    }
                    let rejection = Rejection::new(
                        None,
                        ErrorCode::RateLimited,
                        format!(
                            "more than {} messages per second; this one was dropped",
                            self.limits.messages_per_second
                        ),
                    );
                    if let Err(close) = self.reply(&rejection) {
                        return Some(close);
                    }
                    continue;
                }
                RateVerdict::Flood => {
                    warn!("control connection kept flooding; closing it");
                    return Some(CloseSignal {
                        code: close_code::POLICY_VIOLATION,
                        reason: "too many messages over the rate limit".to_owned(),
                    });
                }
            }

            let received_at = unix_millis();
            match protocol::decode(text) {
                Ok(request) => {
                    let command = ClassCommand::Message {
                        connection: self.connection,
                        request,
                        received_at,
                    };
                    if self.commands.send(command).await.is_err() {
                        return None;
                    }
                }
                Err(rejection) => {
                    debug!(code = ?rejection.code, message = %rejection.message, "control message rejected");
                    if let Err(close) = self.reply(&rejection) {
                        return Some(close);
                    }
                }
            }
        }
    }

    /// Queues an error for the client. A full outbox closes the connection
    /// with 1013, like a slow client of the actor.
    fn reply(&self, rejection: &Rejection) -> Result<(), CloseSignal> {
        match self.outbox.try_send(rejection.to_message().to_text()) {
            Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                warn!("control client too slow to read its errors; disconnecting");
                Err(CloseSignal {
                    code: close_code::TRY_AGAIN_LATER,
                    reason: "client too slow to keep up; reconnect for the current state"
                        .to_owned(),
                })
            }
        }
    }
}

async fn write_loop(
    mut sink: ServerSink,
    mut outbox: mpsc::Receiver<String>,
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
            text = outbox.recv() => {
                let Some(text) = text else { break None };
                let sent = tokio::time::timeout(send_timeout, sink.send_text(text)).await;
                if !matches!(sent, Ok(Ok(()))) {
                    debug!("send failed or timed out");
                    break None;
                }
            }
            _ = ticker.tick() => {
                if !alive.swap(false, Ordering::Relaxed) {
                    info!("no answer to ping; closing dead control connection");
                    break Some(CloseSignal {
                        code: close_code::POLICY_VIOLATION,
                        reason: "no answer to ping".to_owned(),
                    });
                }
                let sent = tokio::time::timeout(send_timeout, sink.send_control(Message::Ping(Bytes::new()))).await;
                if !matches!(sent, Ok(Ok(()))) {
                    break None;
                }
            }
        }
    };

    if let Some(signal) = close {
        // Messages queued before the close, such as the errors before a
        // flood's close or the final state before the room closes, still
        // go out. A client too slow to keep up would not read them.
        if signal.code != close_code::TRY_AGAIN_LATER {
            while let Ok(text) = outbox.try_recv() {
                let sent = tokio::time::timeout(send_timeout, sink.send_text(text)).await;
                if !matches!(sent, Ok(Ok(()))) {
                    break;
                }
            }
        }
        debug!(code = signal.code, reason = %signal.reason, "closing control connection");
        let _ = tokio::time::timeout(
            send_timeout,
            sink.send_control(close_message(signal.code, signal.reason)),
        )
        .await;
    }
    let _ = tokio::time::timeout(send_timeout, sink.close()).await;
    cancel.cancel();
}
