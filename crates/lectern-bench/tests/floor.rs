//! Runs the floor measurement's sender with a handful of peers and checks
//! that every frame arrives and is counted.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use lectern_bench::floor::{self, Plan, SRTP_PACKET_BYTES, Transport};

const SENDER: &str = env!("CARGO_BIN_EXE_send-floor");

fn plan(transport: Transport) -> Plan {
    Plan {
        transport,
        peers: 4,
        frame_bytes: match transport {
            Transport::Tcp => floor::lecture_frame_bytes(120),
            Transport::Udp | Transport::UdpBatch => SRTP_PACKET_BYTES,
        },
        rate: 100,
        warm_up_rounds: 3,
        rounds: 20,
    }
}

async fn measure(transport: Transport) -> floor::FloorResult {
    let plan = plan(transport);
    tokio::time::timeout(
        Duration::from_secs(60),
        floor::measure(&plan, Path::new(SENDER), None, "not pinned: test"),
    )
    .await
    .expect("the measurement finishes within a minute")
    .expect("the measurement runs")
}

fn assert_complete(result: &floor::FloorResult) {
    assert_eq!(result.sends, 4 * 20, "{}: measured sends", result.transport);
    assert_eq!(result.errors, 0, "{}: failed writes", result.transport);
    assert_eq!(
        result.frames_delivered, result.frames_expected,
        "{}: frames read by the peers",
        result.transport
    );
    assert_eq!(result.frames_expected, 4 * 23);
    let per_send = result.cpu_us_per_send.expect("a floor for measured sends");
    assert!(per_send > 0.0, "{}: CPU time per send", result.transport);
}

#[tokio::test]
async fn tcp_peers_read_every_frame() {
    assert_complete(&measure(Transport::Tcp).await);
}

#[tokio::test]
async fn udp_peers_read_every_datagram() {
    assert_complete(&measure(Transport::Udp).await);
}

#[tokio::test]
async fn batched_udp_peers_read_every_datagram() {
    assert_complete(&measure(Transport::UdpBatch).await);
}

/// Runs the sender with `options`, writes `peer_list` to its standard input,
/// and returns what it printed once it exits.
fn run_sender(options: &[&str], peer_list: &[u8]) -> std::process::Output {
    let mut child = Command::new(SENDER)
        .args(options)
        .args(["--frame-bytes", "10", "--rate", "10", "--rounds", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the sender");
    child
        .stdin
        .take()
        .expect("the sender's stdin")
        .write_all(peer_list)
        .expect("write the peer list");
    child.wait_with_output().expect("the sender exits")
}

#[test]
fn sender_rejects_an_invalid_peer_address() {
    let output = run_sender(&["--transport", "udp", "--peers", "1"], b"not-an-address\n");

    assert!(
        !output.status.success(),
        "the sender accepted a bad address"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid peer address \"not-an-address\""),
        "the error names the bad line: {stderr}"
    );
    assert!(output.stdout.is_empty(), "no report after a bad address");
}

#[test]
fn sender_rejects_a_short_peer_list() {
    let output = run_sender(
        &["--transport", "udp-batch", "--peers", "3"],
        b"127.0.0.1:9\n",
    );

    assert!(
        !output.status.success(),
        "the sender ran with one of three peers"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("expected 3 peer addresses, read 1"),
        "the error says how many were missing: {stderr}"
    );
}
