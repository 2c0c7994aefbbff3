//! A student who leaves is removed from the queue and loses the floor.

mod common;

use common::{ALAN, GRACE, LECTURER, drain, queue_ids, speak, to_board};
use lectern_floor::{DrawingCause, FloorEvent, LowerReason, RevokeReason, Role};

#[test]
fn leaving_lowers_the_hand() {
    let mut floor = common::room();
    floor.raise_hand(GRACE, 100).expect("raises");
    floor.raise_hand(ALAN, 200).expect("raises");
    drain(&mut floor);

    floor.leave(GRACE, 300).expect("leaves");

    assert_eq!(queue_ids(&floor), [ALAN]);
    let events = drain(&mut floor);
    assert_eq!(
        events.first(),
        Some(&FloorEvent::HandLowered {
            participant: GRACE.to_owned(),
            reason: LowerReason::Left
        })
    );
    assert!(matches!(
        events.get(1),
        Some(FloorEvent::QueueChanged { .. })
    ));
    assert_eq!(events.len(), 2);
}

#[test]
fn leaving_speaker_loses_floor() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");
    drain(&mut floor);

    floor.leave(GRACE, 200).expect("leaves");

    assert!(!floor.holds_floor(GRACE));
    assert!(!floor.may_send_audio(GRACE));
    assert_eq!(
        drain(&mut floor),
        [FloorEvent::FloorRevoked {
            participant: GRACE.to_owned(),
            reason: RevokeReason::Left
        }]
    );
}

#[test]
fn leaving_board_speaker_ends_drawing() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, to_board(), 100)
        .expect("grants");
    drain(&mut floor);

    floor.leave(GRACE, 200).expect("leaves");

    assert_eq!(
        drain(&mut floor).last(),
        Some(&FloorEvent::DrawingChanged {
            participant: GRACE.to_owned(),
            can_draw: false,
            cause: DrawingCause::BoardRevoked
        })
    );
}

#[test]
fn left_participant_is_unknown() {
    let mut floor = common::room();
    floor.leave(GRACE, 100).expect("leaves");

    assert_eq!(floor.role(GRACE), None);
    assert!(floor.raise_hand(GRACE, 200).is_err());
    assert!(floor.grant(LECTURER, GRACE, speak(), 200).is_err());
    assert!(!floor.may_draw(GRACE));
}

#[test]
fn leaving_twice_is_an_error() {
    let mut floor = common::room();
    floor.leave(GRACE, 100).expect("leaves");

    assert_eq!(
        floor.leave(GRACE, 200),
        Err(lectern_floor::FloorError::UnknownParticipant {
            participant: GRACE.to_owned()
        })
    );
}

#[test]
fn rejoining_starts_without_hand() {
    let mut floor = common::room();
    floor.raise_hand(GRACE, 100).expect("raises");
    floor.grant(LECTURER, ALAN, speak(), 100).expect("grants");
    floor.leave(GRACE, 200).expect("leaves");
    floor.leave(ALAN, 200).expect("leaves");

    assert!(floor.join(GRACE, Role::Student, false));
    assert!(floor.join(ALAN, Role::Student, false));

    assert_eq!(floor.queue_position(GRACE), None);
    assert!(!floor.holds_floor(ALAN));
}

#[test]
fn joining_twice_changes_nothing() {
    let mut floor = common::room();

    assert!(!floor.join(GRACE, Role::Lecturer, true));

    assert_eq!(floor.role(GRACE), Some(Role::Student));
    assert!(!floor.may_draw(GRACE));
}

#[test]
fn lecturer_leaving_keeps_speakers() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");

    floor.leave(LECTURER, 200).expect("leaves");

    assert!(floor.holds_floor(GRACE));
    assert!(!floor.may_send_audio(LECTURER));
}

#[test]
fn leave_expires_due_grants_first() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, common::timed(1_000), 0)
        .expect("grants");
    drain(&mut floor);

    floor.leave(GRACE, 1_000).expect("leaves");

    assert_eq!(
        drain(&mut floor),
        [FloorEvent::FloorRevoked {
            participant: GRACE.to_owned(),
            reason: RevokeReason::Expired
        }]
    );
}
