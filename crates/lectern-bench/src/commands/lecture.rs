//! `lectern-bench lecture`: one room, one writer, many readers.

use std::io::Write;
use std::time::Duration;

use anyhow::bail;
use tracing::info;

use super::{CommonArgs, format_optional, seconds_option};
use crate::lecture::{self, LectureOptions, SystemResult};
use crate::pinning::Pinning;
use crate::repeat::{in_rounds, keep_medians, runs_option};
use crate::report::{Report, file_name};
use crate::targets::Target;

/// The systems the lecture scenario runs against by default, in order. A
/// peer that `bench/setup` has not installed is skipped with a warning.
const DEFAULT_TARGETS: &[Target] = &[
    Target::Lectern,
    Target::Raw,
    Target::YWebsocket,
    Target::Hocuspocus,
    Target::YSweet,
];

#[derive(Debug, Clone, clap::Args)]
pub struct LectureArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Readers in the room [default: 50, or 20 with --quick].
    #[arg(long)]
    pub readers: Option<usize>,

    /// Length of the measured window, in seconds [default: 30, or 2 with --quick].
    #[arg(long)]
    pub seconds: Option<f64>,

    /// Warm-up before the measured window, in seconds [default: 5, or 0.5 with --quick].
    #[arg(long)]
    pub warm_up: Option<f64>,

    /// Updates the writer sends per second.
    #[arg(long, default_value_t = 60)]
    pub rate: u32,

    /// Points per stroke before the writer starts a new stroke.
    #[arg(long, default_value_t = 120)]
    pub points_per_stroke: usize,

    /// Runs of each system, the systems taken in turn in every round. The
    /// results keep each system's run with the median server CPU time per
    /// delivery and list that figure for every run.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
}

/// Runs the scenario on each target and writes `lecture-N.json`.
pub async fn run(args: LectureArgs, pinning: Pinning) -> anyhow::Result<()> {
    let targets = args.common.targets_or(DEFAULT_TARGETS)?;
    // Quick mode runs all five systems in about 20 seconds.
    let (readers, seconds, warm_up) = if args.common.quick {
        (20, 2.0, 0.5)
    } else {
        (50, 30.0, 5.0)
    };
    let seconds = seconds_option("seconds", args.seconds.unwrap_or(seconds), false)?;
    let warm_up = seconds_option("warm-up", args.warm_up.unwrap_or(warm_up), true)?;
    let runs = runs_option(args.runs)?;
    if args.rate == 0 {
        bail!("invalid --rate 0: the writer must send at least one update per second");
    }
    let options = LectureOptions {
        readers: args.readers.unwrap_or(readers),
        rate: args.rate,
        warm_up: Duration::from_secs_f64(warm_up),
        measured: Duration::from_secs_f64(seconds),
        points_per_stroke: args.points_per_stroke,
    };

    let runs_by_target = in_rounds(&targets, runs, async |target, round| {
        info!(
            ?target,
            readers = options.readers,
            round,
            runs,
            "starting run"
        );
        let (deployment, placement) = args.common.deploy(target, &pinning).await?;
        let endpoint = deployment.room(options.readers).await?;
        lecture::run(&endpoint, &options, &placement).await
    })
    .await?;
    let systems = keep_medians(
        runs_by_target,
        runs,
        "server_cpu_us_per_delivery",
        |run| run.figures.server_cpu_us_per_delivery,
        |run, repeats| run.repeats = Some(repeats),
    );

    let report = Report::new("lecture", systems);
    let name = file_name("lecture", args.common.quick, options.readers);
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
        "{:<11} {:>7} {:>8} {:>8} {:>8} {:>19} {:>5} {:>6} {:>8} {:>8} {:>9} {:>8} {:>6}",
        "system",
        "readers",
        "p50 ms",
        "p99 ms",
        "max ms",
        "delivered/expected",
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
            "{:<11} {:>7} {:>8} {:>8} {:>8} {:>19} {:>5} {:>6} {:>8} {:>8} {:>9} {:>8} {:>6}",
            system.system,
            system.readers,
            format_optional(system.figures.p50_ms, 2),
            format_optional(system.figures.p99_ms, 2),
            format_optional(system.figures.max_ms, 2),
            format!("{}/{}", system.updates_delivered, system.updates_expected),
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
