//! A joining client: it connects, sends sync step 1 with an empty state
//! vector, and counts as synced once the updates it received reach every
//! writer client's final clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use lectern_board::protocol::Message;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};
use yrs::updates::encoder::Encode;
use yrs::{StateVector, Update};

use super::document::ClockCache;
use super::stream::{KnownFrames, Received, StreamSocket};
use crate::framing::Framing;

/// The final writer clocks and shared state of the joining clients of one
/// run.
#[derive(Debug, Clone)]
pub struct JoinTarget {
    /// Each writer client's id and its clock once the document is whole.
    pub final_clocks: Arc<[(u64, u32)]>,
    pub cache: Arc<ClockCache>,
    /// Large frames received whole so far.
    pub known: Arc<KnownFrames>,
    pub counters: Arc<JoinCounters>,
    /// The server's framing.
    pub framing: Framing,
}

/// Failures counted over the clients of a [`JoinTarget`].
#[derive(Debug, Default)]
pub struct JoinCounters {
    /// Connections that closed or failed before the scenario stopped them.
    pub disconnects: AtomicU64,
    /// Failed connects, undecodable frames and permission-denied replies.
    pub errors: AtomicU64,
}

impl JoinCounters {
    fn add_error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    fn add_disconnect(&self) {
        self.disconnects.fetch_add(1, Ordering::Relaxed);
    }
}

/// The measurements of one joining client.
#[derive(Debug, Default, Clone, Copy)]
pub struct JoinTally {
    /// Whether the WebSocket handshake succeeded.
    pub connected: bool,
    /// Time from the start of the connect to the arrival of the frame that
    /// completed the document.
    pub synced_after: Option<Duration>,
    /// Payload bytes received up to and including that frame.
    pub bytes_until_synced: u64,
}

/// The writer clocks a client has received so far.
#[derive(Debug)]
struct Progress {
    /// Highest clock seen of each writer client, in the order of
    /// [`JoinTarget::final_clocks`].
    seen: Vec<u32>,
}

impl Progress {
    fn new(target: &JoinTarget) -> Self {
        Self {
            seen: vec![0; target.final_clocks.len()],
        }
    }

    /// Notes the clocks of one update; returns whether every writer client
    /// has now reached its final clock.
    fn receive(&mut self, clocks: &[(u64, u32)], target: &JoinTarget) -> bool {
        for &(client, end) in clocks {
            let position = target
                .final_clocks
                .iter()
                .position(|&(writer, _)| writer == client);
            if let Some(position) = position {
                self.seen[position] = self.seen[position].max(end);
            }
        }
        self.is_complete(target)
    }

    fn is_complete(&self, target: &JoinTarget) -> bool {
        self.seen
            .iter()
            .zip(target.final_clocks.iter())
            .all(|(seen, (_, final_clock))| seen >= final_clock)
    }
}

