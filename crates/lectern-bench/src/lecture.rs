//! The `lecture` scenario: one room, one writer drawing at a fixed rate,
//! many readers.
//!
//! First the readers connect and sync, and the server's memory is sampled
//! before and after, for the memory per connection. Then the writer
//! connects and draws through the warm-up and the measured window. The
//! server's CPU time is sampled at both ends of the window. After the
//! writer stops, the scenario waits until every measured update has
//! reached every reader, or for [`DRAIN_TIMEOUT`], and the readers close.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::clients::{
    CONNECT_TIMEOUT, Counters, Protocol, WriterControl, connect_writer, run_reader, run_writer,
};
use crate::figures::DeliveryFigures;
use crate::latency::{LatencySummary, SendLog};
use crate::procfs::{self, ProcessSample};
use crate::repeat::Repeats;
use crate::stroke::StrokeWriter;
use crate::targets::Endpoint;

/// How long after the writer stops the scenario waits for late updates.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How many readers connect at once.
const CONNECT_CONCURRENCY: usize = 64;

/// The writer's Yjs client id; readers look for its blocks in updates.
const WRITER_CLIENT_ID: u64 = 0x00be_7c40;

/// Parameters of one run.
#[derive(Debug, Clone)]
pub struct LectureOptions {
    pub readers: usize,
    /// Updates the writer sends per second.
    pub rate: u32,
    pub warm_up: Duration,
    pub measured: Duration,
    pub points_per_stroke: usize,
}

/// The measurements of one system in one run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SystemResult {
    pub system: String,
    pub version: String,
    pub readers: usize,
    pub rate_per_second: u32,
    pub warm_up_seconds: f64,
    pub measured_seconds: f64,
    /// Updates the writer sent in the measured window.
    pub updates_sent: u64,
    /// `updates_sent` times the readers that connected.
    pub updates_expected: u64,
    /// Measured updates that reached a reader, summed over readers.
    pub updates_delivered: u64,
    /// Latency, failures, CPU time, memory and CPU placement.
    #[serde(flatten)]
    pub figures: DeliveryFigures,
    /// Every run's figure when the system was run more than once
    /// (`--runs`); the other fields are those of the median run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeats: Option<Repeats>,
}

/// Runs the scenario against `endpoint`.
pub async fn run(
    endpoint: &Endpoint,
    options: &LectureOptions,
    pinning: &str,
) -> anyhow::Result<SystemResult> {
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

    let protocol = endpoint.protocol(WRITER_CLIENT_ID);
    let log = Arc::new(SendLog::default());
    let counters = Arc::new(Counters::default());
    let stop_readers = CancellationToken::new();

    let before_readers = sample_server();
    let (mut readers, connected) =
        connect_readers(endpoint, protocol, &log, &counters, &stop_readers).await?;
    info!(
        connected,
        readers = endpoint.reader_urls.len(),
        "readers synced"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = sample_server();
    let rss_per_connection_kib = match (before_readers, idle) {
        (Some(before), Some(after)) if connected > 0 => {
            Some((after.rss_kib as f64 - before.rss_kib as f64) / connected as f64)
        }
        _ => None,
    };

    let writer = StrokeWriter::new(
        WRITER_CLIENT_ID,
        &endpoint.author,
        options.points_per_stroke,
    );
    let socket = connect_writer(&endpoint.writer_url, &writer, protocol)
        .await
        .context("the writer failed to connect")?;
    let control = Arc::new(WriterControl::default());
    let stop_writer = CancellationToken::new();
    let interval = Duration::from_secs_f64(1.0 / f64::from(options.rate.max(1)));
    let writer_task = tokio::spawn(run_writer(
        socket,
        writer,
        interval,
        Arc::clone(&log),
        Arc::clone(&control),
        Arc::clone(&counters),
        stop_writer.clone(),
    ));

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
    stop_writer.cancel();
    let writer_report = writer_task.await.context("the writer task panicked")?;

    let updates_sent = log.measured_count();
    let updates_expected = updates_sent * connected as u64;
    let drain_deadline = Instant::now() + DRAIN_TIMEOUT;
    while counters.delivered.load(Ordering::Relaxed) < updates_expected
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
    info!(
        sent = writer_report.sent,
        measured = updates_sent,
        "writer stopped"
    );

    let updates_delivered = latencies_us.len() as u64;
    let summary = LatencySummary::from_us(&mut latencies_us);
    let server_cpu_seconds = cpu_between(window_start_sample, window_end_sample);
    Ok(SystemResult {
        system: endpoint.system.clone(),
        version: endpoint.version.clone(),
        readers: endpoint.reader_urls.len(),
        rate_per_second: options.rate,
        warm_up_seconds: options.warm_up.as_secs_f64(),
        measured_seconds: window.as_secs_f64(),
        updates_sent,
        updates_expected,
        updates_delivered,
        figures: DeliveryFigures {
            p50_ms: summary.map(|summary| summary.p50_ms),
            p99_ms: summary.map(|summary| summary.p99_ms),
            max_ms: summary.map(|summary| summary.max_ms),
            disconnects: counters.disconnects.load(Ordering::Relaxed),
            errors: counters.errors.load(Ordering::Relaxed),
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

/// Starts every reader and waits until each has synced or failed; returns
/// the reader tasks and how many synced.
async fn connect_readers(
    endpoint: &Endpoint,
    protocol: Protocol,
    log: &Arc<SendLog>,
    counters: &Arc<Counters>,
    stop: &CancellationToken,
) -> anyhow::Result<(JoinSet<crate::latency::ReaderTally>, usize)> {
    let mut readers = JoinSet::new();
    let (ready_tx, mut ready_rx) = mpsc::channel(endpoint.reader_urls.len().max(1));
    let mut connected = 0;
    let mut pending = 0;

    for url in &endpoint.reader_urls {
        // Bounded concurrency keeps the accept backlog from overflowing.
        if pending >= CONNECT_CONCURRENCY {
            connected += usize::from(next_ready(&mut ready_rx).await?);
            pending -= 1;
        }
        readers.spawn(run_reader(
            url.clone(),
            protocol,
            Arc::clone(log),
            Arc::clone(counters),
            ready_tx.clone(),
            stop.clone(),
        ));
        pending += 1;
    }
    while pending > 0 {
        connected += usize::from(next_ready(&mut ready_rx).await?);
        pending -= 1;
    }
    Ok((readers, connected))
}

async fn next_ready(ready: &mut mpsc::Receiver<bool>) -> anyhow::Result<bool> {
    // Each reader bounds its connect and handshake by CONNECT_TIMEOUT; the
    // margin covers readers that waited for a connect slot.
    let wait = CONNECT_TIMEOUT * 2;
    tokio::time::timeout(wait, ready.recv())
        .await
        .map_err(|_| anyhow::anyhow!("a reader did not sync within {wait:?}"))?
        .context("every reader stopped before syncing")
}
