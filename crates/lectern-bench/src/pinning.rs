//! CPU placement of the servers and the load generator.
//!
//! On a machine with two or more CPUs the generator pins itself to
//! [`GENERATOR_CPU`] and starts each server on [`SERVER_CPU`] with
//! `taskset`, so that neither steals the other's core. The description
//! goes into every result, including the reason when pinning was skipped.

use std::process::{Command, Stdio};

use tracing::warn;

/// The CPU a server runs on. The generator gets [`GENERATOR_CPU`].
pub const SERVER_CPU: usize = 0;
pub const GENERATOR_CPU: usize = 1;

/// The placement of server and generator, for the results.
#[derive(Debug, Clone)]
pub struct Pinning {
    /// The CPU to start servers on, or `None` when unpinned.
    pub server_cpu: Option<usize>,
    pub description: String,
}

impl std::fmt::Display for Pinning {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.description)
    }
}

impl Pinning {
    /// Pins this process to [`GENERATOR_CPU`] with `taskset` and returns
    /// where servers go. Call it before the async runtime starts, so that
    /// every worker thread inherits the generator's CPU.
    pub fn pin_generator(disabled: bool) -> Self {
        if disabled {
            return Self::unpinned("--no-pin was given");
        }
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        if cores < 2 {
            return Self::unpinned(&format!("{cores} CPU available, pinning needs 2"));
        }
        let status = Command::new("taskset")
            .args(["-a", "-p", "-c", &GENERATOR_CPU.to_string()])
            .arg(std::process::id().to_string())
            .stdout(Stdio::null())
            .status();
        match status {
            Ok(status) if status.success() => Self {
                server_cpu: Some(SERVER_CPU),
                description: format!(
                    "server on CPU {SERVER_CPU}, generator on CPU {GENERATOR_CPU} (taskset)"
                ),
            },
            Ok(status) => Self::unpinned(&format!("taskset failed with {status}")),
            Err(error) => Self::unpinned(&format!("taskset cannot run: {error}")),
        }
    }

    fn unpinned(reason: &str) -> Self {
        Self {
            server_cpu: None,
            description: format!("not pinned: {reason}"),
        }
    }

    /// Pins a server the bench did not start, when its process id is known,
    /// and returns the placement to record.
    pub fn pin_running_server(&self, pid: Option<u32>) -> String {
        let (Some(pid), Some(cpu)) = (pid, self.server_cpu) else {
            return format!("{self}; server at --url not pinned without --server-pid");
        };
        let status = Command::new("taskset")
            .args(["-a", "-p", "-c", &cpu.to_string(), &pid.to_string()])
            .stdout(Stdio::null())
            .status();
        match status {
            Ok(status) if status.success() => self.description.clone(),
            _ => {
                warn!(pid, "cannot pin the server at --url");
                format!("{self}; pinning server {pid} failed")
            }
        }
    }
}
