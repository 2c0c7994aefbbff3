//! The raised-hands queue: first in, first out.

use crate::error::{Action, FloorError};
use crate::event::{FloorEvent, LowerReason};
use crate::floor::{Floor, Role};
use crate::rate_limit::TokenBucket;
use crate::snapshot::RaisedHand;

impl Floor {
    /// Raises student `participant`'s hand at `now`, at the end of the
    /// queue.
    ///
    /// Returns false when the hand was up already: it keeps its original
    /// place and time, but the request still counts against the hand-change
    /// limit. A student who holds the floor gets
    /// [`FloorError::HoldsFloor`].
    pub fn raise_hand(&mut self, participant: &str, now: u64) -> Result<bool, FloorError> {
        self.expire(now);
        self.require_student(participant, Action::RaiseHand)?;
        if self.holds_floor(participant) {
            return Err(FloorError::HoldsFloor {
                participant: participant.to_owned(),
            });
        }
        self.take_hand_change(participant, now)?;

        if self.queue_position(participant).is_some() {
            return Ok(false);
        }
        self.queue.push(RaisedHand {
            participant: participant.to_owned(),
            raised_at: now,
        });
        self.events.push_back(FloorEvent::HandRaised {
            participant: participant.to_owned(),
            raised_at: now,
        });
        self.push_queue_changed();
        Ok(true)
    }

    /// Lowers `participant`'s hand at `now` on behalf of `actor`.
    ///
    /// A student may lower only their own hand, which counts against the
    /// hand-change limit. A lecturer may lower anyone's, without a limit.
    /// Returns false when the hand was down already.
    pub fn lower_hand(
        &mut self,
        actor: &str,
        participant: &str,
        now: u64,
    ) -> Result<bool, FloorError> {
        self.expire(now);
        let actor_role = self.member(actor)?.role;

        let reason = if actor == participant {
            if actor_role == Role::Student {
                self.take_hand_change(participant, now)?;
            }
            LowerReason::Own
        } else {
            self.require_lecturer(actor, Action::LowerOtherHand)?;
            self.member(participant)?;
            LowerReason::Lecturer
        };

        let lowered = self.remove_hand(participant, reason);
        if lowered {
            self.push_queue_changed();
        }
        Ok(lowered)
    }

    /// Lowers every hand at `now` on behalf of lecturer `actor`. Returns the
    /// number lowered.
    pub fn lower_all_hands(&mut self, actor: &str, now: u64) -> Result<usize, FloorError> {
        self.expire(now);
        self.require_lecturer(actor, Action::LowerAllHands)?;

        let hands = std::mem::take(&mut self.queue);
        for hand in &hands {
            self.events.push_back(FloorEvent::HandLowered {
                participant: hand.participant.clone(),
                reason: LowerReason::Lecturer,
            });
        }
        if !hands.is_empty() {
            self.push_queue_changed();
        }
        Ok(hands.len())
    }

    /// Removes `participant`'s hand and queues `HandLowered`, but not
    /// `QueueChanged`. Returns false when the hand was down.
    pub(crate) fn remove_hand(&mut self, participant: &str, reason: LowerReason) -> bool {
        let Some(index) = self.queue_position(participant) else {
            return false;
        };
        self.queue.remove(index);
        self.events.push_back(FloorEvent::HandLowered {
            participant: participant.to_owned(),
            reason,
        });
        true
    }

    pub(crate) fn push_queue_changed(&mut self) {
        self.events.push_back(FloorEvent::QueueChanged {
            queue: self.queue.clone(),
        });
    }

    /// Takes one hand change from `participant`'s bucket at `now`.
    fn take_hand_change(&mut self, participant: &str, now: u64) -> Result<(), FloorError> {
        let rate = self.config.hand_rate;
        let bucket = self
            .buckets
            .entry(participant.to_owned())
            .or_insert_with(|| TokenBucket::full(rate, now));

        bucket
            .try_take(rate, now)
            .map_err(|retry_after_ms| FloorError::RateLimited {
                participant: participant.to_owned(),
                retry_after_ms,
            })
    }
}
