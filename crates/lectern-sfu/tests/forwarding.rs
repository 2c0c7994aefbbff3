//! Forwarding between real `webrtc` peers on loopback: who hears whom, in what order, and
//! what a stuck subscriber costs the others.

#![allow(clippy::unwrap_used)]

mod support;

use lectern_sfu::{RoomEvent, SfuConfig};
use support::{Client, ClientCodec, Harness, PHASE_COUNTED, sfu_config, warm_up};

const LECTURER: u8 = 1;
const PACKETS: u32 = 100;

/// Connects a lecturer (allowed to speak) and `students` students, each with three audio
/// m-lines.
async fn classroom(config: SfuConfig, students: u8) -> (Harness, Client, Vec<Client>) {
    let mut harness = Harness::new(config);
    let mut lecturer = Client::new("lecturer", LECTURER, ClientCodec::Opus, 3).await;
    harness
        .room
        .set_forwarding(&lecturer.participant, true)
        .unwrap();
    harness.connect(&mut lecturer).await;
    let mut clients = Vec::new();
    for number in 0..students {
        let number = number + 2;
        let mut student =
            Client::new(&format!("student-{number}"), number, ClientCodec::Opus, 3).await;
        harness.connect(&mut student).await;
        clients.push(student);
    }
    (harness, lecturer, clients)
}

