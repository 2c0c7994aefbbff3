//! Reads how long a process's threads waited for a CPU while runnable, from
//! Linux's `/proc/PID/task/TID/schedstat`. On a shared machine this shows
//! how much of a latency is other processes holding the server's CPU.

/// Sums the run-queue wait of every current thread of `pid`, in seconds.
/// Returns `None` when /proc cannot be read, as on a kernel without
/// schedstats.
///
/// NOTE: a thread that exits between two samples takes its wait with it,
/// so a difference of two samples undercounts when threads come and go.
pub fn wait_seconds(pid: u32) -> Option<f64> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut total_ns = 0;
    let mut threads_read = 0;
    for task in tasks.flatten() {
        // A thread that exited after the directory was listed has no
        // schedstat any more, so it is skipped.
        let Ok(stat) = std::fs::read_to_string(task.path().join("schedstat")) else {
            continue;
        };
        total_ns += wait_ns(&stat)?;
        threads_read += 1;
    }
    (threads_read > 0).then(|| total_ns as f64 / 1e9)
}

/// Returns the second field of a schedstat line: the time spent runnable
/// but waiting for a CPU, in nanoseconds.
fn wait_ns(schedstat: &str) -> Option<u64> {
    schedstat.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_is_second_field() {
        assert_eq!(wait_ns("52837105 1220300 58\n"), Some(1_220_300));
    }

    #[test]
    fn short_line_has_no_wait() {
        assert_eq!(wait_ns("52837105\n"), None);
    }

    #[test]
    fn own_process_has_wait() {
        assert!(wait_seconds(std::process::id()).is_some());
    }
}
