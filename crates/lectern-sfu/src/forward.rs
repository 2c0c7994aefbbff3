//! The packet path: a reader task per received track writes each packet to every subscriber.

use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use rtc::rtp;
use tokio_util::sync::CancellationToken;
use tracing::{debug, trace};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

use crate::ParticipantId;
use crate::rewrite::{SequenceRewriter, SourcePacket};
use crate::room::{RoomEvent, RoomInner};
use crate::session::lock;
use crate::speaking::{SpeakingDetector, parse_audio_level};
use crate::stats::{Counters, bump};

/// Value of a forwarding grant that holds no slot: the participant's packets are dropped.
pub(crate) const NOT_FORWARDED: u32 = u32::MAX;

/// A subscriber as seen by publishers: its outgoing slot tracks and how each is numbered.
#[derive(Debug)]
pub(crate) struct Subscriber {
    pub(crate) participant: ParticipantId,
    output: Mutex<Output>,
    dropped_queue_full: AtomicU64,
}

/// The state one subscriber's packets pass through, locked for each packet.
struct Output {
    tracks: Arc<[SlotOutput]>,
    rewriters: Vec<SequenceRewriter>,
    blocked_for_test: bool,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Output")
            .field("tracks", &self.tracks.len())
            .field("blocked_for_test", &self.blocked_for_test)
            .finish_non_exhaustive()
    }
}

/// The outcome of writing one packet to one subscriber.
enum Written {
    Sent,
    NoTrack,
    QueueFull,
    Failed(webrtc::error::Error),
}

impl Subscriber {
    pub(crate) fn new(participant: ParticipantId, slots: usize) -> Self {
        Self {
            participant,
            output: Mutex::new(Output {
                tracks: Arc::from(Vec::new()),
                rewriters: vec![SequenceRewriter::new(); slots],
                blocked_for_test: false,
            }),
            dropped_queue_full: AtomicU64::new(0),
        }
    }

    /// Replaces the negotiated slot tracks, indexed by slot.
    pub(crate) fn set_tracks(&self, tracks: Arc<[SlotOutput]>) {
        lock(&self.output).tracks = tracks;
    }

    /// Makes every write to this subscriber behave as if the `webrtc` crate's queue were full.
    pub(crate) fn block_for_test(&self, blocked: bool) {
        lock(&self.output).blocked_for_test = blocked;
    }

    /// Packets dropped for this subscriber because its queue was full.
    pub(crate) fn dropped_queue_full(&self) -> u64 {
        self.dropped_queue_full.load(Ordering::Relaxed)
    }

    /// Rewrites `packet` for the subscriber's track of `slot` and hands it to the `webrtc`
    /// crate, without waiting.
    ///
    /// The lock is held until the packet is queued, so the packets of one track are queued in
    /// the order of their sequence numbers even when two publishers write at once.
    fn write(&self, slot: u8, source: u64, packet: &rtp::Packet, now: Instant) -> Written {
        let mut output = lock(&self.output);
        let Output {
            tracks,
            rewriters,
            blocked_for_test,
        } = &mut *output;
        let slot = usize::from(slot);
        let (Some(track), Some(rewriter)) = (tracks.get(slot), rewriters.get_mut(slot)) else {
            return Written::NoTrack;
        };
        let rewritten = rewriter.rewrite(
            SourcePacket {
                source,
                sequence_number: packet.header.sequence_number,
                timestamp: packet.header.timestamp,
            },
            now,
        );
        if *blocked_for_test {
            return Written::QueueFull;
        }

        // NOTE: header extensions are not forwarded, so browsers get no per-packet audio level;
        // speaking state reaches them only through `RoomEvent::Speaking` and the server.
        let outgoing = rtp::Packet {
            header: rtp::Header {
                version: 2,
                marker: packet.header.marker,
                payload_type: track.payload_type,
                sequence_number: rewritten.sequence_number,
                timestamp: rewritten.timestamp,
                ssrc: track.ssrc,
                ..rtp::Header::default()
            },
            payload: packet.payload.clone(),
        };

        // `write_rtp` takes an uncontended lock and sends on the driver's bounded channel, so
        // its first poll finishes unless that channel is full. Waiting there would hold up
        // every other subscriber, so a full channel drops the packet for this subscriber.
        let mut write = track.track.write_rtp(outgoing);
        match write.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Ok(())) => Written::Sent,
            Poll::Ready(Err(error)) => Written::Failed(error),
            Poll::Pending => Written::QueueFull,
        }
    }
}

