//! A minimal WebSocket broadcast server, the ceiling the other targets are
//! measured against.
//!
//! A room is the request path. Every binary frame a client sends is relayed
//! unchanged to every other client of the same room. The server decodes
//! nothing, keeps no document and replies to no sync step, so its cost is the
//! WebSocket I/O alone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

type Outbox = mpsc::UnboundedSender<Message>;

#[derive(Debug, Default)]
struct Rooms {
    next_id: u64,
    /// Room path to each connected client's outbox.
    members: HashMap<String, HashMap<u64, Outbox>>,
}

/// Accepts connections on `listener` until `shutdown` is cancelled.
pub async fn serve(listener: TcpListener, shutdown: CancellationToken) {
    let rooms = Arc::new(Mutex::new(Rooms::default()));
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                let rooms = Arc::clone(&rooms);
                let shutdown = shutdown.clone();
                tokio::spawn(async move {
                    if let Err(error) = connection(stream, rooms, shutdown).await {
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
    rooms: Arc<Mutex<Rooms>>,
    shutdown: CancellationToken,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    stream.set_nodelay(true)?;
    let mut room = String::new();
    let socket = tokio_tungstenite::accept_hdr_async(stream, |request: &Request, response| {
        room = request.uri().path().to_owned();
        Ok::<Response, _>(response)
    })
    .await?;
    let (mut sink, mut stream) = socket.split();

    let (outbox, mut inbox) = mpsc::unbounded_channel();
    let id = {
        let mut rooms = lock(&rooms);
        rooms.next_id += 1;
        let id = rooms.next_id;
        rooms
            .members
            .entry(room.clone())
            .or_default()
            .insert(id, outbox);
        id
    };

    let forward = tokio::spawn(async move {
        while let Some(message) = inbox.recv().await {
            if sink.send(message).await.is_err() {
                break;
            }
        }
    });

    let result = loop {
        let next = tokio::select! {
            () = shutdown.cancelled() => break Ok(()),
            next = stream.next() => next,
        };
        match next {
            Some(Ok(Message::Binary(frame))) => relay(&rooms, &room, id, frame),
            Some(Ok(Message::Close(_))) | None => break Ok(()),
            Some(Ok(_)) => {}
            Some(Err(error)) => break Err(error),
        }
    };

    let mut rooms = lock(&rooms);
    if let Some(members) = rooms.members.get_mut(&room) {
        members.remove(&id);
        if members.is_empty() {
            rooms.members.remove(&room);
        }
    }
    drop(rooms);
    forward.abort();
    result
}

/// Queues `frame` for every member of `room` but the sender.
fn relay(
    rooms: &Mutex<Rooms>,
    room: &str,
    sender: u64,
    frame: tokio_tungstenite::tungstenite::Bytes,
) {
    let rooms = lock(rooms);
    let Some(members) = rooms.members.get(room) else {
        return;
    };
    for (&id, outbox) in members {
        if id != sender {
            // A closed outbox belongs to a connection that is leaving.
            let _ = outbox.send(Message::Binary(frame.clone()));
        }
    }
}

fn lock(rooms: &Mutex<Rooms>) -> std::sync::MutexGuard<'_, Rooms> {
    rooms.lock().unwrap_or_else(|poison| poison.into_inner())
}
