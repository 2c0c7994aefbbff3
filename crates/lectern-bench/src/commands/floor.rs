//! `lectern-bench floor`: the CPU time the kernel alone takes to send one
//! frame to one peer, for TCP at the lecture's rate and UDP at the audio
//! scenario's, with no server around the calls (see [`crate::floor`]).

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use tracing::info;

use super::format_optional;
use crate::floor::{self, FloorResult, Plan, SRTP_PACKET_BYTES, Transport};
use crate::open_files;
use crate::pinning::Pinning;
use crate::report::{Report, file_name};
use crate::targets::sibling_binary;

/// Peers of a full run: the lecture's and the audio scenario's 500.
const FULL_PEERS: usize = 500;

/// Peers of `--quick`.
const QUICK_PEERS: usize = 50;

/// Every transport, in the order they run.
const TRANSPORTS: &[Transport] = &[Transport::Tcp, Transport::Udp, Transport::UdpBatch];

#[derive(Debug, Clone, clap::Args)]
pub struct FloorArgs {
    /// Peers each frame goes to [default: 500, or 50 with --quick].
    #[arg(long)]
    pub peers: Option<usize>,

    /// Measured seconds of each transport [default: 10, or 1 with --quick].
    #[arg(long)]
    pub seconds: Option<u32>,

    /// Points per stroke of the lecture's writer, which sets the TCP
    /// frame's size.
    #[arg(long, default_value_t = 120)]
    pub points_per_stroke: usize,

    /// Reduced run for a smoke test: fewer peers and a shorter window.
    #[arg(long)]
    pub quick: bool,

    /// The `send-floor` binary to start [default: next to this binary].
    #[arg(long)]
    pub sender_bin: Option<PathBuf>,

    /// Directory for the results file.
    #[arg(long, default_value = "bench/results")]
    pub output_dir: PathBuf,
}

/// Measures each transport in turn and writes `floor-N.json`, or
/// `floor-quick.json` with `--quick`.
pub async fn run(args: FloorArgs, pinning: Pinning) -> anyhow::Result<()> {
    let (peers, seconds) = if args.quick {
        (QUICK_PEERS, 1)
    } else {
        (FULL_PEERS, 10)
    };
    let peers = args.peers.unwrap_or(peers);
    let seconds = args.seconds.unwrap_or(seconds);
    if peers == 0 || seconds == 0 {
        bail!("invalid --peers {peers} or --seconds {seconds}: both must be above zero");
    }
    let sender_bin = match args.sender_bin {
        Some(path) => path,
        None => sibling_binary("send-floor")?,
    };
    open_files::ensure(2 * peers as u64 + 256)?;

    let mut results = Vec::with_capacity(TRANSPORTS.len());
    for &transport in TRANSPORTS {
        let rate = transport.rate();
        let plan = Plan {
            transport,
            peers,
            frame_bytes: match transport {
                Transport::Tcp => floor::lecture_frame_bytes(args.points_per_stroke),
                Transport::Udp | Transport::UdpBatch => SRTP_PACKET_BYTES,
            },
            rate,
            // One second of warm-up, unmeasured.
            warm_up_rounds: rate as usize,
            rounds: rate as usize * seconds as usize,
        };
        info!(%transport, peers, frame_bytes = plan.frame_bytes, "measuring");
        let result =
            floor::measure(&plan, &sender_bin, pinning.server_cpu, &pinning.description).await?;
        if result.frames_delivered < result.frames_expected || result.errors > 0 {
            bail!(
                "{transport}: the peers read {} of {} frames and {} writes failed",
                result.frames_delivered,
                result.frames_expected,
                result.errors
            );
        }
        results.push(result);
    }

    let report = Report::new("floor", results);
    let path = report.write(&args.output_dir, &file_name("floor", args.quick, peers))?;
    print_table(&report.systems)?;
    info!(path = %path.display(), "results written");
    Ok(())
}

/// Prints one line per transport to standard output.
fn print_table(results: &[FloorResult]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<10} {:>6} {:>6} {:>5} {:>19} {:>8}",
        "transport", "peers", "bytes", "rate", "delivered/expected", "us/send"
    )?;
    for result in results {
        writeln!(
            out,
            "{:<10} {:>6} {:>6} {:>5} {:>19} {:>8}",
            result.transport.to_string(),
            result.peers,
            result.frame_bytes,
            result.rate_per_second,
            format!("{}/{}", result.frames_delivered, result.frames_expected),
            format_optional(result.cpu_us_per_send, 2),
        )?;
    }
    Ok(())
}
