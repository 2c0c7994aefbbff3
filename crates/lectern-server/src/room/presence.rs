//! When a room publishes who is online.
//!
//! Each publication sends the whole online list to every connection, so a
//! burst of n joins published one by one sends O(n²) bytes. A change after
//! a quiet spell goes out at once. Changes within [`PRESENCE_INTERVAL`] of
//! a publication wait, and go out together when it ends.

use std::time::{Duration, Instant};

/// Shortest time between two publications of the online list.
pub const PRESENCE_INTERVAL: Duration = Duration::from_millis(500);

/// The publication schedule of one room's online list. Time comes in as
/// an argument, so the schedule is tested without waiting.
#[derive(Debug, Clone)]
pub struct PresenceThrottle {
    interval: Duration,
    last_published: Option<Instant>,
    /// Whether a change is waiting for [`Self::deadline`].
    waiting: bool,
}

impl PresenceThrottle {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            last_published: None,
            waiting: false,
        }
    }

    /// Decides whether a change may be published at `now`. When it may,
    /// the publication is recorded; otherwise the change waits for
    /// [`Self::deadline`].
    pub fn try_publish(&mut self, now: Instant) -> bool {
        let allowed = self
            .last_published
            .is_none_or(|last| now >= last + self.interval);
        if allowed {
            self.published(now);
        } else {
            self.waiting = true;
        }
        allowed
    }

    /// Records a publication that was not throttled, such as a change of
    /// drawing rights, which students must see at once.
    pub fn published(&mut self, now: Instant) {
        self.last_published = Some(now);
        self.waiting = false;
    }

    /// Returns the time at which a waiting change may be published, or
    /// `None` when no change is waiting.
    pub fn deadline(&self) -> Option<Instant> {
        match (self.waiting, self.last_published) {
            (true, Some(last)) => Some(last + self.interval),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTERVAL: Duration = Duration::from_millis(500);

    #[test]
    fn first_change_publishes_at_once() {
        let mut throttle = PresenceThrottle::new(INTERVAL);
        assert!(throttle.try_publish(Instant::now()));
        assert_eq!(throttle.deadline(), None);
    }

    #[test]
    fn change_within_interval_waits() {
        let start = Instant::now();
        let mut throttle = PresenceThrottle::new(INTERVAL);
        assert!(throttle.try_publish(start));

        assert!(!throttle.try_publish(start + Duration::from_millis(100)));
        assert!(!throttle.try_publish(start + Duration::from_millis(300)));
        assert_eq!(throttle.deadline(), Some(start + INTERVAL));
    }

    #[test]
    fn waiting_change_publishes_at_deadline() {
        let start = Instant::now();
        let mut throttle = PresenceThrottle::new(INTERVAL);
        assert!(throttle.try_publish(start));
        assert!(!throttle.try_publish(start + Duration::from_millis(100)));

        let deadline = throttle.deadline().expect("a change waits");
        assert!(throttle.try_publish(deadline));
        assert_eq!(throttle.deadline(), None);
        assert!(
            !throttle.try_publish(deadline + Duration::from_millis(1)),
            "the next interval starts at the deadline's publication"
        );
    }

    #[test]
    fn change_after_quiet_spell_publishes_at_once() {
        let start = Instant::now();
        let mut throttle = PresenceThrottle::new(INTERVAL);
        assert!(throttle.try_publish(start));
        assert!(throttle.try_publish(start + INTERVAL * 3));
    }

    #[test]
    fn unthrottled_publication_clears_waiting_change() {
        let start = Instant::now();
        let mut throttle = PresenceThrottle::new(INTERVAL);
        assert!(throttle.try_publish(start));
        assert!(!throttle.try_publish(start + Duration::from_millis(100)));

        throttle.published(start + Duration::from_millis(200));
        assert_eq!(throttle.deadline(), None);
        assert!(!throttle.try_publish(start + Duration::from_millis(600)));
        assert_eq!(
            throttle.deadline(),
            Some(start + Duration::from_millis(700))
        );
    }
}
