//! Raised hands form a first-in, first-out queue.

mod common;

use common::{ALAN, BARBARA, GRACE, LECTURER, drain, queue_ids, speak};
use lectern_floor::{FloorError, FloorEvent, LowerReason, RaisedHand};

#[test]
fn hands_queue_in_raise_order() {
    let mut floor = common::room();

    assert_eq!(floor.raise_hand(ALAN, 100), Ok(true));
    assert_eq!(floor.raise_hand(GRACE, 200), Ok(true));
    assert_eq!(floor.raise_hand(BARBARA, 300), Ok(true));

    assert_eq!(queue_ids(&floor), [ALAN, GRACE, BARBARA]);
    assert_eq!(floor.queue_position(BARBARA), Some(2));
}

#[test]
fn raising_twice_keeps_position() {
    let mut floor = common::room();
    floor.raise_hand(GRACE, 100).expect("raises");
    floor.raise_hand(ALAN, 200).expect("raises");

    assert_eq!(floor.raise_hand(GRACE, 300), Ok(false));

    assert_eq!(queue_ids(&floor), [GRACE, ALAN]);
    assert_eq!(floor.queue().first().map(|hand| hand.raised_at), Some(100));
}

#[test]
fn raising_twice_queues_no_event() {
    let mut floor = common::room();
    floor.raise_hand(GRACE, 100).expect("raises");
    drain(&mut floor);

    floor.raise_hand(GRACE, 300).expect("raises again");

    assert_eq!(drain(&mut floor), []);
}

#[test]
fn raise_queues_raised_then_changed() {
    let mut floor = common::room();

    floor.raise_hand(GRACE, 100).expect("raises");

    let hand = RaisedHand {
        participant: GRACE.to_owned(),
        raised_at: 100,
    };
    assert_eq!(
        drain(&mut floor),
        [
            FloorEvent::HandRaised {
                participant: GRACE.to_owned(),
                raised_at: 100
            },
            FloorEvent::QueueChanged { queue: vec![hand] },
        ]
    );
}

#[test]
fn student_lowers_own_hand() {
    let mut floor = common::room();
    floor.raise_hand(GRACE, 100).expect("raises");
    floor.raise_hand(ALAN, 200).expect("raises");
    drain(&mut floor);

    assert_eq!(floor.lower_hand(GRACE, GRACE, 300), Ok(true));

    assert_eq!(queue_ids(&floor), [ALAN]);
    let events = drain(&mut floor);
    assert_eq!(
        events.first(),
        Some(&FloorEvent::HandLowered {
            participant: GRACE.to_owned(),
            reason: LowerReason::Own
        })
    );
    assert_eq!(events.len(), 2);
}

#[test]
fn lowering_lowered_hand_returns_false() {
    let mut floor = common::room();

    assert_eq!(floor.lower_hand(GRACE, GRACE, 100), Ok(false));
    assert_eq!(floor.lower_hand(LECTURER, GRACE, 100), Ok(false));
    assert_eq!(drain(&mut floor), []);
}

#[test]
fn lecturer_lowers_one_hand() {
    let mut floor = common::room();
    floor.raise_hand(GRACE, 100).expect("raises");
    floor.raise_hand(ALAN, 200).expect("raises");
    drain(&mut floor);

    assert_eq!(floor.lower_hand(LECTURER, ALAN, 300), Ok(true));

    assert_eq!(queue_ids(&floor), [GRACE]);
    assert_eq!(
        drain(&mut floor).first(),
        Some(&FloorEvent::HandLowered {
            participant: ALAN.to_owned(),
            reason: LowerReason::Lecturer
        })
    );
}

#[test]
fn lecturer_lowers_all_hands() {
    let mut floor = common::room();
    floor.raise_hand(GRACE, 100).expect("raises");
    floor.raise_hand(ALAN, 200).expect("raises");
    drain(&mut floor);

    assert_eq!(floor.lower_all_hands(LECTURER, 300), Ok(2));

    assert!(floor.queue().is_empty());
    let events = drain(&mut floor);
    assert_eq!(events.len(), 3);
    assert_eq!(
        events.last(),
        Some(&FloorEvent::QueueChanged { queue: Vec::new() })
    );
}

#[test]
fn lowering_empty_queue_queues_nothing() {
    let mut floor = common::room();

    assert_eq!(floor.lower_all_hands(LECTURER, 100), Ok(0));
    assert_eq!(drain(&mut floor), []);
}

#[test]
fn grant_next_takes_first_hand() {
    let mut floor = common::room();
    floor.raise_hand(ALAN, 100).expect("raises");
    floor.raise_hand(GRACE, 200).expect("raises");

    assert_eq!(
        floor.grant_next(LECTURER, speak(), 300),
        Ok(ALAN.to_owned())
    );

    assert!(floor.holds_floor(ALAN));
    assert_eq!(queue_ids(&floor), [GRACE]);
}

#[test]
fn grant_lowers_granted_hand() {
    let mut floor = common::room();
    floor.raise_hand(ALAN, 100).expect("raises");
    floor.raise_hand(GRACE, 200).expect("raises");
    drain(&mut floor);

    floor.grant(LECTURER, GRACE, speak(), 300).expect("grants");

    assert_eq!(queue_ids(&floor), [ALAN]);
    assert_eq!(
        drain(&mut floor).first(),
        Some(&FloorEvent::HandLowered {
            participant: GRACE.to_owned(),
            reason: LowerReason::Granted
        })
    );
}

#[test]
fn grant_without_hand_is_allowed() {
    let mut floor = common::room();

    assert_eq!(floor.grant(LECTURER, BARBARA, speak(), 100), Ok(()));

    assert!(floor.holds_floor(BARBARA));
}

#[test]
fn grant_next_on_empty_queue() {
    let mut floor = common::room();

    assert_eq!(
        floor.grant_next(LECTURER, speak(), 100),
        Err(FloorError::QueueEmpty)
    );
}

#[test]
fn speaker_cannot_raise_hand() {
    let mut floor = common::room();
    floor.grant(LECTURER, GRACE, speak(), 100).expect("grants");

    assert_eq!(
        floor.raise_hand(GRACE, 200),
        Err(FloorError::HoldsFloor {
            participant: GRACE.to_owned()
        })
    );
    assert!(floor.queue().is_empty());
}

#[test]
fn revoked_speaker_raises_again() {
    let mut floor = common::room();
    floor.raise_hand(GRACE, 100).expect("raises");
    floor.raise_hand(ALAN, 150).expect("raises");
    floor.grant_next(LECTURER, speak(), 200).expect("grants");
    floor.revoke(LECTURER, GRACE, 300).expect("revokes");

    assert_eq!(floor.raise_hand(GRACE, 400), Ok(true));

    assert_eq!(queue_ids(&floor), [ALAN, GRACE]);
}
