//! Runs a small audio scenario against a release `lectern` binary and
//! checks that every measured packet reaches every subscriber.
//!
//! The test needs the server binary, which this crate does not build, so
//! it is ignored by default. Run it with
//! `LECTERN_BIN=target/release/lectern cargo test -p lectern-bench --test audio_lectern -- --ignored`.

use std::path::PathBuf;
use std::time::Duration;

use lectern_bench::audio::lectern::LecternServer;
use lectern_bench::audio::{self, AudioOptions, ServerInfo, Signalling};
use lectern_bench::targets::{Lecturer, lectern_endpoint};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a lectern binary in LECTERN_BIN"]
async fn lectern_forwards_every_packet() {
    let binary =
        PathBuf::from(std::env::var_os("LECTERN_BIN").expect("LECTERN_BIN names a lectern binary"));
    let server = LecternServer::start(&binary, None, "ephemeral").expect("lectern starts");
    let pid = server.process.pid();
    let subscribers = 3;
    let endpoint = lectern_endpoint(
        &format!("http://{}", server.process.address),
        &Lecturer::bench(),
        subscribers,
        Some(pid),
        server.version.clone(),
    )
    .await
    .expect("the room and its students are created");
    let info = ServerInfo {
        system: "lectern".to_owned(),
        version: server.version.clone(),
        pid: Some(pid),
        pinning: "not pinned: test".to_owned(),
    };
    let options = AudioOptions {
        subscribers,
        warm_up: Duration::from_millis(500),
        measured: Duration::from_secs(1),
        drain: Duration::from_secs(2),
    };

    let result = tokio::time::timeout(
        Duration::from_secs(90),
        audio::run(Signalling::Lectern(&endpoint), &info, &options),
    )
    .await
    .expect("the scenario finishes within 90 s")
    .expect("the scenario runs");

    assert_eq!(result.subscribers_connected, subscribers);
    assert!(
        result.packets_sent > 0,
        "the publisher sent nothing measured"
    );
    assert_eq!(
        result.packets_expected,
        result.packets_sent * subscribers as u64
    );
    assert_eq!(result.packets_received, result.packets_expected);
    assert_eq!(result.errors, 0);
    assert_eq!(result.disconnects, 0);
    assert!(result.latency_p50_ms.is_some());
    assert!(result.jitter_p50_ms.is_some());
    assert!(result.server_cpu_seconds.is_some());
}
