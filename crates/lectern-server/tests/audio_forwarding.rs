//! Room audio end to end: real WebRTC peers on 127.0.0.1 join audio over
//! the control channel, and the floor decides whose packets the server
//! forwards.

mod support;

use std::time::Duration;

use lectern_sfu::SfuStats;
use serde_json::{Value, json};
use support::audio::{AudioPeer, Codec, PHASE_COUNTED, join_audio, warm_up};
use support::{ControlClient, TestServer, WAIT};

const LECTURER: u8 = 1;
const PACKETS: u32 = 100;

/// A participant with a control connection and an audio peer.
struct Participant {
    id: String,
    control: ControlClient,
    peer: AudioPeer,
}

/// Starts a server and joins a lecturer and `students` students to audio,
/// each peer with three audio m-lines.
async fn classroom(students: u8) -> (TestServer, Participant, Vec<Participant>) {
    let server = support::start().await;
    let (token, code) = server.lecturer_room().await;
    let lecturer = join(&server, &code, &token, LECTURER).await;

    let mut joined = Vec::new();
    for number in 2..students + 2 {
        let (token, _) = server.join(&code, &format!("Student {number}")).await;
        joined.push(join(&server, &code, &token, number).await);
    }
    (server, lecturer, joined)
}

async fn join(server: &TestServer, code: &str, token: &str, number: u8) -> Participant {
    let (mut control, _) = ControlClient::connect_class(server, code, token).await;
    let mut peer = AudioPeer::new(number, Codec::Opus, 3).await;
    join_audio(&mut control, &mut peer).await;
    Participant {
        id: control.participant_id(),
        control,
        peer,
    }
}

fn command(type_name: &str, participant_id: &str) -> Value {
    json!({"v": 1, "type": type_name, "participant_id": participant_id})
}

