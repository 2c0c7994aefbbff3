//! `lectern-bench join-storm`: many clients join a room with a large
//! document all at once.

use std::io::Write;
use std::time::Duration;

use anyhow::bail;
use tracing::info;

use super::{CommonArgs, format_optional, seconds_option};
use crate::join_storm::{self, JoinStormOptions, SystemResult};
use crate::open_files;
use crate::pinning::Pinning;
use crate::repeat::{in_rounds, keep_medians, runs_option};
use crate::report::{Report, file_name};
use crate::targets::Target;

/// The systems the scenario runs against by default, in order; the raw
/// relay keeps no document, so it has nothing to sync. A peer that
/// `bench/setup` has not installed is skipped with a warning.
const DEFAULT_TARGETS: &[Target] = &[
    Target::Lectern,
    Target::YWebsocket,
    Target::Hocuspocus,
    Target::YSweet,
];

#[derive(Debug, Clone, clap::Args)]
pub struct JoinStormArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Strokes in the document before the storm [default: 10000, or 1000 with --quick].
    #[arg(long)]
    pub strokes: Option<usize>,

    /// Points in each stroke.
    #[arg(long, default_value_t = 20)]
    pub points_per_stroke: usize,

    /// Clients that join at once [default: 500, or 50 with --quick].
    #[arg(long)]
    pub clients: Option<usize>,

    /// Time to synced, in seconds, that counts as fast enough.
    #[arg(long, default_value_t = 2.0)]
    pub goal: f64,

    /// Seconds the storm may last before clients still unsynced count as
    /// failed.
    #[arg(long, default_value_t = 60.0)]
    pub timeout: f64,

    /// Runs of each system, the systems taken in turn in every round. The
    /// results keep each system's run with the median length of the storm
    /// (`storm_seconds`), and list that figure for every run. A run in which
    /// some client did not sync counts as lasting the whole timeout.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
}

/// Runs the scenario on each target and writes `join-storm-N.json`.
pub async fn run(args: JoinStormArgs, pinning: Pinning) -> anyhow::Result<()> {
    let targets = args.common.targets_or(DEFAULT_TARGETS)?;
    if targets.contains(&Target::Raw) {
        bail!(
            "join-storm cannot run against raw: the raw broadcast server keeps no document \
             and does not answer sync step 1, so a joining client would never receive \
             the strokes; choose a target that stores the document"
        );
    }
    let (strokes, clients) = if args.common.quick {
        (1_000, 50)
    } else {
        (10_000, 500)
    };
    let options = JoinStormOptions {
        strokes: args.strokes.unwrap_or(strokes),
        points_per_stroke: args.points_per_stroke,
        clients: args.clients.unwrap_or(clients),
        goal: Duration::from_secs_f64(seconds_option("goal", args.goal, false)?),
        timeout: Duration::from_secs_f64(seconds_option("timeout", args.timeout, false)?),
    };
    let runs = runs_option(args.runs)?;
    if options.strokes == 0 {
        bail!("invalid --strokes 0: the document needs at least one stroke");
    }
    if options.points_per_stroke == 0 {
        bail!("invalid --points-per-stroke 0: a stroke needs at least one point");
    }
    if options.clients == 0 {
        bail!("invalid --clients 0: the storm needs at least one client");
    }

    // Every client connects at once, so each needs its descriptor at once.
    // Raised before any server starts, so a started server inherits it.
    open_files::ensure(options.clients as u64 + open_files::SPARE_FILES)?;

    let runs_by_target = in_rounds(&targets, runs, async |target, round| {
        info!(
            ?target,
            strokes = options.strokes,
            clients = options.clients,
            round,
            runs,
            "starting run"
        );
        let (deployment, placement) = args.common.deploy(target, &pinning).await?;
        let readers = options.clients + join_storm::EXTRA_READERS;
        let endpoint = deployment.room(readers).await?;
        join_storm::run(&endpoint, &options, &placement).await
    })
    .await?;
    let systems = keep_medians(
        runs_by_target,
        runs,
        "storm_seconds",
        |run| Some(ranked_storm_seconds(run, options.timeout)),
        |run, repeats| run.repeats = Some(repeats),
    );

    let report = Report::new("join-storm", systems);
    let name = file_name("join-storm", args.common.quick, options.clients);
    let path = report.write(&args.common.output_dir, &name)?;
    print_table(&report.systems)?;
    info!(path = %path.display(), "results written");
    Ok(())
}