/// Connects to `url`, sends sync step 1 and reads until the document is
/// complete. Sends the tally on `done` then, or as soon as the client
/// fails. Keeps reading until `stop` is cancelled, so that the connection
/// replies to pings, and returns the tally.
pub async fn join(
    url: String,
    target: JoinTarget,
    done: mpsc::Sender<JoinTally>,
    stop: CancellationToken,
) -> JoinTally {
    let started = Instant::now();
    let mut tally = JoinTally::default();
    let counters = &target.counters;

    // `connect` bounds the connect and handshake by its own timeout.
    let connected = tokio::select! {
        () = stop.cancelled() => return tally,
        connected = StreamSocket::connect(&url, target.framing) => connected,
    };
    let mut socket = match connected {
        Ok(socket) => socket,
        Err(error) => {
            warn!(%error, "a joining client failed to connect");
            counters.add_error();
            let _ = done.send(tally).await;
            return tally;
        }
    };
    tally.connected = true;

    let empty = StateVector::default().encode_v1();
    if let Err(error) = socket.send(&Message::SyncStep1(&empty)).await {
        debug!(%error, "a joining client failed to send sync step 1");
        counters.add_disconnect();
        let _ = done.send(tally).await;
        return tally;
    }

    let mut progress = Progress::new(&target);
    let mut bytes = 0u64;
    loop {
        let next = tokio::select! {
            () = stop.cancelled() => break,
            next = socket.receive(&target.known) => next,
        };
        let frame = match next {
            Ok(Received::Binary(frame)) => frame,
            Ok(Received::Closed) => {
                debug!("the server closed a joining client");
                counters.add_disconnect();
                break;
            }
            Err(error) => {
                debug!(%error, "a joining client's connection failed");
                counters.add_disconnect();
                break;
            }
        };
        let received_at = Instant::now();
        bytes += frame.len() as u64;

        match handle_frame(&mut socket, &frame, &target, &mut progress).await {
            FrameOutcome::Failed => break,
            FrameOutcome::Completes if tally.synced_after.is_none() => {
                tally.synced_after = Some(received_at.duration_since(started));
                tally.bytes_until_synced = bytes;
                let _ = done.send(tally).await;
            }
            FrameOutcome::Completes | FrameOutcome::Continue => {}
        }
    }

    if tally.synced_after.is_none() && !stop.is_cancelled() {
        // The connection ended before the document arrived.
        let _ = done.send(tally).await;
    }
    socket.close().await;
    tally
}

/// The effect of one frame from the server on a joining client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameOutcome {
    Continue,
    /// The frame's updates complete the document.
    Completes,
    /// Replying failed, so the connection is gone.
    Failed,
}

/// Notes the writer clocks of the frame's updates and replies to the
/// server's sync step 1.
async fn handle_frame(
    socket: &mut StreamSocket,
    frame: &Bytes,
    target: &JoinTarget,
    progress: &mut Progress,
) -> FrameOutcome {
    let Ok(messages) = socket.codec().decode(frame) else {
        target.counters.add_error();
        return FrameOutcome::Continue;
    };
    let mut outcome = FrameOutcome::Continue;
    for message in messages {
        match message {
            Message::Update(update) | Message::SyncStep2(update) => {
                let clocks = target.cache.client_end_clocks(frame, update);
                if progress.receive(&clocks, target) {
                    outcome = FrameOutcome::Completes;
                }
            }
            Message::SyncStep1(_) => {
                // The client has edited nothing, so its reply is empty.
                let reply = Message::SyncStep2(Update::EMPTY_V1);
                if socket.send(&reply).await.is_err() {
                    target.counters.add_disconnect();
                    return FrameOutcome::Failed;
                }
            }
            Message::PermissionDenied(reason) => {
                warn!(reason, "a joining client got permission denied");
                target.counters.add_error();
            }
            _ => {}
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(final_clocks: &[(u64, u32)]) -> JoinTarget {
        JoinTarget {
            final_clocks: final_clocks.into(),
            cache: Arc::default(),
            known: Arc::default(),
            counters: Arc::default(),
            framing: Framing::YWebsocket,
        }
    }

    #[test]
    fn progress_completes_when_every_client_is_reached() {
        let target = target(&[(1, 10), (2, 5)]);
        let mut progress = Progress::new(&target);
        assert!(!progress.receive(&[(1, 10)], &target));
        assert!(!progress.receive(&[(2, 4)], &target));
        assert!(progress.receive(&[(2, 5)], &target));
    }

    #[test]
    fn progress_ignores_other_clients() {
        let target = target(&[(1, 10)]);
        let mut progress = Progress::new(&target);
        assert!(!progress.receive(&[(7, 100)], &target));
        assert!(progress.receive(&[(7, 1), (1, 12)], &target));
    }

    #[test]
    fn progress_keeps_highest_clock() {
        let target = target(&[(1, 10)]);
        let mut progress = Progress::new(&target);
        assert!(progress.receive(&[(1, 10)], &target));
        assert!(progress.receive(&[(1, 3)], &target));
    }
}
