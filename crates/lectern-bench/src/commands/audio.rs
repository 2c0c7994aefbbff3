//! `lectern-bench audio`: one WebRTC publisher and many listen-only
//! subscribers, on Lectern's SFU and on Janus's VideoRoom.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use tracing::{error, info};

use super::{CommonArgs, format_optional, seconds_option};
use crate::audio::janus::JanusServer;
use crate::audio::lectern::LecternServer;
use crate::audio::{self, AudioOptions, ServerInfo, Signalling, SystemResult};
use crate::pinning::Pinning;
use crate::repeat::{keep_medians, runs_option};
use crate::report::{Report, file_name};
use crate::targets::{Lecturer, Target, lectern_endpoint, sibling_binary};

/// A system the audio scenario runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AudioSystem {
    /// Lectern's SFU, negotiated over the room's control channel.
    Lectern,
    /// Janus's VideoRoom plugin, negotiated over Janus's HTTP API.
    Janus,
}

impl AudioSystem {
    fn name(self) -> &'static str {
        match self {
            Self::Lectern => "lectern",
            Self::Janus => "janus",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct AudioArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Systems to run against, in order; repeat the option for several
    /// [default: lectern, then janus]. `--target lectern` selects Lectern too.
    #[arg(long = "system", value_enum)]
    pub systems: Vec<AudioSystem>,

    /// Listen-only subscribers [default: 50, or 10 with --quick].
    #[arg(long)]
    pub subscribers: Option<usize>,

    /// Length of the measured window, in seconds [default: 30, or 3 with --quick].
    #[arg(long)]
    pub seconds: Option<f64>,

    /// Warm-up after the subscribers connect, in seconds [default: 3, or 1 with --quick].
    #[arg(long)]
    pub warm_up: Option<f64>,

    /// UDP ports of Lectern's media sockets, "FIRST-LAST" or "ephemeral".
    #[arg(long, default_value = "41000-41999")]
    pub lectern_media_ports: String,

    /// The `janus` binary to start.
    #[arg(long, default_value = "janus")]
    pub janus_bin: PathBuf,

    /// UDP ports of Janus's RTP and ICE sockets, "FIRST-LAST".
    #[arg(long, default_value = "42000-42999")]
    pub janus_rtp_ports: String,

    /// Runs of each system, the systems taken in turn in every round. The
    /// results keep each system's run with the median server CPU time per
    /// forwarded packet and list that figure for every run.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
}

/// Runs the scenario on each system and writes `audio-N.json`.
pub async fn run(args: AudioArgs, pinning: Pinning) -> anyhow::Result<()> {
    let systems = systems(&args)?;
    let runs = runs_option(args.runs)?;
    let (subscribers, seconds, warm_up) = if args.common.quick {
        (10, 3.0, 1.0)
    } else {
        (50, 30.0, 3.0)
    };
    let seconds = seconds_option("seconds", args.seconds.unwrap_or(seconds), false)?;
    let warm_up = seconds_option("warm-up", args.warm_up.unwrap_or(warm_up), true)?;
    let options = AudioOptions {
        subscribers: args.subscribers.unwrap_or(subscribers),
        warm_up: Duration::from_secs_f64(warm_up),
        measured: Duration::from_secs_f64(seconds),
        drain: Duration::from_secs(if args.common.quick { 1 } else { 3 }),
    };

    let mut runs_by_system: Vec<Vec<SystemResult>> = systems.iter().map(|_| Vec::new()).collect();
    let mut failures = Vec::new();
    for round in 1..=runs {
        for (system, system_runs) in systems.iter().zip(&mut runs_by_system) {
            info!(
                system = system.name(),
                subscribers = options.subscribers,
                round,
                runs,
                "starting run"
            );
            let outcome = match system {
                AudioSystem::Lectern => run_lectern(&args, &pinning, &options).await,
                AudioSystem::Janus => run_janus(&args, &pinning, &options).await,
            };
            match outcome {
                Ok(result) => system_runs.push(result),
                Err(failure) => {
                    error!(system = system.name(), round, error = %format!("{failure:#}"), "the run failed");
                    failures.push((system.name(), format!("{failure:#}")));
                }
            }
        }
    }
    let results = keep_medians(
        runs_by_system,
        runs,
        "cpu_us_per_packet",
        |run| run.cpu_us_per_packet,
        |run, repeats| run.repeats = Some(repeats),
    );

    let report = Report::new("audio", results);
    let name = file_name("audio", args.common.quick, options.subscribers);
    print_table(&report.systems, &failures)?;
    if report.systems.is_empty() {
        bail!("no system could be measured");
    }
    let path = report.write(&args.common.output_dir, &name)?;
    info!(path = %path.display(), "results written");
    Ok(())
}

/// Returns the systems asked for with `--system` or `--target`.
fn systems(args: &AudioArgs) -> anyhow::Result<Vec<AudioSystem>> {
    let mut systems = args.systems.clone();
    for target in &args.common.targets {
        match target {
            Target::Lectern => systems.push(AudioSystem::Lectern),
            other => bail!(
                "invalid --target {}: the audio scenario runs on lectern and janus (--system)",
                other.name()
            ),
        }
    }
    if systems.is_empty() {
        systems = vec![AudioSystem::Lectern, AudioSystem::Janus];
    }
    if args.common.url.is_some() && systems != [AudioSystem::Lectern] {
        bail!("--url works with --system lectern alone");
    }
    Ok(systems)
}

async fn run_lectern(
    args: &AudioArgs,
    pinning: &Pinning,
    options: &AudioOptions,
) -> anyhow::Result<SystemResult> {
    if args.common.url.is_some() {
        // NOTE: a server at --url must have audio enabled; its own
        // settings decide its media ports.
        let (deployment, placement) = args.common.deploy(Target::Lectern, pinning).await?;
        let endpoint = deployment.room(options.subscribers).await?;
        let server = ServerInfo {
            system: "lectern".to_owned(),
            version: deployment.version.clone(),
            pid: deployment.server_pid,
            pinning: placement,
        };
        return Ok(audio::run(Signalling::Lectern(&endpoint), &server, options).await?);
    }

    let binary = match &args.common.lectern_bin {
        Some(path) => path.clone(),
        None => sibling_binary("lectern")?,
    };
    let lectern = LecternServer::start(&binary, pinning.server_cpu, &args.lectern_media_ports)?;
    let base = format!("http://{}", lectern.process.address);
    let pid = lectern.process.pid();
    let endpoint = lectern_endpoint(
        &base,
        &Lecturer::bench(),
        options.subscribers,
        Some(pid),
        lectern.version.clone(),
    )
    .await
    .context("preparing the Lectern room failed")?;
    let server = ServerInfo {
        system: "lectern".to_owned(),
        version: lectern.version.clone(),
        pid: Some(pid),
        pinning: pinning.description.clone(),
    };
    Ok(audio::run(Signalling::Lectern(&endpoint), &server, options).await?)
}

async fn run_janus(
    args: &AudioArgs,
    pinning: &Pinning,
    options: &AudioOptions,
) -> anyhow::Result<SystemResult> {
    audio::network::require_bench_address()?;
    let janus = JanusServer::start(&args.janus_bin, pinning.server_cpu, &args.janus_rtp_ports)?;
    let server = ServerInfo {
        system: "janus".to_owned(),
        version: janus.version.clone(),
        pid: Some(janus.pid()),
        pinning: pinning.description.clone(),
    };
    let signalling = Signalling::Janus {
        api_url: &janus.api_url,
    };
    Ok(audio::run(signalling, &server, options).await?)
}

/// Prints one line per system to standard output, then the reason each
/// system in `failures` was not measured.
fn print_table(systems: &[SystemResult], failures: &[(&str, String)]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<8} {:>5} {:>17} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7} {:>8} {:>10} {:>8} {:>7} {:>5} {:>6} {:>6}",
        "system",
        "subs",
        "received/expected",
        "loss %",
        "jit p50",
        "jit p99",
        "lat p50",
        "lat p99",
        "cpu %",
        "us/pkt",
        "streams/core",
        "peak MiB",
        "setup s",
        "disc",
        "errors",
        "gen %"
    )?;
    for system in systems {
        writeln!(
            out,
            "{:<8} {:>5} {:>17} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7} {:>8} {:>10} {:>8} {:>7.2} {:>5} {:>6} {:>6}",
            system.system,
            system.subscribers_connected,
            format!("{}/{}", system.packets_received, system.packets_expected),
            format_optional(system.loss_percent, 2),
            format_optional(system.jitter_p50_ms, 2),
            format_optional(system.jitter_p99_ms, 2),
            format_optional(system.latency_p50_ms, 2),
            format_optional(system.latency_p99_ms, 2),
            format_optional(system.server_cpu_percent, 1),
            format_optional(system.cpu_us_per_packet, 1),
            format_optional(system.streams_per_core, 0),
            format_optional(system.peak_rss_mib, 1),
            system.setup_seconds,
            system.disconnects,
            system.errors,
            format_optional(system.generator_cpu_percent, 0),
        )?;
    }
    for (system, reason) in failures {
        writeln!(out, "{system:<8} not measured: {reason}")?;
    }
    Ok(())
}
