//! The packet path: a reader task per received track and a writer task per subscriber.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use rtc::rtp;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;
use tracing::{debug, trace};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

use crate::ParticipantId;
use crate::rewrite::{SequenceRewriter, SourcePacket};
use crate::room::{RoomEvent, RoomInner};
use crate::speaking::{SpeakingDetector, parse_audio_level};
use crate::stats::{Counters, bump};

/// Value of a forwarding grant that holds no slot: the participant's packets are dropped.
pub(crate) const NOT_FORWARDED: u32 = u32::MAX;

/// One packet on its way to one subscriber. The payload is shared, not copied.
#[derive(Debug)]
pub(crate) struct QueuedPacket {
    pub(crate) slot: u8,
    pub(crate) source: u64,
    pub(crate) sequence_number: u16,
    pub(crate) timestamp: u32,
    pub(crate) marker: bool,
    pub(crate) payload: Bytes,
    pub(crate) received_at: Instant,
}

/// The sending end of one subscriber's queue, as seen by publishers.
#[derive(Debug)]
pub(crate) struct Subscriber {
    pub(crate) participant: ParticipantId,
    pub(crate) queue: mpsc::Sender<QueuedPacket>,
    pub(crate) dropped_queue_full: AtomicU64,
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

/// Queues `packet` for every subscriber except its sender.
///
/// Returns whether the sender was allowed to speak. Never waits: a full queue drops the packet
/// for that subscriber alone.
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
        let queued = QueuedPacket {
            slot,
            source,
            sequence_number: packet.header.sequence_number,
            timestamp: packet.header.timestamp,
            marker: packet.header.marker,
            payload: packet.payload.clone(),
            received_at: now,
        };
        match subscriber.queue.try_send(queued) {
            Ok(()) => bump(&context.counters.packets_queued),
            Err(mpsc::error::TrySendError::Full(_)) => {
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
            // The subscriber is leaving, and its writer is gone.
            Err(mpsc::error::TrySendError::Closed(_)) => {}
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

/// State that a subscriber's writer task uses.
pub(crate) struct WriterContext {
    pub(crate) participant: ParticipantId,
    pub(crate) counters: Arc<Counters>,
    pub(crate) queue: mpsc::Receiver<QueuedPacket>,
    pub(crate) outputs: watch::Receiver<Arc<[SlotOutput]>>,
    pub(crate) paused: watch::Receiver<bool>,
    pub(crate) slots: usize,
    pub(crate) cancel: CancellationToken,
}

/// Rewrites each queued packet for the subscriber's track of its slot and sends it.
pub(crate) async fn run_writer(mut context: WriterContext) {
    let mut rewriters = vec![SequenceRewriter::new(); context.slots];
    loop {
        if *context.paused.borrow() {
            tokio::select! {
                () = context.cancel.cancelled() => break,
                changed = context.paused.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    continue;
                }
            }
        }
        let queued = tokio::select! {
            () = context.cancel.cancelled() => break,
            queued = context.queue.recv() => match queued {
                Some(queued) => queued,
                None => break,
            },
        };
        let slot = usize::from(queued.slot);
        let output = context.outputs.borrow().get(slot).cloned();
        let (Some(output), Some(rewriter)) = (output, rewriters.get_mut(slot)) else {
            bump(&context.counters.packets_dropped_no_track);
            continue;
        };
        let rewritten = rewriter.rewrite(
            SourcePacket {
                source: queued.source,
                sequence_number: queued.sequence_number,
                timestamp: queued.timestamp,
            },
            queued.received_at,
        );
        // NOTE: header extensions are not forwarded, so browsers get no per-packet audio level;
        // speaking state reaches them only through `RoomEvent::Speaking` and the server.
        let packet = rtp::Packet {
            header: rtp::Header {
                version: 2,
                marker: queued.marker,
                payload_type: output.payload_type,
                sequence_number: rewritten.sequence_number,
                timestamp: rewritten.timestamp,
                ssrc: output.ssrc,
                ..rtp::Header::default()
            },
            payload: queued.payload,
        };
        let result = tokio::select! {
            () = context.cancel.cancelled() => break,
            result = output.track.write_rtp(packet) => result,
        };
        match result {
            Ok(()) => bump(&context.counters.packets_written),
            Err(error) => {
                bump(&context.counters.packet_write_errors);
                trace!(subscriber = %context.participant, %error, "RTP write failed");
            }
        }
    }
    debug!(subscriber = %context.participant, "subscriber writer stopped");
}