/// Collects `count` counted packets from `sender` at `listener`, failing after the wait bound.
async fn collect(listener: &mut Client, sender: u8, count: u32) -> Vec<u32> {
    let mut counters = Vec::new();
    while counters.len() < count as usize {
        counters.push(listener.next_counted_from(sender).await.counter);
    }
    counters
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lecturer_reaches_students_in_order() {
    let (harness, mut lecturer, mut students) = classroom(sfu_config(), 3).await;
    {
        let mut listeners: Vec<&mut Client> = students.iter_mut().collect();
        warm_up(&mut lecturer, &mut listeners).await;
    }

    lecturer.send_paced(0..PACKETS).await;
    let expected: Vec<u32> = (0..PACKETS).collect();
    for student in &mut students {
        let received = collect(student, LECTURER, PACKETS).await;
        assert_eq!(
            received, expected,
            "{} got packets out of order",
            student.participant
        );
    }

    // The lecturer does not hear itself.
    let own: Vec<_> = lecturer
        .drain()
        .into_iter()
        .filter(|packet| packet.sender == LECTURER)
        .collect();
    assert!(
        own.is_empty(),
        "the lecturer received its own audio: {own:?}"
    );
    assert_eq!(harness.sfu.stats().packets_dropped_queue_full, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriber_track_has_own_ssrc_and_sequence() {
    let (_harness, mut lecturer, mut students) = classroom(sfu_config(), 2).await;
    {
        let mut listeners: Vec<&mut Client> = students.iter_mut().collect();
        warm_up(&mut lecturer, &mut listeners).await;
    }
    lecturer.send_paced(0..10).await;
    let first = students[0].next_counted_from(LECTURER).await;
    let second = students[1].next_counted_from(LECTURER).await;
    assert_ne!(
        first.ssrc,
        0x1000_0000 + u32::from(LECTURER),
        "SSRC was not rewritten"
    );
    assert_ne!(first.ssrc, second.ssrc, "two subscribers share an SSRC");
    assert_eq!(first.payload_type, 111);

    let mut previous = first;
    for _ in 1..10 {
        let packet = students[0].next_counted_from(LECTURER).await;
        assert_eq!(
            packet.sequence_number,
            previous.sequence_number.wrapping_add(1)
        );
        assert_eq!(packet.timestamp, previous.timestamp.wrapping_add(960));
        assert_eq!(packet.ssrc, first.ssrc);
        previous = packet;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn student_forwarding_follows_grant() {
    let (harness, mut lecturer, students) = classroom(sfu_config(), 3).await;
    let [mut speaker, mut other_a, mut other_b] = <[Client; 3]>::try_from(students).ok().unwrap();
    let speaker_number = speaker.number;

    // Not allowed: the lecturer's packets pass, the student's do not.
    speaker.send_paced(0..20).await;
    // The lecturer's marker packets travel the same path after the student's, so once the
    // marker arrives, any forwarded student packet would have arrived too.
    {
        let mut listeners = vec![&mut other_a, &mut other_b];
        warm_up(&mut lecturer, &mut listeners).await;
    }
    lecturer.send_counted(0).await;
    for listener in [&mut other_a, &mut other_b] {
        listener.next_counted_from(LECTURER).await;
    }
    let mut leaked = lecturer.drain();
    leaked.extend(other_a.drain());
    leaked.extend(other_b.drain());
    assert!(
        leaked.iter().all(|packet| packet.sender != speaker_number),
        "a student without permission was forwarded: {leaked:?}"
    );
    assert!(harness.sfu.stats().packets_not_allowed >= 20);

    // Allowed: everyone else hears the student.
    harness
        .room
        .set_forwarding(&speaker.participant, true)
        .unwrap();
    {
        let mut listeners = vec![&mut lecturer, &mut other_a, &mut other_b];
        warm_up(&mut speaker, &mut listeners).await;
    }
    speaker.send_paced(0..PACKETS).await;
    let expected: Vec<u32> = (0..PACKETS).collect();
    for listener in [&mut lecturer, &mut other_a, &mut other_b] {
        assert_eq!(collect(listener, speaker_number, PACKETS).await, expected);
    }

    // Revoked: the first packet after the revoke is not forwarded.
    harness
        .room
        .set_forwarding(&speaker.participant, false)
        .unwrap();
    speaker.send_paced(PACKETS..PACKETS + 20).await;
    lecturer.send_counted(1).await;
    for listener in [&mut other_a, &mut other_b] {
        let marker = listener.next_counted_from(LECTURER).await;
        assert_eq!(marker.counter, 1);
    }
    let mut after_revoke = lecturer.drain();
    after_revoke.extend(other_a.drain());
    after_revoke.extend(other_b.drain());
    let leaked: Vec<_> = after_revoke
        .iter()
        .filter(|packet| packet.sender == speaker_number && packet.phase == PHASE_COUNTED)
        .collect();
    assert!(
        leaked.is_empty(),
        "packets forwarded after the revoke: {leaked:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floor_change_keeps_track_continuous() {
    // One slot: both students must use the same outgoing track of the lecturer.
    let config = SfuConfig {
        audio_slots: 1,
        ..sfu_config()
    };
    let mut harness = Harness::new(config);
    let mut lecturer = Client::new("lecturer", LECTURER, ClientCodec::Opus, 1).await;
    harness.connect(&mut lecturer).await;
    let mut first = Client::new("student-2", 2, ClientCodec::Opus, 1).await;
    harness.connect(&mut first).await;
    let mut second = Client::new("student-3", 3, ClientCodec::Opus, 1).await;
    harness.connect(&mut second).await;

    harness
        .room
        .set_forwarding(&first.participant, true)
        .unwrap();
    let full = harness.room.set_forwarding(&second.participant, true);
    assert!(
        matches!(full, Err(lectern_sfu::SfuError::NoFreeAudioSlot { .. })),
        "a second speaker got a slot that does not exist: {full:?}"
    );
    warm_up(&mut first, &mut [&mut lecturer]).await;
    first.send_paced(0..10).await;
    let mut last = None;
    for _ in 0..10 {
        last = Some(lecturer.next_counted_from(2).await);
    }
    let last = last.unwrap();

    harness
        .room
        .set_forwarding(&first.participant, false)
        .unwrap();
    harness
        .room
        .set_forwarding(&second.participant, true)
        .unwrap();
    second.send_counted(0).await;
    let switched = lecturer.next_counted_from(3).await;
    assert_eq!(
        switched.ssrc, last.ssrc,
        "the floor change moved to another track"
    );
    assert_eq!(
        switched.sequence_number,
        last.sequence_number.wrapping_add(1),
        "sequence numbers jump when the floor changes"
    );
    let advance = switched.timestamp.wrapping_sub(last.timestamp);
    assert!(
        (960..48_000 * 30).contains(&advance),
        "timestamp advanced by {advance} ticks across the floor change"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stuck_subscriber_does_not_delay_others() {
    let (harness, mut lecturer, mut students) = classroom(sfu_config(), 3).await;
    {
        let mut listeners: Vec<&mut Client> = students.iter_mut().collect();
        warm_up(&mut lecturer, &mut listeners).await;
    }

    // The stuck student stops reading, and the SFU finds its queue full on every write, as it
    // would if that peer connection's driver stopped sending.
    let stuck = students.remove(0);
    stuck
        .read_enabled
        .store(false, std::sync::atomic::Ordering::Release);
    assert!(
        harness
            .room
            .block_sending_for_test(&stuck.participant, true)
    );

    lecturer.send_paced(0..PACKETS).await;
    let expected: Vec<u32> = (0..PACKETS).collect();
    for student in &mut students {
        assert_eq!(collect(student, LECTURER, PACKETS).await, expected);
    }
    assert_eq!(
        harness.room.dropped_for(&stuck.participant),
        Some(u64::from(PACKETS))
    );
    assert_eq!(harness.room.dropped_for(&students[0].participant), Some(0));
    drop(stuck);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speaking_events_follow_audio_level() {
    let mut harness = Harness::new(sfu_config());
    let mut lecturer = Client::new("lecturer", LECTURER, ClientCodec::Opus, 1).await;
    harness
        .room
        .set_forwarding(&lecturer.participant, true)
        .unwrap();
    harness.connect(&mut lecturer).await;

    // Loud packets until the SFU reports speaking. The wait bound is the failure limit.
    let speaking = async {
        let mut counter = 0;
        loop {
            lecturer
                .send(support::payload(PHASE_COUNTED, LECTURER, counter), Some(10))
                .await;
            counter += 1;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    let wait = harness.wait_event(|event| matches!(event, RoomEvent::Speaking { .. }));
    let event = tokio::select! {
        event = wait => event,
        () = speaking => unreachable!(),
    };
    assert_eq!(
        event,
        RoomEvent::Speaking {
            participant: lecturer.participant.clone(),
            speaking: true
        }
    );

    // Silence: no more packets, and the poll reports the change.
    let event = harness
        .wait_event(|event| matches!(event, RoomEvent::Speaking { .. }))
        .await;
    assert_eq!(
        event,
        RoomEvent::Speaking {
            participant: lecturer.participant.clone(),
            speaking: false
        }
    );
}
