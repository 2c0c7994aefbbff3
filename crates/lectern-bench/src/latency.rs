//! Delivery latency accounting.
//!
//! The writer and the readers share one process, so the send time never
//! travels in the document: the writer appends each update's end clock (its
//! Yjs clock once the update is applied) and send time to a [`SendLog`].
//! A reader decodes each update it receives with yrs, takes the highest
//! clock of the writer's blocks in it, and credits every logged update up
//! to that clock that it had not seen yet. A server that merges several
//! updates into one message is credited for all of them, at the time the
//! merged message arrived.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use yrs::Update;
use yrs::updates::decoder::Decode;

/// One update the writer sent.
#[derive(Debug, Clone, Copy)]
struct Sent {
    end_clock: u32,
    sent_at: Instant,
    /// Whether it was sent in the measured window, not during warm-up.
    measured: bool,
}

/// The writer's updates in send order, so their clocks ascend.
#[derive(Debug, Default)]
pub struct SendLog {
    sent: Mutex<Vec<Sent>>,
}

impl SendLog {
    /// Records an update sent at `sent_at`; `end_clock` must be above every
    /// clock recorded before.
    pub fn record(&self, end_clock: u32, sent_at: Instant, measured: bool) {
        let mut sent = self
            .sent
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        sent.push(Sent {
            end_clock,
            sent_at,
            measured,
        });
    }

    /// Returns the number of updates sent in the measured window.
    pub fn measured_count(&self) -> u64 {
        let sent = self
            .sent
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        sent.iter().filter(|entry| entry.measured).count() as u64
    }
}

/// The latencies of the writer's updates that one reader received.
#[derive(Debug, Default)]
pub struct ReaderTally {
    /// The highest writer clock received so far.
    seen_clock: u32,
    /// Latency of each measured update received, in microseconds.
    pub latencies_us: Vec<u64>,
}

impl ReaderTally {
    /// Credits every update of `log` with an end clock in
    /// (`seen_clock`, `end_clock`] as received at `received_at`.
    pub fn receive(&mut self, log: &SendLog, end_clock: u32, received_at: Instant) {
        if end_clock <= self.seen_clock {
            return;
        }
        let sent = log.sent.lock().unwrap_or_else(|poison| poison.into_inner());
        let start = sent.partition_point(|entry| entry.end_clock <= self.seen_clock);
        let end = sent.partition_point(|entry| entry.end_clock <= end_clock);
        for entry in &sent[start..end] {
            if entry.measured {
                let latency = received_at.saturating_duration_since(entry.sent_at);
                self.latencies_us.push(duration_us(latency));
            }
        }
        drop(sent);
        self.seen_clock = end_clock;
    }
}

fn duration_us(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// Returns the highest clock of `client_id`'s blocks in a v1 update, or
/// `None` when the update is invalid or holds none of that client's blocks.
pub fn writer_end_clock(update: &[u8], client_id: u64) -> Option<u32> {
    let update = Update::decode_v1(update).ok()?;
    let insertions = update.insertions(true);
    let (_, ranges) = insertions
        .iter()
        .find(|(client, _)| client.get() == client_id)?;
    ranges.iter().map(|range| range.end).max()
}

/// Percentiles of a set of latencies, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LatencySummary {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl LatencySummary {
    /// Summarises latencies in microseconds with nearest-rank percentiles;
    /// `None` for no samples.
    pub fn from_us(samples: &mut [u64]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        samples.sort_unstable();
        let to_ms = |us: u64| us as f64 / 1000.0;
        Some(Self {
            p50_ms: to_ms(nearest_rank(samples, 50.0)),
            p99_ms: to_ms(nearest_rank(samples, 99.0)),
            max_ms: to_ms(samples[samples.len() - 1]),
        })
    }
}

/// Returns the nearest-rank percentile of sorted, non-empty samples: the
/// smallest sample with at least `percent` % of samples at or below it.
fn nearest_rank(sorted: &[u64], percent: f64) -> u64 {
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stroke::StrokeWriter;

    #[test]
    fn reader_credits_each_update_once() {
        let log = SendLog::default();
        let start = Instant::now();
        for clock in 1..=3 {
            log.record(clock, start, true);
        }

        let mut tally = ReaderTally::default();
        tally.receive(&log, 1, start + Duration::from_millis(4));
        tally.receive(&log, 1, start + Duration::from_millis(9));
        tally.receive(&log, 3, start + Duration::from_millis(10));

        assert_eq!(tally.latencies_us, [4_000, 10_000, 10_000]);
    }

    #[test]
    fn warm_up_updates_are_not_measured() {
        let log = SendLog::default();
        let start = Instant::now();
        log.record(1, start, false);
        log.record(2, start, true);
        assert_eq!(log.measured_count(), 1);

        let mut tally = ReaderTally::default();
        tally.receive(&log, 2, start + Duration::from_millis(1));
        assert_eq!(tally.latencies_us, [1_000]);
    }

    #[test]
    fn unknown_clock_credits_nothing() {
        let log = SendLog::default();
        let start = Instant::now();
        log.record(10, start, true);

        let mut tally = ReaderTally::default();
        tally.receive(&log, 9, start);
        assert!(tally.latencies_us.is_empty());
    }

    #[test]
    fn end_clock_matches_writer_clock() {
        let mut writer = StrokeWriter::new(42, "lecturer-1", 5);
        for _ in 0..7 {
            let next = writer.next_update(0);
            assert_eq!(writer_end_clock(&next.update, 42), Some(next.end_clock));
            assert_eq!(writer_end_clock(&next.update, 43), None);
        }
    }

    #[test]
    fn invalid_update_has_no_clock() {
        assert_eq!(writer_end_clock(&[0xff, 0x01], 1), None);
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut samples: Vec<u64> = (1..=100).rev().map(|ms| ms * 1000).collect();
        let summary = LatencySummary::from_us(&mut samples).expect("samples");
        assert_eq!(summary.p50_ms, 50.0);
        assert_eq!(summary.p99_ms, 99.0);
        assert_eq!(summary.max_ms, 100.0);
    }

    #[test]
    fn single_sample_is_every_percentile() {
        let summary = LatencySummary::from_us(&mut [2_500]).expect("one sample");
        assert_eq!(summary.p50_ms, 2.5);
        assert_eq!(summary.p99_ms, 2.5);
        assert_eq!(summary.max_ms, 2.5);
    }

    #[test]
    fn no_samples_no_summary() {
        assert_eq!(LatencySummary::from_us(&mut []), None);
    }
}
