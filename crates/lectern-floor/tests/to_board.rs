//! A grant with `to_board` lends board drawing; its end restores the
//! student's own permission rather than removing it.

mod common;

use common::{ALAN, GRACE, LECTURER, drain, speak, timed, to_board};
use lectern_floor::{DrawingCause, Floor, FloorEvent, Grant, RevokeReason, WhenFull};

fn drawing_events(floor: &mut Floor) -> Vec<FloorEvent> {
    drain(floor)
        .into_iter()
        .filter(|event| matches!(event, FloorEvent::DrawingChanged { .. }))
        .collect()
}

fn drawing(participant: &str, can_draw: bool, cause: DrawingCause) -> FloorEvent {
    FloorEvent::DrawingChanged {
        participant: participant.to_owned(),
        can_draw,
        cause,
    }
}

/// Builds a room where Alan has his own drawing permission.
fn room_with_alan_drawing() -> Floor {
    let mut floor = common::room();
    floor
        .set_drawing_permission(ALAN, true)
        .expect("alan is a student");
    drain(&mut floor);
    floor
}

#[test]
fn board_grant_allows_drawing() {
    let mut floor = common::room();

    floor
        .grant(LECTURER, GRACE, to_board(), 100)
        .expect("grants");

    assert!(floor.may_draw(GRACE));
    assert_eq!(
        drain(&mut floor),
        [
            FloorEvent::FloorGranted {
                participant: GRACE.to_owned(),
                to_board: true,
                since: 100,
                until: None
            },
            drawing(GRACE, true, DrawingCause::BoardGranted),
        ]
    );
}

#[test]
fn plain_grant_leaves_drawing_alone() {
    let mut floor = common::room();

    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");

    assert!(!floor.may_draw(GRACE));
    assert_eq!(drawing_events(&mut floor), []);
}

#[test]
fn revoke_removes_board_access() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, to_board(), 100)
        .expect("grants");
    drain(&mut floor);

    floor.revoke(LECTURER, GRACE, 200).expect("revokes");

    assert!(!floor.may_draw(GRACE));
    assert_eq!(
        drain(&mut floor),
        [
            FloorEvent::FloorRevoked {
                participant: GRACE.to_owned(),
                reason: RevokeReason::Lecturer
            },
            drawing(GRACE, false, DrawingCause::BoardRevoked),
        ]
    );
}

#[test]
fn revoke_restores_own_permission() {
    let mut floor = room_with_alan_drawing();
    floor
        .grant(LECTURER, ALAN, to_board(), 100)
        .expect("grants");
    drain(&mut floor);

    floor.revoke(LECTURER, ALAN, 200).expect("revokes");

    assert!(floor.may_draw(ALAN));
    assert_eq!(
        drawing_events(&mut floor),
        [drawing(ALAN, true, DrawingCause::PermissionRestored)]
    );
}

#[test]
fn board_grant_over_permission_still_reported() {
    let mut floor = room_with_alan_drawing();

    floor
        .grant(LECTURER, ALAN, to_board(), 100)
        .expect("grants");

    assert_eq!(
        drawing_events(&mut floor),
        [drawing(ALAN, true, DrawingCause::BoardGranted)]
    );
}

#[test]
fn permission_given_during_grant_survives() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, to_board(), 100)
        .expect("grants");
    drain(&mut floor);

    assert_eq!(floor.set_drawing_permission(GRACE, true), Ok(true));
    assert_eq!(drain(&mut floor), []);
    floor.revoke(LECTURER, GRACE, 200).expect("revokes");

    assert!(floor.may_draw(GRACE));
    assert_eq!(
        drawing_events(&mut floor),
        [drawing(GRACE, true, DrawingCause::PermissionRestored)]
    );
}

#[test]
fn permission_removed_during_grant_applies_after() {
    let mut floor = room_with_alan_drawing();
    floor
        .grant(LECTURER, ALAN, to_board(), 100)
        .expect("grants");

    floor.set_drawing_permission(ALAN, false).expect("removes");

    assert!(floor.may_draw(ALAN));
    drain(&mut floor);
    floor.revoke(LECTURER, ALAN, 200).expect("revokes");
    assert!(!floor.may_draw(ALAN));
    assert_eq!(
        drawing_events(&mut floor),
        [drawing(ALAN, false, DrawingCause::BoardRevoked)]
    );
}

#[test]
fn permission_change_outside_grant() {
    let mut floor = common::room();

    assert_eq!(floor.set_drawing_permission(GRACE, true), Ok(true));

    assert!(floor.may_draw(GRACE));
    assert_eq!(
        drain(&mut floor),
        [drawing(GRACE, true, DrawingCause::PermissionChanged)]
    );
}

#[test]
fn unchanged_permission_queues_nothing() {
    let mut floor = common::room();

    assert_eq!(floor.set_drawing_permission(GRACE, false), Ok(false));
    assert_eq!(drain(&mut floor), []);
}

#[test]
fn expiry_ends_board_access() {
    let mut floor = common::room();
    let grant = Grant {
        to_board: true,
        ..timed(5_000)
    };
    floor.grant(LECTURER, GRACE, grant, 0).expect("grants");
    drain(&mut floor);

    floor.tick(5_000);

    assert!(!floor.may_draw(GRACE));
    assert_eq!(
        drawing_events(&mut floor),
        [drawing(GRACE, false, DrawingCause::BoardRevoked)]
    );
}

#[test]
fn replaced_speaker_loses_board() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, to_board(), 0).expect("grants");
    drain(&mut floor);
    let replace = Grant {
        when_full: WhenFull::ReplaceLongest,
        ..Grant::default()
    };

    floor.grant(LECTURER, ALAN, replace, 100).expect("replaces");

    assert!(!floor.may_draw(GRACE));
    assert_eq!(
        drawing_events(&mut floor),
        [drawing(GRACE, false, DrawingCause::BoardRevoked)]
    );
}

#[test]
fn regrant_adds_the_board() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, speak(), 0).expect("grants");
    drain(&mut floor);

    floor
        .grant(LECTURER, GRACE, to_board(), 100)
        .expect("regrants");

    assert!(floor.may_draw(GRACE));
    assert_eq!(
        drawing_events(&mut floor),
        [drawing(GRACE, true, DrawingCause::BoardGranted)]
    );
}

#[test]
fn regrant_takes_the_board_away() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, to_board(), 0).expect("grants");
    drain(&mut floor);

    floor
        .grant(LECTURER, GRACE, speak(), 100)
        .expect("regrants");

    assert!(floor.holds_floor(GRACE));
    assert!(!floor.may_draw(GRACE));
    assert_eq!(
        drawing_events(&mut floor),
        [drawing(GRACE, false, DrawingCause::BoardRevoked)]
    );
}

#[test]
fn lecturer_always_may_draw() {
    let floor = common::room();

    assert!(floor.may_draw(LECTURER));
}
