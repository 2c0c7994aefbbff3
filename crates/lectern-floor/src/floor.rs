//! The floor of one room: participants, queries, mutes and drawing
//! permissions. The hand commands are in `hands.rs` and the grants in
//! `speakers.rs`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

use crate::config::{ConfigError, FloorConfig};
use crate::error::{Action, FloorError};
use crate::event::{DrawingCause, FloorEvent, LowerReason, RevokeReason};
use crate::rate_limit::TokenBucket;
use crate::snapshot::{FloorSnapshot, RaisedHand, Speaker};

/// A participant's role in the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everyone hears them. Grants, revokes, lowers hands and mutes.
    Lecturer,
    /// Raises a hand and speaks while holding the floor.
    Student,
}

/// One participant in the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Member {
    pub(crate) role: Role,
    /// The student's own drawing permission, which the server stores apart
    /// from the floor. Always false for lecturers.
    pub(crate) drawing_permission: bool,
}

/// The floor-control state machine of one room.
///
/// The server feeds it commands and presence changes, delivers what
/// [`Floor::poll_event`] returns, and calls [`Floor::tick`] at the time
/// [`Floor::poll_timeout`] returns so timed grants end on time. Queries
/// reflect the state after the last input.
#[derive(Debug, Clone)]
pub struct Floor {
    pub(crate) config: FloorConfig,
    pub(crate) members: BTreeMap<String, Member>,
    /// Raised hands, first in line first.
    pub(crate) queue: Vec<RaisedHand>,
    /// Students holding the floor in the order they got it, so the first
    /// one is the longest-holding.
    pub(crate) speakers: Vec<Speaker>,
    /// Participants the lecturer muted, kept after they leave.
    pub(crate) muted: BTreeSet<String>,
    /// Hand-change buckets, kept after a student leaves so that leaving
    /// and rejoining does not reset the limit.
    pub(crate) buckets: BTreeMap<String, TokenBucket>,
    pub(crate) events: VecDeque<FloorEvent>,
}