/// Returns the storm length by which repeated runs are ranked. A storm that
/// left a client unsynced counts as lasting `timeout`, so the median never
/// picks it over a storm in which every client synced.
fn ranked_storm_seconds(run: &SystemResult, timeout: Duration) -> f64 {
    if run.clients_synced < run.clients {
        run.storm_seconds.max(timeout.as_secs_f64())
    } else {
        run.storm_seconds
    }
}

/// Prints one line per system to standard output.
fn print_table(systems: &[SystemResult]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<11} {:>7} {:>8} {:>8} {:>8} {:>8} {:>10} {:>9} {:>5} {:>6} {:>7} {:>8} {:>6}",
        "system",
        "strokes",
        "p50 ms",
        "p99 ms",
        "max ms",
        "synced",
        "in goal",
        "KiB/cl",
        "disc",
        "errors",
        "cpu s",
        "peak MiB",
        "gen %"
    )?;
    for system in systems {
        writeln!(
            out,
            "{:<11} {:>7} {:>8} {:>8} {:>8} {:>8} {:>10} {:>9} {:>5} {:>6} {:>7} {:>8} {:>6}",
            system.system,
            system.strokes,
            format_optional(system.p50_ms, 1),
            format_optional(system.p99_ms, 1),
            format_optional(system.max_ms, 1),
            format!("{}/{}", system.clients_synced, system.clients),
            format!("{}/{}", system.synced_within_goal, system.clients),
            format_optional(
                system.bytes_received_per_client.map(|bytes| bytes / 1024.0),
                1
            ),
            system.disconnects,
            system.errors,
            format_optional(system.server_cpu_seconds, 2),
            format_optional(system.peak_rss_mib, 1),
            format_optional(system.generator_cpu_percent, 0),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn storm(clients_synced: usize, storm_seconds: f64) -> SystemResult {
        SystemResult {
            system: "lectern".to_owned(),
            version: "0.1.0".to_owned(),
            strokes: 1_000,
            points_per_stroke: 20,
            document_bytes: 100_000,
            fill_seconds: 0.5,
            clients: 50,
            clients_connected: 50,
            clients_synced,
            synced_within_goal: clients_synced,
            goal_seconds: 2.0,
            p50_ms: Some(300.0),
            p99_ms: Some(700.0),
            max_ms: Some(800.0),
            storm_seconds,
            bytes_received_per_client: Some(100_000.0),
            generator_decodes: 1,
            disconnects: 0,
            errors: 0,
            server_cpu_seconds: Some(0.2),
            generator_cpu_percent: Some(40.0),
            rss_growth_mib: Some(3.0),
            peak_rss_mib: Some(40.0),
            pinning: "not pinned: test".to_owned(),
            repeats: None,
        }
    }

    #[test]
    fn unsynced_storm_ranks_as_timeout() {
        let timeout = Duration::from_secs(60);
        assert_eq!(ranked_storm_seconds(&storm(50, 0.8), timeout), 0.8);
        assert_eq!(ranked_storm_seconds(&storm(49, 0.3), timeout), 60.0);

        let runs = vec![storm(50, 1.2), storm(40, 0.3), storm(50, 0.9)];
        let kept = keep_medians(
            vec![runs],
            3,
            "storm_seconds",
            |run| Some(ranked_storm_seconds(run, timeout)),
            |run, repeats| run.repeats = Some(repeats),
        );
        assert_eq!(
            kept[0].storm_seconds, 1.2,
            "the fast failed storm is not the median"
        );
        let repeats = kept[0].repeats.as_ref().expect("three runs were recorded");
        assert_eq!(repeats.values, vec![Some(1.2), Some(60.0), Some(0.9)]);
    }
}
