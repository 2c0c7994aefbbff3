//! The kernel's floor: what it costs to hand one small frame to the kernel
//! for each of many peers on this machine, with no server around it.
//!
//! The lecture and audio targets ask for a CPU time per delivered update or
//! forwarded packet. Every server in those scenarios makes at least one
//! system call per recipient, so this module measures that call alone. The
//! `send-floor` process, pinned to the server's CPU like every server,
//! writes one frame per peer per round at the scenario's rate and does
//! nothing else. Its CPU time per frame is the least any server that sends
//! each recipient its own frame can spend.
//!
//! - [`Transport::Tcp`]: a write of the lecture's update frame to each of N
//!   TCP connections at 60 rounds a second, as a board server does.
//! - [`Transport::Udp`]: a `sendto` of an SRTP packet of the audio
//!   scenario's size from one socket per peer at 50 rounds a second, as a
//!   WebRTC server with a socket per peer connection does.
//! - [`Transport::UdpBatch`]: the same packets from one socket, a round's
//!   packets passed to the kernel in one `sendmmsg` call.
//!
//! The peers are plain sockets in the bench process on the generator's CPU,
//! which read and count. The sender starts, measures and reports in
//! [`measure`]; its own loop is in [`sender`].

pub mod sender;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::Notify;

use crate::framing::Framing;
use crate::stroke::StrokeWriter;
use crate::targets::pinned_command;

/// Bytes of an SRTP packet that the audio scenario's SFU sends: a 12-byte
/// RTP header without extensions, the 80-byte payload and the 16-byte
/// AES-GCM tag.
pub const SRTP_PACKET_BYTES: usize = 12 + crate::audio::packet::PAYLOAD_BYTES + 16;

/// Rounds a second of the TCP measurement: the lecture's update rate.
pub const TCP_RATE: u32 = 60;

/// Rounds a second of the UDP measurements: one 20 ms Opus packet each.
pub const UDP_RATE: u32 = 50;

/// How long the peers may take to read the last round after the sender
/// exits.
const DRAIN: Duration = Duration::from_secs(5);

/// The socket type and system call that carry the frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// One TCP write per peer.
    Tcp,
    /// One UDP `sendto` per peer, from one socket per peer.
    Udp,
    /// One UDP socket, each round's datagrams in one `sendmmsg` call.
    UdpBatch,
}

impl std::fmt::Display for Transport {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::UdpBatch => "udp-batch",
        })
    }
}

impl Transport {
    /// Rounds a second of this transport's measurement.
    pub fn rate(self) -> u32 {
        match self {
            Self::Tcp => TCP_RATE,
            Self::Udp | Self::UdpBatch => UDP_RATE,
        }
    }
}

/// The sender's workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub transport: Transport,
    pub peers: usize,
    pub frame_bytes: usize,
    /// Rounds a second.
    pub rate: u32,
    /// Rounds before the measured ones, not counted.
    pub warm_up_rounds: usize,
    pub rounds: usize,
}

impl Plan {
    /// Frames the peers receive in all: warm-up and measured rounds.
    pub fn frames_expected(&self) -> u64 {
        ((self.warm_up_rounds + self.rounds) * self.peers) as u64
    }
}

/// The sender's report, one JSON line on its standard output at the end.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SenderReport {
    /// Frames handed to the kernel in the measured rounds.
    pub sends: u64,
    /// Writes that failed in the measured rounds.
    pub errors: u64,
    /// The sender's CPU time over the measured rounds.
    pub cpu_seconds: f64,
}

/// One transport's figures, as written to the results file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FloorResult {
    pub transport: Transport,
    pub peers: usize,
    pub frame_bytes: usize,
    pub rate_per_second: u32,
    pub rounds: usize,
    pub sends: u64,
    pub errors: u64,
    /// Frames the peers read, warm-up included, against those sent.
    pub frames_delivered: u64,
    pub frames_expected: u64,
    pub sender_cpu_seconds: f64,
    /// The floor: the sender's CPU time per frame, in microseconds.
    pub cpu_us_per_send: Option<f64>,
    pub pinning: String,
}

/// Returns the length on the wire of a typical lecture update: the median,
/// over one stroke, of a server's WebSocket frame carrying the writer's
/// y-websocket update message.
pub fn lecture_frame_bytes(points_per_stroke: usize) -> usize {
    let mut writer = StrokeWriter::new(1, "floor", points_per_stroke);
    let codec = Framing::YWebsocket.codec("").ok();
    let mut lengths: Vec<usize> = (0..points_per_stroke)
        .map(|point| {
            let update = writer.next_update(point as i64);
            let message = lectern_board::protocol::Message::Update(&update.update);
            let payload = codec
                .as_ref()
                .map_or(update.update.len(), |codec| codec.encode(&message).len());
            payload + websocket_header_bytes(payload)
        })
        .collect();
    lengths.sort_unstable();
    lengths.get(lengths.len() / 2).copied().unwrap_or_default()
}

/// Returns the header length of an unmasked server-to-client WebSocket frame.
fn websocket_header_bytes(payload: usize) -> usize {
    match payload {
        0..=125 => 2,
        126..=65_535 => 4,
        _ => 10,
    }
}

