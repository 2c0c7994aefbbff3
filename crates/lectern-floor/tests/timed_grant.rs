//! A grant with a duration ends by itself at `tick(now)`.

mod common;

use common::{ALAN, GRACE, LECTURER, drain, speak, timed};
use lectern_floor::{FloorError, FloorEvent, Grant, RevokeReason};

#[test]
fn open_grant_has_no_timeout() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, speak(), 1_000)
        .expect("grants");

    assert_eq!(floor.poll_timeout(), None);
    assert_eq!(floor.speakers().first().and_then(|s| s.until), None);
}

#[test]
fn timed_grant_sets_timeout() {
    let mut floor = common::room();

    floor
        .grant(LECTURER, GRACE, timed(30_000), 1_000)
        .expect("grants");

    assert_eq!(floor.poll_timeout(), Some(31_000));
    assert_eq!(
        drain(&mut floor),
        [FloorEvent::FloorGranted {
            participant: GRACE.to_owned(),
            to_board: false,
            since: 1_000,
            until: Some(31_000)
        }]
    );
}

#[test]
fn tick_before_until_keeps_floor() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, timed(30_000), 1_000)
        .expect("grants");
    drain(&mut floor);

    assert_eq!(floor.tick(30_999), 0);

    assert!(floor.holds_floor(GRACE));
    assert_eq!(drain(&mut floor), []);
}

#[test]
fn tick_at_until_revokes() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, timed(30_000), 1_000)
        .expect("grants");
    drain(&mut floor);

    assert_eq!(floor.tick(31_000), 1);

    assert!(!floor.holds_floor(GRACE));
    assert!(!floor.may_send_audio(GRACE));
    assert_eq!(floor.poll_timeout(), None);
    assert_eq!(
        drain(&mut floor),
        [FloorEvent::FloorRevoked {
            participant: GRACE.to_owned(),
            reason: RevokeReason::Expired
        }]
    );
}

#[test]
fn expired_grants_end_earliest_first() {
    let mut floor = common::room_with_speakers(2);
    floor
        .grant(LECTURER, GRACE, timed(50_000), 0)
        .expect("grants");
    floor
        .grant(LECTURER, ALAN, timed(10_000), 0)
        .expect("grants");
    drain(&mut floor);

    assert_eq!(floor.poll_timeout(), Some(10_000));
    assert_eq!(floor.tick(60_000), 2);

    let revoked: Vec<String> = drain(&mut floor)
        .into_iter()
        .filter_map(|event| match event {
            FloorEvent::FloorRevoked { participant, .. } => Some(participant),
            _ => None,
        })
        .collect();
    assert_eq!(revoked, [ALAN, GRACE]);
}

#[test]
fn late_tick_still_revokes() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, timed(1_000), 0)
        .expect("grants");

    assert_eq!(floor.tick(1_000_000), 1);
    assert!(!floor.holds_floor(GRACE));
}

#[test]
fn regrant_extends_the_deadline() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, timed(10_000), 0)
        .expect("grants");

    floor
        .grant(LECTURER, GRACE, timed(20_000), 5_000)
        .expect("extends");

    assert_eq!(floor.poll_timeout(), Some(25_000));
    assert_eq!(floor.speakers().first().map(|s| s.since), Some(0));
    assert_eq!(floor.tick(10_000), 0);
    assert!(floor.holds_floor(GRACE));
}

#[test]
fn regrant_without_duration_clears_deadline() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, timed(10_000), 0)
        .expect("grants");

    floor
        .grant(LECTURER, GRACE, speak(), 5_000)
        .expect("regrants");

    assert_eq!(floor.poll_timeout(), None);
    assert_eq!(floor.tick(100_000), 0);
}

#[test]
fn command_expires_due_grants_first() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, timed(10_000), 0)
        .expect("grants");
    drain(&mut floor);

    assert_eq!(floor.grant(LECTURER, ALAN, speak(), 10_000), Ok(()));

    assert_eq!(common::speaker_ids(&floor), [ALAN]);
    assert_eq!(
        drain(&mut floor).first(),
        Some(&FloorEvent::FloorRevoked {
            participant: GRACE.to_owned(),
            reason: RevokeReason::Expired
        })
    );
}

#[test]
fn revoke_after_expiry_returns_false() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, timed(10_000), 0)
        .expect("grants");

    assert_eq!(floor.revoke(LECTURER, GRACE, 10_000), Ok(false));
}

#[test]
fn audio_allowed_until_next_tick() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, timed(10_000), 0)
        .expect("grants");

    assert!(floor.may_send_audio(GRACE));
    floor.tick(10_000);
    assert!(!floor.may_send_audio(GRACE));
}

#[test]
fn zero_duration_is_rejected() {
    let mut floor = common::room();

    assert_eq!(
        floor.grant(LECTURER, GRACE, timed(0), 0),
        Err(FloorError::ZeroDuration)
    );
    assert!(!floor.holds_floor(GRACE));
}

#[test]
fn huge_duration_saturates() {
    let mut floor = common::room();
    let grant = Grant {
        duration_ms: Some(u64::MAX),
        ..Grant::default()
    };

    floor.grant(LECTURER, GRACE, grant, 5).expect("grants");

    assert_eq!(floor.poll_timeout(), Some(u64::MAX));
}
