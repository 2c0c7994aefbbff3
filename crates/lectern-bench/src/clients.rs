//! The y-websocket clients of a scenario: one writer that draws and many
//! readers that only receive.
//!
//! Readers hold no document. They decode each update with yrs only to find
//! the writer's clock in it (see [`crate::latency`]). Every frame goes
//! through the server's [`Codec`], so the same clients speak plain
//! y-websocket and Hocuspocus's framing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use lectern_board::encoding::write_var_string;
use lectern_board::encoding::write_var_u64;
use lectern_board::protocol::Message;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{StateVector, Update};

use crate::framing::{Codec, Framing};
use crate::latency::{ReaderTally, SendLog, writer_end_clock};
use crate::stroke::StrokeWriter;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a client waits to connect or to finish its handshake.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The read buffer of each client. tungstenite 0.26 zero-fills the spare
/// capacity of its read buffer before every read, so with its default of
/// 128 KiB that fill was the generator's main cost at 200 readers. A large
/// sync step 2 still arrives, in more reads.
const READ_BUFFER_BYTES: usize = 16 * 1024;

/// Counters every client of a scenario adds to.
#[derive(Debug, Default)]
pub struct Counters {
    /// Measured updates received, summed over readers.
    pub delivered: AtomicU64,
    /// Connections that closed or failed before the scenario stopped them.
    pub disconnects: AtomicU64,
    /// Failed connects, undecodable frames and permission-denied replies.
    pub errors: AtomicU64,
}

impl Counters {
    fn add_error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    fn add_disconnect(&self) {
        self.disconnects.fetch_add(1, Ordering::Relaxed);
    }
}

/// Protocol facts about the server that the clients depend on.
#[derive(Debug, Clone, Copy)]
pub struct Protocol {
    /// Whether the server keeps the document and replies to sync step 1
    /// with step 2. A relay such as the raw broadcast server does not.
    pub server_syncs: bool,
    /// The writer's Yjs client id, which readers look for in updates.
    pub writer_client_id: u64,
    /// The server's framing.
    pub framing: Framing,
}

/// An open connection with the codec of its server's framing.
#[derive(Debug)]
pub struct Connection {
    socket: Socket,
    codec: Codec,
}

impl Connection {
    /// Encodes `message` and sends it as one binary frame.
    pub async fn send(
        &mut self,
        message: &Message<'_>,
    ) -> Result<(), tokio_tungstenite::tungstenite::Error> {
        let frame = self.codec.encode(message);
        self.socket.send(WsMessage::binary(frame)).await
    }

    /// Receives the next WebSocket message; `None` once the connection
    /// has closed.
    pub async fn next_frame(
        &mut self,
    ) -> Option<Result<WsMessage, tokio_tungstenite::tungstenite::Error>> {
        self.socket.next().await
    }

    /// The codec that decodes this connection's binary frames.
    pub fn codec(&self) -> &Codec {
        &self.codec
    }

    /// Closes the connection; a failure to close is not an error here, as
    /// the connection is finished with either way.
    pub async fn close(mut self) {
        if let Err(error) = self.socket.close(None).await {
            debug!(%error, "closing a connection failed");
        }
    }
}

/// Connects to `url` and sends the framing's opening frame, if it has one.
pub async fn connect(url: &str, framing: Framing) -> anyhow::Result<Connection> {
    let codec = framing.codec(url)?;
    // Nagle's algorithm off, as browsers do: otherwise the writer's next
    // update waits for the server's delayed ACK when the server sends
    // nothing back, as a relay does.
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER_BYTES);
    let connecting = tokio_tungstenite::connect_async_with_config(url, Some(config), true);
    let (mut socket, _) = tokio::time::timeout(CONNECT_TIMEOUT, connecting)
        .await
        .map_err(|_| anyhow::anyhow!("connecting timed out after {CONNECT_TIMEOUT:?}"))??;
    if let Some(opening) = codec.opening() {
        socket.send(WsMessage::binary(opening)).await?;
    }
    Ok(Connection { socket, codec })
}

