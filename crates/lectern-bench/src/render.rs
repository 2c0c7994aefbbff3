//! The `render` scenario: frame rate of Lectern's web client while a
//! lecturer pans a board of many strokes in headless Chromium.
//!
//! First the bench fills a fresh room's board through the board WebSocket:
//! a [`StrokeWriter`] draws every stroke point by point in its own
//! document, and each finished stroke goes to the server as one Yjs update.
//! The writer then requests the server's whole document (sync step 1 with
//! an empty state vector) and counts the complete strokes in the reply, so
//! the browser only starts once the server has stored them all. The browser side
//! is bench/render/pan.js: it signs the lecturer in, opens the room, waits
//! until the board reports every stroke, drags the board with the pan tool
//! and prints frame times as JSON, which [`run_browser`] parses.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use lectern_board::protocol::Message;
use lectern_board::schema::ELEMENTS;
use tokio::io::AsyncReadExt;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tracing::{info, warn};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Any, Array, Doc, Map, Out, ReadTxn, StateVector, Transact, Update};

use crate::clients::{Connection, connect_writer};
use crate::procfs::{self, ProcessSample};
use crate::stroke::StrokeWriter;
use crate::targets::{Endpoint, Lecturer};

/// The Yjs client id of the writer that fills the board.
const WRITER_CLIENT_ID: u64 = 0x00be_7c41;

pub use crate::stroke::FIRST_PAGE_ID;

/// How long the server has to send its whole document back after the fill.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(120);

/// Parameters of one run.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub strokes: usize,
    pub points_per_stroke: usize,
    /// How long the script drags the board, in seconds.
    pub pan_seconds: f64,
    /// How long the script waits for the first full render, in seconds.
    pub load_timeout_seconds: f64,
    /// The Node.js program.
    pub node: PathBuf,
    /// bench/render/pan.js.
    pub script: PathBuf,
    /// The Chromium binary the script launches.
    pub chromium: PathBuf,
    /// The CPU to pin Node.js and Chromium to, or `None` to leave them unpinned.
    pub browser_cpu: Option<usize>,
    /// Output file of a DevTools CPU profile of the pan, if one is wanted.
    pub cpu_profile: Option<PathBuf>,
    /// Output file of a Chromium trace of the pan, if one is wanted.
    pub trace: Option<PathBuf>,
}

/// Figures of the fill: what was sent and what the server returned.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct FillReport {
    /// WebSocket messages sent, one per stroke plus the move to the first page.
    pub updates_sent: u64,
    /// Bytes of Yjs updates sent.
    pub update_bytes: u64,
    /// Size of the server's whole document as it returned it, in bytes.
    pub document_bytes: u64,
    /// Strokes on the first page with every point, in the server's document.
    pub strokes_on_server: usize,
    /// Wall-clock time from connecting the writer to the server's reply.
    pub seconds: f64,
    /// The server's user plus system CPU time during the fill.
    pub server_cpu_seconds: Option<f64>,
}

/// The figures bench/render/pan.js prints, in its field names.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct BrowserFigures {
    /// Chromium's version string.
    pub chromium: String,
    /// From the start of the room page's navigation to the end of the first
    /// frame that painted every stroke, in milliseconds.
    pub time_to_full_render_ms: f64,
    /// Frame intervals recorded while panning.
    pub frames: u64,
    /// Of `frames`, those whose frame handled pointer moves, so the board
    /// repainted for a new viewport.
    pub frames_with_input: u64,
    /// Frames per second over the pan; `None` with fewer than two frames.
    pub fps_mean: Option<f64>,
    pub frame_ms_p50: Option<f64>,
    pub frame_ms_p99: Option<f64>,
    pub frame_ms_max: Option<f64>,
    /// Frames longer than 50 ms.
    pub long_frames: u64,
    /// Mean, median and 99th percentile of the frames in
    /// `frames_with_input`, in milliseconds: the cost of a repaint.
    pub repaint_frame_ms_mean: Option<f64>,
    pub repaint_frame_ms_p50: Option<f64>,
    pub repaint_frame_ms_p99: Option<f64>,
    /// Mouse moves the script sent during the pan.
    pub pointer_moves_sent: u64,
    /// `pointermove` events the page received during the pan.
    pub pointer_moves_received: u64,
    /// Uncaught exceptions in the page.
    pub page_errors: u64,
    /// Top events of the Chromium trace, with `--trace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<serde_json::Value>,
    /// Top functions by self time in the CPU profile, with `--cpu-profile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_profile_top: Option<serde_json::Value>,
}