/// Starts `sender_bin` pinned to `server_cpu`, connects the plan's peers
/// to it, and returns what it measured once the peers have read every
/// frame or `DRAIN` (5 s) has passed.
pub async fn measure(
    plan: &Plan,
    sender_bin: &Path,
    server_cpu: Option<usize>,
    pinning: &str,
) -> anyhow::Result<FloorResult> {
    let mut command = tokio::process::Command::from(pinned_command(sender_bin, server_cpu));
    command
        .arg("--transport")
        .arg(plan.transport.to_string())
        .arg("--peers")
        .arg(plan.peers.to_string())
        .arg("--frame-bytes")
        .arg(plan.frame_bytes.to_string())
        .arg("--rate")
        .arg(plan.rate.to_string())
        .arg("--warm-up-rounds")
        .arg(plan.warm_up_rounds.to_string())
        .arg("--rounds")
        .arg(plan.rounds.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start {}", sender_bin.display()))?;
    let mut stdin = child.stdin.take().context("the sender has no stdin")?;
    let stdout = child.stdout.take().context("the sender has no stdout")?;
    let mut lines = BufReader::new(stdout).lines();

    // The peers connect (TCP) or are named on the sender's stdin (UDP);
    // either way the sender starts once it has them all.
    let counter = Arc::new(Counter::default());
    // Dropping the set stops the peers that are still reading.
    let mut peers = tokio::task::JoinSet::new();
    let expected = plan.frames_expected();
    match plan.transport {
        Transport::Tcp => {
            let line = lines
                .next_line()
                .await?
                .context("the sender exited before it listened")?;
            let address: SocketAddr = line
                .strip_prefix("listening ")
                .context("the sender's first line is not its address")?
                .parse()?;
            let frame_bytes = plan.frame_bytes as u64;
            for _ in 0..plan.peers {
                let stream = tokio::net::TcpStream::connect(address).await?;
                peers.spawn(read_tcp(stream, frame_bytes, Arc::clone(&counter)));
            }
        }
        Transport::Udp | Transport::UdpBatch => {
            let mut addresses = String::new();
            for _ in 0..plan.peers {
                let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
                addresses.push_str(&format!("{}\n", socket.local_addr()?));
                peers.spawn(read_udp(socket, Arc::clone(&counter)));
            }
            stdin.write_all(addresses.as_bytes()).await?;
        }
    }
    drop(stdin);

    let report_line = lines
        .next_line()
        .await?
        .context("the sender exited without its report")?;
    let report: SenderReport =
        serde_json::from_str(&report_line).context("the sender's report is not valid JSON")?;
    let status = child.wait().await?;
    if !status.success() {
        bail!("the sender failed: {status}");
    }
    let frames_delivered = counter.wait_for(expected, DRAIN).await;
    drop(peers);

    Ok(FloorResult {
        transport: plan.transport,
        peers: plan.peers,
        frame_bytes: plan.frame_bytes,
        rate_per_second: plan.rate,
        rounds: plan.rounds,
        sends: report.sends,
        errors: report.errors,
        frames_delivered,
        frames_expected: expected,
        sender_cpu_seconds: report.cpu_seconds,
        cpu_us_per_send: per_send_us(report.cpu_seconds, report.sends),
        pinning: pinning.to_owned(),
    })
}

/// Returns the CPU time per frame in microseconds, or `None` when nothing was sent.
pub fn per_send_us(cpu_seconds: f64, sends: u64) -> Option<f64> {
    (sends > 0).then(|| cpu_seconds * 1e6 / sends as f64)
}

/// Frames the peers have read, and a signal when that count changes.
#[derive(Debug, Default)]
struct Counter {
    frames: AtomicU64,
    changed: Notify,
}

impl Counter {
    fn add(&self, frames: u64) {
        if frames > 0 {
            self.frames.fetch_add(frames, Ordering::Relaxed);
            self.changed.notify_waiters();
        }
    }

    /// Waits until `expected` frames are read or `limit` has passed, and
    /// returns the count.
    async fn wait_for(&self, expected: u64, limit: Duration) -> u64 {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let changed = self.changed.notified();
            let frames = self.frames.load(Ordering::Relaxed);
            if frames >= expected {
                return frames;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return self.frames.load(Ordering::Relaxed);
            }
        }
    }
}

/// Reads a TCP peer until the sender closes it, counting whole frames.
async fn read_tcp(mut stream: tokio::net::TcpStream, frame_bytes: u64, counter: Arc<Counter>) {
    let mut buffer = vec![0_u8; 4096];
    let mut bytes = 0_u64;
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => {
                let before = bytes / frame_bytes.max(1);
                bytes += read as u64;
                counter.add(bytes / frame_bytes.max(1) - before);
            }
        }
    }
}

/// Reads a UDP peer until its task is stopped, counting datagrams.
async fn read_udp(socket: tokio::net::UdpSocket, counter: Arc<Counter>) {
    let mut buffer = vec![0_u8; 2048];
    while socket.recv(&mut buffer).await.is_ok() {
        counter.add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lecture_frame_is_a_small_websocket_frame() {
        let bytes = lecture_frame_bytes(120);
        assert!(
            (20..=127).contains(&bytes),
            "a point update frame should be tens of bytes, got {bytes}"
        );
    }

    #[test]
    fn websocket_header_grows_with_the_payload() {
        assert_eq!(websocket_header_bytes(125), 2);
        assert_eq!(websocket_header_bytes(126), 4);
        assert_eq!(websocket_header_bytes(70_000), 10);
    }

    #[test]
    fn frames_expected_include_warm_up() {
        let plan = Plan {
            transport: Transport::Udp,
            peers: 10,
            frame_bytes: SRTP_PACKET_BYTES,
            rate: UDP_RATE,
            warm_up_rounds: 5,
            rounds: 20,
        };
        assert_eq!(plan.frames_expected(), 250);
    }

    #[test]
    fn no_sends_have_no_floor() {
        assert_eq!(per_send_us(1.0, 0), None);
        assert_eq!(per_send_us(0.5, 100_000), Some(5.0));
    }
}
