//! `lectern-bench`: runs a benchmark scenario against Lectern and its peers
//! and writes the results to bench/results/.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use lectern_bench::lecture::{self, LectureOptions, SystemResult};
use lectern_bench::procfs::Machine;
use lectern_bench::report::{Report, utc_now};
use lectern_bench::targets::{self, Endpoint, Lecturer, ServerProcess};
use tracing::{info, warn};
use tracing_subscriber::EnvFilter;

/// The CPU the server is pinned to; the generator gets [`GENERATOR_CPU`].
const SERVER_CPU: usize = 0;
const GENERATOR_CPU: usize = 1;

#[derive(Debug, Parser)]
#[command(
    name = "lectern-bench",
    version,
    about = "Load generator for Lectern's board WebSocket"
)]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// One room, one writer drawing strokes point by point, many readers.
    Lecture(LectureArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    /// Lectern's `lectern serve`.
    Lectern,
    /// The raw broadcast server of this crate, the ceiling.
    Raw,
}

#[derive(Debug, clap::Args)]
struct LectureArgs {
    /// Systems to run against, in order; repeat the option for several
    /// [default: lectern and raw].
    #[arg(long = "target", value_enum)]
    targets: Vec<Target>,

    /// Readers in the room [default: 50, or 20 with --quick].
    #[arg(long)]
    readers: Option<usize>,

    /// Length of the measured window, in seconds [default: 30, or 3 with --quick].
    #[arg(long)]
    seconds: Option<f64>,

    /// Warm-up before the measured window, in seconds [default: 5, or 1 with --quick].
    #[arg(long)]
    warm_up: Option<f64>,

    /// Updates the writer sends per second.
    #[arg(long, default_value_t = 60)]
    rate: u32,

    /// Points per stroke before the writer starts a new stroke.
    #[arg(long, default_value_t = 120)]
    points_per_stroke: usize,

    /// Reduced run, well under a minute: 20 readers, 1 s warm-up and 3 s
    /// measured, unless those options are given too.
    #[arg(long)]
    quick: bool,

    /// Base URL of a server already running on this machine
    /// (`http://127.0.0.1:8080` for lectern, `ws://127.0.0.1:9000` for raw)
    /// instead of starting one; needs exactly one --target.
    #[arg(long)]
    url: Option<String>,

    /// Process id of the server at --url, for its CPU time and memory.
    #[arg(long)]
    server_pid: Option<u32>,

    /// Lecturer email on the server at --url.
    #[arg(long, default_value = "bench@example.org")]
    email: String,

    /// Lecturer password on the server at --url.
    #[arg(long, env = "LECTERN_BENCH_PASSWORD", hide_env_values = true)]
    password: Option<String>,

    /// The `lectern` binary to start [default: next to this binary].
    #[arg(long)]
    lectern_bin: Option<PathBuf>,

    /// The `raw-broadcast` binary to start [default: next to this binary].
    #[arg(long)]
    raw_bin: Option<PathBuf>,

    /// Do not pin the server and the generator to separate CPUs.
    #[arg(long)]
    no_pin: bool,

    /// Directory for the results file.
    #[arg(long, default_value = "bench/results")]
    output_dir: PathBuf,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("LECTERN_BENCH_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let Scenario::Lecture(args) = Cli::parse().scenario;

    // Pinning comes before the runtime starts, so every worker thread
    // inherits the generator's CPU.
    let pinning = pin_generator(args.no_pin);
    info!(%pinning, "CPU placement");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run_lecture(args, pinning))
}

/// The placement of server and generator, for the results.
#[derive(Debug, Clone)]
struct Pinning {
    server_cpu: Option<usize>,
    description: String,
}

impl std::fmt::Display for Pinning {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.description)
    }
}