/// A negotiated outgoing track of a subscriber.
#[derive(Clone)]
pub(crate) struct SlotOutput {
    pub(crate) track: Arc<TrackLocalStaticRTP>,
    pub(crate) ssrc: u32,
    pub(crate) payload_type: u8,
}

/// Session state that a publisher's reader task uses.
#[derive(Debug, Clone)]
pub(crate) struct PublisherContext {
    pub(crate) participant: ParticipantId,
    pub(crate) room: std::sync::Weak<RoomInner>,
    pub(crate) counters: Arc<Counters>,
    pub(crate) grant: Arc<AtomicU32>,
    /// Negotiated id of the audio level header extension, or 0 when it was not negotiated.
    pub(crate) audio_level_id: Arc<AtomicU8>,
    pub(crate) cancel: CancellationToken,
}

/// Reads one received track and queues each allowed packet for every other subscriber.
pub(crate) async fn run_publisher(
    context: PublisherContext,
    track: Arc<dyn TrackRemote>,
    source: u64,
) {
    let Some(room) = context.room.upgrade() else {
        return;
    };
    let config = room.config();
    let mut detector = SpeakingDetector::new(config.speaking);
    let mut poll = tokio::time::interval(config.speaking_poll_interval);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    drop(room);
    debug!(participant = %context.participant, source, "reading audio track");

    loop {
        let event = tokio::select! {
            biased;
            () = context.cancel.cancelled() => break,
            event = track.poll() => event,
            _ = poll.tick() => {
                if let Some(speaking) = detector.poll(Instant::now()) {
                    emit_speaking(&context, speaking);
                }
                continue;
            }
        };
        match event {
            None | Some(TrackRemoteEvent::OnEnded) => break,
            Some(TrackRemoteEvent::OnRtpPacket(packet)) => {
                let now = Instant::now();
                if !forward_packet(&context, source, &packet, now) {
                    continue;
                }
                let level_id = context.audio_level_id.load(Ordering::Relaxed);
                if level_id == 0 {
                    continue;
                }
                let level = packet
                    .header
                    .extensions
                    .iter()
                    .find(|extension| extension.id == level_id)
                    .and_then(|extension| parse_audio_level(&extension.payload));
                if let Some(level) = level
                    && let Some(speaking) = detector.observe(level, now)
                {
                    emit_speaking(&context, speaking);
                }
            }
            Some(_) => {}
        }
    }
    if detector.is_speaking() {
        emit_speaking(&context, false);
    }
    debug!(participant = %context.participant, source, "stopped reading audio track");
}

/// Writes `packet` to every subscriber except its sender.
///
/// Returns whether the sender was allowed to speak. Never waits: a subscriber whose queue in
/// the `webrtc` crate is full misses the packet, and the others still get it.
fn forward_packet(
    context: &PublisherContext,
    source: u64,
    packet: &rtp::Packet,
    now: Instant,
) -> bool {
    // The grant is read for every packet, so a revoke stops forwarding at the next packet.
    let slot = context.grant.load(Ordering::Acquire);
    let Ok(slot) = u8::try_from(slot) else {
        bump(&context.counters.packets_not_allowed);
        return false;
    };
    let Some(room) = context.room.upgrade() else {
        return false;
    };
    let subscribers = room.subscribers();
    drop(room);

    for subscriber in subscribers.iter() {
        if subscriber.participant == context.participant {
            continue;
        }
        match subscriber.write(slot, source, packet, now) {
            Written::Sent => bump(&context.counters.packets_written),
            Written::NoTrack => bump(&context.counters.packets_dropped_no_track),
            Written::QueueFull => {
                bump(&context.counters.packets_dropped_queue_full);
                let dropped = subscriber
                    .dropped_queue_full
                    .fetch_add(1, Ordering::Relaxed);
                if dropped.is_power_of_two() {
                    debug!(
                        subscriber = %subscriber.participant,
                        dropped = dropped + 1,
                        "subscriber queue full, dropping packets"
                    );
                }
            }
            Written::Failed(error) => {
                bump(&context.counters.packet_write_errors);
                trace!(subscriber = %subscriber.participant, %error, "RTP write failed");
            }
        }
    }
    true
}

fn emit_speaking(context: &PublisherContext, speaking: bool) {
    if let Some(room) = context.room.upgrade() {
        room.emit(RoomEvent::Speaking {
            participant: context.participant.clone(),
            speaking,
        });
    }
}