fn empty_state_vector() -> Vec<u8> {
    StateVector::default().encode_v1()
}

/// Runs one reader until `stop` is cancelled and returns what it received.
/// It sends `true` on `ready` once synced, or `false` when it failed to
/// connect.
pub async fn run_reader(
    url: String,
    protocol: Protocol,
    log: Arc<SendLog>,
    counters: Arc<Counters>,
    ready: mpsc::Sender<bool>,
    stop: CancellationToken,
) -> ReaderTally {
    let mut tally = ReaderTally::default();
    let mut connection = match connect(&url, protocol.framing).await {
        Ok(connection) => connection,
        Err(error) => {
            warn!(%error, "reader failed to connect");
            counters.add_error();
            let _ = ready.send(false).await;
            return tally;
        }
    };

    let step_1 = Message::SyncStep1(&empty_state_vector());
    if let Err(error) = connection.send(&step_1).await {
        warn!(%error, "reader failed to send sync step 1");
        counters.add_disconnect();
        let _ = ready.send(false).await;
        return tally;
    }
    let mut synced = !protocol.server_syncs;
    if synced {
        let _ = ready.send(true).await;
    }

    loop {
        let next = tokio::select! {
            () = stop.cancelled() => break,
            next = connection.socket.next() => next,
        };
        let frame = match next {
            Some(Ok(WsMessage::Binary(frame))) => frame,
            Some(Ok(WsMessage::Close(close))) => {
                debug!(?close, "server closed a reader");
                counters.add_disconnect();
                break;
            }
            Some(Ok(_)) => continue,
            Some(Err(error)) => {
                debug!(%error, "reader connection failed");
                counters.add_disconnect();
                break;
            }
            None => {
                counters.add_disconnect();
                break;
            }
        };
        let received_at = Instant::now();

        let messages = match connection.codec.decode(&frame) {
            Ok(messages) => messages,
            Err(error) => {
                debug!(%error, "reader got an undecodable frame");
                counters.add_error();
                continue;
            }
        };
        for message in messages {
            match message {
                Message::Update(update) | Message::SyncStep2(update) => {
                    if let Some(end_clock) = writer_end_clock(update, protocol.writer_client_id) {
                        let before = tally.latencies_us.len();
                        tally.receive(&log, end_clock, received_at);
                        let credited = (tally.latencies_us.len() - before) as u64;
                        counters.delivered.fetch_add(credited, Ordering::Relaxed);
                    }
                    if matches!(message, Message::SyncStep2(_)) && !synced {
                        synced = true;
                        let _ = ready.send(true).await;
                    }
                }
                Message::SyncStep1(_) if protocol.server_syncs => {
                    // A reader has edited nothing, so its reply is empty.
                    let reply = Message::SyncStep2(Update::EMPTY_V1);
                    if connection.send(&reply).await.is_err() {
                        counters.add_disconnect();
                        return tally;
                    }
                }
                Message::PermissionDenied(reason) => {
                    warn!(reason, "reader got permission denied");
                    counters.add_error();
                }
                _ => {}
            }
        }
    }

    let _ = connection.socket.close(None).await;
    tally
}

/// Controls the writer from the scenario.
#[derive(Debug, Default)]
pub struct WriterControl {
    /// Whether updates sent now count in the measurement.
    pub measuring: AtomicBool,
}

/// The writer's own tally.
#[derive(Debug, Default, Clone, Copy)]
pub struct WriterReport {
    /// Updates sent, warm-up included.
    pub sent: u64,
}

