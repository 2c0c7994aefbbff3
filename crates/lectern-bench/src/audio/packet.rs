//! The publisher's RTP payloads and what each subscriber measures on them.
//!
//! A payload replaces a 20 ms Opus frame: [`PAYLOAD_BYTES`] bytes, of
//! which the first 13 carry a magic byte, the measurement phase, the
//! publisher's packet number and its send time. Publisher and subscribers
//! share one process, so the send time is read on the receiving side from
//! the same clock ([`Clock`]) and needs no synchronisation.
//!
//! Each subscriber keeps a [`StreamStats`]: which measured packets arrived
//! (duplicates are counted once), the latency of each, and the
//! interarrival jitter of RFC 3550, section 6.4.1.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};

/// Payload size of one packet: a 20 ms Opus frame at 32 kbit/s.
pub const PAYLOAD_BYTES: usize = 80;

/// RTP clock rate of Opus.
pub const CLOCK_RATE: u32 = 48_000;

/// RTP timestamp advance per 20 ms frame at [`CLOCK_RATE`].
pub const TIMESTAMP_STEP: u32 = 960;

/// First payload byte of every bench packet, so that stray packets (such
/// as a server's own probing) are not counted.
const MAGIC: u8 = 0xB7;

/// Whether a packet was sent during the warm-up or the measured window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    WarmUp = 0,
    Measured = 1,
}

/// The publisher's clock: microseconds since the bench process created it.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    origin: Instant,
}

impl Clock {
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }

    /// Returns the microseconds elapsed since the clock was created.
    pub fn now_us(&self) -> u64 {
        duration_us(self.origin.elapsed())
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

fn duration_us(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// The bench fields of a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub phase: Phase,
    /// The publisher's packet number, from 0.
    pub number: u32,
    /// Send time on the shared [`Clock`], in microseconds.
    pub sent_us: u64,
}

impl Stamp {
    /// Encodes the stamp into a payload of [`PAYLOAD_BYTES`] bytes.
    pub fn encode(&self) -> Bytes {
        let mut buffer = BytesMut::with_capacity(PAYLOAD_BYTES);
        buffer.put_u8(MAGIC);
        buffer.put_u8(self.phase as u8);
        buffer.put_u32(self.number);
        buffer.put_u64(self.sent_us);
        buffer.put_bytes(0x5A, PAYLOAD_BYTES - buffer.len());
        buffer.freeze()
    }

    /// Decodes a payload, or returns `None` for one the bench did not send.
    pub fn decode(payload: &[u8]) -> Option<Self> {
        if payload.len() < 14 || payload[0] != MAGIC {
            return None;
        }
        let phase = match payload[1] {
            0 => Phase::WarmUp,
            1 => Phase::Measured,
            _ => return None,
        };
        let number = u32::from_be_bytes(payload[2..6].try_into().ok()?);
        let sent_us = u64::from_be_bytes(payload[6..14].try_into().ok()?);
        Some(Self {
            phase,
            number,
            sent_us,
        })
    }
}

/// Statistics of the packets one subscriber received.
#[derive(Debug, Default)]
pub struct StreamStats {
    /// Whether any bench packet arrived, warm-up included.
    pub any_received: bool,
    /// Numbers of the measured packets received.
    measured: HashSet<u32>,
    /// Latency of each measured packet at its first arrival, in microseconds.
    pub latencies_us: Vec<u64>,
    /// RFC 3550 interarrival jitter estimate, in RTP timestamp units.
    jitter: f64,
    /// Arrival time (in RTP units) and RTP timestamp of the previous
    /// measured packet.
    previous: Option<(f64, u32)>,
}

impl StreamStats {
    /// Records a packet with RTP timestamp `timestamp` that arrived at
    /// `arrived_us` on the shared clock.
    pub fn record(&mut self, stamp: Stamp, timestamp: u32, arrived_us: u64) {
        self.any_received = true;
        if stamp.phase != Phase::Measured || !self.measured.insert(stamp.number) {
            return;
        }
        self.latencies_us
            .push(arrived_us.saturating_sub(stamp.sent_us));

        // RFC 3550, 6.4.1: D(i-1, i) = (R_i - R_{i-1}) - (S_i - S_{i-1}) in
        // timestamp units, and J += (|D| - J) / 16.
        let arrival = arrived_us as f64 * f64::from(CLOCK_RATE) / 1_000_000.0;
        if let Some((previous_arrival, previous_timestamp)) = self.previous {
            let sent_delta = f64::from(timestamp.wrapping_sub(previous_timestamp) as i32);
            let difference = (arrival - previous_arrival) - sent_delta;
            self.jitter += (difference.abs() - self.jitter) / 16.0;
        }
        self.previous = Some((arrival, timestamp));
    }

    /// Number of distinct measured packets received.
    pub fn measured_received(&self) -> u64 {
        self.measured.len() as u64
    }

    /// Returns the jitter estimate after the last packet, in microseconds.
    pub fn jitter_us(&self) -> u64 {
        (self.jitter * 1_000_000.0 / f64::from(CLOCK_RATE)).round() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_round_trips() {
        let stamp = Stamp {
            phase: Phase::Measured,
            number: 70_000,
            sent_us: 123_456_789,
        };
        let payload = stamp.encode();
        assert_eq!(payload.len(), PAYLOAD_BYTES);
        assert_eq!(Stamp::decode(&payload), Some(stamp));
    }

    #[test]
    fn foreign_payload_is_rejected() {
        assert_eq!(Stamp::decode(&[0u8; PAYLOAD_BYTES]), None);
        assert_eq!(Stamp::decode(&[MAGIC, 0, 1]), None);
    }

    fn measured(number: u32, sent_us: u64) -> Stamp {
        Stamp {
            phase: Phase::Measured,
            number,
            sent_us,
        }
    }

    #[test]
    fn duplicates_and_warm_up_are_not_counted() {
        let mut stats = StreamStats::default();
        let warm_up = Stamp {
            phase: Phase::WarmUp,
            ..measured(0, 0)
        };
        stats.record(warm_up, 0, 1_000);
        stats.record(measured(1, 20_000), 960, 21_000);
        stats.record(measured(1, 20_000), 960, 25_000);

        assert!(stats.any_received);
        assert_eq!(stats.measured_received(), 1);
        assert_eq!(stats.latencies_us, [1_000]);
    }

    #[test]
    fn steady_stream_has_no_jitter() {
        let mut stats = StreamStats::default();
        for number in 0..100 {
            let sent = u64::from(number) * 20_000;
            stats.record(
                measured(number, sent),
                number * TIMESTAMP_STEP,
                sent + 3_000,
            );
        }
        assert_eq!(stats.jitter_us(), 0);
    }

    #[test]
    fn alternating_delay_converges_to_its_swing() {
        // Delays alternate between 1 ms and 5 ms, so |D| is 4 ms for every
        // packet after the first and J tends to 4 ms.
        let mut stats = StreamStats::default();
        for number in 0..1_000u32 {
            let sent = u64::from(number) * 20_000;
            let delay = if number % 2 == 0 { 1_000 } else { 5_000 };
            stats.record(
                measured(number, sent),
                number.wrapping_mul(TIMESTAMP_STEP),
                sent + delay,
            );
        }
        assert!(
            (3_990..=4_000).contains(&stats.jitter_us()),
            "{}",
            stats.jitter_us()
        );
    }
}
