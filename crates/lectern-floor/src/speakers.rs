//! Grants of the floor: giving it, taking it back and timed expiry.

use serde::{Deserialize, Serialize};

use crate::error::{Action, FloorError};
use crate::event::{DrawingCause, FloorEvent, LowerReason, RevokeReason};
use crate::floor::Floor;
use crate::snapshot::Speaker;

/// Options of one grant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Grant {
    /// Whether the student may also draw on the board while holding the
    /// floor.
    pub to_board: bool,
    /// Milliseconds after which the machine revokes the floor by itself, or
    /// `None` for a grant that lasts until revoked.
    pub duration_ms: Option<u64>,
    /// Behaviour when `max_speakers` students hold the floor already.
    pub when_full: WhenFull,
}

/// Behaviour of a grant when the floor is full.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhenFull {
    /// Reject the grant with [`FloorError::FloorFull`], which lists the
    /// speakers, and change nothing. The default, so that no student loses
    /// the floor unless the lecturer requests it.
    #[default]
    Reject,
    /// Revoke the longest-holding speaker with reason `Replaced`, then grant.
    ReplaceLongest,
}

impl Floor {
    /// Gives `participant` the floor at `now` on behalf of lecturer `actor`.
    ///
    /// The student need not have a raised hand. If it is up, it is lowered
    /// (`HandLowered` with reason `Granted`, then `QueueChanged`). The grant
    /// queues `FloorGranted`, and `DrawingChanged` with cause
    /// `BoardGranted` when `to_board` is set. The floor allows speaking but
    /// does not unmute anyone, because the student's browser requests the
    /// microphone with the student's consent.
    ///
    /// A grant to a current speaker replaces their `to_board` and `until`
    /// but keeps `since` and their place among the speakers, so it extends
    /// or shortens a timed grant. When the floor is full, `when_full`
    /// decides between [`FloorError::FloorFull`] and replacing the
    /// longest-holding speaker.
    pub fn grant(
        &mut self,
        actor: &str,
        participant: &str,
        grant: Grant,
        now: u64,
    ) -> Result<(), FloorError> {
        self.expire(now);
        self.require_lecturer(actor, Action::GrantFloor)?;
        self.require_student(participant, Action::ReceiveFloor)?;
        if grant.duration_ms == Some(0) {
            return Err(FloorError::ZeroDuration);
        }
        let until = grant
            .duration_ms
            .map(|duration| now.saturating_add(duration));

        if let Some(index) = self.speaker_index(participant) {
            self.change_grant(index, grant.to_board, until);
            return Ok(());
        }

        if self.speakers.len() >= self.config.max_speakers {
            match grant.when_full {
                WhenFull::Reject => {
                    return Err(FloorError::FloorFull {
                        max_speakers: self.config.max_speakers,
                        speakers: self
                            .speakers
                            .iter()
                            .map(|speaker| speaker.participant.clone())
                            .collect(),
                    });
                }
                WhenFull::ReplaceLongest => {
                    while self.speakers.len() >= self.config.max_speakers {
                        self.end_floor(0, RevokeReason::Replaced);
                    }
                }
            }
        }

        if self.remove_hand(participant, LowerReason::Granted) {
            self.push_queue_changed();
        }
        let speaker = Speaker {
            participant: participant.to_owned(),
            to_board: grant.to_board,
            since: now,
            until,
        };
        self.push_granted(&speaker);
        if speaker.to_board {
            self.push_board_granted(participant);
        }
        self.speakers.push(speaker);
        Ok(())
    }

    /// Gives the floor to the student first in the queue, as
    /// [`Floor::grant`] does, and returns their id.
    ///
    /// Returns [`FloorError::QueueEmpty`] when no hand is raised. When the
    /// grant fails, the hand stays in the queue.
    pub fn grant_next(
        &mut self,
        actor: &str,
        grant: Grant,
        now: u64,
    ) -> Result<String, FloorError> {
        self.expire(now);
        self.require_lecturer(actor, Action::GrantFloor)?;
        let Some(next) = self.queue.first().map(|hand| hand.participant.clone()) else {
            return Err(FloorError::QueueEmpty);
        };

        self.grant(actor, &next, grant, now)?;
        Ok(next)
    }

