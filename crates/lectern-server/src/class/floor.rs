//! The class actor's floor: hand and grant messages, the `floor.state`
//! broadcast, board grants, and the SFU forwarding that follows the floor.
//!
//! `lectern_floor::Floor` decides; this module feeds it commands with the
//! time, turns its errors into protocol errors, and applies its events.

use lectern_board::ConnectionId;
use lectern_floor::{DrawingCause, FloorError, FloorEvent, Grant, WhenFull};
use tracing::{debug, error, info, warn};

use super::actor::ClassActor;
use super::protocol::{
    ClientMessage, ErrorCode, FloorView, QueuedHand, Rejection, Role, ServerMessage, SpeakerView,
};
use crate::clock::unix_millis;
use crate::room::{AccessTarget, RoomCommand};

/// Milliseconds per second, for `duration_secs`.
const MILLIS_PER_SECOND: u64 = 1000;

impl ClassActor {
    /// Adds a participant whose first control connection opened. A student
    /// brings their own drawing permission: the latest change the
    /// permission endpoints sent this actor, or else the one stored when
    /// the connection opened.
    pub(super) fn join_floor(&mut self, participant_id: &str, role: Role, ticket_permission: bool) {
        let (role, permission) = match role {
            Role::Lecturer => (lectern_floor::Role::Lecturer, false),
            Role::Student => {
                let permission = *self
                    .drawing_permissions
                    .entry(participant_id.to_owned())
                    .or_insert(ticket_permission);
                (lectern_floor::Role::Student, permission)
            }
        };
        if self.floor.join(participant_id, role, permission) {
            debug!(participant = %participant_id, ?role, "joined the floor");
        }
    }

    /// Removes a participant whose last control connection closed.
    pub(super) fn leave_floor(&mut self, participant_id: &str, now: u64) {
        match self.floor.leave(participant_id, now) {
            Ok(()) => info!(participant = %participant_id, "left the floor"),
            Err(error) => warn!(participant = %participant_id, %error, "leaving the floor failed"),
        }
    }

    /// Applies one hand, grant or mute message from `actor`.
    pub(super) async fn floor_message(
        &mut self,
        connection: ConnectionId,
        reference: Option<String>,
        actor: &str,
        role: Role,
        message: ClientMessage,
    ) {
        let now = unix_millis();
        let result = match message {
            ClientMessage::RaiseHand {} => self.floor.raise_hand(actor, now).map(drop),
            ClientMessage::LowerHand { participant_id } => match (participant_id, role) {
                (Some(target), _) => self.floor.lower_hand(actor, &target, now).map(drop),
                (None, Role::Student) => self.floor.lower_hand(actor, actor, now).map(drop),
                (None, Role::Lecturer) => {
                    let rejection = Rejection::new(
                        reference,
                        ErrorCode::InvalidMessage,
                        "hand.lower: a lecturer must name the hand to lower in participant_id",
                    );
                    self.reject(connection, rejection);
                    return;
                }
            },
            ClientMessage::LowerAllHands {} => self.floor.lower_all_hands(actor, now).map(drop),
            ClientMessage::Grant {
                participant_id,
                to_board,
                duration_secs,
                replace,
            } => {
                if duration_secs == Some(0) {
                    let rejection = Rejection::new(
                        reference,
                        ErrorCode::InvalidMessage,
                        "floor.grant: duration_secs must be at least 1; leave it out for a grant without a time limit",
                    );
                    self.reject(connection, rejection);
                    return;
                }
                let grant = Grant {
                    to_board,
                    duration_ms: duration_secs.map(|secs| secs.saturating_mul(MILLIS_PER_SECOND)),
                    when_full: if replace {
                        WhenFull::ReplaceLongest
                    } else {
                        WhenFull::Reject
                    },
                };
                match participant_id {
                    Some(target) => self.floor.grant(actor, &target, grant, now),
                    None => self.floor.grant_next(actor, grant, now).map(drop),
                }
            }
            ClientMessage::Revoke { participant_id } => {
                self.floor.revoke(actor, &participant_id, now).map(drop)
            }
            ClientMessage::Mute { participant_id } => {
                self.floor.mute(actor, &participant_id).map(drop)
            }
            ClientMessage::Unmute { participant_id } => {
                self.floor.unmute(actor, &participant_id).map(drop)
            }
            other => {
                error!(
                    message = other.type_name(),
                    "not a floor message; this is a bug"
                );
                return;
            }
        };

        if let Err(error) = result {
            info!(%error, "floor command rejected");
            self.reject(connection, floor_error(reference, &error));
        }
        // A rejected command still ends grants that expired before it.
        self.apply_floor_events().await;
    }

