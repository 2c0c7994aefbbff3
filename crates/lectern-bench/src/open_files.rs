//! Raises this process's limit on open files for scenarios with thousands
//! of connections.
//!
//! Every client socket takes a file descriptor, and many systems start
//! processes with a soft limit of 1024. A process may raise its soft limit
//! up to the hard limit, which is what [`ensure`] does. Servers the bench
//! starts afterwards inherit the raised limit.

use rlimit::Resource;
use thiserror::Error;
use tracing::info;

/// File descriptors a scenario needs besides one per client socket: the
/// runtime, the REST client, log pipes and the server's database.
pub const SPARE_FILES: u64 = 256;

/// A failure to make the open-file limit high enough.
#[derive(Debug, Error)]
pub enum OpenFilesError {
    #[error("cannot read the open-file limit: {0}")]
    Read(std::io::Error),

    #[error(
        "the scenario needs {needed} open files but the hard limit is {hard}; \
         raise it (for example `ulimit -Hn {needed}` as root, or `nofile` in \
         /etc/security/limits.conf) or run fewer clients"
    )]
    HardLimit { needed: u64, hard: u64 },

    #[error(
        "raising the open-file limit to {needed} failed: {source}; \
         run `ulimit -n {needed}` before the bench"
    )]
    Raise { needed: u64, source: std::io::Error },
}

/// Makes sure this process may open `needed` files, raising the soft limit
/// to the hard limit when it is lower, so that a server started later has
/// room too. Returns the soft limit in force.
pub fn ensure(needed: u64) -> Result<u64, OpenFilesError> {
    let (soft, hard) = rlimit::getrlimit(Resource::NOFILE).map_err(OpenFilesError::Read)?;
    if soft >= needed {
        return Ok(soft);
    }
    if hard < needed {
        return Err(OpenFilesError::HardLimit { needed, hard });
    }

    rlimit::setrlimit(Resource::NOFILE, hard, hard)
        .map_err(|source| OpenFilesError::Raise { needed, source })?;
    info!(from = soft, to = hard, "raised the open-file limit");
    Ok(hard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_need_is_met() {
        let limit = ensure(16).expect("16 open files are always allowed");
        assert!(limit >= 16);
    }

    #[test]
    fn need_over_hard_limit_is_an_error() {
        let error = ensure(u64::MAX).expect_err("no hard limit is u64::MAX here");
        assert!(
            matches!(error, OpenFilesError::HardLimit { .. }),
            "unexpected error: {error}"
        );
    }
}
