//! `lectern-bench many-rooms`: many rooms at once, one writer and many
//! readers in each.

use std::io::Write;
use std::time::Duration;

use anyhow::bail;
use tracing::info;

use super::{CommonArgs, format_optional, seconds_option};
use crate::many_rooms::{self, ManyRoomsOptions, SystemResult};
use crate::open_files;
use crate::pinning::Pinning;
use crate::repeat::{in_rounds, keep_medians, runs_option};
use crate::report::{Report, file_name};
use crate::targets::Target;

/// The systems the scenario runs against by default, in order. A peer that
/// `bench/setup` has not installed is skipped with a warning.
const DEFAULT_TARGETS: &[Target] = &[
    Target::Lectern,
    Target::Raw,
    Target::YWebsocket,
    Target::Hocuspocus,
    Target::YSweet,
];

#[derive(Debug, Clone, clap::Args)]
pub struct ManyRoomsArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Rooms open at once [default: 200, or 10 with --quick].
    #[arg(long)]
    pub rooms: Option<usize>,

    /// Clients per room, the writer included, so at least 2
    /// [default: 25, or 5 with --quick].
    #[arg(long)]
    pub clients_per_room: Option<usize>,

    /// Length of the measured window, in seconds [default: 30, or 2 with --quick].
    #[arg(long)]
    pub seconds: Option<f64>,

    /// Warm-up before the measured window, in seconds [default: 5, or 1 with --quick].
    #[arg(long)]
    pub warm_up: Option<f64>,

    /// Updates each writer sends per second.
    #[arg(long, default_value_t = 10)]
    pub rate: u32,

    /// Points per stroke before a writer starts a new stroke.
    #[arg(long, default_value_t = 120)]
    pub points_per_stroke: usize,

    /// Runs of each system, the systems taken in turn in every round. The
    /// results keep each system's run with the median server CPU time per
    /// delivery, and list that figure for every run.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
}

/// Runs the scenario on each target and writes `many-rooms-RxC.json`.
pub async fn run(args: ManyRoomsArgs, pinning: Pinning) -> anyhow::Result<()> {
    let targets = args.common.targets_or(DEFAULT_TARGETS)?;
    let (rooms, clients_per_room, seconds, warm_up) = if args.common.quick {
        (10, 5, 2.0, 1.0)
    } else {
        (200, 25, 30.0, 5.0)
    };
    let seconds = seconds_option("seconds", args.seconds.unwrap_or(seconds), false)?;
    let warm_up = seconds_option("warm-up", args.warm_up.unwrap_or(warm_up), true)?;
    let runs = runs_option(args.runs)?;
    let options = ManyRoomsOptions {
        rooms: args.rooms.unwrap_or(rooms),
        clients_per_room: args.clients_per_room.unwrap_or(clients_per_room),
        rate: args.rate,
        warm_up: Duration::from_secs_f64(warm_up),
        measured: Duration::from_secs_f64(seconds),
        points_per_stroke: args.points_per_stroke,
    };
    if options.rooms == 0 {
        bail!("invalid --rooms 0: the scenario needs at least one room");
    }
    if options.clients_per_room < 2 {
        bail!(
            "invalid --clients-per-room {}: a room needs its writer and at least one reader",
            options.clients_per_room
        );
    }
    if options.rate == 0 {
        bail!("invalid --rate 0: each writer must send at least one update per second");
    }

    // Raised before any server starts, so a started server inherits it.
    let clients = (options.rooms * options.clients_per_room) as u64;
    open_files::ensure(clients + open_files::SPARE_FILES)?;

    let runs_by_target = in_rounds(&targets, runs, async |target, round| {
        info!(
            ?target,
            rooms = options.rooms,
            clients_per_room = options.clients_per_room,
            round,
            runs,
            "starting run"
        );
        let (deployment, placement) = args.common.deploy(target, &pinning).await?;
        let endpoints = many_rooms::prepare_rooms(&deployment, &options).await?;
        info!(rooms = endpoints.len(), "rooms prepared");
        many_rooms::run(&endpoints, &options, &placement).await
    })
    .await?;
    let systems = keep_medians(
        runs_by_target,
        runs,
        "server_cpu_us_per_delivery",
        |run| run.figures.server_cpu_us_per_delivery,
        |run, repeats| run.repeats = Some(repeats),
    );

    let report = Report::new("many-rooms", systems);
    let name = file_name(
        "many-rooms",
        args.common.quick,
        format!("{}x{}", options.rooms, options.clients_per_room),
    );
    let path = report.write(&args.common.output_dir, &name)?;
    print_table(&report.systems)?;
    info!(path = %path.display(), "results written");
    Ok(())
}

/// Prints one line per system to standard output.
fn print_table(systems: &[SystemResult]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<11} {:>9} {:>8} {:>8} {:>8} {:>21} {:>6} {:>5} {:>6} {:>8} {:>8} {:>9} {:>8} {:>6}",
        "system",
        "rooms",
        "p50 ms",
        "p99 ms",
        "max ms",
        "delivered/expected",
        "short",
        "disc",
        "errors",
        "cpu %",
        "peak MiB",
        "KiB/conn",
        "us/upd",
        "gen %"
    )?;
    for system in systems {
        writeln!(
            out,
            "{:<11} {:>9} {:>8} {:>8} {:>8} {:>21} {:>6} {:>5} {:>6} {:>8} {:>8} {:>9} {:>8} {:>6}",
            system.system,
            format!("{}x{}", system.rooms, system.clients_per_room),
            format_optional(system.figures.p50_ms, 2),
            format_optional(system.figures.p99_ms, 2),
            format_optional(system.figures.max_ms, 2),
            format!("{}/{}", system.updates_delivered, system.updates_expected),
            system.rooms_incomplete,
            system.figures.disconnects,
            system.figures.errors,
            format_optional(system.figures.server_cpu_percent, 1),
            format_optional(system.figures.peak_rss_mib, 1),
            format_optional(system.figures.rss_per_connection_kib, 1),
            format_optional(system.figures.server_cpu_us_per_delivery, 2),
            format_optional(system.figures.generator_cpu_percent, 0),
        )?;
    }
    Ok(())
}
