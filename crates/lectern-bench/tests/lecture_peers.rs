//! Runs a small lecture scenario against each peer that `bench/setup` has
//! installed and checks that every update reaches every reader, which
//! exercises each peer's start-up, room set-up and framing.
//!
//! A peer that is not installed is skipped with a message on standard
//! error, so the test passes on a machine without the peers.

use std::time::Duration;

use lectern_bench::lecture::{self, LectureOptions};
use lectern_bench::targets::{Deployment, StartOptions, Target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
// The skip message goes to the test's standard error, where cargo test shows it.
#[allow(clippy::print_stderr)]
async fn peers_deliver_every_update() {
    for target in [Target::YWebsocket, Target::Hocuspocus, Target::YSweet] {
        if let Err(error) = target.available() {
            eprintln!("skipping {}: {error}", target.name());
            continue;
        }

        let deployment = Deployment::start(target, &StartOptions::default())
            .await
            .unwrap_or_else(|error| panic!("{} does not start: {error:#}", target.name()));
        let readers = 3;
        let endpoint = deployment
            .room(readers)
            .await
            .unwrap_or_else(|error| panic!("{} has no room: {error:#}", target.name()));
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
        .unwrap_or_else(|error| panic!("{} scenario fails: {error:#}", target.name()));

        let name = target.name();
        assert_eq!(result.system, name);
        assert!(result.updates_sent > 0, "{name}: nothing measured was sent");
        assert_eq!(
            result.updates_delivered, result.updates_expected,
            "{name}: updates lost"
        );
        assert_eq!(result.figures.disconnects, 0, "{name}: disconnects");
        assert_eq!(result.figures.errors, 0, "{name}: errors");
        assert!(
            result.figures.server_cpu_seconds.is_some(),
            "{name}: no server CPU time"
        );
    }
}
