//! The lecturer's mute stops forwarding a participant's audio.

mod common;

use common::{ALAN, GRACE, LECTURER, drain, speak};
use lectern_floor::{FloorEvent, Role};

#[test]
fn lecturer_is_heard_by_default() {
    let floor = common::room();

    assert!(floor.may_send_audio(LECTURER));
    assert!(floor.speaking_allowed(LECTURER));
}

#[test]
fn student_is_silent_without_floor() {
    let floor = common::room();

    assert!(!floor.may_send_audio(GRACE));
    assert!(!floor.speaking_allowed(GRACE));
}

#[test]
fn muted_speaker_sends_no_audio() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");
    drain(&mut floor);

    assert_eq!(floor.mute(LECTURER, GRACE), Ok(true));

    assert!(!floor.may_send_audio(GRACE));
    assert!(floor.speaking_allowed(GRACE));
    assert!(floor.holds_floor(GRACE));
    assert_eq!(
        drain(&mut floor),
        [FloorEvent::Muted {
            participant: GRACE.to_owned()
        }]
    );
}

#[test]
fn mute_before_grant_applies() {
    let mut floor = common::room();
    floor.mute(LECTURER, GRACE).expect("mutes");

    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");

    assert!(!floor.may_send_audio(GRACE));
}

#[test]
fn lecturer_can_be_muted() {
    let mut floor = common::room();
    floor.join("turing", Role::Lecturer, false);

    floor.mute("turing", LECTURER).expect("mutes");

    assert!(!floor.may_send_audio(LECTURER));
    assert!(floor.may_send_audio("turing"));
}

#[test]
fn unmute_restores_audio() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");
    floor.mute(LECTURER, GRACE).expect("mutes");
    drain(&mut floor);

    assert_eq!(floor.unmute(LECTURER, GRACE), Ok(true));

    assert!(floor.may_send_audio(GRACE));
    assert_eq!(
        drain(&mut floor),
        [FloorEvent::Unmuted {
            participant: GRACE.to_owned()
        }]
    );
}

#[test]
fn repeated_mute_returns_false() {
    let mut floor = common::room();
    floor.mute(LECTURER, GRACE).expect("mutes");
    drain(&mut floor);

    assert_eq!(floor.mute(LECTURER, GRACE), Ok(false));
    assert_eq!(floor.unmute(LECTURER, ALAN), Ok(false));
    assert_eq!(drain(&mut floor), []);
}

#[test]
fn mute_outlasts_leaving() {
    let mut floor = common::room();
    floor.mute(LECTURER, GRACE).expect("mutes");
    floor.leave(GRACE, 100).expect("leaves");
    floor.join(GRACE, Role::Student, false);

    floor.grant(LECTURER, GRACE, speak(), 200).expect("grants");

    assert!(floor.is_muted(GRACE));
    assert!(!floor.may_send_audio(GRACE));
}

#[test]
fn absent_participant_can_be_unmuted() {
    let mut floor = common::room();
    floor.mute(LECTURER, GRACE).expect("mutes");
    floor.leave(GRACE, 100).expect("leaves");

    assert_eq!(floor.unmute(LECTURER, GRACE), Ok(true));
    assert!(!floor.is_muted(GRACE));
}

#[test]
fn revoked_speaker_stays_muted() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");
    floor.mute(LECTURER, GRACE).expect("mutes");

    floor.revoke(LECTURER, GRACE, 200).expect("revokes");

    assert!(floor.is_muted(GRACE));
}
