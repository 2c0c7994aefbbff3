//! A client that stops reading is disconnected instead of silently missing
//! updates, and resyncs when it reconnects.

mod support;

use std::time::Duration;

use lectern_board::protocol::{Message, encode};
use support::{BoardClient, Event, awareness_update, notes, start_with};

#[tokio::test]
async fn stalled_reader_disconnected_then_resyncs() {
    let server = start_with(|settings| {
        settings.limits.outbox_frames = 4;
        // Long enough that the ping never closes the stalled reader first.
        settings.limits.ping_interval = Duration::from_secs(60);
    })
    .await;
    let (token, code) = server.lecturer_room().await;
    let (student_token, _) = server.join(&code, "Grace").await;
    let mut lecturer = BoardClient::connect(&server, &code, &token).await;
    let mut stalled = BoardClient::connect(&server, &code, &student_token).await;
    stalled
        .send(&encode(&Message::Awareness(&awareness_update(77, 1, "{}"))))
        .await;
    lecturer
        .wait_for(|_, event| matches!(event, Some(Event::Awareness(update)) if *update == awareness_update(77, 1, "{}")))
        .await;

    // The student stops reading. Large edits fill the socket buffers, then
    // its outbox of four frames, and the server disconnects it, which the
    // lecturer sees as the removal of its awareness state.
    let chunk = "x".repeat(256 * 1024);
    let removal = awareness_update(77, 2, "null");
    let mut sent = 0;
    loop {
        lecturer.type_text(&chunk).await;
        sent += 1;
        assert!(sent < 400, "the stalled client was never disconnected");
        let removed = tokio::time::timeout(Duration::from_millis(50), async {
            lecturer
                .wait_for(|_, event| matches!(event, Some(Event::Awareness(update)) if *update == removal))
                .await
        })
        .await;
        if removed.is_ok() {
            break;
        }
    }
    drop(stalled);

    let student = BoardClient::connect(&server, &code, &student_token).await;
    assert_eq!(
        notes(&student.doc).len(),
        sent * chunk.len(),
        "the reconnected client has every edit"
    );
    server.stop().await;
}
