//! A minimal WebSocket broadcast server, the ceiling the other targets are
//! measured against.
//!
//! A room is the request path. Every binary frame a client sends is relayed
//! unchanged to every other client of the same room. The server decodes
//! nothing, keeps no document and replies to no sync step, so its cost is the
//! WebSocket I/O alone.
//!
//! A relayed payload is received once and shared, by reference count, by
//! the queues of all recipients. Each client's queue takes at most
//! [`QUEUE_FRAMES`] frames: a client that falls that far behind is closed
//! with status 1008 and counted, so one slow reader cannot make the server
//! grow without bound. A connection's task writes every frame waiting in
//! its queue before one flush, so a burst costs one write system call per
//! client. WebSocket buffers are sized for small frames ([`socket_config`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Bytes, Error as WsError, Message};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

/// The maximum number of frames in a client's queue. A client with more
/// is too slow; at 60 updates per second this is about four seconds of backlog.
pub const QUEUE_FRAMES: usize = 256;

/// The largest frame a client may send, in bytes.
const MAX_FRAME_BYTES: usize = 1 << 20;

/// The read buffer of each connection, allocated when it opens.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// Bytes tungstenite gathers before it writes to the socket; a flush
/// writes whatever is gathered.
const WRITE_BUFFER_BYTES: usize = 16 * 1024;

type Outbox = mpsc::Sender<Bytes>;

/// Returns the WebSocket settings of every connection: small buffers,
/// because relayed frames are Yjs updates of tens of bytes, and a frame
/// limit well above any of them.
pub fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(WRITE_BUFFER_BYTES + 2 * MAX_FRAME_BYTES)
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES))
}

#[derive(Debug, Default)]
struct Relay {
    next_id: AtomicU64,
    /// Room path to each connected client's outbox.
    rooms: Mutex<HashMap<String, HashMap<u64, Outbox>>>,
    /// Clients closed because their queue was full.
    slow_clients: AtomicU64,
}

impl Relay {
    fn join(&self, room: &str, outbox: Outbox) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock()
            .entry(room.to_owned())
            .or_default()
            .insert(id, outbox);
        id
    }

    fn leave(&self, room: &str, id: u64) {
        let mut rooms = self.lock();
        if let Some(members) = rooms.get_mut(room) {
            members.remove(&id);
            if members.is_empty() {
                rooms.remove(room);
            }
        }
    }

    /// Queues `frame` for every member of `room` but the sender. A member
    /// whose queue is full loses its outbox, which makes its connection
    /// close once it has written what is queued.
    fn relay(&self, room: &str, sender: u64, frame: &Bytes) {
        let mut rooms = self.lock();
        let Some(members) = rooms.get_mut(room) else {
            return;
        };
        let mut full = Vec::new();
        for (&id, outbox) in members.iter() {
            if id == sender {
                continue;
            }
            match outbox.try_send(frame.clone()) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => full.push(id),
                // The member's connection is closing and leaves the room.
                Err(TrySendError::Closed(_)) => {}
            }
        }
        for id in full {
            members.remove(&id);
            let total = self.slow_clients.fetch_add(1, Ordering::Relaxed) + 1;
            warn!(
                client = id,
                room,
                queue = QUEUE_FRAMES,
                slow_clients = total,
                "closing a client whose send queue is full"
            );
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, HashMap<u64, Outbox>>> {
        self.rooms
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// Accepts connections on `listener` until `shutdown` is cancelled.
pub async fn serve(listener: TcpListener, shutdown: CancellationToken) {
    let relay = Arc::new(Relay::default());
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                let relay = Arc::clone(&relay);
                let shutdown = shutdown.clone();
                tokio::spawn(async move {
                    if let Err(error) = connection(stream, relay, shutdown).await {
                        debug!(%peer, %error, "connection ended with an error");
                    }
                });
            }
            Err(error) => warn!(%error, "accept failed"),
        }
    }
}

// The handshake callback's error type is fixed by tungstenite.
#[allow(clippy::result_large_err)]
async fn connection(
    stream: TcpStream,
    relay: Arc<Relay>,
    shutdown: CancellationToken,
) -> Result<(), WsError> {
    stream.set_nodelay(true)?;
    let mut room = String::new();
    let mut socket = tokio_tungstenite::accept_hdr_async_with_config(
        stream,
        |request: &Request, response: Response| {
            room = request.uri().path().to_owned();
            Ok(response)
        },
        Some(socket_config()),
    )
    .await?;

    let (outbox, mut inbox) = mpsc::channel(QUEUE_FRAMES);
    let id = relay.join(&room, outbox);

    let result = loop {
        tokio::select! {
            () = shutdown.cancelled() => break Ok(()),
            queued = inbox.recv() => match queued {
                Some(frame) => {
                    if let Err(error) = write_queued(&mut socket, frame, &mut inbox).await {
                        break Err(error);
                    }
                }
                None => {
                    // The relay dropped this client's outbox: its queue was full.
                    let close = CloseFrame {
                        code: CloseCode::Policy,
                        reason: "send queue full".into(),
                    };
                    break socket.close(Some(close)).await;
                }
            },
            next = socket.next() => match next {
                Some(Ok(Message::Binary(frame))) => relay.relay(&room, id, &frame),
                Some(Ok(Message::Close(_))) | None => break Ok(()),
                Some(Ok(_)) => {}
                Some(Err(error)) => break Err(error),
            },
        }
    };

    relay.leave(&room, id);
    result
}

/// Writes `first` and every other frame already queued, then flushes once.
async fn write_queued(
    socket: &mut WebSocketStream<TcpStream>,
    first: Bytes,
    inbox: &mut mpsc::Receiver<Bytes>,
) -> Result<(), WsError> {
    socket.feed(Message::Binary(first)).await?;
    while let Ok(frame) = inbox.try_recv() {
        socket.feed(Message::Binary(frame)).await?;
    }
    socket.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_skips_sender_and_shares_payload() {
        let relay = Relay::default();
        let (sender_box, mut sender_inbox) = mpsc::channel(QUEUE_FRAMES);
        let (reader_box, mut reader_inbox) = mpsc::channel(QUEUE_FRAMES);
        let sender = relay.join("/room", sender_box);
        relay.join("/room", reader_box);

        let frame = Bytes::from_static(b"update");
        relay.relay("/room", sender, &frame);

        let received = reader_inbox.try_recv().expect("reader got the frame");
        assert_eq!(received.as_ptr(), frame.as_ptr());
        assert!(sender_inbox.try_recv().is_err());
    }

    #[test]
    fn full_queue_drops_client() {
        let relay = Relay::default();
        let (slow_box, mut slow_inbox) = mpsc::channel(2);
        relay.join("/room", slow_box);
        let frame = Bytes::from_static(b"update");
        for _ in 0..3 {
            relay.relay("/room", u64::MAX, &frame);
        }

        assert_eq!(relay.slow_clients.load(Ordering::Relaxed), 1);
        assert!(relay.lock().get("/room").is_some_and(HashMap::is_empty));
        // What was queued before the drop is still delivered, then the
        // queue reports that its sender is gone.
        assert!(slow_inbox.try_recv().is_ok());
        assert!(slow_inbox.try_recv().is_ok());
        assert!(matches!(
            slow_inbox.try_recv(),
            Err(mpsc::error::TryRecvError::Disconnected)
        ));
    }
}
