//! The `audio` scenario: one publisher (the lecturer) sends Opus-like RTP
//! at 50 packets per second, and N listen-only subscribers (students)
//! receive it through the server under test, Lectern's SFU or Janus's
//! VideoRoom.
//!
//! The publisher connects first and sends warm-up packets from then on.
//! The subscribers connect a few at a time (`CONNECT_CONCURRENCY`), and
//! the time until all are connected is the setup time. After the warm-up
//! the publisher marks its packets as measured for the window, and the
//! server's CPU time is sampled at both ends of the window. After the
//! window the scenario waits until every measured packet has reached
//! every subscriber, or for the drain time, and closes the peers.

mod error;
pub mod janus;
pub mod lectern;
pub mod network;
pub mod packet;
pub mod peer;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tokio::task::{JoinHandle, JoinSet};
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

pub use error::AudioError;

use crate::latency::LatencySummary;
use crate::procfs::{self, ProcessSample};
use crate::repeat::Repeats;
use crate::targets::Endpoint;
use network::PeerNetwork;
use packet::{Clock, PAYLOAD_BYTES, Phase};
use peer::{Microphone, Peer, PeerCounters};

/// Packets the publisher sends per second: one 20 ms Opus frame each.
pub const PACKETS_PER_SECOND: u32 = 50;

/// How many subscribers negotiate at once.
const CONNECT_CONCURRENCY: usize = 16;

/// The VideoRoom room the bench creates on Janus.
const JANUS_ROOM: u64 = 4_242;

/// The signalling endpoint of the server under test.
#[derive(Debug)]
pub enum Signalling<'a> {
    /// A Lectern room: the control channel URLs of its lecturer and students.
    Lectern(&'a Endpoint),
    /// The API of a Janus server the bench started.
    Janus { api_url: &'a str },
}

impl Signalling<'_> {
    /// Returns where the peers of this server's run bind. Janus gathers no
    /// ICE candidate on loopback, so its peers use the bench address.
    pub fn network(&self) -> PeerNetwork {
        match self {
            Self::Lectern(_) => PeerNetwork::Loopback,
            Self::Janus { .. } => PeerNetwork::BenchAddress,
        }
    }
}

/// The server under test as the results name it.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    pub system: String,
    pub version: String,
    pub pid: Option<u32>,
    pub pinning: String,
}

/// Parameters of one run.
#[derive(Debug, Clone)]
pub struct AudioOptions {
    pub subscribers: usize,
    pub warm_up: Duration,
    pub measured: Duration,
    /// How long after the window the scenario waits for late packets.
    pub drain: Duration,
}

/// The measurements of one system in one run. Fields are `None` when they
/// could not be measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SystemResult {
    pub system: String,
    pub version: String,
    pub pinning: String,
    /// Subscribers asked for.
    pub subscribers: usize,
    /// Subscribers whose peer connection reached the connected state.
    pub subscribers_connected: usize,
    pub packets_per_second: u32,
    pub payload_bytes: usize,
    pub warm_up_seconds: f64,
    pub measured_seconds: f64,
    /// Wall-clock time from the first subscriber's signalling to the last
    /// subscriber's connected state.
    pub setup_seconds: f64,
    /// Packets the publisher sent in the measured window.
    pub packets_sent: u64,
    /// `packets_sent` times `subscribers_connected`.
    pub packets_expected: u64,
    /// Distinct measured packets received, summed over subscribers.
    pub packets_received: u64,
    /// `1 - packets_received / packets_expected`, in percent.
    pub loss_percent: Option<f64>,
    /// Percentiles over subscribers of each one's RFC 3550 interarrival
    /// jitter at the end of the window, in ms.
    pub jitter_p50_ms: Option<f64>,
    pub jitter_p99_ms: Option<f64>,
    /// One-way delay from the publisher's send to a subscriber's receive,
    /// over every measured packet received, in ms.
    pub latency_p50_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
    pub latency_max_ms: Option<f64>,
    /// Server user plus system CPU time in the measured window.
    pub server_cpu_seconds: Option<f64>,
    /// `server_cpu_seconds` over the window, in percent of one core.
    pub server_cpu_percent: Option<f64>,
    /// Server CPU time per forwarded packet received, in microseconds.
    pub cpu_us_per_packet: Option<f64>,
    /// Subscriber streams one fully used core would forward at this cost:
    /// `subscribers_connected` over the fraction of a core used.
    pub streams_per_core: Option<f64>,
    /// The bench's own CPU time in the window, in percent of one core. The
    /// publisher and every subscriber peer run in the bench process, so
    /// near 100 % the bench, not the server, adds latency and jitter.
    pub generator_cpu_percent: Option<f64>,
    /// The server's peak resident set size (VmHWM) at the end, in MiB.
    pub peak_rss_mib: Option<f64>,
    /// Growth of the server's resident set while the subscribers
    /// connected, per subscriber, in KiB.
    pub rss_per_subscriber_kib: Option<f64>,
    /// Peer connections and control channels lost during the run.
    pub disconnects: u64,
    /// Failed negotiations and rejected signalling messages.
    pub errors: u64,
    /// Every run's figure when the system was run more than once
    /// (`--runs`); the other fields are those of the median run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeats: Option<Repeats>,
}