/// The measurements of one system in one run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SystemResult {
    pub system: String,
    pub version: String,
    pub strokes: usize,
    pub points_per_stroke: usize,
    /// Always "software": the script starts Chromium with --disable-gpu,
    /// so Skia rasterises on the CPU.
    pub rendering: String,
    pub pan_seconds: f64,
    pub fill: FillReport,
    #[serde(flatten)]
    pub browser: BrowserFigures,
    /// Server user plus system CPU time from the script's start to its end
    /// (sign-in, page load, sync and pan).
    pub server_cpu_seconds: Option<f64>,
    /// The server's peak resident set size (VmHWM) at the end, in MiB.
    pub peak_rss_mib: Option<f64>,
    /// CPU placement of the server, the bench and the browser, or the
    /// reason they were not pinned.
    pub pinning: String,
}

/// Runs the scenario against a Lectern `endpoint` whose server is at
/// `base_url` (`http://HOST:PORT`).
pub async fn run(
    endpoint: &Endpoint,
    base_url: &str,
    lecturer: &Lecturer,
    options: &RenderOptions,
    pinning: &str,
) -> anyhow::Result<SystemResult> {
    // Checked before the fill, which takes a while on a large board.
    require_script_packages(&options.script)?;
    let code = room_code(&endpoint.writer_url)?;
    info!(
        strokes = options.strokes,
        points_per_stroke = options.points_per_stroke,
        room = code,
        "filling the board"
    );
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
    let before_fill = sample_server();
    let mut fill = fill_board(endpoint, options.strokes, options.points_per_stroke).await?;
    fill.server_cpu_seconds = cpu_between(before_fill, sample_server());
    info!(
        seconds = format!("{:.1}", fill.seconds),
        document_bytes = fill.document_bytes,
        "the server holds every stroke"
    );

    let before = sample_server();
    let browser = run_browser(options, base_url, code, lecturer).await?;
    let after = sample_server();

    Ok(SystemResult {
        system: endpoint.system.clone(),
        version: endpoint.version.clone(),
        strokes: options.strokes,
        points_per_stroke: options.points_per_stroke,
        rendering: "software".to_owned(),
        pan_seconds: options.pan_seconds,
        fill,
        browser,
        server_cpu_seconds: cpu_between(before, after),
        peak_rss_mib: after.map(|sample| sample.peak_rss_kib as f64 / 1024.0),
        pinning: pinning.to_owned(),
    })
}

fn cpu_between(start: Option<ProcessSample>, end: Option<ProcessSample>) -> Option<f64> {
    Some(end?.cpu_seconds - start?.cpu_seconds)
}

/// Returns the room code in a Lectern board URL
/// (`ws://HOST:PORT/ws/board/CODE?token=…`).
pub fn room_code(board_url: &str) -> anyhow::Result<&str> {
    let path = board_url.split('?').next().unwrap_or_default();
    path.split_once("/ws/board/")
        .map(|(_, code)| code.trim_end_matches('/'))
        .filter(|code| !code.is_empty() && !code.contains('/'))
        .with_context(|| format!("{board_url} is not a Lectern board URL (/ws/board/CODE)"))
}

