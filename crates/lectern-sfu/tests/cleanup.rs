//! Sessions, tasks and sockets are released when participants leave or their connection ends.
//! One test per binary: the socket count is read from this process's descriptor table.

#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use lectern_sfu::{CloseReason, RoomEvent};
use support::{Client, ClientCodec, Harness, WAIT, sfu_config, warm_up};

/// Counts this process's open sockets from `/proc/self/fd`.
fn open_sockets() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|entry| std::fs::read_link(entry.path()).ok())
        .filter(|target| target.to_string_lossy().starts_with("socket:"))
        .count()
}

/// Waits until `condition` holds, checking after each short pause. Fails after `WAIT`.
async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !condition() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_is_released_after_leaving() {
    let sockets_before = open_sockets();
    let mut config = sfu_config();
    // A client that vanishes is detected by ICE consent, so short timeouts keep the test short.
    config.network.ice_disconnected_timeout = Duration::from_secs(1);
    config.network.ice_failed_timeout = Duration::from_secs(2);
    let mut harness = Harness::new(config);
    let start = harness.sfu.stats();
    assert_eq!(start.live_sessions, 0);
    assert_eq!(start.live_tasks, 0);

    let mut lecturer = Client::new("lecturer", 1, ClientCodec::Opus, 3).await;
    harness
        .room
        .set_forwarding(&lecturer.participant, true)
        .unwrap();
    harness.connect(&mut lecturer).await;
    let mut students = Vec::new();
    for number in 2..5u8 {
        let mut student =
            Client::new(&format!("student-{number}"), number, ClientCodec::Opus, 3).await;
        harness.connect(&mut student).await;
        students.push(student);
    }
    {
        let mut listeners: Vec<&mut Client> = students.iter_mut().collect();
        warm_up(&mut lecturer, &mut listeners).await;
    }
    let running = harness.sfu.stats();
    assert_eq!(running.live_sessions, 4);
    // One reader for the lecturer's track; publishers write to subscribers themselves.
    assert_eq!(running.live_tasks, 1);
    assert!(open_sockets() > sockets_before);

    // The students leave through the server. The lecturer's client closes its connection,
    // and the SFU must notice on its own.
    for student in &students {
        harness.room.leave(&student.participant).await.unwrap();
    }
    lecturer.peer.close().await.unwrap();
    let closed = harness
        .wait_event(|event| {
            matches!(event, RoomEvent::SessionClosed { participant, .. }
                if participant.as_str() == "lecturer")
        })
        .await;
    assert!(
        matches!(
            closed,
            RoomEvent::SessionClosed {
                reason: CloseReason::ConnectionClosed | CloseReason::ConnectionFailed,
                ..
            }
        ),
        "{closed:?}"
    );
    for student in &students {
        student.peer.close().await.unwrap();
    }

    let sfu = harness.sfu.clone();
    wait_until("sessions and tasks to end", || {
        let stats = sfu.stats();
        stats.live_sessions == 0 && stats.live_tasks == 0
    })
    .await;
    assert!(harness.room.participants().is_empty());
    drop(students);
    drop(lecturer);
    wait_until("sockets to close", || open_sockets() <= sockets_before).await;
}
