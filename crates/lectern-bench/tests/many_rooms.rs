//! Runs a small many-rooms scenario in this process, against the raw
//! broadcast server and against a server that keeps each room's document,
//! and checks that every update reaches every reader of its room.

mod support;

use std::time::Duration;

use lectern_bench::many_rooms::{self, ManyRoomsOptions, SystemResult};
use lectern_bench::targets::{Endpoint, raw_room};
use support::TestServer;

const ROOMS: usize = 4;
const CLIENTS_PER_ROOM: usize = 4;

fn options() -> ManyRoomsOptions {
    ManyRoomsOptions {
        rooms: ROOMS,
        clients_per_room: CLIENTS_PER_ROOM,
        rate: 20,
        warm_up: Duration::from_millis(200),
        measured: Duration::from_millis(600),
        points_per_stroke: 8,
    }
}

async fn run(endpoints: &[Endpoint]) -> SystemResult {
    tokio::time::timeout(
        Duration::from_secs(60),
        many_rooms::run(endpoints, &options(), "not pinned: test"),
    )
    .await
    .expect("the scenario finishes within a minute")
    .expect("the scenario runs")
}

fn assert_everything_delivered(result: &SystemResult) {
    let readers = ROOMS * (CLIENTS_PER_ROOM - 1);
    assert_eq!(result.rooms, ROOMS);
    assert_eq!(result.readers_connected, readers);
    assert_eq!(result.writers_connected, ROOMS);
    assert!(
        result.updates_sent >= ROOMS as u64,
        "{} updates",
        result.updates_sent
    );
    assert_eq!(
        result.updates_expected,
        result.updates_sent * (CLIENTS_PER_ROOM - 1) as u64
    );
    assert_eq!(result.updates_delivered, result.updates_expected);
    assert_eq!(result.rooms_incomplete, 0);
    assert_eq!(result.figures.disconnects, 0);
    assert_eq!(result.figures.errors, 0);
    assert!(result.figures.p50_ms.is_some(), "no latency was recorded");
    assert!(result.figures.p50_ms <= result.figures.p99_ms);
    assert!(result.figures.p99_ms <= result.figures.max_ms);
    assert_eq!(
        result.figures.server_cpu_seconds, None,
        "no server pid was given"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_rooms_deliver_every_update() {
    let server = TestServer::raw().await;
    let base = format!("ws://{}", server.address);
    let endpoints: Vec<Endpoint> = (0..ROOMS)
        .map(|room| raw_room(&base, room, CLIENTS_PER_ROOM - 1, None))
        .collect();

    let result = run(&endpoints).await;
    assert_everything_delivered(&result);
    assert_eq!(result.system, "raw");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncing_rooms_deliver_every_update() {
    let server = TestServer::board().await;
    let endpoints: Vec<Endpoint> = (0..ROOMS)
        .map(|room| server.board_room(room, CLIENTS_PER_ROOM - 1))
        .collect();

    let result = run(&endpoints).await;
    assert_everything_delivered(&result);
    server.stop().await;
}

#[tokio::test]
async fn no_rooms_is_an_error() {
    let error = many_rooms::run(&[], &options(), "not pinned: test")
        .await
        .expect_err("no endpoints");
    assert!(error.to_string().contains("at least one room"), "{error}");
}
