//! Per-student token bucket for hand changes, driven by the caller's `now`.

use crate::config::HandRate;

/// One student's token bucket.
///
/// The level is kept in units of `1 / window_ms` of a token, so refill and
/// cost stay in integers: a full bucket is `max_changes * window_ms` units,
/// one change costs `window_ms` units, and each millisecond adds
/// `max_changes` units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenBucket {
    level: u128,
    updated_at: u64,
}

impl TokenBucket {
    /// Creates a full bucket at `now`.
    pub(crate) fn full(rate: HandRate, now: u64) -> Self {
        Self {
            level: capacity(rate),
            updated_at: now,
        }
    }

    /// Takes one change from the bucket at `now`.
    ///
    /// Returns the milliseconds until a change is available when the bucket
    /// is empty. A `now` earlier than the last call counts as no time
    /// passed, so a caller's clock step backwards never adds changes.
    pub(crate) fn try_take(&mut self, rate: HandRate, now: u64) -> Result<(), u64> {
        let elapsed = now.saturating_sub(self.updated_at);
        let refill = u128::from(elapsed).saturating_mul(u128::from(rate.max_changes));
        self.level = self.level.saturating_add(refill).min(capacity(rate));
        self.updated_at = self.updated_at.max(now);

        let cost = u128::from(rate.window_ms);
        if self.level >= cost {
            self.level -= cost;
            return Ok(());
        }

        let missing = cost - self.level;
        let per_ms = u128::from(rate.max_changes.max(1));
        let retry_after = missing.div_ceil(per_ms);
        Err(u64::try_from(retry_after).unwrap_or(u64::MAX))
    }
}

fn capacity(rate: HandRate) -> u128 {
    u128::from(rate.max_changes).saturating_mul(u128::from(rate.window_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: HandRate = HandRate {
        max_changes: 5,
        window_ms: 10_000,
    };

    #[test]
    fn full_bucket_allows_burst() {
        let mut bucket = TokenBucket::full(RATE, 0);

        for _ in 0..5 {
            assert_eq!(bucket.try_take(RATE, 0), Ok(()));
        }
    }

    #[test]
    fn empty_bucket_reports_wait() {
        let mut bucket = TokenBucket::full(RATE, 0);
        for _ in 0..5 {
            assert_eq!(bucket.try_take(RATE, 0), Ok(()));
        }

        assert_eq!(bucket.try_take(RATE, 0), Err(2_000));
        assert_eq!(bucket.try_take(RATE, 500), Err(1_500));
    }

    #[test]
    fn bucket_refills_one_per_interval() {
        let mut bucket = TokenBucket::full(RATE, 0);
        for _ in 0..5 {
            assert_eq!(bucket.try_take(RATE, 0), Ok(()));
        }

        assert_eq!(bucket.try_take(RATE, 1_999), Err(1));
        assert_eq!(bucket.try_take(RATE, 2_000), Ok(()));
        assert_eq!(bucket.try_take(RATE, 2_000), Err(2_000));
    }

    #[test]
    fn refill_stops_at_capacity() {
        let mut bucket = TokenBucket::full(RATE, 0);

        for _ in 0..5 {
            assert_eq!(bucket.try_take(RATE, 1_000_000), Ok(()));
        }
        assert!(bucket.try_take(RATE, 1_000_000).is_err());
    }

    #[test]
    fn clock_step_back_adds_nothing() {
        let mut bucket = TokenBucket::full(RATE, 50_000);
        for _ in 0..5 {
            assert_eq!(bucket.try_take(RATE, 50_000), Ok(()));
        }

        assert_eq!(bucket.try_take(RATE, 10_000), Err(2_000));
        assert_eq!(bucket.try_take(RATE, 52_000), Ok(()));
    }

    #[test]
    fn retry_after_rounds_up() {
        let rate = HandRate {
            max_changes: 3,
            window_ms: 10_000,
        };
        let mut bucket = TokenBucket::full(rate, 0);
        for _ in 0..3 {
            assert_eq!(bucket.try_take(rate, 0), Ok(()));
        }

        assert_eq!(bucket.try_take(rate, 0), Err(3_334));
        assert_eq!(bucket.try_take(rate, 3_333), Err(1));
        assert_eq!(bucket.try_take(rate, 3_334), Ok(()));
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let rate = HandRate {
            max_changes: u32::MAX,
            window_ms: u64::MAX,
        };
        let mut bucket = TokenBucket::full(rate, 0);

        assert_eq!(bucket.try_take(rate, u64::MAX), Ok(()));
    }
}
