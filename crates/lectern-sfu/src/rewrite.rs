//! Sequence number and timestamp rewriting for one outgoing track whose source changes.
//!
//! A subscriber's outgoing track carries one publisher at a time, but the publisher changes
//! when the floor passes. Each publisher numbers its packets from its own random start, so the
//! SFU maps every source onto the track's own sequence and timestamp space: the first packet of
//! a new source continues one sequence number after the last packet sent on the track, and its
//! timestamp advances by the wall-clock time since that packet. Packets of the same source keep
//! their relative spacing, including gaps and reordering, because the mapping is an offset.

use std::time::Instant;

/// RTP clock rate of Opus (RFC 7587): always 48 kHz, whatever the sampling rate in use.
pub const OPUS_CLOCK_RATE: u32 = 48_000;

/// Timestamp step of one 20 ms Opus frame, the smallest advance on a source change.
const MIN_SOURCE_CHANGE_STEP: u32 = OPUS_CLOCK_RATE / 50;

/// Fields of a source packet that the rewriter reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourcePacket {
    /// Opaque identifier of the source. A change starts a new mapping.
    pub source: u64,
    /// Sequence number as sent by the source.
    pub sequence_number: u16,
    /// RTP timestamp as sent by the source.
    pub timestamp: u32,
}

/// Sequence number and timestamp to put on the outgoing packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rewritten {
    /// Sequence number on the subscriber's track.
    pub sequence_number: u16,
    /// RTP timestamp on the subscriber's track.
    pub timestamp: u32,
}

#[derive(Debug, Clone, Copy)]
struct Mapping {
    source: u64,
    sequence_offset: u16,
    timestamp_offset: u32,
}

/// Maps the packets of changing sources onto one continuous outgoing stream.
#[derive(Debug, Clone)]
pub struct SequenceRewriter {
    mapping: Option<Mapping>,
    /// Highest sequence number sent so far, with the timestamp and send time of that packet.
    last_sent: Option<(u16, u32, Instant)>,
}

impl SequenceRewriter {
    /// Creates a rewriter whose first packet keeps its own numbering.
    ///
    /// The first source's numbers pass through unchanged, which already start at a random
    /// value chosen by the publisher as RFC 3550 asks.
    pub fn new() -> Self {
        Self {
            mapping: None,
            last_sent: None,
        }
    }

    /// Rewrites one packet received at `now`.
    pub fn rewrite(&mut self, packet: SourcePacket, now: Instant) -> Rewritten {
        let mapping = match self.mapping {
            Some(mapping) if mapping.source == packet.source => mapping,
            _ => {
                let mapping = self.start_mapping(packet, now);
                self.mapping = Some(mapping);
                mapping
            }
        };
        let rewritten = Rewritten {
            sequence_number: packet.sequence_number.wrapping_add(mapping.sequence_offset),
            timestamp: packet.timestamp.wrapping_add(mapping.timestamp_offset),
        };
        let is_newest = self.last_sent.is_none_or(|(last_sequence, _, _)| {
            sequence_is_newer(rewritten.sequence_number, last_sequence)
        });
        if is_newest {
            self.last_sent = Some((rewritten.sequence_number, rewritten.timestamp, now));
        }
        rewritten
    }

    fn start_mapping(&self, packet: SourcePacket, now: Instant) -> Mapping {
        let Some((last_sequence, last_timestamp, sent_at)) = self.last_sent else {
            return Mapping {
                source: packet.source,
                sequence_offset: 0,
                timestamp_offset: 0,
            };
        };
        let elapsed = now.saturating_duration_since(sent_at);
        let elapsed_ticks = elapsed
            .as_micros()
            .saturating_mul(u128::from(OPUS_CLOCK_RATE))
            / 1_000_000;
        let step = u32::try_from(elapsed_ticks)
            .unwrap_or(u32::MAX)
            .max(MIN_SOURCE_CHANGE_STEP);
        let first_sequence = last_sequence.wrapping_add(1);
        let first_timestamp = last_timestamp.wrapping_add(step);
        Mapping {
            source: packet.source,
            sequence_offset: first_sequence.wrapping_sub(packet.sequence_number),
            timestamp_offset: first_timestamp.wrapping_sub(packet.timestamp),
        }
    }
}

