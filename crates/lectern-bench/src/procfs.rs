//! Reads a server's CPU time and memory from Linux's /proc, and describes
//! the machine.

use std::process::Command;

use thiserror::Error;

/// A /proc file that could not be read or parsed.
#[derive(Debug, Error)]
pub enum ProcError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },

    #[error("{path} has no parsable {field}")]
    Missing { path: String, field: &'static str },
}

/// CPU time and memory of a process at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProcessSample {
    /// User plus system CPU time, in seconds.
    pub cpu_seconds: f64,
    /// Resident set size (`VmRSS`), in KiB.
    pub rss_kib: u64,
    /// Peak resident set size (`VmHWM`), in KiB.
    pub peak_rss_kib: u64,
}

/// Reads `/proc/PID/stat` and `/proc/PID/status`.
pub fn sample(pid: u32, ticks_per_second: u64) -> Result<ProcessSample, ProcError> {
    let stat_path = format!("/proc/{pid}/stat");
    let stat = read(&stat_path)?;
    let ticks = cpu_ticks(&stat).ok_or(ProcError::Missing {
        path: stat_path,
        field: "utime and stime",
    })?;

    let status_path = format!("/proc/{pid}/status");
    let status = read(&status_path)?;
    let field = |name: &'static str| {
        status_kib(&status, name).ok_or(ProcError::Missing {
            path: status_path.clone(),
            field: name,
        })
    };

    Ok(ProcessSample {
        cpu_seconds: ticks as f64 / ticks_per_second.max(1) as f64,
        rss_kib: field("VmRSS")?,
        peak_rss_kib: field("VmHWM")?,
    })
}

/// Returns this process's user plus system CPU time, in seconds, or
/// `None` when /proc cannot be read.
pub fn own_cpu_seconds(ticks_per_second: u64) -> Option<f64> {
    sample(std::process::id(), ticks_per_second)
        .ok()
        .map(|sample| sample.cpu_seconds)
}

fn read(path: &str) -> Result<String, ProcError> {
    std::fs::read_to_string(path).map_err(|source| ProcError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Returns utime + stime, in clock ticks, from the text of /proc/PID/stat.
///
/// The command name in field 2 is in parentheses and may itself contain
/// spaces and parentheses, so fields are counted from the last `)`: utime
/// and stime are fields 14 and 15 of the line.
pub fn cpu_ticks(stat: &str) -> Option<u64> {
    let (_, after_name) = stat.rsplit_once(')')?;
    // After the name come field 3 (state) onwards, so utime is the 12th.
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// Returns a `Name:   123 kB` field of /proc/PID/status or /proc/meminfo,
/// in KiB.
pub fn status_kib(status: &str, name: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(':')?;
        value.split_whitespace().next()?.parse().ok()
    })
}

/// Returns the kernel's clock ticks per second (`getconf CLK_TCK`), or 100,
/// the value on every common Linux platform, when getconf fails.
pub fn ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100)
}

/// The machine a benchmark ran on.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_mib: u64,
    pub kernel: String,
}

impl Machine {
    /// Describes this machine from /proc; fields that cannot be read are
    /// "unknown" or 0.
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        Self {
            cpu: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown".to_owned()),
            // Counted from cpuinfo because available_parallelism reports
            // only the CPUs this process is pinned to.
            cores: cpuinfo
                .lines()
                .filter(|line| line.starts_with("processor"))
                .count(),
            memory_mib: status_kib(&meminfo, "MemTotal").unwrap_or(0) / 1024,
            kernel: kernel.trim().to_owned(),
        }
    }
}

/// Returns the `model name` of the first CPU in /proc/cpuinfo.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "4242 (lectern (x) y) S 1 4242 4242 0 -1 4194560 1234 0 0 0 \
                        150 25 0 0 20 0 9 0 5000 123456789 4096 18446744073709551615";

    #[test]
    fn stat_cpu_ticks_skip_name_with_spaces() {
        assert_eq!(cpu_ticks(STAT), Some(175));
    }

    #[test]
    fn truncated_stat_has_no_ticks() {
        assert_eq!(cpu_ticks("4242 (lectern) S 1 2 3"), None);
        assert_eq!(cpu_ticks("no parentheses"), None);
    }

    #[test]
    fn status_fields_in_kib() {
        let status = "Name:\tlectern\nVmHWM:\t   20480 kB\nVmRSS:\t   18432 kB\n";
        assert_eq!(status_kib(status, "VmHWM"), Some(20_480));
        assert_eq!(status_kib(status, "VmRSS"), Some(18_432));
        assert_eq!(status_kib(status, "VmSwap"), None);
    }

    #[test]
    fn status_prefix_must_be_whole_name() {
        let status = "VmRSSx:\t1 kB\nVmRSS:\t2 kB\n";
        assert_eq!(status_kib(status, "VmRSS"), Some(2));
    }

    #[test]
    fn cpu_model_is_first_model_name() {
        let cpuinfo = "processor\t: 0\nmodel name\t: Example CPU @ 2.0GHz\n\
                       processor\t: 1\nmodel name\t: Other\n";
        assert_eq!(cpu_model(cpuinfo).as_deref(), Some("Example CPU @ 2.0GHz"));
    }

    #[test]
    fn own_process_sample_reads() {
        let sample = sample(std::process::id(), ticks_per_second()).expect("own /proc entry");
        assert!(sample.rss_kib > 0);
        assert!(sample.peak_rss_kib >= sample.rss_kib);
    }
}
