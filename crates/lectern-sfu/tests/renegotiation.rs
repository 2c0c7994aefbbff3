//! Renegotiation from the SFU's side: a browser that offered fewer audio m-lines than the
//! room has slots gets the missing tracks through the SFU's own offer.

#![allow(clippy::unwrap_used)]

mod support;

use support::{Client, ClientCodec, Harness, sfu_config, warm_up};
use webrtc::peer_connection::RTCSessionDescription;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offer_adds_missing_slots() {
    let mut harness = Harness::new(sfu_config());
    let mut lecturer = Client::new("lecturer", 1, ClientCodec::Opus, 3).await;
    harness
        .room
        .set_forwarding(&lecturer.participant, true)
        .unwrap();
    harness.connect(&mut lecturer).await;
    assert_eq!(
        harness
            .room
            .unattached_slots(&lecturer.participant)
            .unwrap(),
        0
    );

    // One m-line: one slot attached, two missing.
    let mut student = Client::new("student", 2, ClientCodec::Opus, 1).await;
    harness.connect(&mut student).await;
    assert_eq!(
        harness.room.unattached_slots(&student.participant).unwrap(),
        2
    );

    let offer = harness
        .room
        .create_offer(&student.participant)
        .await
        .unwrap();
    assert_eq!(offer.matches("m=audio").count(), 3, "{offer}");
    student
        .peer
        .set_remote_description(RTCSessionDescription::offer(offer).unwrap())
        .await
        .unwrap();
    let answer = student.peer.create_answer(None).await.unwrap();
    student.peer.set_local_description(answer).await.unwrap();
    let answer = student.peer.local_description().await.unwrap().sdp;
    harness
        .room
        .accept_answer(&student.participant, &answer)
        .await
        .unwrap();

    assert_eq!(
        harness.room.unattached_slots(&student.participant).unwrap(),
        0
    );
    // The student still hears the lecturer after renegotiating.
    warm_up(&mut lecturer, &mut [&mut student]).await;
}

#[tokio::test]
async fn unattached_slots_needs_session() {
    let harness = Harness::new(sfu_config());
    let result = harness
        .room
        .unattached_slots(&lectern_sfu::ParticipantId::new("nobody"));
    assert!(
        matches!(result, Err(lectern_sfu::SfuError::UnknownSession(_))),
        "{result:?}"
    );
}