/// Pins this process to [`GENERATOR_CPU`] with `taskset` and returns where
/// the server goes.
fn pin_generator(disabled: bool) -> Pinning {
    let unpinned = |reason: String| Pinning {
        server_cpu: None,
        description: format!("not pinned: {reason}"),
    };
    if disabled {
        return unpinned("--no-pin was given".to_owned());
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if cores < 2 {
        return unpinned(format!("{cores} CPU available, pinning needs 2"));
    }
    let status = Command::new("taskset")
        .args(["-a", "-p", "-c", &GENERATOR_CPU.to_string()])
        .arg(std::process::id().to_string())
        .stdout(std::process::Stdio::null())
        .status();
    match status {
        Ok(status) if status.success() => Pinning {
            server_cpu: Some(SERVER_CPU),
            description: format!(
                "server on CPU {SERVER_CPU}, generator on CPU {GENERATOR_CPU} (taskset)"
            ),
        },
        Ok(status) => unpinned(format!("taskset failed with {status}")),
        Err(error) => unpinned(format!("taskset cannot run: {error}")),
    }
}

async fn run_lecture(mut args: LectureArgs, pinning: Pinning) -> anyhow::Result<()> {
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    if args.targets.is_empty() {
        args.targets = vec![Target::Lectern, Target::Raw];
    }
    if args.url.is_some() && args.targets.len() != 1 {
        bail!(
            "--url needs exactly one --target, got {}",
            args.targets.len()
        );
    }
    if let Some(url) = &args.url {
        targets::require_loopback(url)?;
    }
    let (readers, seconds, warm_up) = if args.quick {
        (20, 3.0, 1.0)
    } else {
        (50, 30.0, 5.0)
    };
    let seconds = args.seconds.unwrap_or(seconds);
    let warm_up = args.warm_up.unwrap_or(warm_up);
    if !(seconds.is_finite() && seconds > 0.0) {
        bail!(
            "invalid --seconds {seconds}: the measured window must be a positive number of seconds"
        );
    }
    if !(warm_up.is_finite() && warm_up >= 0.0) {
        bail!("invalid --warm-up {warm_up}: the warm-up must be zero or more seconds");
    }
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

    let mut systems = Vec::new();
    for target in args.targets.clone() {
        info!(?target, readers = options.readers, "starting run");
        let result = run_target(target, &args, &options, &pinning).await?;
        systems.push(result);
    }

    let report = Report {
        scenario: "lecture".to_owned(),
        date: utc_now(),
        machine: Machine::detect(),
        command,
        systems,
    };
    let name = if args.quick {
        "lecture-quick".to_owned()
    } else {
        format!("lecture-{}", options.readers)
    };
    let path = report.write(&args.output_dir, &name)?;
    print_table(&report.systems)?;
    info!(path = %path.display(), "results written");
    Ok(())
}

async fn run_target(
    target: Target,
    args: &LectureArgs,
    options: &LectureOptions,
    pinning: &Pinning,
) -> anyhow::Result<SystemResult> {
    // The server process lives until the run ends and is killed on drop.
    let mut _server: Option<ServerProcess> = None;
    let mut placement = pinning.description.clone();

    let endpoint: Endpoint = match (target, &args.url) {
        (Target::Lectern, None) => {
            let binary = match &args.lectern_bin {
                Some(path) => path.clone(),
                None => targets::sibling_binary("lectern")?,
            };
            let server = targets::start_lectern(&binary, pinning.server_cpu)?;
            let base = format!("http://{}", server.address);
            let version = targets::lectern_version(&binary);
            let endpoint = targets::lectern_endpoint(
                &base,
                &Lecturer::bench(),
                options.readers,
                Some(server.pid()),
                version,
            )
            .await?;
            _server = Some(server);
            endpoint
        }
        (Target::Lectern, Some(url)) => {
            let Some(password) = args.password.clone() else {
                bail!(
                    "--url with --target lectern needs the lecturer's password in LECTERN_BENCH_PASSWORD"
                );
            };
            placement = pin_running_server(args.server_pid, pinning);
            let lecturer = Lecturer {
                email: args.email.clone(),
                password,
            };
            targets::lectern_endpoint(
                url,
                &lecturer,
                options.readers,
                args.server_pid,
                "unknown".to_owned(),
            )
            .await?
        }
        (Target::Raw, None) => {
            let binary = match &args.raw_bin {
                Some(path) => path.clone(),
                None => targets::sibling_binary("raw-broadcast")?,
            };
            let server = targets::start_raw(&binary, pinning.server_cpu)?;
            let endpoint = targets::raw_endpoint(
                &format!("ws://{}", server.address),
                options.readers,
                Some(server.pid()),
            );
            _server = Some(server);
            endpoint
        }
        (Target::Raw, Some(url)) => {
            placement = pin_running_server(args.server_pid, pinning);
            targets::raw_endpoint(url, options.readers, args.server_pid)
        }
    };

    lecture::run(&endpoint, options, &placement).await
}

/// Pins a server the bench did not start, when its pid is known.
fn pin_running_server(pid: Option<u32>, pinning: &Pinning) -> String {
    let (Some(pid), Some(cpu)) = (pid, pinning.server_cpu) else {
        return format!("{pinning}; server at --url not pinned without --server-pid");
    };
    let status = Command::new("taskset")
        .args(["-a", "-p", "-c", &cpu.to_string(), &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .status();
    match status {
        Ok(status) if status.success() => pinning.description.clone(),
        _ => {
            warn!(pid, "cannot pin the server at --url");
            format!("{pinning}; pinning server {pid} failed")
        }
    }
}

/// Prints one line per system to standard output.
fn print_table(systems: &[SystemResult]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let format_ms = |value: Option<f64>| value.map_or("-".to_owned(), |ms| format!("{ms:.2}"));
    let format_number =
        |value: Option<f64>| value.map_or("-".to_owned(), |number| format!("{number:.1}"));
    writeln!(
        out,
        "{:<8} {:>7} {:>8} {:>8} {:>8} {:>19} {:>5} {:>6} {:>8} {:>8} {:>9}",
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
        "KiB/conn"
    )?;
    for system in systems {
        writeln!(
            out,
            "{:<8} {:>7} {:>8} {:>8} {:>8} {:>19} {:>5} {:>6} {:>8} {:>8} {:>9}",
            system.system,
            system.readers,
            format_ms(system.p50_ms),
            format_ms(system.p99_ms),
            format_ms(system.max_ms),
            format!("{}/{}", system.updates_delivered, system.updates_expected),
            system.disconnects,
            system.errors,
            format_number(system.server_cpu_percent),
            format_number(system.peak_rss_mib),
            format_number(system.rss_per_connection_kib),
        )?;
    }
    Ok(())
}