/// Tasks and peers of a run, stopped together.
struct Participants {
    peers: Vec<Arc<Peer>>,
    tasks: Vec<JoinHandle<()>>,
}

/// Runs the scenario once against the server reached through `signalling`.
pub async fn run(
    signalling: Signalling<'_>,
    server: &ServerInfo,
    options: &AudioOptions,
) -> Result<SystemResult, AudioError> {
    let ticks_per_second = procfs::ticks_per_second();
    let sample_server = || {
        server
            .pid
            .and_then(|pid| match procfs::sample(pid, ticks_per_second) {
                Ok(sample) => Some(sample),
                Err(error) => {
                    warn!(%error, "cannot sample the server process");
                    None
                }
            })
    };
    let clock = Clock::new();
    let counters = Arc::new(PeerCounters::default());
    let stop = CancellationToken::new();
    // Ends the signalling tasks on every return, the early errors included.
    let _stop_on_return = stop.clone().drop_guard();

    // The Janus session, when there is one, lives until the run ends.
    let janus_session = match signalling {
        Signalling::Janus { api_url } => {
            let session = janus::JanusSession::create(api_url, stop.clone()).await?;
            session.create_room(JANUS_ROOM).await?;
            Some(session)
        }
        Signalling::Lectern(_) => None,
    };
    let connector = Connector {
        signalling: &signalling,
        janus: janus_session.as_ref(),
        clock,
        counters: Arc::clone(&counters),
        stop: stop.clone(),
    };

    let publisher = Arc::new(Peer::new(clock, Arc::clone(&counters), signalling.network()).await?);
    let mut microphone = Microphone::attach(&publisher).await?;
    let (feed, publisher_task) = connector.publish(Arc::clone(&publisher)).await?;
    publisher.wait_connected().await?;
    microphone.read_negotiated(&publisher).await;
    info!(system = %server.system, "publisher connected");

    let measuring = Arc::new(AtomicBool::new(false));
    let measured_sent = Arc::new(AtomicU32::new(0));
    let stop_sending = CancellationToken::new();
    let sender = tokio::spawn(send_packets(
        microphone,
        clock,
        Arc::clone(&measuring),
        Arc::clone(&measured_sent),
        Arc::clone(&counters),
        stop_sending.clone(),
    ));

    let before_subscribers = sample_server();
    let setup_start = Instant::now();
    let mut participants = connector.subscribe_all(options.subscribers, feed).await;
    let setup_seconds = setup_start.elapsed().as_secs_f64();
    let connected = participants.peers.len();
    info!(
        connected,
        subscribers = options.subscribers,
        setup_seconds,
        "subscribers connected"
    );
    participants.peers.push(Arc::clone(&publisher));
    participants.tasks.push(publisher_task);
    let after_subscribers = sample_server();

    tokio::time::sleep(options.warm_up).await;
    let silent = participants.peers[..connected]
        .iter()
        .filter(|peer| !lock(&peer.stats).any_received)
        .count();
    if silent > 0 {
        warn!(silent, "subscribers received no packet during the warm-up");
    }

    let window_start_sample = sample_server();
    let generator_start = procfs::own_cpu_seconds(ticks_per_second);
    let window_start = Instant::now();
    measuring.store(true, Ordering::Relaxed);
    tokio::time::sleep(options.measured).await;
    measuring.store(false, Ordering::Relaxed);
    let window = window_start.elapsed();
    let window_end_sample = sample_server();
    let generator_end = procfs::own_cpu_seconds(ticks_per_second);

    let packets_sent = u64::from(measured_sent.load(Ordering::Relaxed));
    let packets_expected = packets_sent * connected as u64;
    let subscribers = &participants.peers[..connected];
    let drain_deadline = Instant::now() + options.drain;
    while received_total(subscribers) < packets_expected && Instant::now() < drain_deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop_sending.cancel();
    if sender.await.is_err() {
        warn!("the publisher's send task panicked");
    }
    let final_sample = sample_server();

    counters.stopping.store(true, Ordering::Relaxed);
    let mut latencies_us = Vec::new();
    let mut jitters_us = Vec::new();
    let mut packets_received = 0;
    for peer in subscribers {
        let mut stats = lock(&peer.stats);
        packets_received += stats.measured_received();
        if stats.measured_received() > 1 {
            jitters_us.push(stats.jitter_us());
        }
        latencies_us.append(&mut stats.latencies_us);
    }
    shut_down(participants, stop).await;

    let latency = LatencySummary::from_us(&mut latencies_us);
    let jitter = LatencySummary::from_us(&mut jitters_us);
    let server_cpu_seconds = cpu_between(window_start_sample, window_end_sample);
    let window_seconds = window.as_secs_f64();
    let cpu_fraction = server_cpu_seconds.map(|seconds| seconds / window_seconds);
    Ok(SystemResult {
        system: server.system.clone(),
        version: server.version.clone(),
        pinning: server.pinning.clone(),
        subscribers: options.subscribers,
        subscribers_connected: connected,
        packets_per_second: PACKETS_PER_SECOND,
        payload_bytes: PAYLOAD_BYTES,
        warm_up_seconds: options.warm_up.as_secs_f64(),
        measured_seconds: window_seconds,
        setup_seconds,
        packets_sent,
        packets_expected,
        packets_received,
        loss_percent: (packets_expected > 0)
            .then(|| (1.0 - packets_received as f64 / packets_expected as f64) * 100.0),
        jitter_p50_ms: jitter.map(|summary| summary.p50_ms),
        jitter_p99_ms: jitter.map(|summary| summary.p99_ms),
        latency_p50_ms: latency.map(|summary| summary.p50_ms),
        latency_p99_ms: latency.map(|summary| summary.p99_ms),
        latency_max_ms: latency.map(|summary| summary.max_ms),
        server_cpu_seconds,
        server_cpu_percent: cpu_fraction.map(|fraction| fraction * 100.0),
        cpu_us_per_packet: server_cpu_seconds
            .filter(|_| packets_received > 0)
            .map(|seconds| seconds * 1_000_000.0 / packets_received as f64),
        streams_per_core: cpu_fraction
            .filter(|fraction| *fraction > 0.0)
            .map(|fraction| connected as f64 / fraction),
        generator_cpu_percent: generator_start
            .zip(generator_end)
            .map(|(start, end)| (end - start) / window_seconds * 100.0),
        peak_rss_mib: final_sample.map(|sample| sample.peak_rss_kib as f64 / 1024.0),
        rss_per_subscriber_kib: match (before_subscribers, after_subscribers) {
            (Some(before), Some(after)) if connected > 0 => {
                Some((after.rss_kib as f64 - before.rss_kib as f64) / connected as f64)
            }
            _ => None,
        },
        disconnects: counters.disconnects.load(Ordering::Relaxed),
        errors: counters.errors.load(Ordering::Relaxed),
        repeats: None,
    })
}

