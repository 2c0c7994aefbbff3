//! A y-websocket server built on Lectern's [`BoardRoom`]: each request path
//! is a room with its own document, and every client may draw. It has no
//! accounts and no storage, so scenarios that need a server keeping the
//! document run against it in-process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use lectern_board::{Access, BoardRoom, ConnectionId, Frame, Output};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_util::sync::CancellationToken;

/// Frames queued for one connection. A connection that falls this far
/// behind loses frames, which the scenario then reports.
const OUTBOX_FRAMES: usize = 4096;

#[derive(Debug, Default)]
struct Rooms {
    next_id: u64,
    rooms: HashMap<String, Room>,
}

#[derive(Debug, Default)]
struct Room {
    board: BoardRoom,
    outboxes: HashMap<ConnectionId, mpsc::Sender<Frame>>,
}

impl Room {
    /// Delivers everything the board has queued.
    fn deliver(&mut self) {
        while let Some(output) = self.board.poll_output() {
            match output {
                Output::Persist { .. } => {}
                Output::Send { to, frame } => {
                    if let Some(outbox) = self.outboxes.get(&to) {
                        let _ = outbox.try_send(frame);
                    }
                }
                Output::Broadcast { except, frame } => {
                    for (id, outbox) in &self.outboxes {
                        if Some(*id) != except {
                            let _ = outbox.try_send(Frame::clone(&frame));
                        }
                    }
                }
            }
        }
    }
}

/// Accepts connections on `listener` until `shutdown` is cancelled.
pub async fn serve(listener: TcpListener, shutdown: CancellationToken) {
    let rooms = Arc::new(Mutex::new(Rooms::default()));
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else { continue };
        tokio::spawn(connection(stream, Arc::clone(&rooms), shutdown.clone()));
    }
}

// The handshake callback's error type is fixed by tungstenite.
#[allow(clippy::result_large_err)]
async fn connection(stream: TcpStream, rooms: Arc<Mutex<Rooms>>, shutdown: CancellationToken) {
    let mut path = String::new();
    let accepted = tokio_tungstenite::accept_hdr_async(stream, |request: &Request, response| {
        path = request.uri().path().to_owned();
        Ok::<Response, _>(response)
    })
    .await;
    let Ok(socket) = accepted else { return };
    let (mut sink, mut stream) = socket.split();

    let (outbox, mut inbox) = mpsc::channel::<Frame>(OUTBOX_FRAMES);
    let id = {
        let mut rooms = lock(&rooms);
        rooms.next_id += 1;
        let id = ConnectionId(rooms.next_id);
        let room = rooms.rooms.entry(path.clone()).or_default();
        room.outboxes.insert(id, outbox);
        room.board.connect(id, Access::ReadWrite);
        room.deliver();
        id
    };

    let forward = tokio::spawn(async move {
        while let Some(frame) = inbox.recv().await {
            if sink.send(Message::binary(frame.to_vec())).await.is_err() {
                break;
            }
        }
    });

    loop {
        let next = tokio::select! {
            () = shutdown.cancelled() => break,
            next = stream.next() => next,
        };
        match next {
            Some(Ok(Message::Binary(frame))) => {
                let mut rooms = lock(&rooms);
                let Some(room) = rooms.rooms.get_mut(&path) else {
                    break;
                };
                let received = room.board.receive(id, &frame);
                room.deliver();
                if received.is_err() {
                    break;
                }
            }
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
            Some(Ok(_)) => {}
        }
    }

    let mut rooms = lock(&rooms);
    if let Some(room) = rooms.rooms.get_mut(&path) {
        room.outboxes.remove(&id);
        room.board.disconnect(id);
        room.deliver();
    }
    drop(rooms);
    forward.abort();
}

fn lock(rooms: &Mutex<Rooms>) -> std::sync::MutexGuard<'_, Rooms> {
    rooms.lock().unwrap_or_else(|poison| poison.into_inner())
}
