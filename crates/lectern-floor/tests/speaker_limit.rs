//! At most `max_speakers` students hold the floor. A grant beyond that is
//! rejected unless it requests replacing the longest-holding speaker.

mod common;

use common::{ALAN, BARBARA, GRACE, LECTURER, drain, queue_ids, speak, speaker_ids};
use lectern_floor::{FloorError, FloorEvent, Grant, RevokeReason, WhenFull};

fn replace() -> Grant {
    Grant {
        when_full: WhenFull::ReplaceLongest,
        ..Grant::default()
    }
}

#[test]
fn second_grant_is_rejected() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");

    assert_eq!(
        floor.grant(LECTURER, ALAN, speak(), 200),
        Err(FloorError::FloorFull {
            max_speakers: 1,
            speakers: vec![GRACE.to_owned()]
        })
    );
    assert_eq!(speaker_ids(&floor), [GRACE]);
}

#[test]
fn rejected_grant_keeps_the_hand() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");
    floor.raise_hand(ALAN, 150).expect("raises");
    drain(&mut floor);

    assert!(floor.grant_next(LECTURER, speak(), 200).is_err());

    assert_eq!(queue_ids(&floor), [ALAN]);
    assert_eq!(drain(&mut floor), []);
}

#[test]
fn full_floor_message_suggests_fix() {
    let error = FloorError::FloorFull {
        max_speakers: 1,
        speakers: vec![GRACE.to_owned()],
    };

    assert_eq!(
        error.to_string(),
        "the floor is full (1 of 1 speakers: grace); revoke a speaker first or grant with WhenFull::ReplaceLongest"
    );
}

#[test]
fn replace_revokes_longest_holding() {
    let mut floor = common::room_with_speakers(2);
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");
    floor.grant(LECTURER, ALAN, speak(), 200).expect("grants");
    drain(&mut floor);

    floor
        .grant(LECTURER, BARBARA, replace(), 300)
        .expect("replaces");

    assert_eq!(speaker_ids(&floor), [ALAN, BARBARA]);
    assert_eq!(
        drain(&mut floor).first(),
        Some(&FloorEvent::FloorRevoked {
            participant: GRACE.to_owned(),
            reason: RevokeReason::Replaced
        })
    );
}

#[test]
fn replace_with_free_slot_revokes_nobody() {
    let mut floor = common::room_with_speakers(2);
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");

    floor.grant(LECTURER, ALAN, replace(), 200).expect("grants");

    assert_eq!(speaker_ids(&floor), [GRACE, ALAN]);
}

#[test]
fn regrant_keeps_holding_order() {
    let mut floor = common::room_with_speakers(2);
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");
    floor.grant(LECTURER, ALAN, speak(), 200).expect("grants");
    floor
        .grant(LECTURER, GRACE, common::to_board(), 300)
        .expect("regrants");

    floor
        .grant(LECTURER, BARBARA, replace(), 400)
        .expect("replaces");

    assert_eq!(speaker_ids(&floor), [ALAN, BARBARA]);
}

#[test]
fn regrant_on_full_floor_succeeds() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");

    assert_eq!(floor.grant(LECTURER, GRACE, speak(), 200), Ok(()));
    assert_eq!(speaker_ids(&floor), [GRACE]);
}

#[test]
fn two_speakers_when_allowed() {
    let mut floor = common::room_with_speakers(2);

    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");
    floor.grant(LECTURER, ALAN, speak(), 200).expect("grants");

    assert!(floor.may_send_audio(GRACE));
    assert!(floor.may_send_audio(ALAN));
}

#[test]
fn raising_the_limit_allows_more() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");
    drain(&mut floor);

    floor
        .set_max_speakers(LECTURER, 2, 200)
        .expect("raises limit");

    assert_eq!(
        drain(&mut floor),
        [FloorEvent::MaxSpeakersChanged { max_speakers: 2 }]
    );
    assert_eq!(floor.grant(LECTURER, ALAN, speak(), 300), Ok(()));
}

#[test]
fn lowering_below_speakers_is_rejected() {
    let mut floor = common::room_with_speakers(3);
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");
    floor.grant(LECTURER, ALAN, speak(), 200).expect("grants");

    assert_eq!(
        floor.set_max_speakers(LECTURER, 1, 300),
        Err(FloorError::SpeakersAboveLimit {
            requested: 1,
            speakers: 2
        })
    );
    assert_eq!(floor.config().max_speakers, 3);
}

#[test]
fn zero_limit_is_rejected() {
    let mut floor = common::room();

    assert_eq!(
        floor.set_max_speakers(LECTURER, 0, 100),
        Err(FloorError::ZeroMaxSpeakers)
    );
}

#[test]
fn revoke_all_frees_the_floor() {
    let mut floor = common::room_with_speakers(2);
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");
    floor.grant(LECTURER, ALAN, speak(), 200).expect("grants");

    assert_eq!(floor.revoke_all(LECTURER, 300), Ok(2));

    assert!(floor.speakers().is_empty());
}
