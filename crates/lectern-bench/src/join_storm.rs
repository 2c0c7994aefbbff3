//! The `join-storm` scenario: many clients join, all at once, a room whose
//! document already contains many strokes.
//!
//! First one writer fills the room through the server with real strokes
//! of several points each ([`document`]). A probe client then syncs and
//! waits until it has seen every writer clock, so the server is known to
//! store the whole document. A second client syncs once more and receives
//! the whole document in one sync step 2, which primes the generator's
//! [`ClockCache`] and its known frames ([`stream`]) before the storm.
//! Then every storm client ([`client`]) starts its connect in the same
//! instant, with no limit on how many are in flight, and sends sync step 1
//! with an empty state vector. Its time
//! to synced runs from the start of its own connect to the arrival of the
//! frame that completes its document. The server's CPU time and memory
//! are sampled before the storm and when the last client has synced or
//! failed.

pub mod client;
pub mod document;
pub mod stream;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use lectern_board::protocol::Message;
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use self::client::{JoinCounters, JoinTally, JoinTarget, join};
use self::document::{ClockCache, FIRST_CLIENT_ID, StrokeDocument};
use crate::clients::connect_writer;
use crate::latency::LatencySummary;
use crate::procfs::{self, ProcessSample};
use crate::repeat::Repeats;
use crate::stroke::StrokeWriter;
use crate::targets::Endpoint;

/// How long filling the room may take, until the probe has every update.
pub const FILL_TIMEOUT: Duration = Duration::from_secs(300);

/// Reader URLs the scenario uses besides one per storm client: the probe
/// and the client that primes the clock cache.
pub const EXTRA_READERS: usize = 2;

/// Parameters of one run.
#[derive(Debug, Clone)]
pub struct JoinStormOptions {
    /// Strokes in the room's document before the storm.
    pub strokes: usize,
    pub points_per_stroke: usize,
    /// Clients that join in the storm.
    pub clients: usize,
    /// The time to synced that counts as fast enough.
    pub goal: Duration,
    /// How long the storm may last before unsynced clients count as failed.
    pub timeout: Duration,
}

/// The measurements of one system in one run. Fields are `None` when they
/// could not be measured, such as server figures without a process id.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SystemResult {
    pub system: String,
    pub version: String,
    pub strokes: usize,
    pub points_per_stroke: usize,
    /// The whole document encoded as one Yjs v1 update, in bytes.
    pub document_bytes: usize,
    /// Time from the writer's connect until the probe had received the
    /// whole document.
    pub fill_seconds: f64,
    pub clients: usize,
    /// Clients whose WebSocket handshake succeeded.
    pub clients_connected: usize,
    /// Clients that received the whole document.
    pub clients_synced: usize,
    /// Clients synced within `goal_seconds` of starting their connect.
    pub synced_within_goal: usize,
    pub goal_seconds: f64,
    /// Time to synced of the synced clients, in milliseconds.
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
    /// Time from the storm's start until the last client synced or failed,
    /// or the timeout.
    pub storm_seconds: f64,
    /// WebSocket payload bytes each synced client received up to and
    /// including the frame that synced it, averaged over synced clients.
    pub bytes_received_per_client: Option<f64>,
    /// Large updates the generator decoded during the storm, because no
    /// byte-for-byte equal update had been decoded before; 0 when the
    /// server sends every client the bytes the second probe received.
    pub generator_decodes: u64,
    pub disconnects: u64,
    pub errors: u64,
    /// Server user plus system CPU time during the storm.
    pub server_cpu_seconds: Option<f64>,
    /// The load generator's own CPU time during the storm, divided by
    /// `storm_seconds`, in percent of one core. Near 100 % the generator,
    /// not the server, limits the times to synced.
    pub generator_cpu_percent: Option<f64>,
    /// Growth of the server's resident set from before the storm to its
    /// end, in MiB.
    pub rss_growth_mib: Option<f64>,
    /// The server's peak resident set size (VmHWM) at the end, in MiB.
    pub peak_rss_mib: Option<f64>,
    /// CPU placement of the server and the generator, or the reason they
    /// were not pinned.
    pub pinning: String,
    /// Every run's figure when the system was run more than once
    /// (`--runs`); the other fields are those of the median run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeats: Option<Repeats>,
}

