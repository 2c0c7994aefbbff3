//! Speaking indicators from the RFC 6464 client-to-mixer audio level, without decoding.
//!
//! Each forwarded packet may carry the `urn:ietf:params:rtp-hdrext:ssrc-audio-level` header
//! extension: one byte whose low 7 bits are the level in -dBov (0 is the loudest, 127 is
//! silence) and whose top bit is the sender's voice-activity flag. [`SpeakingDetector`] turns
//! that stream of levels into a speaking state with hysteresis and reports changes at a bounded
//! rate. It reads no clock: every call takes `now`.

use std::time::{Duration, Instant};

/// URI of the RFC 6464 client-to-mixer audio level header extension.
pub const AUDIO_LEVEL_URI: &str = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

/// Tuning of the speaking detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeakingConfig {
    /// Loudest level, in -dBov, that still counts as silence. A packet whose level value is at
    /// most `quiet_above_dbov - 1` (that is, louder) counts as voice. Default 50, so -49 dBov
    /// and louder is voice.
    pub quiet_above_dbov: u8,
    /// Time a participant must stay loud before the detector reports speaking. Default 60 ms,
    /// three 20 ms Opus frames, so a single click does not light the indicator.
    pub activate_after: Duration,
    /// Time without a loud packet after which the detector reports silence. Default 500 ms,
    /// which bridges the pauses between words.
    pub hangover: Duration,
    /// Minimum time between two reported changes for one participant. Default 250 ms, so a
    /// participant produces at most four events a second.
    pub min_event_interval: Duration,
}

impl Default for SpeakingConfig {
    fn default() -> Self {
        Self {
            quiet_above_dbov: 50,
            activate_after: Duration::from_millis(60),
            hangover: Duration::from_millis(500),
            min_event_interval: Duration::from_millis(250),
        }
    }
}

/// Parses the one-byte RFC 6464 extension element into the level in -dBov (0 to 127).
///
/// Returns `None` for an empty element. The voice-activity bit is ignored because browsers
/// do not set it consistently.
pub fn parse_audio_level(element: &[u8]) -> Option<u8> {
    element.first().map(|byte| byte & 0x7f)
}

/// Speaking state of one participant, derived from audio levels.
#[derive(Debug, Clone)]
pub struct SpeakingDetector {
    config: SpeakingConfig,
    /// Start of the current run of loud packets, reset after `hangover` of quiet.
    loud_since: Option<Instant>,
    last_loud: Option<Instant>,
    reported: bool,
    last_report: Option<Instant>,
}

impl SpeakingDetector {
    /// Creates a detector in the silent state.
    pub fn new(config: SpeakingConfig) -> Self {
        Self {
            config,
            loud_since: None,
            last_loud: None,
            reported: false,
            last_report: None,
        }
    }

    /// Returns the last reported state.
    pub fn is_speaking(&self) -> bool {
        self.reported
    }

    /// Records one packet's level (in -dBov) received at `now`.
    ///
    /// Returns `Some(state)` when the reported state changes.
    pub fn observe(&mut self, level_dbov: u8, now: Instant) -> Option<bool> {
        if level_dbov < self.config.quiet_above_dbov {
            if self.quiet_for_hangover(now) {
                self.loud_since = None;
            }
            self.loud_since.get_or_insert(now);
            self.last_loud = Some(now);
        }
        self.poll(now)
    }

    /// Re-evaluates the state at `now` without a new packet, so a participant who stops
    /// sending altogether (Opus DTX, a muted microphone) is reported silent.
    ///
    /// Returns `Some(state)` when the reported state changes.
    pub fn poll(&mut self, now: Instant) -> Option<bool> {
        if self.quiet_for_hangover(now) {
            self.loud_since = None;
        }
        // Speaking needs a run of loud packets spanning `activate_after`, not one loud packet
        // followed by quiet ones.
        let wanted = match (self.loud_since, self.last_loud) {
            (Some(since), Some(last)) => {
                last.saturating_duration_since(since) >= self.config.activate_after
            }
            _ => false,
        };
        if wanted == self.reported {
            return None;
        }
        let rate_limited = self
            .last_report
            .is_some_and(|at| now.saturating_duration_since(at) < self.config.min_event_interval);
        if rate_limited {
            return None;
        }
        self.reported = wanted;
        self.last_report = Some(now);
        Some(wanted)
    }

