//! Signalling input the server must reject with its own error code, each
//! leaving the connection open and the other participants undisturbed.

mod support;

use serde_json::{Value, json};
use support::audio::{AudioPeer, Codec, join_audio, warm_up};
use support::{ControlClient, TestServer};

const LECTURER: u8 = 1;

/// A room with a lecturer and a student on the control channel.
struct Room {
    server: TestServer,
    lecturer: ControlClient,
    student: ControlClient,
}

async fn room() -> Room {
    let server = support::start().await;
    let (token, code) = server.lecturer_room().await;
    let (lecturer, _) = ControlClient::connect_class(&server, &code, &token).await;
    let (student_token, _) = server.join(&code, "Ada").await;
    let (student, _) = ControlClient::connect_class(&server, &code, &student_token).await;
    Room {
        server,
        lecturer,
        student,
    }
}

fn offer(sdp: &str) -> Value {
    json!({"v": 1, "type": "rtc.offer", "sdp": sdp})
}

/// Checks that the student's connection still works and that the lecturer
/// still gets its messages: a raised hand reaches both.
async fn assert_still_open(room: &mut Room) {
    let id = room.student.participant_id();
    room.student
        .send(json!({"v": 1, "type": "hand.raise"}))
        .await;
    for control in [&mut room.student, &mut room.lecturer] {
        control
            .floor_state(|state| state["queue"][0]["participant_id"] == id.as_str())
            .await;
    }
}

#[tokio::test]
async fn garbage_sdp_is_invalid_sdp() {
    let mut room = room().await;

    for garbage in ["", "hello", "v=0\r\no=broken\r\nm=audio\r\n"] {
        let error = room.student.expect_error(offer(garbage), "g").await;
        assert_eq!(error["code"], "invalid_sdp", "{garbage:?}: {error}");
    }

    assert_still_open(&mut room).await;
    room.server.stop().await;
}

#[tokio::test]
async fn offer_without_audio_is_no_audio() {
    let mut room = room().await;
    let peer = AudioPeer::new(2, Codec::Opus, 0).await;
    peer.peer
        .create_data_channel("chat", None)
        .await
        .expect("data channel");
    let sdp = peer.offer().await;
    assert!(!sdp.contains("m=audio"), "{sdp}");

    let error = room.student.expect_error(offer(&sdp), "n").await;

    assert_eq!(error["code"], "no_audio", "{error}");
    assert_still_open(&mut room).await;
    room.server.stop().await;
}

#[tokio::test]
async fn pcmu_offer_is_unsupported_codec() {
    let mut room = room().await;
    let peer = AudioPeer::new(2, Codec::Pcmu, 1).await;
    let sdp = peer.offer().await;

    let error = room.student.expect_error(offer(&sdp), "p").await;

    assert_eq!(error["code"], "unsupported_codec", "{error}");
    let message = error["message"].as_str().expect("message");
    assert!(message.contains("PCMU/8000"), "{message}");
    assert_still_open(&mut room).await;
    room.server.stop().await;
}

