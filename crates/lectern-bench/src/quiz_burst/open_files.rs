//! Raises this process's open-file limit, which a server started later
//! inherits, so that thousands of sockets fit on both sides.

use tracing::{info, warn};

/// File descriptors the generator needs besides one per student socket:
/// the runtime, the lecturer, the REST client and the SQLite file.
const SPARE_FILES: u64 = 256;

/// Raises the soft open-file limit to the hard limit and returns the limit
/// now in force. Warns when it is too low for `sockets` connections.
pub fn raise_for(sockets: usize) -> Option<u64> {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(error) => {
            warn!(%error, "cannot raise the open-file limit");
            return rlimit::getrlimit(rlimit::Resource::NOFILE)
                .ok()
                .map(|(soft, _)| soft);
        }
    };
    let needed = sockets as u64 + SPARE_FILES;
    if limit < needed {
        warn!(
            limit,
            needed,
            "the open-file limit is below what the run needs; raise the hard limit with `ulimit -Hn` as root"
        );
    } else {
        info!(limit, "open-file limit");
    }
    Some(limit)
}