impl Default for SequenceRewriter {
    fn default() -> Self {
        Self::new()
    }
}

/// Returns whether `candidate` follows `reference` in RFC 3550 serial-number order.
fn sequence_is_newer(candidate: u16, reference: u16) -> bool {
    let distance = candidate.wrapping_sub(reference);
    distance != 0 && distance < 0x8000
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn packet(source: u64, sequence_number: u16, timestamp: u32) -> SourcePacket {
        SourcePacket {
            source,
            sequence_number,
            timestamp,
        }
    }

    #[test]
    fn first_source_passes_through() {
        let now = Instant::now();
        let mut rewriter = SequenceRewriter::new();
        let out = rewriter.rewrite(packet(1, 500, 9_000), now);
        assert_eq!(out.sequence_number, 500);
        assert_eq!(out.timestamp, 9_000);
        let out = rewriter.rewrite(packet(1, 501, 9_960), now + Duration::from_millis(20));
        assert_eq!(out.sequence_number, 501);
        assert_eq!(out.timestamp, 9_960);
    }

    #[test]
    fn source_change_continues_sequence() {
        let start = Instant::now();
        let mut rewriter = SequenceRewriter::new();
        rewriter.rewrite(packet(1, 100, 1_000), start);
        rewriter.rewrite(packet(1, 101, 1_960), start + Duration::from_millis(20));
        // The floor passes 1 s later to a source with unrelated numbering.
        let switch_at = start + Duration::from_millis(1_020);
        let out = rewriter.rewrite(packet(2, 60_000, 7_777_777), switch_at);
        assert_eq!(out.sequence_number, 102);
        assert_eq!(out.timestamp, 1_960 + 48_000);
        let out = rewriter.rewrite(
            packet(2, 60_001, 7_777_777 + 960),
            switch_at + Duration::from_millis(20),
        );
        assert_eq!(out.sequence_number, 103);
        assert_eq!(out.timestamp, 1_960 + 48_000 + 960);
    }

    #[test]
    fn immediate_change_advances_one_frame() {
        let start = Instant::now();
        let mut rewriter = SequenceRewriter::new();
        rewriter.rewrite(packet(1, 10, 500), start);
        let out = rewriter.rewrite(packet(2, 9_999, 123), start);
        assert_eq!(out.sequence_number, 11);
        assert_eq!(out.timestamp, 500 + 960);
    }

    #[test]
    fn sequence_wraps_around() {
        let start = Instant::now();
        let mut rewriter = SequenceRewriter::new();
        rewriter.rewrite(packet(1, u16::MAX, u32::MAX - 100), start);
        let out = rewriter.rewrite(packet(2, 7, 0), start);
        assert_eq!(out.sequence_number, 0);
        assert_eq!(out.timestamp, (u32::MAX - 100).wrapping_add(960));
    }

    #[test]
    fn reordered_packet_keeps_its_place() {
        let start = Instant::now();
        let mut rewriter = SequenceRewriter::new();
        rewriter.rewrite(packet(1, 10, 0), start);
        rewriter.rewrite(packet(2, 1_000, 0), start);
        rewriter.rewrite(packet(2, 1_002, 1_920), start);
        let late = rewriter.rewrite(packet(2, 1_001, 960), start);
        assert_eq!(late.sequence_number, 12);
        // The late packet does not move the newest position back.
        let out = rewriter.rewrite(packet(3, 5, 0), start);
        assert_eq!(out.sequence_number, 14);
    }

    #[test]
    fn returning_source_gets_new_mapping() {
        let start = Instant::now();
        let mut rewriter = SequenceRewriter::new();
        rewriter.rewrite(packet(1, 10, 0), start);
        rewriter.rewrite(packet(2, 500, 0), start);
        let out = rewriter.rewrite(packet(1, 11, 960), start);
        assert_eq!(out.sequence_number, 12);
    }
}
