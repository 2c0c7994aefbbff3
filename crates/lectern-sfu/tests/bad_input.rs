//! Signalling input the SFU must reject, each with its own error.

#![allow(clippy::unwrap_used)]

mod support;

use lectern_sfu::{IceCandidate, ParticipantId, Sfu, SfuError};
use support::{Client, ClientCodec, sfu_config};

async fn room_with(participant: &ParticipantId) -> (Sfu, lectern_sfu::Room) {
    support::init_tracing();
    let sfu = Sfu::new(sfu_config()).unwrap();
    let (room, _events) = sfu.create_room();
    room.join(participant).await.unwrap();
    (sfu, room)
}

#[tokio::test]
async fn garbage_sdp_is_invalid() {
    let participant = ParticipantId::new("student");
    let (_sfu, room) = room_with(&participant).await;
    for garbage in ["", "hello", "v=0\r\no=broken\r\nm=audio\r\n"] {
        let result = room.accept_offer(&participant, garbage).await;
        assert!(
            matches!(result, Err(SfuError::InvalidSdp { .. })),
            "{garbage:?} gave {result:?}"
        );
    }
}

#[tokio::test]
async fn offer_without_audio_is_rejected() {
    let participant = ParticipantId::new("student");
    let (_sfu, room) = room_with(&participant).await;
    // A client with no audio transceiver offers only a data channel.
    let client = Client::new("student", 2, ClientCodec::Opus, 0).await;
    client.peer.create_data_channel("chat", None).await.unwrap();
    let offer = client.offer().await;
    assert!(!offer.contains("m=audio"), "the offer has audio: {offer}");
    let result = room.accept_offer(&participant, &offer).await;
    assert!(
        matches!(result, Err(SfuError::NoAudioMedia { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn offer_with_only_pcmu_is_rejected() {
    let participant = ParticipantId::new("student");
    let (_sfu, room) = room_with(&participant).await;
    let client = Client::new("student", 2, ClientCodec::Pcmu, 1).await;
    let offer = client.offer().await;
    let result = room.accept_offer(&participant, &offer).await;
    match result {
        Err(SfuError::OpusNotOffered { offered, .. }) => {
            assert!(offered.contains("PCMU/8000"), "offered: {offered}");
        }
        other => panic!("a PCMU-only offer gave {other:?}"),
    }
}

#[tokio::test]
async fn candidate_for_unknown_session_is_rejected() {
    let participant = ParticipantId::new("student");
    let (_sfu, room) = room_with(&participant).await;
    let stranger = ParticipantId::new("stranger");
    let candidate = IceCandidate {
        candidate: "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host".to_owned(),
        sdp_mid: Some("0".to_owned()),
        sdp_mline_index: Some(0),
        username_fragment: None,
    };
    let result = room.add_ice_candidate(&stranger, candidate).await;
    assert!(
        matches!(&result, Err(SfuError::UnknownSession(id)) if *id == stranger),
        "{result:?}"
    );
}

#[tokio::test]
async fn offer_for_unknown_session_is_rejected() {
    let participant = ParticipantId::new("student");
    let (_sfu, room) = room_with(&participant).await;
    let result = room
        .accept_offer(&ParticipantId::new("stranger"), "v=0\r\n")
        .await;
    assert!(
        matches!(result, Err(SfuError::UnknownSession(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn second_join_is_rejected() {
    let participant = ParticipantId::new("student");
    let (sfu, room) = room_with(&participant).await;
    let result = room.join(&participant).await;
    assert!(
        matches!(result, Err(SfuError::SessionExists(_))),
        "{result:?}"
    );
    assert_eq!(sfu.stats().live_sessions, 1);
}

#[tokio::test]
async fn closed_room_rejects_calls() {
    let participant = ParticipantId::new("student");
    let (sfu, room) = room_with(&participant).await;
    room.close().await;
    let result = room.accept_offer(&participant, "v=0\r\n").await;
    assert!(matches!(result, Err(SfuError::RoomClosed)), "{result:?}");
    let result = room.join(&ParticipantId::new("late")).await;
    assert!(matches!(result, Err(SfuError::RoomClosed)), "{result:?}");
    assert_eq!(sfu.stats().live_sessions, 0);
}

#[tokio::test]
async fn error_messages_name_the_problem() {
    let participant = ParticipantId::new("p-42");
    let (_sfu, room) = room_with(&participant).await;
    let error = room.accept_offer(&participant, "hello").await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("invalid SDP"), "{message}");
    assert!(message.contains("p-42"), "{message}");
    let error = room
        .add_ice_candidate(
            &ParticipantId::new("ghost"),
            IceCandidate {
                candidate: String::new(),
                sdp_mid: None,
                sdp_mline_index: None,
                username_fragment: None,
            },
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("ghost"), "{error}");
}
