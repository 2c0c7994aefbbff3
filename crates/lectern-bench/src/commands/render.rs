//! `lectern-bench render`: frame rate while panning a board of many
//! strokes in headless Chromium (Lectern only, as the peers have no web
//! client).

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use tracing::info;

use super::{CommonArgs, format_optional, seconds_option};
use crate::pinning::{GENERATOR_CPU, Pinning};
use crate::render::{self, RenderOptions, SystemResult};
use crate::report::{Report, file_name};
use crate::targets::Target;

#[derive(Debug, Clone, clap::Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Strokes on the board [default: 5000, or 500 with --quick].
    #[arg(long)]
    pub strokes: Option<usize>,

    /// Points per stroke: 60 is one second of drawing at 60 pointer events
    /// per second.
    #[arg(long, default_value_t = 60)]
    pub points_per_stroke: usize,

    /// How long the browser pans, in seconds [default: 10, or 2 with --quick].
    #[arg(long)]
    pub seconds: Option<f64>,

    /// How long the browser may take to show every stroke after opening the
    /// room, in seconds.
    #[arg(long, default_value_t = 300.0)]
    pub load_timeout: f64,

    /// The Node.js program that runs the browser script.
    #[arg(long, default_value = "node")]
    pub node: PathBuf,

    /// The browser script, relative to the working directory.
    #[arg(long, default_value = "bench/render/pan.js")]
    pub script: PathBuf,

    /// The Chromium binary.
    #[arg(long, env = "CHROMIUM_BIN", default_value = "/usr/bin/chromium")]
    pub chromium: PathBuf,

    /// Write a DevTools CPU profile of the renderer during the pan to this
    /// file, and add its top functions to the results. The profiler slows
    /// the page down, so frame times of such a run are not comparable.
    #[arg(long)]
    pub cpu_profile: Option<PathBuf>,

    /// Write a Chromium trace of the pan to this file, and add its top
    /// events to the results. Tracing slows the page down too.
    #[arg(long)]
    pub trace: Option<PathBuf>,
}

/// Runs the scenario on Lectern and writes `render-N.json`.
pub async fn run(args: RenderArgs, pinning: Pinning) -> anyhow::Result<()> {
    let targets = args.common.targets_or(&[Target::Lectern])?;
    if let Some(other) = targets.iter().find(|target| **target != Target::Lectern) {
        bail!(
            "invalid --target {}: the render scenario runs only against lectern, \
             the only system with a web client",
            other.name()
        );
    }
    let (strokes, seconds) = if args.common.quick {
        (500, 2.0)
    } else {
        (5_000, 10.0)
    };
    let strokes = args.strokes.unwrap_or(strokes);
    if strokes == 0 || args.points_per_stroke == 0 {
        bail!("invalid --strokes or --points-per-stroke 0: the board needs at least one point");
    }
    let browser_cpu = pinning.server_cpu.map(|_| GENERATOR_CPU);
    let options = RenderOptions {
        strokes,
        points_per_stroke: args.points_per_stroke,
        pan_seconds: seconds_option("seconds", args.seconds.unwrap_or(seconds), false)?,
        load_timeout_seconds: seconds_option("load-timeout", args.load_timeout, false)?,
        node: args.node.clone(),
        script: args.script.clone(),
        chromium: args.chromium.clone(),
        browser_cpu,
        cpu_profile: args.cpu_profile.clone(),
        trace: args.trace.clone(),
    };

    let mut systems = Vec::new();
    for target in targets {
        info!(?target, strokes, "starting run");
        let (deployment, placement) = args.common.deploy(target, &pinning).await?;
        let placement = match browser_cpu {
            Some(cpu) => format!("{placement}; Node.js and Chromium on CPU {cpu} (taskset)"),
            None => format!("{placement}; Node.js and Chromium not pinned"),
        };
        let endpoint = deployment.room(0).await?;
        systems.push(
            render::run(
                &endpoint,
                deployment.base_url(),
                deployment.lecturer(),
                &options,
                &placement,
            )
            .await?,
        );
    }

    let report = Report::new("render", systems);
    let name = file_name("render", args.common.quick, strokes);
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
        "{:<8} {:>7} {:>10} {:>13} {:>7} {:>8} {:>8} {:>8} {:>5} {:>10} {:>9}",
        "system",
        "strokes",
        "load ms",
        "frames/input",
        "fps",
        "p50 ms",
        "p99 ms",
        "max ms",
        ">50ms",
        "repaint ms",
        "srv cpu s"
    )?;
    for system in systems {
        let browser = &system.browser;
        writeln!(
            out,
            "{:<8} {:>7} {:>10.0} {:>13} {:>7} {:>8} {:>8} {:>8} {:>5} {:>10} {:>9}",
            system.system,
            system.strokes,
            browser.time_to_full_render_ms,
            format!("{}/{}", browser.frames, browser.frames_with_input),
            format_optional(browser.fps_mean, 1),
            format_optional(browser.frame_ms_p50, 1),
            format_optional(browser.frame_ms_p99, 1),
            format_optional(browser.frame_ms_max, 1),
            browser.long_frames,
            format_optional(browser.repaint_frame_ms_mean, 1),
            format_optional(system.server_cpu_seconds, 2),
        )?;
    }
    writeln!(
        out,
        "Chromium {} with software rendering (no GPU)",
        systems
            .first()
            .map_or("unknown", |system| system.browser.chromium.as_str())
    )?;
    Ok(())
}