    /// Ends the timed grants due at `now`.
    pub(super) async fn end_expired_grants(&mut self, now: u64) {
        let ended = self.floor.tick(now);
        if ended > 0 {
            self.apply_floor_events().await;
        }
    }

    /// Passes a stored change of students' own drawing permissions to the
    /// floor.
    pub(super) async fn set_drawing_permission(&mut self, target: &AccessTarget, allowed: bool) {
        let students: Vec<String> = match target {
            AccessTarget::Participant(id) => vec![id.clone()],
            AccessTarget::AllStudents => {
                let mut students: Vec<String> = self.drawing_permissions.keys().cloned().collect();
                students.extend(
                    self.members
                        .values()
                        .filter(|member| member.role == Role::Student)
                        .map(|member| member.participant_id.clone()),
                );
                students.sort();
                students.dedup();
                students
            }
        };

        for student in students {
            self.drawing_permissions.insert(student.clone(), allowed);
            if self.floor.role(&student) == Some(lectern_floor::Role::Student)
                && let Err(error) = self.floor.set_drawing_permission(&student, allowed)
            {
                warn!(participant = %student, %error, "the floor rejected a drawing permission change");
            }
        }
        self.apply_floor_events().await;
    }

    /// Applies the floor's queued events: board grants to the board actor,
    /// forwarding to the SFU, and one `floor.state` to everyone when the
    /// queue, the speakers or the mutes changed.
    pub(super) async fn apply_floor_events(&mut self) {
        let mut changed = false;
        let mut drawing = Vec::new();
        while let Some(event) = self.floor.poll_event() {
            match event {
                FloorEvent::HandRaised { participant, .. } => {
                    info!(%participant, "hand raised");
                }
                FloorEvent::HandLowered {
                    participant,
                    reason,
                } => info!(%participant, ?reason, "hand lowered"),
                FloorEvent::QueueChanged { .. } => changed = true,
                FloorEvent::FloorGranted {
                    participant,
                    to_board,
                    until,
                    ..
                } => {
                    info!(%participant, to_board, ?until, "floor granted");
                    changed = true;
                }
                FloorEvent::FloorRevoked {
                    participant,
                    reason,
                } => {
                    info!(%participant, ?reason, "floor revoked");
                    changed = true;
                }
                FloorEvent::Muted { participant } => {
                    info!(%participant, "participant muted");
                    changed = true;
                }
                FloorEvent::Unmuted { participant } => {
                    info!(%participant, "participant unmuted");
                    changed = true;
                }
                FloorEvent::DrawingChanged {
                    participant,
                    can_draw,
                    cause,
                } => drawing.push((participant, can_draw, cause)),
                FloorEvent::MaxSpeakersChanged { max_speakers } => {
                    info!(max_speakers, "speaker limit changed");
                    changed = true;
                }
            }
        }

        self.sync_forwarding();
        for (participant, can_draw, cause) in drawing {
            self.apply_board_grant(participant, can_draw, cause).await;
        }
        if changed {
            let state = self.floor_state(unix_millis());
            self.broadcast(&state);
        }
    }

