//! Per-client-address token buckets for joins and logins.

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

#[cfg(test)]
mod tests {
    use super::*;

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