fn cpu_between(start: Option<ProcessSample>, end: Option<ProcessSample>) -> Option<f64> {
    Some(end?.cpu_seconds - start?.cpu_seconds)
}

fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

fn received_total(subscribers: &[Arc<Peer>]) -> u64 {
    subscribers
        .iter()
        .map(|peer| lock(&peer.stats).measured_received())
        .sum()
}

/// Sends one packet every 20 ms until `stop`, numbered from 0, marked as
/// measured while `measuring` is set.
async fn send_packets(
    mut microphone: Microphone,
    clock: Clock,
    measuring: Arc<AtomicBool>,
    measured_sent: Arc<AtomicU32>,
    counters: Arc<PeerCounters>,
    stop: CancellationToken,
) {
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / PACKETS_PER_SECOND);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut number = 0u32;
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        let phase = if measuring.load(Ordering::Relaxed) {
            Phase::Measured
        } else {
            Phase::WarmUp
        };
        match microphone.send(&clock, phase, number).await {
            Ok(()) => {
                if phase == Phase::Measured {
                    measured_sent.fetch_add(1, Ordering::Relaxed);
                }
            }
            Err(error) => {
                warn!(%error, "the publisher failed to send");
                counters.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        number = number.wrapping_add(1);
    }
}

/// Stops the signalling tasks and closes every peer.
async fn shut_down(participants: Participants, stop: CancellationToken) {
    stop.cancel();
    for task in participants.tasks {
        if task.await.is_err() {
            warn!("a signalling task panicked");
        }
    }
    let mut closing = JoinSet::new();
    for peer in participants.peers {
        closing.spawn(async move { peer.close().await });
    }
    while closing.join_next().await.is_some() {}
}

