//! The command line of each scenario: options shared by every scenario in
//! [`CommonArgs`], and one module per scenario that parses its own options,
//! runs it on each target and writes the results.

pub mod all;
pub mod audio;
pub mod floor;
pub mod join_storm;
pub mod lecture;
pub mod many_rooms;
pub mod quiz_burst;
pub mod render;

use std::path::PathBuf;

use anyhow::bail;

use crate::pinning::Pinning;
use crate::targets::{Deployment, Lecturer, StartOptions, Target, available_targets};

/// Options every scenario takes.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Systems to run against, in order; repeat the option for several
    /// [default: every system the scenario supports].
    #[arg(long = "target", value_enum)]
    pub targets: Vec<Target>,

    /// Reduced run for a smoke test: fewer clients and shorter windows.
    #[arg(long)]
    pub quick: bool,

    /// Base URL of a server already running on this machine
    /// instead of starting one: `http://HOST:PORT` for lectern and y-sweet,
    /// `ws://HOST:PORT` for raw, y-websocket and hocuspocus. Needs exactly
    /// one --target.
    #[arg(long)]
    pub url: Option<String>,

    /// Process id of the server at --url, for its CPU time and memory.
    #[arg(long)]
    pub server_pid: Option<u32>,

    /// Lecturer email on the server at --url.
    #[arg(long, default_value = "bench@example.org")]
    pub email: String,

    /// Lecturer password on the server at --url.
    #[arg(long, env = "LECTERN_BENCH_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,

    /// The `lectern` binary to start [default: next to this binary].
    #[arg(long)]
    pub lectern_bin: Option<PathBuf>,

    /// The `raw-broadcast` binary to start [default: next to this binary].
    #[arg(long)]
    pub raw_bin: Option<PathBuf>,

    /// Directory for the results file.
    #[arg(long, default_value = "bench/results")]
    pub output_dir: PathBuf,
}

impl CommonArgs {
    /// Returns the targets asked for, or `default` when none was. Peers that
    /// `bench/setup` has not installed are skipped with a warning, unless
    /// `--url` names a server that runs already. Checks that `--url` comes
    /// with exactly one target.
    pub fn targets_or(&self, default: &[Target]) -> anyhow::Result<Vec<Target>> {
        let mut targets = if self.targets.is_empty() {
            default.to_vec()
        } else {
            self.targets.clone()
        };
        if self.url.is_some() && targets.len() != 1 {
            bail!("--url needs exactly one --target, got {}", targets.len());
        }
        if self.url.is_none() {
            targets = available_targets(&targets);
        }
        if targets.is_empty() {
            bail!("none of the requested systems is installed; run bench/setup");
        }
        Ok(targets)
    }

    /// Starts `target`, or reaches it at `--url`, and returns it with the
    /// placement to record in the results.
    pub async fn deploy(
        &self,
        target: Target,
        pinning: &Pinning,
    ) -> anyhow::Result<(Deployment, String)> {
        let Some(url) = &self.url else {
            let options = StartOptions {
                lectern_bin: self.lectern_bin.clone(),
                raw_bin: self.raw_bin.clone(),
                server_cpu: pinning.server_cpu,
            };
            let deployment = Deployment::start(target, &options).await?;
            return Ok((deployment, pinning.description.clone()));
        };

        let password = match (target, &self.password) {
            (Target::Lectern, None) => bail!(
                "--url with --target lectern needs the lecturer's password in LECTERN_BENCH_PASSWORD"
            ),
            (_, password) => password.clone().unwrap_or_default(),
        };
        let lecturer = Lecturer {
            email: self.email.clone(),
            password,
        };
        let deployment = Deployment::running(target, url, self.server_pid, lecturer)?;
        Ok((deployment, pinning.pin_running_server(self.server_pid)))
    }
}

/// Checks a duration option in seconds.
pub fn seconds_option(name: &str, value: f64, allow_zero: bool) -> anyhow::Result<f64> {
    let valid = value.is_finite() && (value > 0.0 || (allow_zero && value == 0.0));
    if !valid {
        let expected = if allow_zero {
            "zero or more seconds"
        } else {
            "a positive number of seconds"
        };
        bail!("invalid --{name} {value}: expected {expected}");
    }
    Ok(value)
}

/// Formats an optional figure for a table, `-` when absent.
pub fn format_optional(value: Option<f64>, decimals: usize) -> String {
    value.map_or("-".to_owned(), |number| format!("{number:.decimals$}"))
}