/// Sends a marker packet from the lecturer and waits until `listeners`
/// received it. Packets sent before the marker on the same server path
/// have arrived by then, so what the listeners drained is complete.
async fn drain_after_marker(
    lecturer: &mut AudioPeer,
    marker: u32,
    listeners: &mut [&mut AudioPeer],
) -> Vec<support::audio::Received> {
    lecturer.send_counted(marker).await;
    let mut received = Vec::new();
    for listener in listeners.iter_mut() {
        loop {
            let packet = listener.next_counted_from(LECTURER).await;
            if packet.counter == marker {
                break;
            }
        }
        received.extend(listener.drain());
    }
    received
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lecturer_reaches_students_in_order() {
    let (server, mut lecturer, mut students) = classroom(3).await;
    {
        let mut listeners: Vec<&mut AudioPeer> = students
            .iter_mut()
            .map(|student| &mut student.peer)
            .collect();
        warm_up(&mut lecturer.peer, &mut listeners).await;
    }

    lecturer.peer.send_paced(0..PACKETS).await;

    let expected: Vec<u32> = (0..PACKETS).collect();
    for student in &mut students {
        let received = student.peer.collect_from(LECTURER, PACKETS).await;
        assert_eq!(
            received, expected,
            "student {} got packets out of order",
            student.id
        );
    }
    let own: Vec<_> = lecturer
        .peer
        .drain()
        .into_iter()
        .filter(|packet| packet.sender == LECTURER)
        .collect();
    assert!(own.is_empty(), "the lecturer heard itself: {own:?}");

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn student_audio_follows_floor() {
    let (server, mut lecturer, students) = classroom(3).await;
    let [mut speaker, mut other_a, mut other_b] = <[Participant; 3]>::try_from(students)
        .ok()
        .expect("three students");
    let speaker_number = speaker.peer.number;
    {
        let mut listeners = [&mut other_a.peer, &mut other_b.peer];
        warm_up(&mut lecturer.peer, &mut listeners).await;
    }

    // Without the floor the student's packets reach nobody.
    speaker.peer.send_paced(0..20).await;
    let leaked = drain_after_marker(
        &mut lecturer.peer,
        1000,
        &mut [&mut other_a.peer, &mut other_b.peer],
    )
    .await;
    let mut leaked: Vec<_> = leaked
        .into_iter()
        .filter(|packet| packet.sender == speaker_number)
        .collect();
    leaked.extend(
        lecturer
            .peer
            .drain()
            .into_iter()
            .filter(|packet| packet.sender == speaker_number),
    );
    assert!(
        leaked.is_empty(),
        "a student without the floor was heard: {leaked:?}"
    );

    // With the floor everyone else hears the student.
    lecturer
        .control
        .send(command("floor.grant", &speaker.id))
        .await;
    let speaker_id = speaker.id.clone();
    lecturer
        .control
        .floor_state(|state| state["speakers"][0]["participant_id"] == speaker_id.as_str())
        .await;
    {
        let mut listeners = [&mut lecturer.peer, &mut other_a.peer, &mut other_b.peer];
        warm_up(&mut speaker.peer, &mut listeners).await;
    }
    speaker.peer.send_paced(0..PACKETS).await;
    let expected: Vec<u32> = (0..PACKETS).collect();
    for listener in [&mut lecturer.peer, &mut other_a.peer, &mut other_b.peer] {
        assert_eq!(
            listener.collect_from(speaker_number, PACKETS).await,
            expected
        );
    }

    // After the revoke the student is not heard again.
    lecturer
        .control
        .send(command("floor.revoke", &speaker.id))
        .await;
    lecturer
        .control
        .floor_state(|state| state["speakers"] == json!([]))
        .await;
    speaker.peer.send_paced(PACKETS..PACKETS + 20).await;
    let after = drain_after_marker(
        &mut lecturer.peer,
        1001,
        &mut [&mut other_a.peer, &mut other_b.peer],
    )
    .await;
    let leaked: Vec<_> = after
        .iter()
        .filter(|packet| packet.sender == speaker_number && packet.phase == PHASE_COUNTED)
        .collect();
    assert!(
        leaked.is_empty(),
        "packets forwarded after the revoke: {leaked:?}"
    );

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muted_lecturer_is_not_heard() {
    let (server, mut lecturer, mut students) = classroom(1).await;
    let student = &mut students[0];
    warm_up(&mut lecturer.peer, &mut [&mut student.peer]).await;

    let lecturer_id = lecturer.id.clone();
    lecturer
        .control
        .send(command("audio.mute", &lecturer_id))
        .await;
    lecturer
        .control
        .floor_state(|state| state["muted"] == json!([lecturer_id.as_str()]))
        .await;
    let dropped_before = stats(&server).packets_not_allowed;
    lecturer.peer.send_paced(0..20).await;

    // The packets travel over UDP and the unmute over TCP, so the test
    // waits until the server dropped all 20 before it unmutes.
    let deadline = tokio::time::Instant::now() + WAIT;
    while stats(&server).packets_not_allowed < dropped_before + 20 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server did not drop the muted lecturer's packets: {:?}",
            stats(&server)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Unmuting lets the lecturer through again; the first packet heard is
    // one sent after the unmute.
    lecturer
        .control
        .send(command("audio.unmute", &lecturer_id))
        .await;
    lecturer
        .control
        .floor_state(|state| state["muted"] == json!([]))
        .await;
    lecturer.peer.send_paced(100..120).await;
    let first = student.peer.next_counted_from(LECTURER).await;
    assert!(
        first.counter >= 100,
        "a packet sent while muted was forwarded: {first:?}"
    );

    server.stop().await;
}

/// Returns the SFU's counters of the test server.
fn stats(server: &TestServer) -> SfuStats {
    server
        .server
        .as_ref()
        .and_then(lectern_server::Server::audio_stats)
        .expect("audio is enabled")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_control_connection_cleans_up() {
    let server = support::start().await;
    let (token, code) = server.lecturer_room().await;
    let mut lecturer = join(&server, &code, &token, LECTURER).await;
    let before = stats(&server);
    assert_eq!(before.live_sessions, 1, "{before:?}");

    let (student_token, _) = server.join(&code, "Ada").await;
    let mut student = join(&server, &code, &student_token, 2).await;
    lecturer
        .control
        .send(command("floor.grant", &student.id))
        .await;
    let student_id = student.id.clone();
    lecturer
        .control
        .floor_state(|state| state["speakers"][0]["participant_id"] == student_id.as_str())
        .await;
    warm_up(&mut student.peer, &mut [&mut lecturer.peer]).await;
    assert_eq!(stats(&server).live_sessions, 2);

    // The student's page goes away without rtc.leave.
    student
        .control
        .socket
        .close(None)
        .await
        .expect("close sent");
    lecturer
        .control
        .floor_state(|state| state["speakers"] == json!([]))
        .await;

    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let now = stats(&server);
        if now.live_sessions == before.live_sessions && now.live_tasks == before.live_tasks {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the student's audio was not cleaned up: before {before:?}, now {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The lecturer is still heard by a student who joins afterwards.
    let (late_token, _) = server.join(&code, "Grace").await;
    let mut late = join(&server, &code, &late_token, 3).await;
    warm_up(&mut lecturer.peer, &mut [&mut late.peer]).await;

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_audio_closes_session() {
    let (server, mut lecturer, mut students) = classroom(1).await;
    let student = &mut students[0];
    assert_eq!(stats(&server).live_sessions, 2);

    student
        .control
        .send(json!({"v": 1, "type": "rtc.leave"}))
        .await;
    let state = student.control.next_of("rtc.state").await;
    assert_eq!(state["state"], "closed", "{state}");
    assert_eq!(state["reason"], "left", "{state}");

    let deadline = tokio::time::Instant::now() + WAIT;
    while stats(&server).live_sessions != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            stats(&server)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Joining again with a fresh peer works on the same connection.
    let mut again = AudioPeer::new(4, Codec::Opus, 3).await;
    join_audio(&mut student.control, &mut again).await;
    warm_up(&mut lecturer.peer, &mut [&mut again]).await;

    server.stop().await;
}
