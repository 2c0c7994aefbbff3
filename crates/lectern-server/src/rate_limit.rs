//! Per-client-address token buckets for joins and logins, and the
//! per-connection limit on control messages.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Allows `per_minute` requests per address, refilled continuously, with a
/// burst of the same size.
///
/// NOTE: behind a reverse proxy every request comes from the proxy's
/// address, so the limit applies to all clients together.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets untouched this long are full again and are dropped.
const FORGET_AFTER: Duration = Duration::from_secs(120);

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `address`'s bucket. Returns `Err(seconds)`,
    /// the wait until the next request is allowed, when it is empty.
    pub fn check(&self, address: IpAddr, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());

        if buckets.len() > 10_000 {
            buckets.retain(|_, bucket| now.duration_since(bucket.updated) < FORGET_AFTER);
        }

        let bucket = buckets.entry(address).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;

        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        if per_second <= 0.0 {
            return Err(60);
        }
        Err(((1.0 - bucket.tokens) / per_second).ceil() as u64)
    }
}

/// Dropped messages within [`FLOOD_WINDOW`] after which a control
/// connection counts as flooding and is closed.
pub const FLOOD_DROPS: u32 = 50;

/// The window over which dropped control messages are counted.
pub const FLOOD_WINDOW: Duration = Duration::from_secs(10);

/// Outcome of [`MessageRate::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateVerdict {
    /// Handle the message.
    Allowed,
    /// Drop the message. `first` is true for the first drop of the current
    /// window, which is the one worth logging.
    Dropped { first: bool },
    /// Drop the message and close the connection: [`FLOOD_DROPS`] messages
    /// were dropped within [`FLOOD_WINDOW`].
    Flood,
}

/// Limits one control connection to `per_second` messages, refilled
/// continuously, with a burst of twice that.
#[derive(Debug, Clone)]
pub struct MessageRate {
    per_second: f64,
    capacity: f64,
    tokens: f64,
    updated: Instant,
    dropped: u32,
    window_start: Instant,
}

impl MessageRate {
    /// Creates a full bucket at `now`.
    pub fn new(per_second: u32, now: Instant) -> Self {
        let per_second = f64::from(per_second);
        Self {
            per_second,
            capacity: per_second * 2.0,
            tokens: per_second * 2.0,
            updated: now,
            dropped: 0,
            window_start: now,
        }
    }

    /// Takes one message from the bucket at `now`.
    pub fn check(&mut self, now: Instant) -> RateVerdict {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.updated = self.updated.max(now);

        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return RateVerdict::Allowed;
        }

        if now.saturating_duration_since(self.window_start) >= FLOOD_WINDOW {
            self.window_start = now;
            self.dropped = 0;
        }
        self.dropped += 1;
        if self.dropped >= FLOOD_DROPS {
            RateVerdict::Flood
        } else {
            RateVerdict::Dropped {
                first: self.dropped == 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_burst_then_drop() {
        let start = Instant::now();
        let mut rate = MessageRate::new(5, start);

        for _ in 0..10 {
            assert_eq!(rate.check(start), RateVerdict::Allowed);
        }
        assert_eq!(rate.check(start), RateVerdict::Dropped { first: true });
        assert_eq!(rate.check(start), RateVerdict::Dropped { first: false });
        assert_eq!(
            rate.check(start + Duration::from_millis(200)),
            RateVerdict::Allowed,
            "one message per 200 ms"
        );
    }

    #[test]
    fn sustained_flood_detected() {
        let start = Instant::now();
        let mut rate = MessageRate::new(5, start);
        for _ in 0..10 {
            rate.check(start);
        }

        let verdicts: Vec<RateVerdict> = (0..FLOOD_DROPS).map(|_| rate.check(start)).collect();

        assert_eq!(verdicts.last(), Some(&RateVerdict::Flood));
        assert!(
            verdicts[..verdicts.len() - 1]
                .iter()
                .all(|verdict| matches!(verdict, RateVerdict::Dropped { .. })),
            "{verdicts:?}"
        );
    }

    #[test]
    fn drops_spread_out_are_no_flood() {
        let start = Instant::now();
        let mut rate = MessageRate::new(1, start);

        for step in 0..u64::from(FLOOD_DROPS * 2) {
            let now = start + FLOOD_WINDOW * 2 * u32::try_from(step).expect("small");
            assert_eq!(rate.check(now), RateVerdict::Allowed);
            assert_eq!(rate.check(now), RateVerdict::Allowed);
            assert_eq!(
                rate.check(now),
                RateVerdict::Dropped { first: true },
                "each window counts its own drops, step {step}"
            );
        }
    }

    #[test]
    fn burst_then_refill() {
        let limiter = RateLimiter::new(3);
        let address: IpAddr = [127, 0, 0, 1].into();
        let start = Instant::now();

        for _ in 0..3 {
            assert_eq!(limiter.check(address, start), Ok(()));
        }
        assert_eq!(limiter.check(address, start), Err(20), "one token per 20 s");
        assert_eq!(
            limiter.check(address, start + Duration::from_secs(20)),
            Ok(())
        );
    }

    #[test]
    fn addresses_have_separate_buckets() {
        let limiter = RateLimiter::new(1);
        let now = Instant::now();
        assert_eq!(limiter.check([10, 0, 0, 1].into(), now), Ok(()));
        assert_eq!(limiter.check([10, 0, 0, 2].into(), now), Ok(()));
        assert!(limiter.check([10, 0, 0, 1].into(), now).is_err());
    }
}