/// Runs the scenario against `endpoint`, which needs
/// `options.clients + EXTRA_READERS` reader URLs.
pub async fn run(
    endpoint: &Endpoint,
    options: &JoinStormOptions,
    pinning: &str,
) -> anyhow::Result<SystemResult> {
    if !endpoint.server_syncs {
        bail!(
            "join-storm cannot run against {}: it keeps no document, so a joining client \
             would never receive the strokes",
            endpoint.system
        );
    }
    let needed = options.clients + EXTRA_READERS;
    if endpoint.reader_urls.len() < needed {
        bail!(
            "join-storm needs {needed} reader URLs, got {}",
            endpoint.reader_urls.len()
        );
    }
    let (helper_urls, storm_urls) = endpoint.reader_urls.split_at(EXTRA_READERS);

    let ticks_per_second = procfs::ticks_per_second();
    let sample_server = || {
        endpoint
            .server_pid
            .and_then(|pid| match procfs::sample(pid, ticks_per_second) {
                Ok(sample) => Some(sample),
                Err(error) => {
                    warn!(%error, "cannot sample the server process");
                    None
                }
            })
    };

    let document =
        StrokeDocument::build(options.strokes, options.points_per_stroke, &endpoint.author);
    info!(
        strokes = options.strokes,
        updates = document.updates.len(),
        bytes = document.document_bytes,
        "document built"
    );
    let cache = Arc::new(ClockCache::default());
    let fill_target = JoinTarget {
        final_clocks: document.final_clocks.clone().into(),
        cache: Arc::clone(&cache),
        known: Arc::default(),
        counters: Arc::new(JoinCounters::default()),
        framing: endpoint.framing,
    };
    let stop = CancellationToken::new();

    let fill_started = Instant::now();
    let helpers = tokio::time::timeout(
        FILL_TIMEOUT,
        fill(endpoint, helper_urls, &document, &fill_target, &stop),
    )
    .await
    .map_err(|_| {
        anyhow::anyhow!("the server did not store the whole document within {FILL_TIMEOUT:?}")
    })??;
    let fill_seconds = fill_started.elapsed().as_secs_f64();
    info!(fill_seconds, "the server stores the whole document");

    // The storm's failures are counted apart from the fill's.
    let target = JoinTarget {
        counters: Arc::new(JoinCounters::default()),
        ..fill_target
    };
    let decodes_before = cache.decodes();
    let before = sample_server();
    let generator_before = procfs::own_cpu_seconds(ticks_per_second);
    let storm = storm(&storm_urls[..options.clients], &target, options, &stop).await;
    let after = sample_server();
    let generator_after = procfs::own_cpu_seconds(ticks_per_second);
    info!(
        synced = storm.synced.len(),
        clients = options.clients,
        storm_seconds = storm.seconds,
        known_frame_matches = target.known.matches(),
        "storm over"
    );

    stop.cancel();
    let mut bytes = Vec::new();
    let mut clients_connected = 0;
    let mut clients = storm.tasks;
    while let Some(joined) = clients.join_next().await {
        let tally = joined.context("a joining client's task panicked")?;
        clients_connected += usize::from(tally.connected);
        if tally.synced_after.is_some() {
            bytes.push(tally.bytes_until_synced);
        }
    }
    for helper in helpers {
        helper.await.context("the probe's task panicked")?;
    }

    let mut times_us: Vec<u64> = storm
        .synced
        .iter()
        .map(|time| u64::try_from(time.as_micros()).unwrap_or(u64::MAX))
        .collect();
    let synced_within_goal = storm
        .synced
        .iter()
        .filter(|time| **time <= options.goal)
        .count();
    let summary = LatencySummary::from_us(&mut times_us);
    let bytes_received_per_client =
        (!bytes.is_empty()).then(|| bytes.iter().sum::<u64>() as f64 / bytes.len() as f64);
    let mib = |kib: u64| kib as f64 / 1024.0;

    Ok(SystemResult {
        system: endpoint.system.clone(),
        version: endpoint.version.clone(),
        strokes: options.strokes,
        points_per_stroke: options.points_per_stroke,
        document_bytes: document.document_bytes,
        fill_seconds,
        clients: options.clients,
        clients_connected,
        clients_synced: storm.synced.len(),
        synced_within_goal,
        goal_seconds: options.goal.as_secs_f64(),
        p50_ms: summary.map(|summary| summary.p50_ms),
        p99_ms: summary.map(|summary| summary.p99_ms),
        max_ms: summary.map(|summary| summary.max_ms),
        storm_seconds: storm.seconds,
        bytes_received_per_client,
        generator_decodes: cache.decodes() - decodes_before,
        disconnects: target.counters.disconnects.load(Ordering::Relaxed),
        errors: target.counters.errors.load(Ordering::Relaxed),
        server_cpu_seconds: cpu_between(before, after),
        generator_cpu_percent: generator_before
            .zip(generator_after)
            .map(|(start, end)| (end - start) / storm.seconds * 100.0),
        rss_growth_mib: match (before, after) {
            (Some(before), Some(after)) => Some(mib(after.rss_kib) - mib(before.rss_kib)),
            _ => None,
        },
        peak_rss_mib: after.map(|sample| mib(sample.peak_rss_kib)),
        pinning: pinning.to_owned(),
        repeats: None,
    })
}

