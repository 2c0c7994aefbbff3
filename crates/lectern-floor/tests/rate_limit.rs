//! Each student's hand changes are limited by a token bucket driven by `now`.

mod common;

use common::{ALAN, GRACE, LECTURER, drain, queue_ids};
use lectern_floor::{FloorConfig, FloorError, HandRate, Role};

fn rate_limited(participant: &str, retry_after_ms: u64) -> FloorError {
    FloorError::RateLimited {
        participant: participant.to_owned(),
        retry_after_ms,
    }
}

/// Raises and lowers Grace's hand `count` times in total at `now`.
fn toggle_hand(floor: &mut lectern_floor::Floor, count: usize, now: u64) {
    for index in 0..count {
        let result = if index % 2 == 0 {
            floor.raise_hand(GRACE, now)
        } else {
            floor.lower_hand(GRACE, GRACE, now)
        };
        assert!(result.is_ok(), "change {index} was rejected: {result:?}");
    }
}

#[test]
fn burst_within_limit_passes() {
    let mut floor = common::room();

    toggle_hand(&mut floor, 5, 0);

    assert_eq!(queue_ids(&floor), [GRACE]);
}

#[test]
fn change_beyond_burst_is_limited() {
    let mut floor = common::room();
    toggle_hand(&mut floor, 5, 0);
    drain(&mut floor);

    assert_eq!(
        floor.lower_hand(GRACE, GRACE, 0),
        Err(rate_limited(GRACE, 2_000))
    );
    assert_eq!(queue_ids(&floor), [GRACE]);
    assert_eq!(drain(&mut floor), []);
}

#[test]
fn retry_after_counts_down() {
    let mut floor = common::room();
    toggle_hand(&mut floor, 5, 0);

    assert_eq!(
        floor.lower_hand(GRACE, GRACE, 1_500),
        Err(rate_limited(GRACE, 500))
    );
}

#[test]
fn waiting_regains_one_change() {
    let mut floor = common::room();
    toggle_hand(&mut floor, 5, 0);

    assert_eq!(floor.lower_hand(GRACE, GRACE, 2_000), Ok(true));
    assert_eq!(
        floor.raise_hand(GRACE, 2_000),
        Err(rate_limited(GRACE, 2_000))
    );
}

#[test]
fn repeated_raise_counts_too() {
    let mut floor = common::room();
    for _ in 0..5 {
        floor.raise_hand(GRACE, 0).expect("within the limit");
    }

    assert_eq!(floor.raise_hand(GRACE, 0), Err(rate_limited(GRACE, 2_000)));
}

#[test]
fn students_have_separate_buckets() {
    let mut floor = common::room();
    toggle_hand(&mut floor, 5, 0);

    assert_eq!(floor.raise_hand(ALAN, 0), Ok(true));
}

#[test]
fn lecturer_lowering_is_not_limited() {
    let mut floor = common::room();
    floor.raise_hand(GRACE, 0).expect("raises");
    for _ in 0..10 {
        floor.lower_hand(LECTURER, GRACE, 0).expect("lowers");
    }

    assert_eq!(floor.raise_hand(GRACE, 0), Ok(true));
}

#[test]
fn rejoining_keeps_the_limit() {
    let mut floor = common::room();
    toggle_hand(&mut floor, 5, 0);
    floor.leave(GRACE, 100).expect("leaves");
    floor.join(GRACE, Role::Student, false);

    assert_eq!(
        floor.raise_hand(GRACE, 100),
        Err(rate_limited(GRACE, 1_900))
    );
}

#[test]
fn configured_rate_applies() {
    let config = FloorConfig {
        hand_rate: HandRate {
            max_changes: 1,
            window_ms: 60_000,
        },
        ..FloorConfig::default()
    };
    let mut floor = common::room_with(config);

    assert_eq!(floor.raise_hand(GRACE, 0), Ok(true));
    assert_eq!(
        floor.lower_hand(GRACE, GRACE, 1_000),
        Err(rate_limited(GRACE, 59_000))
    );
    assert_eq!(floor.lower_hand(GRACE, GRACE, 60_000), Ok(true));
}

#[test]
fn rejected_role_costs_nothing() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, common::speak(), 0)
        .expect("grants");
    for _ in 0..10 {
        assert!(floor.raise_hand(GRACE, 0).is_err());
    }
    floor.revoke(LECTURER, GRACE, 0).expect("revokes");

    assert_eq!(floor.raise_hand(GRACE, 0), Ok(true));
}