    /// Starts or ends a board grant in the board actor. A change of the
    /// student's own permission outside a grant needs nothing here, because
    /// the permission endpoint stored it and sent it to the board actor.
    async fn apply_board_grant(&self, participant: String, can_draw: bool, cause: DrawingCause) {
        let on_board = match cause {
            DrawingCause::BoardGranted => true,
            DrawingCause::BoardRevoked | DrawingCause::PermissionRestored => false,
            DrawingCause::PermissionChanged => {
                debug!(%participant, can_draw, "drawing permission changed outside a board grant");
                return;
            }
        };
        let applied = self
            .settings
            .rooms
            .request(&self.room_id, |done| RoomCommand::SetBoardGrant {
                participant_id: participant.clone(),
                on_board,
                can_draw,
                done,
            })
            .await;
        match applied {
            Ok(_) => {
                info!(%participant, on_board, can_draw, ?cause, "board access changed by the floor")
            }
            Err(error) => {
                error!(%participant, on_board, %error, "applying the board grant failed");
            }
        }
    }

    /// Builds `floor.state` with the participants' names.
    pub(super) fn floor_state(&self, now: u64) -> ServerMessage {
        let snapshot = self.floor.snapshot();
        let name = |participant: &str| {
            self.names
                .get(participant)
                .cloned()
                .unwrap_or_else(|| participant.to_owned())
        };
        let queue = snapshot
            .queue
            .into_iter()
            .map(|hand| QueuedHand {
                name: name(&hand.participant),
                participant_id: hand.participant,
                raised_at: hand.raised_at,
            })
            .collect();
        let speakers = snapshot
            .speakers
            .into_iter()
            .map(|speaker| SpeakerView {
                name: name(&speaker.participant),
                participant_id: speaker.participant,
                to_board: speaker.to_board,
                since: speaker.since,
                until: speaker.until,
            })
            .collect();
        ServerMessage::FloorState(FloorView {
            server_time: now,
            max_speakers: snapshot.max_speakers,
            queue,
            speakers,
            muted: snapshot.muted,
        })
    }
}

/// Maps a rejected floor command to its protocol error.
pub(super) fn floor_error(reference: Option<String>, error: &FloorError) -> Rejection {
    let code = match error {
        FloorError::UnknownParticipant { .. } => ErrorCode::UnknownParticipant,
        FloorError::LecturerOnly { .. } => ErrorCode::Forbidden,
        FloorError::StudentOnly { .. } => ErrorCode::NotAStudent,
        FloorError::HoldsFloor { .. } => ErrorCode::HoldsFloor,
        FloorError::QueueEmpty => ErrorCode::QueueEmpty,
        FloorError::FloorFull { .. } => ErrorCode::FloorFull,
        FloorError::RateLimited { .. } => ErrorCode::RateLimited,
        FloorError::ZeroDuration
        | FloorError::ZeroMaxSpeakers
        | FloorError::SpeakersAboveLimit { .. } => ErrorCode::InvalidMessage,
    };
    let message = match error {
        FloorError::FloorFull {
            max_speakers,
            speakers,
        } => format!(
            "the floor is full ({} of {max_speakers} speakers: {}); revoke a speaker first or send floor.grant with \"replace\": true",
            speakers.len(),
            speakers.join(", ")
        ),
        other => other.to_string(),
    };
    Rejection::new(reference, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_error_carries_retry_time() {
        let error = FloorError::RateLimited {
            participant: "p1".to_owned(),
            retry_after_ms: 1500,
        };

        let rejection = floor_error(Some("r".to_owned()), &error);

        assert_eq!(rejection.code, ErrorCode::RateLimited);
        assert!(
            rejection.message.contains("1500 ms"),
            "{}",
            rejection.message
        );
        assert_eq!(rejection.reference.as_deref(), Some("r"));
    }

    #[test]
    fn floor_errors_map_to_codes() {
        let cases = [
            (
                FloorError::UnknownParticipant {
                    participant: "x".to_owned(),
                },
                ErrorCode::UnknownParticipant,
            ),
            (
                FloorError::LecturerOnly {
                    actor: "s".to_owned(),
                    action: lectern_floor::Action::GrantFloor,
                },
                ErrorCode::Forbidden,
            ),
            (FloorError::QueueEmpty, ErrorCode::QueueEmpty),
            (
                FloorError::FloorFull {
                    max_speakers: 1,
                    speakers: vec!["a".to_owned()],
                },
                ErrorCode::FloorFull,
            ),
        ];
        for (error, code) in cases {
            assert_eq!(floor_error(None, &error).code, code, "{error}");
        }
    }
}
