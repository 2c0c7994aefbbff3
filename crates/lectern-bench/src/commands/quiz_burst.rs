//! `lectern-bench quiz-burst`: thousands of students answer one question
//! within a second, against Lectern only.

use std::io::Write;
use std::time::Duration;

use anyhow::bail;
use tracing::info;

use super::{CommonArgs, format_optional, seconds_option};
use crate::open_files;
use crate::pinning::Pinning;
use crate::quiz_burst::{self, QuizBurstOptions, SystemResult};
use crate::report::{Report, file_name};
use crate::targets::Target;

/// Class sizes of a full run, in order.
const FULL_SIZES: &[usize] = &[2_000, 10_000];

/// The class size of `--quick`.
const QUICK_SIZE: usize = 200;

#[derive(Debug, Clone, clap::Args)]
pub struct QuizBurstArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Students in the class. Repeat the option or give a comma-separated
    /// list for several runs, each on a fresh server [default: 2000 and
    /// 10000, or 200 with --quick].
    #[arg(long, value_delimiter = ',')]
    pub students: Vec<usize>,

    /// Seconds over which the students' answers are spread evenly.
    #[arg(long, default_value_t = 1.0)]
    pub spread: f64,
}

/// Runs the scenario for each class size and writes `quiz-burst-N.json`,
/// or `quiz-burst-quick.json` with `--quick`.
pub async fn run(args: QuizBurstArgs, pinning: Pinning) -> anyhow::Result<()> {
    let targets = args.common.targets_or(&[Target::Lectern])?;
    if targets != [Target::Lectern] {
        bail!("quiz-burst runs against lectern only; leave out --target or pass --target lectern");
    }
    let spread = seconds_option("spread", args.spread, true)?;
    let sizes = if !args.students.is_empty() {
        args.students.clone()
    } else if args.common.quick {
        vec![QUICK_SIZE]
    } else {
        FULL_SIZES.to_vec()
    };
    if let Some(zero) = sizes.iter().find(|&&students| students == 0) {
        bail!("invalid --students {zero}: a burst needs at least one student");
    }

    // Raised before any server starts, so that each inherits the limit.
    let largest = sizes.iter().copied().max().unwrap_or(0);
    let open_file_limit = Some(open_files::ensure(
        largest as u64 + open_files::SPARE_FILES,
    )?);

    for students in sizes {
        let options = QuizBurstOptions {
            students,
            spread: Duration::from_secs_f64(spread),
        };
        info!(students, spread, "starting run");
        let (deployment, placement) = args.common.deploy(Target::Lectern, &pinning).await?;
        let system = quiz_burst::run(&deployment, &options, &placement, open_file_limit).await?;
        drop(deployment);

        let report = Report::new("quiz-burst", vec![system]);
        let name = file_name("quiz-burst", args.common.quick, students);
        let path = report.write(&args.common.output_dir, &name)?;
        print_table(&report.systems)?;
        info!(path = %path.display(), "results written");
    }
    Ok(())
}

/// Prints one line per system to standard output.
fn print_table(systems: &[SystemResult]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<8} {:>8} {:>17} {:>8} {:>8} {:>8} {:>8} {:>17} {:>5} {:>6} {:>8} {:>8} {:>9} {:>6}",
        "system",
        "students",
        "accepted/sent",
        "rejected",
        "p50 ms",
        "p99 ms",
        "max ms",
        "stored rest/db",
        "disc",
        "errors",
        "cpu s",
        "peak MiB",
        "KiB/conn",
        "gen %"
    )?;
    for system in systems {
        let stored = format!(
            "{}/{}",
            system
                .stored_results_endpoint
                .map_or("-".to_owned(), |count| count.to_string()),
            system
                .stored_database
                .map_or("-".to_owned(), |count| count.to_string()),
        );
        writeln!(
            out,
            "{:<8} {:>8} {:>17} {:>8} {:>8} {:>8} {:>8} {:>17} {:>5} {:>6} {:>8} {:>8} {:>9} {:>6}",
            system.system,
            system.students,
            format!("{}/{}", system.answers_accepted, system.answers_sent),
            system.answers_rejected,
            format_optional(system.ack_p50_ms, 2),
            format_optional(system.ack_p99_ms, 2),
            format_optional(system.ack_max_ms, 2),
            stored,
            system.disconnects,
            system.errors,
            format_optional(system.server_cpu_seconds, 2),
            format_optional(system.peak_rss_mib, 1),
            format_optional(system.rss_per_connection_kib, 1),
            format_optional(system.generator_cpu_percent, 0),
        )?;
    }
    Ok(())
}
