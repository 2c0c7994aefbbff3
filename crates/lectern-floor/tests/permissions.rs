//! Only a lecturer controls the floor, and unknown ids are named in errors.

mod common;

use common::{ALAN, GRACE, LECTURER, STRANGER, drain, speak};
use lectern_floor::{Action, FloorError};

fn lecturer_only(actor: &str, action: Action) -> FloorError {
    FloorError::LecturerOnly {
        actor: actor.to_owned(),
        action,
    }
}

fn unknown(participant: &str) -> FloorError {
    FloorError::UnknownParticipant {
        participant: participant.to_owned(),
    }
}

#[test]
fn student_cannot_grant_itself() {
    let mut floor = common::room();

    assert_eq!(
        floor.grant(GRACE, GRACE, speak(), 100),
        Err(lecturer_only(GRACE, Action::GrantFloor))
    );
    assert!(!floor.holds_floor(GRACE));
}

#[test]
fn student_cannot_grant_next() {
    let mut floor = common::room();
    floor.raise_hand(GRACE, 100).expect("raises");

    assert_eq!(
        floor.grant_next(GRACE, speak(), 200),
        Err(lecturer_only(GRACE, Action::GrantFloor))
    );
    assert_eq!(floor.queue_position(GRACE), Some(0));
}

#[test]
fn student_cannot_revoke_speaker() {
    let mut floor = common::room();
    floor.grant(LECTURER, ALAN, speak(), 100).expect("grants");

    assert_eq!(
        floor.revoke(GRACE, ALAN, 200),
        Err(lecturer_only(GRACE, Action::RevokeFloor))
    );
    assert_eq!(
        floor.revoke_all(GRACE, 200),
        Err(lecturer_only(GRACE, Action::RevokeFloor))
    );
    assert!(floor.holds_floor(ALAN));
}

#[test]
fn student_cannot_lower_others() {
    let mut floor = common::room();
    floor.raise_hand(ALAN, 100).expect("raises");

    assert_eq!(
        floor.lower_hand(GRACE, ALAN, 200),
        Err(lecturer_only(GRACE, Action::LowerOtherHand))
    );
    assert_eq!(
        floor.lower_all_hands(GRACE, 200),
        Err(lecturer_only(GRACE, Action::LowerAllHands))
    );
    assert_eq!(floor.queue_position(ALAN), Some(0));
}

#[test]
fn student_cannot_mute_anyone() {
    let mut floor = common::room();

    assert_eq!(
        floor.mute(GRACE, LECTURER),
        Err(lecturer_only(GRACE, Action::Mute))
    );
    assert_eq!(
        floor.unmute(GRACE, GRACE),
        Err(lecturer_only(GRACE, Action::Unmute))
    );
    assert!(!floor.is_muted(LECTURER));
}

#[test]
fn student_cannot_change_limit() {
    let mut floor = common::room();

    assert_eq!(
        floor.set_max_speakers(GRACE, 3, 100),
        Err(lecturer_only(GRACE, Action::SetMaxSpeakers))
    );
    assert_eq!(floor.config().max_speakers, 1);
}

#[test]
fn lecturer_cannot_receive_floor() {
    let mut floor = common::room();

    assert_eq!(
        floor.grant(LECTURER, LECTURER, speak(), 100),
        Err(FloorError::StudentOnly {
            participant: LECTURER.to_owned(),
            action: Action::ReceiveFloor
        })
    );
}

#[test]
fn lecturer_cannot_raise_hand() {
    let mut floor = common::room();

    assert_eq!(
        floor.raise_hand(LECTURER, 100),
        Err(FloorError::StudentOnly {
            participant: LECTURER.to_owned(),
            action: Action::RaiseHand
        })
    );
}

#[test]
fn lecturer_has_no_drawing_permission() {
    let mut floor = common::room();

    assert_eq!(
        floor.set_drawing_permission(LECTURER, true),
        Err(FloorError::StudentOnly {
            participant: LECTURER.to_owned(),
            action: Action::SetDrawingPermission
        })
    );
}

#[test]
fn stranger_actor_is_named() {
    let mut floor = common::room();

    assert_eq!(
        floor.grant(STRANGER, GRACE, speak(), 100),
        Err(unknown(STRANGER))
    );
    assert_eq!(floor.raise_hand(STRANGER, 100), Err(unknown(STRANGER)));
    assert_eq!(
        floor.lower_hand(STRANGER, GRACE, 100),
        Err(unknown(STRANGER))
    );
    assert_eq!(floor.mute(STRANGER, GRACE), Err(unknown(STRANGER)));
    assert_eq!(floor.leave(STRANGER, 100), Err(unknown(STRANGER)));
}

#[test]
fn stranger_target_is_named() {
    let mut floor = common::room();

    assert_eq!(
        floor.grant(LECTURER, STRANGER, speak(), 100),
        Err(unknown(STRANGER))
    );
    assert_eq!(
        floor.revoke(LECTURER, STRANGER, 100),
        Err(unknown(STRANGER))
    );
    assert_eq!(
        floor.lower_hand(LECTURER, STRANGER, 100),
        Err(unknown(STRANGER))
    );
    assert_eq!(floor.mute(LECTURER, STRANGER), Err(unknown(STRANGER)));
    assert_eq!(floor.unmute(LECTURER, STRANGER), Err(unknown(STRANGER)));
    assert_eq!(
        floor.set_drawing_permission(STRANGER, true),
        Err(unknown(STRANGER))
    );
}

#[test]
fn rejected_commands_queue_nothing() {
    let mut floor = common::room();

    let _ = floor.grant(GRACE, GRACE, speak(), 100);
    let _ = floor.lower_all_hands(GRACE, 100);
    let _ = floor.mute(STRANGER, GRACE);

    assert_eq!(drain(&mut floor), []);
}

#[test]
fn error_messages_name_actor_and_action() {
    let message = lecturer_only(GRACE, Action::GrantFloor).to_string();

    assert_eq!(
        message,
        "student grace may not grant the floor: only a lecturer may"
    );
    assert_eq!(
        unknown(STRANGER).to_string(),
        "participant mallory is not in the room"
    );
}

#[test]
fn rate_limit_message_gives_wait() {
    let error = FloorError::RateLimited {
        participant: GRACE.to_owned(),
        retry_after_ms: 2_000,
    };

    assert_eq!(
        error.to_string(),
        "grace changed their hand too often; retry in 2000 ms"
    );
}