#[tokio::test]
async fn candidate_before_offer_is_no_audio_session() {
    let mut room = room().await;
    let candidate = json!({
        "v": 1, "type": "rtc.candidate",
        "candidate": {"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
                      "sdpMid": "0", "sdpMLineIndex": 0}
    });

    let error = room.student.expect_error(candidate, "c").await;

    assert_eq!(error["code"], "no_audio_session", "{error}");
    assert_still_open(&mut room).await;
    room.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answer_without_server_offer_is_rejected() {
    let mut room = room().await;
    let answer = json!({"v": 1, "type": "rtc.answer", "sdp": "v=0\r\n"});

    // Before any offer there is no session.
    let error = room.student.expect_error(answer.clone(), "a1").await;
    assert_eq!(error["code"], "no_audio_session", "{error}");

    // With a session but no offer of the server, nothing waits for an answer.
    let mut peer = AudioPeer::new(2, Codec::Opus, 3).await;
    join_audio(&mut room.student, &mut peer).await;
    let error = room.student.expect_error(answer, "a2").await;
    assert_eq!(error["code"], "no_offer_pending", "{error}");

    assert_still_open(&mut room).await;
    room.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_offers_missing_tracks() {
    let mut room = room().await;
    // One m-line hears one speaker; the server adds two more slots.
    let peer = AudioPeer::new(2, Codec::Opus, 1).await;
    let sdp = peer.offer().await;
    room.student.send(offer(&sdp)).await;

    let answer = room.student.next_of("rtc.answer").await;
    peer.apply_answer(answer["sdp"].as_str().expect("sdp"))
        .await;
    let server_offer = room.student.next_of("rtc.offer").await;
    let server_sdp = server_offer["sdp"].as_str().expect("sdp");
    assert_eq!(server_sdp.matches("m=audio").count(), 3, "{server_sdp}");

    let reply = peer.answer_offer(server_sdp).await;
    room.student
        .send(json!({"v": 1, "type": "rtc.answer", "sdp": reply, "ref": "r"}))
        .await;
    // A second answer finds nothing waiting, which shows the first one was taken.
    let error = room
        .student
        .expect_error(json!({"v": 1, "type": "rtc.answer", "sdp": reply}), "again")
        .await;
    assert_eq!(error["code"], "no_offer_pending", "{error}");
    let earlier: Vec<&String> = room
        .student
        .log
        .iter()
        .filter(|text| text.contains("\"ref\":\"r\""))
        .collect();
    assert!(earlier.is_empty(), "the answer was rejected: {earlier:?}");

    room.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_leaves_others_hearing() {
    let server = support::start().await;
    let (token, code) = server.lecturer_room().await;
    let (mut lecturer, _) = ControlClient::connect_class(&server, &code, &token).await;
    let mut lecturer_peer = AudioPeer::new(LECTURER, Codec::Opus, 3).await;
    join_audio(&mut lecturer, &mut lecturer_peer).await;
    let (good_token, _) = server.join(&code, "Grace").await;
    let (mut good, _) = ControlClient::connect_class(&server, &code, &good_token).await;
    let mut good_peer = AudioPeer::new(2, Codec::Opus, 3).await;
    join_audio(&mut good, &mut good_peer).await;

    let (bad_token, _) = server.join(&code, "Mallory").await;
    let (mut bad, _) = ControlClient::connect_class(&server, &code, &bad_token).await;
    let pcmu = AudioPeer::new(3, Codec::Pcmu, 1).await.offer().await;
    let inputs = [
        offer("hello"),
        offer(&pcmu),
        json!({"v": 1, "type": "rtc.answer", "sdp": "v=0\r\n"}),
        json!({"v": 1, "type": "rtc.candidate", "candidate": {"candidate": "garbage"}}),
        json!({"v": 1, "type": "rtc.leave"}),
    ];
    for (index, input) in inputs.into_iter().enumerate() {
        let reference = format!("bad{index}");
        bad.send({
            let mut input = input;
            input["ref"] = json!(reference);
            input
        })
        .await;
    }
    // rtc.leave without a session is ignored, so four errors come back.
    for _ in 0..4 {
        bad.next_of("error").await;
    }

    warm_up(&mut lecturer_peer, &mut [&mut good_peer]).await;
    lecturer_peer.send_paced(0..20).await;
    let expected: Vec<u32> = (0..20).collect();
    assert_eq!(good_peer.collect_from(LECTURER, 20).await, expected);

    let rtc_closed = good
        .log
        .iter()
        .any(|text| text.contains("\"type\":\"rtc.state\"") && text.contains("closed"));
    assert!(!rtc_closed, "{:?}", good.log);

    server.stop().await;
}

#[tokio::test]
async fn disabled_audio_is_unavailable() {
    let server = support::start_with(|settings| settings.audio.enabled = false).await;
    let (token, code) = server.lecturer_room().await;
    let (mut lecturer, _) = ControlClient::connect(&server, &code, &token).await;
    lecturer.next_of("floor.state").await;
    let config = lecturer.next_of("audio.config").await;
    assert_eq!(config["enabled"], false, "{config}");
    assert_eq!(config["ice_servers"], json!([]), "{config}");

    let error = lecturer.expect_error(offer("v=0\r\n"), "off").await;

    assert_eq!(error["code"], "audio_unavailable", "{error}");
    server.stop().await;
}