    /// Takes the floor back from `participant` at `now` on behalf of
    /// lecturer `actor`.
    ///
    /// Queues `FloorRevoked` with reason `Lecturer`, and `DrawingChanged`
    /// after a board grant. Returns false when they did not hold the floor,
    /// for example because the grant expired just before.
    pub fn revoke(&mut self, actor: &str, participant: &str, now: u64) -> Result<bool, FloorError> {
        self.expire(now);
        self.require_lecturer(actor, Action::RevokeFloor)?;
        self.member(participant)?;

        let Some(index) = self.speaker_index(participant) else {
            return Ok(false);
        };
        self.end_floor(index, RevokeReason::Lecturer);
        Ok(true)
    }

    /// Takes the floor back from every speaker at `now` on behalf of
    /// lecturer `actor`, longest-holding first. Returns the number revoked.
    pub fn revoke_all(&mut self, actor: &str, now: u64) -> Result<usize, FloorError> {
        self.expire(now);
        self.require_lecturer(actor, Action::RevokeFloor)?;

        let count = self.speakers.len();
        while !self.speakers.is_empty() {
            self.end_floor(0, RevokeReason::Lecturer);
        }
        Ok(count)
    }

    /// Ends every timed grant whose `until` is at or before `now`, earliest
    /// first, with reason `Expired`. Returns the number ended.
    ///
    /// Every other input that takes `now` does this first too, so calling
    /// `tick` only makes expiry happen on time rather than at the next
    /// command.
    pub fn tick(&mut self, now: u64) -> usize {
        self.expire(now)
    }

    /// Returns the earliest `until` of the timed grants: the time at which
    /// the server next calls [`Floor::tick`]. `None` when no grant is timed.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.speakers
            .iter()
            .filter_map(|speaker| speaker.until)
            .min()
    }

    pub(crate) fn expire(&mut self, now: u64) -> usize {
        let mut count = 0;
        while let Some(index) = self.next_expired(now) {
            self.end_floor(index, RevokeReason::Expired);
            count += 1;
        }
        count
    }

    /// Returns the index of the speaker whose grant expired first at
    /// `now`. Ties go to the longest-holding speaker.
    fn next_expired(&self, now: u64) -> Option<usize> {
        self.speakers
            .iter()
            .enumerate()
            .filter_map(|(index, speaker)| Some((speaker.until?, index)))
            .filter(|&(until, _)| until <= now)
            .min()
            .map(|(_, index)| index)
    }

    /// Removes the speaker at `index` and queues `FloorRevoked`, then the
    /// `DrawingChanged` that ends a board grant.
    pub(crate) fn end_floor(&mut self, index: usize, reason: RevokeReason) {
        if index >= self.speakers.len() {
            return;
        }
        let speaker = self.speakers.remove(index);
        self.events.push_back(FloorEvent::FloorRevoked {
            participant: speaker.participant.clone(),
            reason,
        });
        if speaker.to_board {
            let event = self.board_ended(&speaker.participant);
            self.events.push_back(event);
        }
    }

    /// Applies a repeated grant to the speaker at `index`.
    fn change_grant(&mut self, index: usize, to_board: bool, until: Option<u64>) {
        let Some(speaker) = self.speakers.get_mut(index) else {
            return;
        };
        let was_on_board = speaker.to_board;
        speaker.to_board = to_board;
        speaker.until = until;
        let speaker = speaker.clone();

        self.push_granted(&speaker);
        if to_board && !was_on_board {
            self.push_board_granted(&speaker.participant);
        }
        if !to_board && was_on_board {
            let event = self.board_ended(&speaker.participant);
            self.events.push_back(event);
        }
    }

    fn push_granted(&mut self, speaker: &Speaker) {
        self.events.push_back(FloorEvent::FloorGranted {
            participant: speaker.participant.clone(),
            to_board: speaker.to_board,
            since: speaker.since,
            until: speaker.until,
        });
    }

    fn push_board_granted(&mut self, participant: &str) {
        self.events.push_back(FloorEvent::DrawingChanged {
            participant: participant.to_owned(),
            can_draw: true,
            cause: DrawingCause::BoardGranted,
        });
    }
}
