//! The `many-rooms` scenario: many rooms at once, each with one writer
//! drawing at a fixed rate and the rest of its clients reading.
//!
//! All rooms are prepared first, then every reader of every room connects
//! and syncs, with at most [`CONNECT_CONCURRENCY`] connects in flight. The
//! server's memory is sampled before and after, for the memory per
//! connection. Then each room's writer connects, and the writers start
//! drawing spread evenly over one update interval, so that the rooms do not
//! all send in the same instant. The server's CPU time is sampled at both
//! ends of the measured window. After the writers stop, the scenario waits
//! until every measured update has reached every reader of its room, or for
//! [`DRAIN_TIMEOUT`], and the readers close.
//!
//! Each room has its own send log and counters because the writers of all
//! rooms share one Yjs client id: the clocks of different rooms overlap.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::clients::{
    CONNECT_TIMEOUT, Counters, Protocol, WriterControl, WriterReport, connect_writer, run_reader,
    run_writer,
};
use crate::figures::DeliveryFigures;
use crate::latency::{LatencySummary, ReaderTally, SendLog};
use crate::procfs::{self, ProcessSample};
use crate::repeat::Repeats;
use crate::stroke::StrokeWriter;
use crate::targets::{Deployment, Endpoint};

/// How long after the writers stop the scenario waits for late updates.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// How many clients connect at once, over all rooms.
pub const CONNECT_CONCURRENCY: usize = 64;

/// The Yjs client id of every room's writer.
const WRITER_CLIENT_ID: u64 = 0x00be_7c41;

/// Parameters of one run.
#[derive(Debug, Clone)]
pub struct ManyRoomsOptions {
    pub rooms: usize,
    /// Clients per room, the writer included.
    pub clients_per_room: usize,
    /// Updates each writer sends per second.
    pub rate: u32,
    pub warm_up: Duration,
    pub measured: Duration,
    pub points_per_stroke: usize,
}

impl ManyRoomsOptions {
    /// Readers per room: every client but the writer.
    pub fn readers_per_room(&self) -> usize {
        self.clients_per_room.saturating_sub(1)
    }
}

/// The measurements of one system in one run, over all rooms.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SystemResult {
    pub system: String,
    pub version: String,
    pub rooms: usize,
    /// Clients per room, the writer included.
    pub clients_per_room: usize,
    /// Readers that connected and synced, over all rooms.
    pub readers_connected: usize,
    /// Writers that connected and completed their handshake.
    pub writers_connected: usize,
    pub rate_per_second: u32,
    pub warm_up_seconds: f64,
    pub measured_seconds: f64,
    /// Updates the writers sent in the measured window, over all rooms.
    pub updates_sent: u64,
    /// Each room's measured updates times its connected readers, summed.
    pub updates_expected: u64,
    /// Measured updates that reached a reader, summed over readers.
    pub updates_delivered: u64,
    /// Rooms in which some reader missed some measured update.
    pub rooms_incomplete: usize,
    /// Latency, failures, CPU time, memory and CPU placement, over all
    /// rooms.
    #[serde(flatten)]
    pub figures: DeliveryFigures,
    /// Every run's figure when the system was run more than once
    /// (`--runs`); the other fields are those of the median run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeats: Option<Repeats>,
}

/// Prepares `options.rooms` fresh rooms on `deployment`, one after the
/// other.
///
/// NOTE: each Lectern room costs a lecturer login, and Lectern hashes
/// passwords with Argon2, which takes tens of MiB per login in flight.
/// Logging in one room at a time keeps that out of the server's peak
/// resident set. The price is a setup of several seconds for 200 rooms.
pub async fn prepare_rooms(
    deployment: &Deployment,
    options: &ManyRoomsOptions,
) -> anyhow::Result<Vec<Endpoint>> {
    let mut endpoints = Vec::with_capacity(options.rooms);
    for index in 0..options.rooms {
        let endpoint = deployment
            .room(options.readers_per_room())
            .await
            .with_context(|| format!("preparing room {} of {}", index + 1, options.rooms))?;
        endpoints.push(endpoint);
    }
    Ok(endpoints)
}

/// One room's shared state during the run.
#[derive(Debug)]
struct Room {
    endpoint: Endpoint,
    log: Arc<SendLog>,
    counters: Arc<Counters>,
    /// Readers that synced.
    connected: usize,
}

impl Room {
    fn protocol(&self) -> Protocol {
        self.endpoint.protocol(WRITER_CLIENT_ID)
    }

    fn expected(&self) -> u64 {
        self.log.measured_count() * self.connected as u64
    }

    fn delivered(&self) -> u64 {
        self.counters.delivered.load(Ordering::Relaxed)
    }
}

