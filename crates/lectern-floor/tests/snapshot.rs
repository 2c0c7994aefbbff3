//! The snapshot and the events serialise to the JSON that clients receive.

mod common;

use common::{ALAN, GRACE, LECTURER, timed, to_board};
use lectern_floor::{FloorEvent, FloorSnapshot, RaisedHand, RevokeReason, Speaker};
use serde_json::json;

#[test]
fn snapshot_lists_queue_in_order() {
    let mut floor = common::room();
    floor.raise_hand(ALAN, 100).expect("raises");
    floor.raise_hand(GRACE, 200).expect("raises");

    let queue = floor.snapshot().queue;

    assert_eq!(
        queue,
        [
            RaisedHand {
                participant: ALAN.to_owned(),
                raised_at: 100
            },
            RaisedHand {
                participant: GRACE.to_owned(),
                raised_at: 200
            },
        ]
    );
}

#[test]
fn snapshot_lists_speakers_and_mutes() {
    let mut floor = common::room();
    floor
        .grant(LECTURER, GRACE, timed(5_000), 100)
        .expect("grants");
    floor.mute(LECTURER, ALAN).expect("mutes");

    let snapshot = floor.snapshot();

    assert_eq!(
        snapshot.speakers,
        [Speaker {
            participant: GRACE.to_owned(),
            to_board: false,
            since: 100,
            until: Some(5_100)
        }]
    );
    assert_eq!(snapshot.muted, [ALAN]);
    assert_eq!(snapshot.lecturers, [LECTURER]);
    assert_eq!(snapshot.max_speakers, 1);
}

#[test]
fn snapshot_serialises_to_json() {
    let mut floor = common::room();
    floor.raise_hand(ALAN, 100).expect("raises");
    floor
        .grant(LECTURER, GRACE, to_board(), 200)
        .expect("grants");

    let value = serde_json::to_value(floor.snapshot()).expect("serialises");

    assert_eq!(
        value,
        json!({
            "max_speakers": 1,
            "lecturers": ["ada"],
            "queue": [{"participant": "alan", "raised_at": 100}],
            "speakers": [{"participant": "grace", "to_board": true, "since": 200, "until": null}],
            "muted": []
        })
    );
}

#[test]
fn snapshot_round_trips_through_json() {
    let mut floor = common::room();
    floor.raise_hand(ALAN, 100).expect("raises");
    let snapshot = floor.snapshot();

    let text = serde_json::to_string(&snapshot).expect("serialises");
    let parsed: FloorSnapshot = serde_json::from_str(&text).expect("parses");

    assert_eq!(parsed, snapshot);
}

#[test]
fn events_carry_a_type_tag() {
    let event = FloorEvent::FloorRevoked {
        participant: GRACE.to_owned(),
        reason: RevokeReason::Expired,
    };

    let value = serde_json::to_value(event).expect("serialises");

    assert_eq!(
        value,
        json!({"type": "floor_revoked", "participant": "grace", "reason": "expired"})
    );
}