    fn quiet_for_hangover(&self, now: Instant) -> bool {
        self.last_loud
            .is_none_or(|at| now.saturating_duration_since(at) >= self.config.hangover)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOUD: u8 = 20;
    const QUIET: u8 = 100;

    fn ms(value: u64) -> Duration {
        Duration::from_millis(value)
    }

    /// Feeds one packet every 20 ms from `from` (inclusive) to `to` (exclusive) and collects
    /// the reported changes with their offsets.
    fn feed(
        detector: &mut SpeakingDetector,
        start: Instant,
        from: u64,
        to: u64,
        level: u8,
    ) -> Vec<(u64, bool)> {
        let mut changes = Vec::new();
        let mut offset = from;
        while offset < to {
            if let Some(state) = detector.observe(level, start + ms(offset)) {
                changes.push((offset, state));
            }
            offset += 20;
        }
        changes
    }

    #[test]
    fn parse_level_masks_voice_flag() {
        assert_eq!(parse_audio_level(&[0x80 | 30]), Some(30));
        assert_eq!(parse_audio_level(&[127]), Some(127));
        assert_eq!(parse_audio_level(&[]), None);
    }

    #[test]
    fn silence_reports_nothing() {
        let start = Instant::now();
        let mut detector = SpeakingDetector::new(SpeakingConfig::default());
        assert!(feed(&mut detector, start, 0, 2_000, QUIET).is_empty());
        assert!(!detector.is_speaking());
    }

    #[test]
    fn loud_run_starts_speaking_after_activation() {
        let start = Instant::now();
        let mut detector = SpeakingDetector::new(SpeakingConfig::default());
        let changes = feed(&mut detector, start, 0, 200, LOUD);
        assert_eq!(changes, vec![(60, true)]);
        assert!(detector.is_speaking());
    }

    #[test]
    fn single_loud_packet_is_ignored() {
        let start = Instant::now();
        let mut detector = SpeakingDetector::new(SpeakingConfig::default());
        assert_eq!(detector.observe(LOUD, start), None);
        let changes = feed(&mut detector, start, 20, 1_000, QUIET);
        assert!(changes.is_empty());
    }

    #[test]
    fn quiet_after_hangover_stops_speaking() {
        let start = Instant::now();
        let mut detector = SpeakingDetector::new(SpeakingConfig::default());
        feed(&mut detector, start, 0, 1_000, LOUD);
        // The last loud packet is at 980 ms, so silence is reported at 1480 ms.
        let changes = feed(&mut detector, start, 1_000, 2_000, QUIET);
        assert_eq!(changes, vec![(1_480, false)]);
    }

    #[test]
    fn short_pause_keeps_speaking() {
        let start = Instant::now();
        let mut detector = SpeakingDetector::new(SpeakingConfig::default());
        feed(&mut detector, start, 0, 500, LOUD);
        assert!(feed(&mut detector, start, 500, 800, QUIET).is_empty());
        assert!(feed(&mut detector, start, 800, 1_200, LOUD).is_empty());
        assert!(detector.is_speaking());
    }

    #[test]
    fn poll_without_packets_stops_speaking() {
        let start = Instant::now();
        let mut detector = SpeakingDetector::new(SpeakingConfig::default());
        feed(&mut detector, start, 0, 200, LOUD);
        assert_eq!(detector.poll(start + ms(400)), None);
        assert_eq!(detector.poll(start + ms(680)), Some(false));
        assert_eq!(detector.poll(start + ms(2_000)), None);
    }

    #[test]
    fn changes_are_rate_limited() {
        let start = Instant::now();
        let config = SpeakingConfig {
            activate_after: Duration::ZERO,
            hangover: ms(20),
            min_event_interval: ms(250),
            ..SpeakingConfig::default()
        };
        let mut detector = SpeakingDetector::new(config);
        let mut changes = Vec::new();
        // Alternate loud and quiet every 40 ms for one second: a flapping input.
        for step in 0..50u64 {
            let offset = step * 20;
            let level = if (step / 2) % 2 == 0 { LOUD } else { QUIET };
            if let Some(state) = detector.observe(level, start + ms(offset)) {
                changes.push((offset, state));
            }
        }
        assert!(changes.len() <= 5, "too many changes: {changes:?}");
        for pair in changes.windows(2) {
            assert!(pair[1].0 - pair[0].0 >= 250, "changes too close: {pair:?}");
        }
    }

    #[test]
    fn deferred_change_is_reported_by_poll() {
        let start = Instant::now();
        let config = SpeakingConfig {
            activate_after: Duration::ZERO,
            hangover: ms(20),
            min_event_interval: ms(250),
            ..SpeakingConfig::default()
        };
        let mut detector = SpeakingDetector::new(config);
        assert_eq!(detector.observe(LOUD, start), Some(true));
        // Silent from 20 ms on, but the change waits for the interval to pass.
        assert_eq!(detector.poll(start + ms(100)), None);
        assert_eq!(detector.poll(start + ms(250)), Some(false));
    }
}