impl Floor {
    /// Creates an empty floor with `config`.
    pub fn new(config: FloorConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            config,
            members: BTreeMap::new(),
            queue: Vec::new(),
            speakers: Vec::new(),
            muted: BTreeSet::new(),
            buckets: BTreeMap::new(),
            events: VecDeque::new(),
        })
    }

    /// Returns the room's settings. `max_speakers` follows
    /// [`Floor::set_max_speakers`].
    pub fn config(&self) -> &FloorConfig {
        &self.config
    }

    /// Adds a participant to the room. Returns false, and changes nothing,
    /// when the id has already joined.
    ///
    /// `drawing_permission` is a student's own drawing permission, stored
    /// by the server apart from the floor; it is ignored for lecturers.
    /// Joining queues no event. A mute from before the participant left is
    /// still in force.
    pub fn join(&mut self, participant: &str, role: Role, drawing_permission: bool) -> bool {
        if self.members.contains_key(participant) {
            return false;
        }
        let drawing_permission = role == Role::Student && drawing_permission;
        self.members.insert(
            participant.to_owned(),
            Member {
                role,
                drawing_permission,
            },
        );
        true
    }

    /// Removes a participant who left the room at `now`.
    ///
    /// A student loses the floor (`FloorRevoked` with reason `Left`, and
    /// `DrawingChanged` after a board grant) and leaves the queue
    /// (`HandLowered` with reason `Left`, then `QueueChanged`). The
    /// lecturer's mute and the hand-change limit stay with the id.
    pub fn leave(&mut self, participant: &str, now: u64) -> Result<(), FloorError> {
        self.expire(now);
        self.member(participant)?;

        if let Some(index) = self.speaker_index(participant) {
            self.end_floor(index, RevokeReason::Left);
        }
        if self.remove_hand(participant, LowerReason::Left) {
            self.push_queue_changed();
        }
        self.members.remove(participant);
        Ok(())
    }

    /// Mutes `participant` on behalf of lecturer `actor`: the SFU stops
    /// forwarding their audio, whether or not they hold the floor.
    ///
    /// Returns false when they were muted already. The mute lasts until
    /// [`Floor::unmute`], also across leaving and rejoining.
    pub fn mute(&mut self, actor: &str, participant: &str) -> Result<bool, FloorError> {
        self.require_lecturer(actor, Action::Mute)?;
        self.member(participant)?;

        if !self.muted.insert(participant.to_owned()) {
            return Ok(false);
        }
        self.events.push_back(FloorEvent::Muted {
            participant: participant.to_owned(),
        });
        Ok(true)
    }

    /// Lifts lecturer `actor`'s mute of `participant`, who may have left
    /// the room since. Returns false when they were not muted.
    pub fn unmute(&mut self, actor: &str, participant: &str) -> Result<bool, FloorError> {
        self.require_lecturer(actor, Action::Unmute)?;
        if !self.muted.contains(participant) {
            self.member(participant)?;
            return Ok(false);
        }

        self.muted.remove(participant);
        self.events.push_back(FloorEvent::Unmuted {
            participant: participant.to_owned(),
        });
        Ok(true)
    }

    /// Records a change to a student's own drawing permission, which the
    /// server stores apart from the floor. Returns false when it was
    /// unchanged.
    ///
    /// The server routes every permission change of a present student
    /// through this method and applies the `DrawingChanged` events, so a
    /// board grant is never cut short by a permission change. Outside a
    /// board grant the change queues `DrawingChanged` with cause
    /// `PermissionChanged`. During one it queues nothing, and the event at
    /// the end of the grant carries the new permission.
    pub fn set_drawing_permission(
        &mut self,
        participant: &str,
        allowed: bool,
    ) -> Result<bool, FloorError> {
        self.require_student(participant, Action::SetDrawingPermission)?;
        let on_board = self.on_board(participant);
        let Some(member) = self.members.get_mut(participant) else {
            return Err(unknown(participant));
        };
        if member.drawing_permission == allowed {
            return Ok(false);
        }

        member.drawing_permission = allowed;
        if !on_board {
            self.events.push_back(FloorEvent::DrawingChanged {
                participant: participant.to_owned(),
                can_draw: allowed,
                cause: DrawingCause::PermissionChanged,
            });
        }
        Ok(true)
    }

    /// Changes the room's speaker limit on behalf of lecturer `actor`.
    ///
    /// A limit below the current number of speakers is rejected with
    /// [`FloorError::SpeakersAboveLimit`] rather than revoking anyone.
    pub fn set_max_speakers(
        &mut self,
        actor: &str,
        max_speakers: usize,
        now: u64,
    ) -> Result<(), FloorError> {
        self.expire(now);
        self.require_lecturer(actor, Action::SetMaxSpeakers)?;
        if max_speakers == 0 {
            return Err(FloorError::ZeroMaxSpeakers);
        }
        if max_speakers < self.speakers.len() {
            return Err(FloorError::SpeakersAboveLimit {
                requested: max_speakers,
                speakers: self.speakers.len(),
            });
        }

        if self.config.max_speakers != max_speakers {
            self.config.max_speakers = max_speakers;
            self.events
                .push_back(FloorEvent::MaxSpeakersChanged { max_speakers });
        }
        Ok(())
    }

    /// Takes the oldest queued event, if any.
    pub fn poll_event(&mut self) -> Option<FloorEvent> {
        self.events.pop_front()
    }

    /// Returns the role of `participant`, or `None` when they are not in
    /// the room.
    pub fn role(&self, participant: &str) -> Option<Role> {
        self.members.get(participant).map(|member| member.role)
    }

    /// Returns true when `participant` holds the floor.
    pub fn holds_floor(&self, participant: &str) -> bool {
        self.speaker_index(participant).is_some()
    }

    /// Returns true when the lecturer muted `participant`.
    pub fn is_muted(&self, participant: &str) -> bool {
        self.muted.contains(participant)
    }

    /// Returns the position of `participant`'s hand in the queue, counting
    /// from zero, or `None` when it is down.
    pub fn queue_position(&self, participant: &str) -> Option<usize> {
        self.queue
            .iter()
            .position(|hand| hand.participant == participant)
    }

    /// Returns true when the floor lets `participant` speak: a lecturer, or
    /// a student holding the floor. The lecturer's mute is not considered,
    /// so a muted speaker's client still shows that they have the floor.
    pub fn speaking_allowed(&self, participant: &str) -> bool {
        match self.role(participant) {
            Some(Role::Lecturer) => true,
            Some(Role::Student) => self.holds_floor(participant),
            None => false,
        }
    }

    /// Returns true when the SFU forwards audio from `participant`: a
    /// lecturer unless muted, or a student holding the floor and not muted.
    ///
    /// Grants past their `until` count until the next input that takes
    /// `now`, such as [`Floor::tick`].
    pub fn may_send_audio(&self, participant: &str) -> bool {
        self.speaking_allowed(participant) && !self.is_muted(participant)
    }

    /// Returns true when `participant` may draw on the board: a lecturer, a
    /// student with their own drawing permission, or a student holding the
    /// floor with `to_board`.
    pub fn may_draw(&self, participant: &str) -> bool {
        match self.members.get(participant) {
            Some(member) => {
                member.role == Role::Lecturer
                    || member.drawing_permission
                    || self.on_board(participant)
            }
            None => false,
        }
    }

    /// Returns the raised hands, first in line first.
    pub fn queue(&self) -> &[RaisedHand] {
        &self.queue
    }

    /// Returns the students holding the floor, longest-holding first.
    pub fn speakers(&self) -> &[Speaker] {
        &self.speakers
    }

    /// Returns the public view of the floor for broadcasting to clients.
    pub fn snapshot(&self) -> FloorSnapshot {
        let lecturers = self
            .members
            .iter()
            .filter(|(_, member)| member.role == Role::Lecturer)
            .map(|(id, _)| id.clone())
            .collect();

        FloorSnapshot {
            max_speakers: self.config.max_speakers,
            lecturers,
            queue: self.queue.clone(),
            speakers: self.speakers.clone(),
            muted: self.muted.iter().cloned().collect(),
        }
    }

    pub(crate) fn member(&self, participant: &str) -> Result<&Member, FloorError> {
        self.members
            .get(participant)
            .ok_or_else(|| unknown(participant))
    }

    /// Checks that `actor` is a lecturer in the room.
    pub(crate) fn require_lecturer(&self, actor: &str, action: Action) -> Result<(), FloorError> {
        match self.member(actor)?.role {
            Role::Lecturer => Ok(()),
            Role::Student => Err(FloorError::LecturerOnly {
                actor: actor.to_owned(),
                action,
            }),
        }
    }

    /// Checks that `participant` is a student in the room.
    pub(crate) fn require_student(
        &self,
        participant: &str,
        action: Action,
    ) -> Result<(), FloorError> {
        match self.member(participant)?.role {
            Role::Student => Ok(()),
            Role::Lecturer => Err(FloorError::StudentOnly {
                participant: participant.to_owned(),
                action,
            }),
        }
    }

    pub(crate) fn speaker_index(&self, participant: &str) -> Option<usize> {
        self.speakers
            .iter()
            .position(|speaker| speaker.participant == participant)
    }

    /// Returns true when `participant` holds the floor with `to_board`.
    pub(crate) fn on_board(&self, participant: &str) -> bool {
        self.speaker_index(participant)
            .and_then(|index| self.speakers.get(index))
            .is_some_and(|speaker| speaker.to_board)
    }

    /// Builds the event that ends a board grant: access falls back to the
    /// student's own permission.
    pub(crate) fn board_ended(&self, participant: &str) -> FloorEvent {
        let permission = self
            .members
            .get(participant)
            .is_some_and(|member| member.drawing_permission);
        let cause = if permission {
            DrawingCause::PermissionRestored
        } else {
            DrawingCause::BoardRevoked
        };
        FloorEvent::DrawingChanged {
            participant: participant.to_owned(),
            can_draw: permission,
            cause,
        }
    }
}

pub(crate) fn unknown(participant: &str) -> FloorError {
    FloorError::UnknownParticipant {
        participant: participant.to_owned(),
    }
}