/// Draws `strokes` strokes of `points_per_stroke` points into the room of
/// `endpoint`, one update per stroke, and waits until the server returns a
/// document that contains all of them.
pub async fn fill_board(
    endpoint: &Endpoint,
    strokes: usize,
    points_per_stroke: usize,
) -> anyhow::Result<FillReport> {
    let started = Instant::now();
    let mut writer = StrokeWriter::new(WRITER_CLIENT_ID, &endpoint.author, points_per_stroke);
    let protocol = endpoint.protocol(WRITER_CLIENT_ID);
    let mut socket = connect_writer(&endpoint.writer_url, &writer, protocol)
        .await
        .context("the writer failed to connect")?;

    let mut updates_sent = 0_u64;
    let mut update_bytes = 0_u64;
    let now_ms = unix_ms();
    // NOTE: the fill takes longer than linear in the strokes: 7 s for 2,500
    // and 24 s for 5,000 on a 2-core machine, of which the server used under
    // 0.3 s of CPU for 2,500. The rest is the bench, whose writer encodes an
    // update for every point, and those updates are discarded here.
    for _ in 0..strokes {
        let before = writer.doc().transact().state_vector();
        for _ in 0..points_per_stroke {
            writer.next_update(now_ms);
        }
        let update = writer.encode_diff(&before);
        update_bytes += update.len() as u64;
        socket
            .send(&Message::Update(&update))
            .await
            .context("sending a stroke failed")?;
        updates_sent += 1;
    }

    // The server handles one connection's messages in order, so its reply
    // to this sync step 1 comes after it applied every update above.
    let empty = StateVector::default().encode_v1();
    socket
        .send(&Message::SyncStep1(&empty))
        .await
        .context("sending sync step 1 failed")?;
    let document = tokio::time::timeout(CONFIRM_TIMEOUT, next_sync_step_2(&mut socket))
        .await
        .map_err(|_| {
            anyhow::anyhow!("the server sent no document within {CONFIRM_TIMEOUT:?} of the fill")
        })??;
    socket.close().await;

    let strokes_on_server = count_complete_strokes(&document, points_per_stroke)?;
    if strokes_on_server != strokes {
        bail!(
            "the server's document contains {strokes_on_server} complete strokes on {FIRST_PAGE_ID}, expected {strokes}; \
             run with LECTERN_BENCH_LOG=debug to see the server's log"
        );
    }
    Ok(FillReport {
        updates_sent,
        update_bytes,
        document_bytes: document.len() as u64,
        strokes_on_server,
        seconds: started.elapsed().as_secs_f64(),
        server_cpu_seconds: None,
    })
}

/// Reads frames until one contains sync step 2 and returns its update. Other
/// messages, such as the server's own sync step 1 and awareness, need no
/// reply here: every update went out already.
async fn next_sync_step_2(socket: &mut Connection) -> anyhow::Result<Vec<u8>> {
    loop {
        let frame = match socket.next_frame().await {
            Some(Ok(WsMessage::Binary(frame))) => frame,
            Some(Ok(WsMessage::Close(close))) => {
                bail!("the server closed the writer's connection: {close:?}")
            }
            Some(Ok(_)) => continue,
            Some(Err(error)) => bail!("the writer's connection failed: {error}"),
            None => bail!("the writer's connection closed"),
        };
        for message in socket.codec().decode(&frame)? {
            match message {
                Message::SyncStep2(update) => return Ok(update.to_vec()),
                Message::PermissionDenied(reason) => {
                    bail!("the server denied the writer's update: {reason}")
                }
                _ => {}
            }
        }
    }
}

/// Counts the strokes on [`FIRST_PAGE_ID`] with `points_per_stroke` points
/// in a Yjs v1 update that contains a whole board.
pub fn count_complete_strokes(document: &[u8], points_per_stroke: usize) -> anyhow::Result<usize> {
    let doc = Doc::new();
    let update = Update::decode_v1(document).context("the server's document does not decode")?;
    doc.transact_mut()
        .apply_update(update)
        .context("the server's document does not apply")?;

    let elements = doc.get_or_insert_map(ELEMENTS);
    let txn = doc.transact();
    let is_string = |map: &yrs::MapRef, key: &str, expected: &str| matches!(map.get(&txn, key), Some(Out::Any(Any::String(value))) if &*value == expected);
    let count = elements
        .iter(&txn)
        .filter(|(_, value)| match value {
            Out::YMap(map) => {
                let full = matches!(
                    map.get(&txn, "points"),
                    Some(Out::YArray(points)) if points.len(&txn) as usize == points_per_stroke
                );
                full && is_string(map, "kind", "stroke") && is_string(map, "page", FIRST_PAGE_ID)
            }
            _ => false,
        })
        .count();
    Ok(count)
}

