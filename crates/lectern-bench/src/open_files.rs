//! Raises this process's limit on open files for scenarios with thousands
//! of connections.
//!
//! Every client socket takes a file descriptor, and many systems start
//! processes with a soft limit of 1024. An unprivileged process may raise
//! its soft limit up to the hard limit, which is what [`ensure`] does with
//! util-linux's `prlimit`. Servers the bench starts afterwards inherit the
//! raised limit.

use std::process::{Command, Stdio};

use thiserror::Error;
use tracing::info;

/// A failure to make the open-file limit high enough.
#[derive(Debug, Error)]
pub enum OpenFilesError {
    #[error("cannot read the open-file limit from /proc/self/limits: {0}")]
    Read(String),

    #[error(
        "the scenario needs {needed} open files but the hard limit is {hard}; \
         raise it (for example `ulimit -Hn {needed}` as root, or `nofile` in \
         /etc/security/limits.conf) or run fewer clients"
    )]
    HardLimit { needed: u64, hard: u64 },

    #[error(
        "raising the open-file limit to {needed} with `prlimit` failed: {reason}; \
         run `ulimit -n {needed}` before the bench"
    )]
    Raise { reason: String, needed: u64 },
}

/// The soft and hard limits on open files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub soft: u64,
    pub hard: u64,
}

/// Makes sure this process may open `needed` files, raising the soft limit
/// up to the hard limit when it is lower. Returns the soft limit in force.
pub fn ensure(needed: u64) -> Result<u64, OpenFilesError> {
    let limits = current()?;
    if limits.soft >= needed {
        return Ok(limits.soft);
    }
    if limits.hard < needed {
        return Err(OpenFilesError::HardLimit {
            needed,
            hard: limits.hard,
        });
    }

    // The hard limit, so that a server started later has room too.
    let target = limits.hard;
    let status = Command::new("prlimit")
        .arg("--pid")
        .arg(std::process::id().to_string())
        .arg(format!("--nofile={target}:{}", limits.hard))
        .stdout(Stdio::null())
        .status()
        .map_err(|error| OpenFilesError::Raise {
            reason: error.to_string(),
            needed,
        })?;
    if !status.success() {
        return Err(OpenFilesError::Raise {
            reason: format!("prlimit exited with {status}"),
            needed,
        });
    }

    let raised = current()?;
    if raised.soft < needed {
        return Err(OpenFilesError::Raise {
            reason: format!("the soft limit is still {}", raised.soft),
            needed,
        });
    }
    info!(
        from = limits.soft,
        to = raised.soft,
        "raised the open-file limit"
    );
    Ok(raised.soft)
}

/// Reads this process's limits on open files.
pub fn current() -> Result<Limits, OpenFilesError> {
    let text = std::fs::read_to_string("/proc/self/limits")
        .map_err(|error| OpenFilesError::Read(error.to_string()))?;
    parse_limits(&text).ok_or_else(|| OpenFilesError::Read("no `Max open files` line".to_owned()))
}

/// Parses the `Max open files` line of /proc/PID/limits. `unlimited` is
/// returned as `u64::MAX`.
pub fn parse_limits(text: &str) -> Option<Limits> {
    let line = text
        .lines()
        .find_map(|line| line.strip_prefix("Max open files"))?;
    let mut fields = line.split_whitespace();
    let parse = |field: &str| match field {
        "unlimited" => Some(u64::MAX),
        number => number.parse().ok(),
    };
    let soft = parse(fields.next()?)?;
    let hard = parse(fields.next()?)?;
    Some(Limits { soft, hard })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: &str = "\
Limit                     Soft Limit           Hard Limit           Units
Max processes             95000                95000                processes
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
";

    #[test]
    fn open_files_line_parses() {
        assert_eq!(
            parse_limits(LIMITS),
            Some(Limits {
                soft: 1024,
                hard: 524_288
            })
        );
    }

    #[test]
    fn unlimited_parses_as_max() {
        let text = "Max open files            unlimited            unlimited            files\n";
        assert_eq!(
            parse_limits(text),
            Some(Limits {
                soft: u64::MAX,
                hard: u64::MAX
            })
        );
    }

    #[test]
    fn missing_line_parses_as_none() {
        assert_eq!(parse_limits("Max processes 1 1 processes\n"), None);
    }

    #[test]
    fn own_limit_reads() {
        let limits = current().expect("own /proc/self/limits");
        assert!(limits.soft <= limits.hard);
    }

    #[test]
    fn limit_already_high_enough_is_kept() {
        let limits = current().expect("own /proc/self/limits");
        assert_eq!(ensure(1).expect("one file is allowed"), limits.soft);
    }
}
