//! The JSON results file of one scenario run.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;

use crate::procfs::Machine;

/// One results file: a scenario, when and where it ran, and each system's
/// measurements. `S` is the scenario's per-system result.
#[derive(Debug, serde::Serialize)]
pub struct Report<S> {
    pub scenario: String,
    /// UTC time the run finished, as `YYYY-MM-DDTHH:MM:SSZ`.
    pub date: String,
    pub machine: Machine,
    /// The command line that produced the file.
    pub command: String,
    pub systems: Vec<S>,
}

impl<S> Report<S> {
    /// Creates the report of `scenario`, dated now, with this machine and
    /// this process's command line.
    pub fn new(scenario: &str, systems: Vec<S>) -> Self {
        Self {
            scenario: scenario.to_owned(),
            date: utc_now(),
            machine: Machine::detect(),
            command: std::env::args().collect::<Vec<_>>().join(" "),
            systems,
        }
    }
}

/// Returns the name of a results file: `SCENARIO-quick` for a reduced run,
/// `SCENARIO-SIZE` otherwise.
pub fn file_name(scenario: &str, quick: bool, size: impl std::fmt::Display) -> String {
    if quick {
        format!("{scenario}-quick")
    } else {
        format!("{scenario}-{size}")
    }
}

impl<S: serde::Serialize> Report<S> {
    /// Writes the report as `DIR/NAME.json`, creating DIR, and returns the path.
    pub fn write(&self, dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(format!("{name}.json"));
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }
}

/// Returns the current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    format_utc(seconds)
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_utc(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let second_of_day = unix_seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// Converts days since 1970-01-01 to a proleptic Gregorian date, with
/// Howard Hinnant's `civil_from_days` algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_has_size_or_quick() {
        assert_eq!(file_name("lecture", false, 500), "lecture-500");
        assert_eq!(file_name("lecture", true, 500), "lecture-quick");
    }

    #[test]
    fn epoch_formats() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn leap_day_formats() {
        // 2024-02-29T12:34:56Z
        assert_eq!(format_utc(1_709_210_096), "2024-02-29T12:34:56Z");
    }

    #[test]
    fn year_end_formats() {
        // 2026-12-31T23:59:59Z
        assert_eq!(format_utc(1_798_761_599), "2026-12-31T23:59:59Z");
    }
}