/// Runs bench/render/pan.js against room `code` and returns what it
/// measured. The script's progress goes to this process's standard error.
pub async fn run_browser(
    options: &RenderOptions,
    base_url: &str,
    code: &str,
    lecturer: &Lecturer,
) -> anyhow::Result<BrowserFigures> {
    require_script_packages(&options.script)?;

    let mut command = match options.browser_cpu {
        Some(cpu) => {
            let mut command = tokio::process::Command::new("taskset");
            command.arg("-c").arg(cpu.to_string()).arg(&options.node);
            command
        }
        None => tokio::process::Command::new(&options.node),
    };
    command
        .arg(&options.script)
        .args([
            "--url",
            base_url,
            "--room",
            code,
            "--email",
            &lecturer.email,
        ])
        .args(["--strokes", &options.strokes.to_string()])
        .args(["--seconds", &options.pan_seconds.to_string()])
        .args(["--load-timeout", &options.load_timeout_seconds.to_string()])
        .arg("--chromium")
        .arg(&options.chromium)
        .env("LECTERN_BENCH_PASSWORD", &lecturer.password)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if let Some(path) = &options.cpu_profile {
        command.arg("--cpu-profile").arg(path);
    }
    if let Some(path) = &options.trace {
        command.arg("--trace").arg(path);
    }

    let mut child = command.spawn().with_context(|| {
        format!(
            "cannot start {} {}; install Node.js 20 or later",
            options.node.display(),
            options.script.display()
        )
    })?;
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .context("the script's standard output is not piped")?
        .read_to_string(&mut stdout)
        .await
        .context("reading the script's output failed")?;
    let status = child.wait().await?;
    if !status.success() {
        bail!(
            "{} failed with {status}; see its standard error above for the cause",
            options.script.display()
        );
    }
    let line = stdout
        .lines()
        .rfind(|line| !line.trim().is_empty())
        .with_context(|| format!("{} printed no result", options.script.display()))?;
    serde_json::from_str(line)
        .with_context(|| format!("{} printed invalid JSON: {line}", options.script.display()))
}

/// Checks that playwright-core is installed next to the script.
fn require_script_packages(script: &Path) -> anyhow::Result<()> {
    if !script.is_file() {
        bail!(
            "the browser script {} is missing; run the bench from the repository root or pass --script",
            script.display()
        );
    }
    let dir = script.parent().unwrap_or(Path::new("."));
    if !dir.join("node_modules/playwright-core").is_dir() {
        bail!(
            "playwright-core is not installed in {0}; run `npm ci` in {0}",
            dir.display()
        );
    }
    Ok(())
}

fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_code_from_board_url() {
        let url = "ws://127.0.0.1:4123/ws/board/ABCD2345?token=secret";
        assert_eq!(room_code(url).expect("a board URL"), "ABCD2345");
    }

    #[test]
    fn room_code_rejects_other_urls() {
        for url in [
            "ws://127.0.0.1:9000/room-1",
            "ws://127.0.0.1:4123/ws/board/?token=x",
            "ws://127.0.0.1:4123/ws/board/A/B",
        ] {
            assert!(room_code(url).is_err(), "{url}");
        }
    }

    #[test]
    fn complete_strokes_counted() {
        let mut writer = StrokeWriter::new(3, "lecturer-1", 5);
        for _ in 0..(3 * 5 + 2) {
            writer.next_update(1_000);
        }
        let document = writer.encode_diff(&StateVector::default());

        assert_eq!(
            count_complete_strokes(&document, 5).expect("decodes"),
            3,
            "three full strokes and one with two points"
        );
    }

    #[test]
    fn strokes_off_first_page_not_counted() {
        let mut writer = StrokeWriter::new(3, "lecturer-1", 4);
        for _ in 0..8 {
            writer.next_update(1_000);
        }
        let elements = writer.doc().get_or_insert_map(ELEMENTS);
        let mut txn = writer.doc().transact_mut();
        let strokes: Vec<yrs::MapRef> = elements
            .iter(&txn)
            .filter_map(|(_, value)| match value {
                Out::YMap(map) => Some(map),
                _ => None,
            })
            .collect();
        for stroke in strokes {
            stroke.insert(&mut txn, "page", "page-2");
        }
        drop(txn);

        let document = writer.encode_diff(&StateVector::default());
        assert_eq!(count_complete_strokes(&document, 4).expect("decodes"), 0);
    }

    #[test]
    fn browser_figures_parse() {
        let line = r#"{"chromium":"156.0.8078.114","viewport":{"width":1280,"height":800},
            "time_to_full_render_ms":1234.5,"pan_seconds":2,"frames":100,"frames_with_input":98,"fps_mean":50.1,
            "frame_ms_p50":16.7,"frame_ms_p99":40.2,"frame_ms_max":61.0,"long_frames":1,
            "repaint_frame_ms_mean":18.2,"repaint_frame_ms_p50":16.7,"repaint_frame_ms_p99":40.2,
            "pointer_moves_sent":250,"pointer_moves_received":240,"page_errors":0}"#;
        let figures: BrowserFigures = serde_json::from_str(line).expect("parses");
        assert_eq!(figures.frames, 100);
        assert_eq!(figures.frames_with_input, 98);
        assert_eq!(figures.fps_mean, Some(50.1));
        assert_eq!(figures.long_frames, 1);
        assert!(figures.trace.is_none());
    }
}
