//! Runs a small join storm in this process against a server that keeps
//! the document, and checks that every client receives all of it.

mod support;

use std::time::Duration;

use lectern_bench::join_storm::{self, EXTRA_READERS, JoinStormOptions};
use lectern_bench::targets::raw_room;
use support::TestServer;

const CLIENTS: usize = 40;

fn options() -> JoinStormOptions {
    JoinStormOptions {
        strokes: 300,
        points_per_stroke: 6,
        clients: CLIENTS,
        goal: Duration::from_secs(30),
        timeout: Duration::from_secs(60),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_gets_whole_document() {
    let server = TestServer::board().await;
    let endpoint = server.board_room(1, CLIENTS + EXTRA_READERS);

    let result = tokio::time::timeout(
        Duration::from_secs(120),
        join_storm::run(&endpoint, &options(), "not pinned: test"),
    )
    .await
    .expect("the scenario finishes within two minutes")
    .expect("the scenario runs");

    assert_eq!(result.clients, CLIENTS);
    assert_eq!(result.clients_connected, CLIENTS);
    assert_eq!(result.clients_synced, CLIENTS);
    assert_eq!(result.synced_within_goal, CLIENTS);
    assert_eq!(result.disconnects, 0);
    assert_eq!(result.errors, 0);
    assert!(result.p50_ms.is_some(), "no time to synced was recorded");
    assert!(result.p50_ms <= result.p99_ms);
    assert!(result.p99_ms <= result.max_ms);
    let bytes = result
        .bytes_received_per_client
        .expect("bytes were counted");
    assert!(
        bytes >= result.document_bytes as f64,
        "{bytes} bytes per client for a document of {} bytes",
        result.document_bytes
    );
    assert_eq!(result.generator_decodes, 0, "the probe primed the cache");
    assert_eq!(result.server_cpu_seconds, None, "no server pid was given");
    server.stop().await;
}

#[tokio::test]
async fn relay_without_document_is_rejected() {
    let endpoint = raw_room("ws://127.0.0.1:9", 0, CLIENTS + EXTRA_READERS, None);
    let error = join_storm::run(&endpoint, &options(), "not pinned: test")
        .await
        .expect_err("raw keeps no document");
    assert!(error.to_string().contains("keeps no document"), "{error}");
}

#[tokio::test]
async fn too_few_reader_urls_is_an_error() {
    let server = TestServer::board().await;
    let endpoint = server.board_room(1, CLIENTS);
    let error = join_storm::run(&endpoint, &options(), "not pinned: test")
        .await
        .expect_err("two URLs short");
    assert!(error.to_string().contains("reader URLs"), "{error}");
    server.stop().await;
}
