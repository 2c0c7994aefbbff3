//! Runs a small lecture scenario against the raw broadcast server in this
//! process and checks that every update reaches every reader.

use std::time::Duration;

use lectern_bench::lecture::{self, LectureOptions};
use lectern_bench::targets::raw_room;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_lecture_delivers_every_update() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = listener.local_addr().expect("local address");
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(lectern_bench::raw::serve(listener, shutdown.clone()));

    let readers = 5;
    let endpoint = raw_room(&format!("ws://{address}"), 0, readers, None);
    let options = LectureOptions {
        readers,
        rate: 60,
        warm_up: Duration::from_millis(200),
        measured: Duration::from_millis(500),
        points_per_stroke: 10,
    };
    let result = tokio::time::timeout(
        Duration::from_secs(60),
        lecture::run(&endpoint, &options, "not pinned: test"),
    )
    .await
    .expect("the scenario finishes within a minute")
    .expect("the scenario runs");

    assert!(result.updates_sent > 0, "the writer sent nothing measured");
    assert_eq!(
        result.updates_expected,
        result.updates_sent * readers as u64
    );
    assert_eq!(result.updates_delivered, result.updates_expected);
    assert_eq!(result.figures.disconnects, 0);
    assert_eq!(result.figures.errors, 0);
    assert!(result.figures.p50_ms.is_some(), "no latency was recorded");
    assert!(result.figures.p50_ms <= result.figures.p99_ms);
    assert!(result.figures.p99_ms <= result.figures.max_ms);
    assert_eq!(
        result.figures.server_cpu_seconds, None,
        "no server pid was given"
    );

    shutdown.cancel();
    server.await.expect("the server task ends");
}