/// Connects the writer and completes its handshake; returns the connection.
pub async fn connect_writer(
    url: &str,
    writer: &StrokeWriter,
    protocol: Protocol,
) -> anyhow::Result<Connection> {
    let mut connection = connect(url, protocol.framing).await?;

    let state_vector = writer.doc_state_vector();
    connection.send(&Message::SyncStep1(&state_vector)).await?;
    let awareness = awareness_state(
        writer.client_id(),
        1,
        r##"{"user":{"name":"Bench writer","color":"#1e3a8a"}}"##,
    );
    connection.send(&Message::Awareness(&awareness)).await?;

    if protocol.server_syncs {
        let deadline = tokio::time::Instant::now() + CONNECT_TIMEOUT;
        loop {
            let next = tokio::time::timeout_at(deadline, connection.socket.next())
                .await
                .map_err(|_| anyhow::anyhow!("the writer's sync step 2 did not arrive"))?;
            let Some(Ok(WsMessage::Binary(frame))) = next else {
                match next {
                    Some(Ok(_)) => continue,
                    _ => anyhow::bail!("the writer's connection closed during the handshake"),
                }
            };
            let messages = connection.codec.decode(&frame)?;
            if messages
                .iter()
                .any(|message| matches!(message, Message::SyncStep2(_)))
            {
                break;
            }
        }
    }
    Ok(connection)
}

/// Sends one stroke update every `interval` until `stop` is cancelled,
/// recording each in `log`.
pub async fn run_writer(
    mut connection: Connection,
    mut writer: StrokeWriter,
    interval: Duration,
    log: Arc<SendLog>,
    control: Arc<WriterControl>,
    counters: Arc<Counters>,
    stop: CancellationToken,
) -> WriterReport {
    let mut report = WriterReport::default();
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);

    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            _ = ticks.tick() => {
                let next = writer.next_update(unix_ms());
                let update = Message::Update(&next.update);
                let measured = control.measuring.load(Ordering::Relaxed);
                // Logged before the send, so a reader can never see an
                // update that is not in the log yet.
                log.record(next.end_clock, Instant::now(), measured);
                if let Err(error) = connection.send(&update).await {
                    warn!(%error, "writer failed to send");
                    counters.add_disconnect();
                    return report;
                }
                report.sent += 1;
            }
            next = connection.socket.next() => match next {
                Some(Ok(WsMessage::Binary(frame))) => {
                    answer_writer_frame(&mut connection, &writer, &frame, &counters).await;
                }
                Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => {
                    warn!("the writer's connection closed");
                    counters.add_disconnect();
                    return report;
                }
                Some(Ok(_)) => {}
            },
        }
    }

    let _ = connection.socket.close(None).await;
    report
}

/// Replies to the server's sync step 1 with what the writer has, as a
/// y-websocket client does. Other messages need no reply.
async fn answer_writer_frame(
    connection: &mut Connection,
    writer: &StrokeWriter,
    frame: &[u8],
    counters: &Counters,
) {
    let messages = match connection.codec.decode(frame) {
        Ok(messages) => messages,
        Err(error) => {
            debug!(%error, "writer got an undecodable frame");
            counters.add_error();
            return;
        }
    };
    for message in messages {
        match message {
            Message::SyncStep1(state_vector) => {
                let Ok(state_vector) = StateVector::decode_v1(state_vector) else {
                    counters.add_error();
                    continue;
                };
                let diff = writer.encode_diff(&state_vector);
                if connection.send(&Message::SyncStep2(&diff)).await.is_err() {
                    counters.add_disconnect();
                }
            }
            Message::PermissionDenied(reason) => {
                warn!(reason, "writer got permission denied");
                counters.add_error();
            }
            _ => {}
        }
    }
}

/// Encodes an awareness update with one client's JSON state.
fn awareness_state(client_id: u64, clock: u64, state: &str) -> Vec<u8> {
    let mut out = Vec::new();
    write_var_u64(&mut out, 1);
    write_var_u64(&mut out, client_id);
    write_var_u64(&mut out, clock);
    write_var_string(&mut out, state);
    out
}

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}
