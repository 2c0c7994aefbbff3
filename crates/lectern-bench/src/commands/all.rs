//! `lectern-bench all`: runs every scenario in turn, each in a child
//! process of this binary, so that one scenario's clients and servers are
//! gone before the next starts.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use tracing::{error, info};

/// The scenarios that take `--runs`. Quiz burst runs Lectern alone, render
/// measures one browser's frames and floor measures no server, so none of
/// them compares systems.
const REPEATED: &[&str] = &["lecture", "many-rooms", "join-storm", "audio"];

/// The scenarios that start no server, so take no `--lectern-bin`.
const NO_SERVER: &[&str] = &["floor"];

/// Every scenario, in the order `all` runs them.
pub const SCENARIOS: &[&str] = &[
    "lecture",
    "many-rooms",
    "join-storm",
    "quiz-burst",
    "audio",
    "render",
    "floor",
];

#[derive(Debug, Clone, clap::Args)]
pub struct AllArgs {
    /// Run each scenario's reduced version (the CI smoke test).
    #[arg(long)]
    pub quick: bool,

    /// Scenarios to skip; repeat the option for several.
    #[arg(long = "skip", value_parser = clap::builder::PossibleValuesParser::new(SCENARIOS))]
    pub skip: Vec<String>,

    /// The `lectern` binary to start [default: next to this binary].
    #[arg(long)]
    pub lectern_bin: Option<PathBuf>,

    /// Directory for the results files.
    #[arg(long, default_value = "bench/results")]
    pub output_dir: PathBuf,

    /// Runs of each system in the scenarios that compare systems
    /// (lecture, many-rooms, join-storm, audio); see their own `--runs`.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
}

/// Runs each scenario not skipped; fails when any of them failed, after
/// running the rest.
pub fn run(args: &AllArgs, no_pin: bool) -> anyhow::Result<()> {
    crate::repeat::runs_option(args.runs)?;
    let exe = std::env::current_exe().context("cannot find the bench's own path")?;
    let mut failed = Vec::new();

    for scenario in SCENARIOS {
        if args.skip.iter().any(|skipped| skipped == scenario) {
            info!(scenario, "skipped");
            continue;
        }

        let mut command = Command::new(&exe);
        command
            .arg(scenario)
            .arg("--output-dir")
            .arg(&args.output_dir);
        if args.quick {
            command.arg("--quick");
        }
        if no_pin {
            command.arg("--no-pin");
        }
        if let Some(binary) = &args.lectern_bin
            && !NO_SERVER.contains(scenario)
        {
            command.arg("--lectern-bin").arg(binary);
        }
        if args.runs != 1 && REPEATED.contains(scenario) {
            command.arg("--runs").arg(args.runs.to_string());
        }

        info!(scenario, "starting scenario");
        let started = Instant::now();
        let status = command
            .status()
            .with_context(|| format!("cannot start {}", exe.display()))?;
        let seconds = started.elapsed().as_secs_f64();
        if status.success() {
            info!(scenario, seconds, "scenario finished");
        } else {
            error!(scenario, seconds, %status, "scenario failed");
            failed.push(*scenario);
        }
    }

    if !failed.is_empty() {
        bail!(
            "{} of the scenarios failed: {}",
            failed.len(),
            failed.join(", ")
        );
    }
    Ok(())
}