/// Runs the scenario on `endpoints`, one per room, which must all belong
/// to the same server.
pub async fn run(
    endpoints: &[Endpoint],
    options: &ManyRoomsOptions,
    pinning: &str,
) -> anyhow::Result<SystemResult> {
    let first = endpoints
        .first()
        .context("the scenario needs at least one room")?;
    let ticks_per_second = procfs::ticks_per_second();
    let server_pid = first.server_pid;
    let sample_server = || {
        server_pid.and_then(|pid| match procfs::sample(pid, ticks_per_second) {
            Ok(sample) => Some(sample),
            Err(error) => {
                warn!(%error, "cannot sample the server process");
                None
            }
        })
    };

    let mut rooms: Vec<Room> = endpoints
        .iter()
        .map(|endpoint| Room {
            endpoint: endpoint.clone(),
            log: Arc::new(SendLog::default()),
            counters: Arc::new(Counters::default()),
            connected: 0,
        })
        .collect();
    let stop_readers = CancellationToken::new();

    let before_readers = sample_server();
    let mut readers = connect_readers(&mut rooms, &stop_readers).await?;
    let readers_connected: usize = rooms.iter().map(|room| room.connected).sum();
    info!(readers_connected, rooms = rooms.len(), "readers synced");
    // Lets the server finish the handshakes' work before memory is read.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = sample_server();
    // NOTE: memory the server freed during setup (Lectern's Argon2 logins)
    // stays resident and is reused by the connections, so this figure is a
    // lower bound, most of all with few rooms.
    let rss_per_connection_kib = match (before_readers, idle) {
        (Some(before), Some(after)) if readers_connected > 0 => {
            Some((after.rss_kib as f64 - before.rss_kib as f64) / readers_connected as f64)
        }
        _ => None,
    };

    let control = Arc::new(WriterControl::default());
    let stop_writers = CancellationToken::new();
    let mut writers = start_writers(&rooms, options, &control, &stop_writers).await;
    let writers_connected = writers.len();
    info!(writers_connected, "writers drawing");

    tokio::time::sleep(options.warm_up).await;
    let window_start_sample = sample_server();
    let generator_start = procfs::own_cpu_seconds(ticks_per_second);
    let window_start = Instant::now();
    control.measuring.store(true, Ordering::Relaxed);
    tokio::time::sleep(options.measured).await;
    control.measuring.store(false, Ordering::Relaxed);
    let window = window_start.elapsed();
    let window_end_sample = sample_server();
    let generator_end = procfs::own_cpu_seconds(ticks_per_second);
    stop_writers.cancel();
    let mut sent_in_total = 0;
    while let Some(joined) = writers.join_next().await {
        let report: WriterReport = joined.context("a writer task panicked")?;
        sent_in_total += report.sent;
    }

    let updates_expected: u64 = rooms.iter().map(Room::expected).sum();
    // NOTE: polled because the clients' counters offer no event to await.
    let drain_deadline = Instant::now() + DRAIN_TIMEOUT;
    while rooms.iter().map(Room::delivered).sum::<u64>() < updates_expected
        && Instant::now() < drain_deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let final_sample = sample_server();

    stop_readers.cancel();
    let mut latencies_us = Vec::new();
    while let Some(joined) = readers.join_next().await {
        let mut tally = joined.context("a reader task panicked")?;
        latencies_us.append(&mut tally.latencies_us);
    }

    let updates_sent: u64 = rooms.iter().map(|room| room.log.measured_count()).sum();
    info!(
        sent = sent_in_total,
        measured = updates_sent,
        "writers stopped"
    );
    let rooms_incomplete = rooms
        .iter()
        .filter(|room| room.delivered() < room.expected())
        .count();
    let disconnects = rooms
        .iter()
        .map(|room| room.counters.disconnects.load(Ordering::Relaxed))
        .sum();
    let errors = rooms
        .iter()
        .map(|room| room.counters.errors.load(Ordering::Relaxed))
        .sum();

    let updates_delivered = latencies_us.len() as u64;
    let summary = LatencySummary::from_us(&mut latencies_us);
    let server_cpu_seconds = cpu_between(window_start_sample, window_end_sample);
    Ok(SystemResult {
        system: first.system.clone(),
        version: first.version.clone(),
        rooms: rooms.len(),
        clients_per_room: options.clients_per_room,
        readers_connected,
        writers_connected,
        rate_per_second: options.rate,
        warm_up_seconds: options.warm_up.as_secs_f64(),
        measured_seconds: window.as_secs_f64(),
        updates_sent,
        updates_expected,
        updates_delivered,
        rooms_incomplete,
        figures: DeliveryFigures {
            p50_ms: summary.map(|summary| summary.p50_ms),
            p99_ms: summary.map(|summary| summary.p99_ms),
            max_ms: summary.map(|summary| summary.max_ms),
            disconnects,
            errors,
            server_cpu_seconds,
            server_cpu_percent: server_cpu_seconds
                .map(|seconds| seconds / window.as_secs_f64() * 100.0),
            server_cpu_us_per_delivery: server_cpu_seconds
                .filter(|_| updates_delivered > 0)
                .map(|seconds| seconds * 1e6 / updates_delivered as f64),
            generator_cpu_percent: generator_start
                .zip(generator_end)
                .map(|(start, end)| (end - start) / window.as_secs_f64() * 100.0),
            peak_rss_mib: final_sample.map(|sample| sample.peak_rss_kib as f64 / 1024.0),
            rss_per_connection_kib,
            pinning: pinning.to_owned(),
        },
        repeats: None,
    })
}