fn cpu_between(start: Option<ProcessSample>, end: Option<ProcessSample>) -> Option<f64> {
    Some(end?.cpu_seconds - start?.cpu_seconds)
}

/// Sends the document through the server as the writer, then syncs a
/// probe until it has received the whole document, and then a second client that
/// receives all of it in one sync step 2. Returns the tasks of both, which
/// keep their connections, and so the room, open until `stop` is
/// cancelled.
async fn fill(
    endpoint: &Endpoint,
    helper_urls: &[String],
    document: &StrokeDocument,
    target: &JoinTarget,
    stop: &CancellationToken,
) -> anyhow::Result<Vec<JoinHandle<JoinTally>>> {
    // The writer's own document stays empty: the updates carry the strokes.
    let writer = StrokeWriter::new(FIRST_CLIENT_ID, &endpoint.author, 1);
    let protocol = endpoint.protocol(FIRST_CLIENT_ID);
    let mut socket = connect_writer(&endpoint.writer_url, &writer, protocol)
        .await
        .context("the writer failed to connect")?;
    for update in &document.updates {
        socket
            .send(&Message::Update(update))
            .await
            .context("the writer's connection failed while filling the room")?;
    }

    // A probe that joins after the writer sent everything still receives every
    // update: what the server applied before the probe's sync step 1 is in
    // its sync step 2, and what it applied later is broadcast to it. The
    // second client joins once the server stores everything.
    let mut helpers = Vec::with_capacity(helper_urls.len());
    for url in helper_urls {
        let (done_tx, mut done_rx) = mpsc::channel(1);
        helpers.push(tokio::spawn(join(
            url.clone(),
            target.clone(),
            done_tx,
            stop.clone(),
        )));
        let tally = done_rx
            .recv()
            .await
            .context("a probe stopped without a result")?;
        if tally.synced_after.is_none() {
            bail!("a probe's connection failed before it received the whole document");
        }
    }

    // NOTE: the writer leaves once the server stores everything, so the
    // storm's CPU time has no writer traffic in it. The probes keep the
    // room open.
    socket.close().await;
    Ok(helpers)
}

/// The outcome of the storm itself.
#[derive(Debug)]
struct Storm {
    /// Time to synced of each client that synced.
    synced: Vec<Duration>,
    /// Time from the start until the last client synced or failed, or the
    /// timeout.
    seconds: f64,
    tasks: JoinSet<JoinTally>,
}

/// Starts every client at once and waits until each has synced or failed,
/// or for `options.timeout`.
async fn storm(
    urls: &[String],
    target: &JoinTarget,
    options: &JoinStormOptions,
    stop: &CancellationToken,
) -> Storm {
    let (done_tx, mut done_rx) = mpsc::channel(urls.len().max(1));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for url in urls {
        tasks.spawn(join(
            url.clone(),
            target.clone(),
            done_tx.clone(),
            stop.clone(),
        ));
    }
    drop(done_tx);

    let deadline = tokio::time::Instant::from_std(started) + options.timeout;
    let mut synced = Vec::with_capacity(urls.len());
    let mut reported = 0;
    while reported < urls.len() {
        let Ok(Some(tally)) = tokio::time::timeout_at(deadline, done_rx.recv()).await else {
            warn!(
                reported,
                clients = urls.len(),
                timeout = ?options.timeout,
                "the storm timed out"
            );
            break;
        };
        reported += 1;
        if let Some(time) = tally.synced_after {
            synced.push(time);
        }
    }
    Storm {
        synced,
        seconds: started.elapsed().as_secs_f64(),
        tasks,
    }
}
