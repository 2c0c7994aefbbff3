//! Counters shared by every room of an SFU.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Snapshot of the SFU's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SfuStats {
    /// Sessions whose peer connection is open or still closing.
    pub live_sessions: usize,
    /// Tasks the SFU spawned that have not ended: one reader per received track. The `webrtc`
    /// crate's own driver tasks are not counted.
    pub live_tasks: usize,
    /// Packets written to a subscriber's track.
    pub packets_written: u64,
    /// Packets read from a participant who was not allowed to speak, and so dropped.
    pub packets_not_allowed: u64,
    /// Packets dropped because a subscriber's queue in the `webrtc` crate was full.
    pub packets_dropped_queue_full: u64,
    /// Packets dropped because the subscriber had no negotiated track for the slot.
    pub packets_dropped_no_track: u64,
    /// Packets the `webrtc` crate refused to send, for example before DTLS is up.
    pub packet_write_errors: u64,
    /// Room events dropped because the server did not read the event channel.
    pub events_dropped: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) live_sessions: AtomicUsize,
    pub(crate) live_tasks: AtomicUsize,
    pub(crate) packets_written: AtomicU64,
    pub(crate) packets_not_allowed: AtomicU64,
    pub(crate) packets_dropped_queue_full: AtomicU64,
    pub(crate) packets_dropped_no_track: AtomicU64,
    pub(crate) packet_write_errors: AtomicU64,
    pub(crate) events_dropped: AtomicU64,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> SfuStats {
        SfuStats {
            live_sessions: self.live_sessions.load(Ordering::Acquire),
            live_tasks: self.live_tasks.load(Ordering::Acquire),
            packets_written: self.packets_written.load(Ordering::Relaxed),
            packets_not_allowed: self.packets_not_allowed.load(Ordering::Relaxed),
            packets_dropped_queue_full: self.packets_dropped_queue_full.load(Ordering::Relaxed),
            packets_dropped_no_track: self.packets_dropped_no_track.load(Ordering::Relaxed),
            packet_write_errors: self.packet_write_errors.load(Ordering::Relaxed),
            events_dropped: self.events_dropped.load(Ordering::Relaxed),
        }
    }
}

pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Counts one live item (a task or a session) for as long as it exists.
#[derive(Debug)]
pub(crate) struct LiveGuard {
    counters: Arc<Counters>,
    kind: LiveKind,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum LiveKind {
    Task,
    Session,
}

impl LiveGuard {
    pub(crate) fn new(counters: &Arc<Counters>, kind: LiveKind) -> Self {
        counters.counter(kind).fetch_add(1, Ordering::AcqRel);
        Self {
            counters: Arc::clone(counters),
            kind,
        }
    }
}

impl Counters {
    fn counter(&self, kind: LiveKind) -> &AtomicUsize {
        match kind {
            LiveKind::Task => &self.live_tasks,
            LiveKind::Session => &self.live_sessions,
        }
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.counters
            .counter(self.kind)
            .fetch_sub(1, Ordering::AcqRel);
    }
}

/// Spawns `future` on the Tokio runtime, counted in [`SfuStats::live_tasks`] until it ends.
pub(crate) fn spawn_counted<F>(counters: &Arc<Counters>, future: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let guard = LiveGuard::new(counters, LiveKind::Task);
    tokio::spawn(async move {
        let _guard = guard;
        future.await;
    });
}