fn cpu_between(start: Option<ProcessSample>, end: Option<ProcessSample>) -> Option<f64> {
    Some(end?.cpu_seconds - start?.cpu_seconds)
}

/// Starts every reader of every room, at most [`CONNECT_CONCURRENCY`]
/// connecting at once, and waits until each has synced or failed. Sets
/// each room's `connected` and returns the reader tasks.
async fn connect_readers(
    rooms: &mut [Room],
    stop: &CancellationToken,
) -> anyhow::Result<JoinSet<ReaderTally>> {
    let total: usize = rooms
        .iter()
        .map(|room| room.endpoint.reader_urls.len())
        .sum();
    let (ready_tx, mut ready_rx) = mpsc::channel::<(usize, bool)>(total.max(1));
    let mut readers = JoinSet::new();
    let mut pending = 0;

    let mut synced = vec![0; rooms.len()];
    for (index, room) in rooms.iter().enumerate() {
        for url in &room.endpoint.reader_urls {
            if pending >= CONNECT_CONCURRENCY {
                note_ready(next_ready(&mut ready_rx).await?, &mut synced);
                pending -= 1;
            }
            readers.spawn(reader_in_room(
                index,
                url.clone(),
                room.protocol(),
                Arc::clone(&room.log),
                Arc::clone(&room.counters),
                ready_tx.clone(),
                stop.clone(),
            ));
            pending += 1;
        }
    }
    while pending > 0 {
        note_ready(next_ready(&mut ready_rx).await?, &mut synced);
        pending -= 1;
    }

    for (room, count) in rooms.iter_mut().zip(synced) {
        room.connected = count;
    }
    Ok(readers)
}

/// Runs one reader and reports `(room, synced)` on `ready` once it has
/// synced or failed.
async fn reader_in_room(
    room: usize,
    url: String,
    protocol: Protocol,
    log: Arc<SendLog>,
    counters: Arc<Counters>,
    ready: mpsc::Sender<(usize, bool)>,
    stop: CancellationToken,
) -> ReaderTally {
    let (own_ready_tx, mut own_ready_rx) = mpsc::channel(1);
    let reader = run_reader(url, protocol, log, counters, own_ready_tx, stop);
    let forward = async move {
        // `None` means the reader ended without reporting, so it did not sync.
        let synced = own_ready_rx.recv().await.unwrap_or(false);
        let _ = ready.send((room, synced)).await;
    };
    let (tally, ()) = tokio::join!(reader, forward);
    tally
}

fn note_ready((room, synced): (usize, bool), counts: &mut [usize]) {
    if synced {
        counts[room] += 1;
    }
}

async fn next_ready(ready: &mut mpsc::Receiver<(usize, bool)>) -> anyhow::Result<(usize, bool)> {
    // Each reader bounds its connect and handshake by CONNECT_TIMEOUT. The
    // margin covers readers that waited for a connect slot.
    let wait = CONNECT_TIMEOUT * 2;
    tokio::time::timeout(wait, ready.recv())
        .await
        .map_err(|_| anyhow::anyhow!("a reader did not sync within {wait:?}"))?
        .context("every reader stopped before syncing")
}

/// Connects each room's writer, at most [`CONNECT_CONCURRENCY`] at once,
/// and starts it drawing. Writer `i` of `n` starts `i / n` of an update
/// interval after the first, so the rooms' updates are spread over time.
/// A writer that fails to connect counts as an error of its room, which
/// then sends nothing.
async fn start_writers(
    rooms: &[Room],
    options: &ManyRoomsOptions,
    control: &Arc<WriterControl>,
    stop: &CancellationToken,
) -> JoinSet<WriterReport> {
    let connects = futures_util::stream::iter(rooms.iter().enumerate())
        .map(|(index, room)| async move {
            let writer = StrokeWriter::new(
                WRITER_CLIENT_ID,
                &room.endpoint.author,
                options.points_per_stroke,
            );
            let socket = connect_writer(&room.endpoint.writer_url, &writer, room.protocol()).await;
            (index, writer, socket)
        })
        .buffer_unordered(CONNECT_CONCURRENCY)
        .collect::<Vec<_>>()
        .await;

    let interval = Duration::from_secs_f64(1.0 / f64::from(options.rate.max(1)));
    let first_start = tokio::time::Instant::now();
    let mut writers = JoinSet::new();
    for (index, writer, socket) in connects {
        let room = &rooms[index];
        let socket = match socket {
            Ok(socket) => socket,
            Err(error) => {
                warn!(%error, room = index, "a writer failed to connect");
                room.counters.errors.fetch_add(1, Ordering::Relaxed);
                continue;
            }
        };
        let start_at = first_start + interval.mul_f64(index as f64 / rooms.len() as f64);
        let log = Arc::clone(&room.log);
        let counters = Arc::clone(&room.counters);
        let control = Arc::clone(control);
        let stop = stop.clone();
        writers.spawn(async move {
            tokio::select! {
                () = stop.cancelled() => return WriterReport::default(),
                () = tokio::time::sleep_until(start_at) => {}
            }
            run_writer(socket, writer, interval, log, control, counters, stop).await
        });
    }
    writers
}
