//! `lectern-bench`: runs a benchmark scenario against Lectern and its peers
//! and writes the results to bench/results/.

use anyhow::Context;
use clap::{Parser, Subcommand};
use lectern_bench::commands;
use lectern_bench::pinning::Pinning;
use tracing::info;
use tracing_subscriber::EnvFilter;

/// The log filter without `LECTERN_BENCH_LOG`. The WebRTC crates log every
/// peer's state changes at `info`, hundreds of lines per audio run.
const DEFAULT_LOG_FILTER: &str = "info,rtc=warn,rtc_ice=warn,webrtc=warn";

#[derive(Debug, Parser)]
#[command(
    name = "lectern-bench",
    version,
    about = "Load generator for Lectern and the servers it is compared with"
)]
struct Cli {
    /// Do not pin the servers and the generator to separate CPUs.
    #[arg(long, global = true)]
    no_pin: bool,

    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// Every scenario in turn, each in its own process.
    All(commands::all::AllArgs),
    /// One room, one writer drawing strokes point by point, many readers.
    Lecture(commands::lecture::LectureArgs),
    /// Thousands of students answer one quiz question within a second (Lectern only).
    QuizBurst(commands::quiz_burst::QuizBurstArgs),
    /// One WebRTC audio publisher, many listen-only subscribers, on
    /// Lectern's SFU and on Janus.
    Audio(commands::audio::AudioArgs),
    /// Many rooms at once, one writer and many readers in each.
    ManyRooms(commands::many_rooms::ManyRoomsArgs),
    /// Many clients join a room with a large document all at once.
    JoinStorm(commands::join_storm::JoinStormArgs),
    /// Frame rate while panning a board of many strokes in headless Chromium.
    Render(commands::render::RenderArgs),
    /// The kernel's own CPU time to send one frame to one peer, the floor
    /// under every server's figure.
    Floor(commands::floor::FloorArgs),
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("LECTERN_BENCH_LOG")
                .unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER)),
        )
        .with_writer(std::io::stderr)
        .init();

    let cli = Cli::parse();

    // `all` only starts child processes, which pin themselves.
    if let Scenario::All(args) = &cli.scenario {
        return commands::all::run(args, cli.no_pin);
    }

    // Pinning comes before the runtime starts, so every worker thread
    // inherits the generator's CPU.
    let pinning = Pinning::pin_generator(cli.no_pin);
    info!(%pinning, "CPU placement");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        match cli.scenario {
            Scenario::Lecture(args) => commands::lecture::run(args, pinning).await,
            Scenario::QuizBurst(args) => commands::quiz_burst::run(args, pinning).await,
            Scenario::Audio(args) => commands::audio::run(args, pinning).await,
            Scenario::ManyRooms(args) => commands::many_rooms::run(args, pinning).await,
            Scenario::JoinStorm(args) => commands::join_storm::run(args, pinning).await,
            Scenario::Render(args) => commands::render::run(args, pinning).await,
            Scenario::Floor(args) => commands::floor::run(args, pinning).await,
            Scenario::All(_) => unreachable!("`all` returned before the runtime started"),
        }
    })
}