/// Connects bench peers to the server under test.
struct Connector<'a> {
    signalling: &'a Signalling<'a>,
    janus: Option<&'a janus::JanusSession>,
    clock: Clock,
    counters: Arc<PeerCounters>,
    stop: CancellationToken,
}

impl Connector<'_> {
    /// Negotiates the publisher; returns the feed id subscribers ask for
    /// (0 on Lectern, which forwards the lecturer to everyone) and its
    /// signalling task.
    async fn publish(&self, peer: Arc<Peer>) -> Result<(u64, JoinHandle<()>), AudioError> {
        match (self.signalling, self.janus) {
            (Signalling::Lectern(endpoint), _) => {
                // The lecturer's offer makes room for every audio slot, as
                // a browser's does, so the server need not renegotiate.
                peer.add_receivers(lectern::AUDIO_SLOTS - 1).await?;
                let (url, _) = lectern::participant_urls(endpoint);
                let task =
                    lectern::join_audio(url, peer, Arc::clone(&self.counters), self.stop.clone())
                        .await?;
                Ok((0, task))
            }
            (Signalling::Janus { .. }, Some(session)) => {
                session
                    .publish(
                        JANUS_ROOM,
                        peer,
                        Arc::clone(&self.counters),
                        self.stop.clone(),
                    )
                    .await
            }
            (Signalling::Janus { .. }, None) => Err(AudioError::Signalling(
                "no Janus session was created".to_owned(),
            )),
        }
    }

    /// Negotiates subscriber `index` and waits until it is connected.
    async fn subscribe(
        &self,
        index: usize,
        feed: u64,
    ) -> Result<(Arc<Peer>, JoinHandle<()>), AudioError> {
        let peer = Arc::new(
            Peer::new(
                self.clock,
                Arc::clone(&self.counters),
                self.signalling.network(),
            )
            .await?,
        );
        let task = match (self.signalling, self.janus) {
            (Signalling::Lectern(endpoint), _) => {
                peer.add_receivers(lectern::AUDIO_SLOTS).await?;
                let url = endpoint
                    .reader_urls
                    .get(index)
                    .map(|url| lectern::control_url(url))
                    .ok_or_else(|| {
                        AudioError::Signalling(format!("no student token for subscriber {index}"))
                    })?;
                lectern::join_audio(
                    url,
                    Arc::clone(&peer),
                    Arc::clone(&self.counters),
                    self.stop.clone(),
                )
                .await?
            }
            (Signalling::Janus { .. }, Some(session)) => {
                session
                    .subscribe(
                        JANUS_ROOM,
                        feed,
                        Arc::clone(&peer),
                        Arc::clone(&self.counters),
                        self.stop.clone(),
                    )
                    .await?
            }
            (Signalling::Janus { .. }, None) => {
                return Err(AudioError::Signalling(
                    "no Janus session was created".to_owned(),
                ));
            }
        };
        if let Err(error) = peer.wait_connected().await {
            task.abort();
            peer.close().await;
            return Err(error);
        }
        Ok((peer, task))
    }

    /// Connects `count` subscribers, [`CONNECT_CONCURRENCY`] at a time.
    /// Failures are logged and counted as errors.
    async fn subscribe_all(&self, count: usize, feed: u64) -> Participants {
        let mut participants = Participants {
            peers: Vec::with_capacity(count + 1),
            tasks: Vec::with_capacity(count + 1),
        };
        let mut next = 0;
        let mut pending = futures_util::stream::FuturesUnordered::new();
        loop {
            while next < count && pending.len() < CONNECT_CONCURRENCY {
                let index = next;
                pending.push(async move { (index, self.subscribe(index, feed).await) });
                next += 1;
            }
            let Some((index, result)) = futures_util::StreamExt::next(&mut pending).await else {
                break;
            };
            match result {
                Ok((peer, task)) => {
                    participants.peers.push(peer);
                    participants.tasks.push(task);
                }
                Err(error) => {
                    warn!(index, %error, "a subscriber failed to connect");
                    self.counters.errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        participants
    }
}
