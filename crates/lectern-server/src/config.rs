//! Server settings from the command line, the environment and a TOML file.
//!
//! A value given on the command line wins over the environment (clap reads
//! both), which wins over the file, which wins over the default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

mod audio;
mod media;

pub use audio::{AudioSettings, FileAudio, PortSetting};
pub use media::{FileMedia, MediaSettings};

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// The address students open, used in join links; defaults to
    /// `http://` plus the listening address.
    pub public_url: Option<String>,
    pub limits: Limits,
    pub audio: AudioSettings,
    pub media: MediaSettings,
}

/// Sizes, rates and timings, each overridable in the TOML file.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest WebSocket message accepted on the board, in bytes.
    pub max_message_bytes: usize,
    /// The largest message accepted on the control channel, in bytes.
    pub max_control_message_bytes: usize,
    /// Messages one control connection may send per second, with a burst of
    /// twice as many.
    pub control_messages_per_second: u32,
    /// The largest JSON request body, in bytes.
    pub max_json_bytes: u64,
    /// The largest board restore upload, in bytes.
    pub max_board_upload_bytes: u64,
    /// Frames queued for one connection before it counts as too slow and is
    /// disconnected.
    pub outbox_frames: usize,
    /// How often the server pings each connection; one without any frame for
    /// a whole interval after a ping is closed.
    pub ping_interval: Duration,
    /// How long a room without connections stays loaded.
    pub room_idle_timeout: Duration,
    /// Logged updates after which a room's log is compacted into a snapshot.
    pub compact_after_updates: u64,
    pub session_ttl: Duration,
    pub participant_ttl: Duration,
    /// Joins allowed per client IP address per minute.
    pub joins_per_minute: u32,
    /// Login attempts allowed per client IP address per minute.
    pub logins_per_minute: u32,
    /// How long a client may take to send a request's headers, counted from
    /// when a new connection opens, or on a reused connection from the first
    /// bytes of the next request. A slower connection is closed. A reused
    /// connection that sends nothing stays open.
    pub request_header_timeout: Duration,
    /// How long a stopping server waits for open HTTP requests, such as
    /// uploads, after it has closed every board and control connection and
    /// saved the rooms. Requests still open then are cut off.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_bytes: 4 * 1024 * 1024,
            max_control_message_bytes: 16 * 1024,
            control_messages_per_second: 20,
            max_json_bytes: 64 * 1024,
            max_board_upload_bytes: 64 * 1024 * 1024,
            outbox_frames: 1024,
            ping_interval: Duration::from_secs(15),
            room_idle_timeout: Duration::from_secs(30),
            compact_after_updates: 1000,
            session_ttl: Duration::from_secs(7 * 24 * 3600),
            participant_ttl: Duration::from_secs(24 * 3600),
            joins_per_minute: 20,
            logins_per_minute: 10,
            request_header_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// The smallest size limit accepted, in bytes; below it no login request
/// or board handshake fits.
const MIN_SIZE_LIMIT: u64 = 1024;

impl Limits {
    /// Checks values that would break the server, naming the settings-file
    /// key of each one at fault.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let mut require = |ok: bool, problem: &str| {
            if !ok {
                problems.push(problem.to_owned());
            }
        };

        require(
            self.max_message_bytes as u64 >= MIN_SIZE_LIMIT,
            "limits.max_message_bytes must be at least 1024",
        );
        require(
            self.max_control_message_bytes as u64 >= MIN_SIZE_LIMIT,
            "limits.max_control_message_bytes must be at least 1024",
        );
        require(
            self.control_messages_per_second >= 1,
            "limits.control_messages_per_second must be at least 1",
        );
        require(
            self.max_json_bytes >= MIN_SIZE_LIMIT,
            "limits.max_json_bytes must be at least 1024",
        );
        require(
            self.max_board_upload_bytes >= MIN_SIZE_LIMIT,
            "limits.max_board_upload_bytes must be at least 1024",
        );
        require(
            self.outbox_frames >= 1,
            "limits.outbox_frames must be at least 1",
        );
        require(
            !self.ping_interval.is_zero(),
            "limits.ping_interval_secs must be at least 1",
        );
        require(
            self.compact_after_updates >= 1,
            "limits.compact_after_updates must be at least 1",
        );
        require(
            self.joins_per_minute >= 1,
            "limits.joins_per_minute must be at least 1",
        );
        require(
            self.logins_per_minute >= 1,
            "limits.logins_per_minute must be at least 1",
        );
        require(
            !self.request_header_timeout.is_zero(),
            "limits.request_header_timeout_secs must be at least 1",
        );

        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

impl Settings {
    /// Settings for a server on `listen` storing everything in `data_dir`,
    /// with SQLite and default limits.
    pub fn new(listen: SocketAddr, data_dir: impl Into<PathBuf>) -> Self {
        let data_dir = data_dir.into();
        Self {
            listen,
            database_url: default_database_url(&data_dir),
            data_dir,
            public_url: None,
            limits: Limits::default(),
            audio: AudioSettings::default(),
            media: MediaSettings::default(),
        }
    }

    /// Checks every setting, naming the settings-file key of each problem.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if let Err(limits) = self.limits.validate() {
            problems.push(limits);
        }
        problems.extend(self.audio.validate());
        problems.extend(self.media.validate());
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

/// Returns the URL of the SQLite file inside the data directory, which is
/// created on first start.
pub fn default_database_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("lectern.db").display()
    )
}

/// The optional TOML file. Every key is optional; unknown keys are errors so
/// that a typo does not go unnoticed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub public_url: Option<String>,
    #[serde(default)]
    pub limits: FileLimits,
    #[serde(default)]
    pub audio: FileAudio,
    #[serde(default)]
    pub media: FileMedia,
}

/// The `[limits]` table; times are in seconds.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileLimits {
    pub max_message_bytes: Option<usize>,
    pub max_control_message_bytes: Option<usize>,
    pub control_messages_per_second: Option<u32>,
    pub max_json_bytes: Option<u64>,
    pub max_board_upload_bytes: Option<u64>,
    pub outbox_frames: Option<usize>,
    pub ping_interval_secs: Option<u64>,
    pub room_idle_timeout_secs: Option<u64>,
    pub compact_after_updates: Option<u64>,
    pub session_ttl_secs: Option<u64>,
    pub participant_ttl_secs: Option<u64>,
    pub joins_per_minute: Option<u32>,
    pub logins_per_minute: Option<u32>,
    pub request_header_timeout_secs: Option<u64>,
    pub shutdown_grace_secs: Option<u64>,
}

impl FileSettings {
    /// Reads and parses a settings file.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read settings file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid settings file {}", path.display()))
    }

    /// Applies the `[limits]` table over the defaults.
    pub fn limits(&self) -> Limits {
        let file = &self.limits;
        let defaults = Limits::default();
        let seconds = |value: Option<u64>, default: Duration| {
            value.map(Duration::from_secs).unwrap_or(default)
        };

        Limits {
            max_message_bytes: file.max_message_bytes.unwrap_or(defaults.max_message_bytes),
            max_control_message_bytes: file
                .max_control_message_bytes
                .unwrap_or(defaults.max_control_message_bytes),
            control_messages_per_second: file
                .control_messages_per_second
                .unwrap_or(defaults.control_messages_per_second),
            max_json_bytes: file.max_json_bytes.unwrap_or(defaults.max_json_bytes),
            max_board_upload_bytes: file
                .max_board_upload_bytes
                .unwrap_or(defaults.max_board_upload_bytes),
            outbox_frames: file.outbox_frames.unwrap_or(defaults.outbox_frames),
            ping_interval: seconds(file.ping_interval_secs, defaults.ping_interval),
            room_idle_timeout: seconds(file.room_idle_timeout_secs, defaults.room_idle_timeout),
            compact_after_updates: file
                .compact_after_updates
                .unwrap_or(defaults.compact_after_updates),
            session_ttl: seconds(file.session_ttl_secs, defaults.session_ttl),
            participant_ttl: seconds(file.participant_ttl_secs, defaults.participant_ttl),
            joins_per_minute: file.joins_per_minute.unwrap_or(defaults.joins_per_minute),
            logins_per_minute: file.logins_per_minute.unwrap_or(defaults.logins_per_minute),
            request_header_timeout: seconds(
                file.request_header_timeout_secs,
                defaults.request_header_timeout,
            ),
            shutdown_grace: seconds(file.shutdown_grace_secs, defaults.shutdown_grace),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_limits_override_defaults() {
        let file: FileSettings = toml::from_str(
            "listen = \"0.0.0.0:9000\"\n[limits]\nping_interval_secs = 5\njoins_per_minute = 3\n",
        )
        .expect("valid TOML");
        let limits = file.limits();
        assert_eq!(file.listen, Some("0.0.0.0:9000".parse().expect("address")));
        assert_eq!(limits.ping_interval, Duration::from_secs(5));
        assert_eq!(limits.joins_per_minute, 3);
        assert_eq!(
            limits.max_message_bytes,
            Limits::default().max_message_bytes
        );
    }

    #[test]
    fn example_file_parses_to_defaults() {
        let text = include_str!("../../../assets/lectern.example.toml");
        let file: FileSettings = toml::from_str(text).expect("the example is valid");
        let limits = file.limits();
        let defaults = Limits::default();

        assert_eq!(limits.max_message_bytes, defaults.max_message_bytes);
        assert_eq!(
            limits.max_control_message_bytes,
            defaults.max_control_message_bytes
        );
        assert_eq!(
            limits.control_messages_per_second,
            defaults.control_messages_per_second
        );
        assert_eq!(limits.ping_interval, defaults.ping_interval);
        assert_eq!(limits.joins_per_minute, defaults.joins_per_minute);
        assert_eq!(limits.session_ttl, defaults.session_ttl);
        assert_eq!(
            limits.request_header_timeout,
            defaults.request_header_timeout
        );
        assert_eq!(limits.shutdown_grace, defaults.shutdown_grace);

        let audio = file.audio.settings();
        assert_eq!(audio.ports, AudioSettings::default().ports);
        assert_eq!(audio.max_speakers, 1);
        assert!(audio.validate().is_empty(), "{:?}", audio.validate());

        let media = file.media.settings();
        assert_eq!(media, MediaSettings::default());
    }

    #[test]
    fn zero_limits_are_named() {
        let file: FileSettings = toml::from_str(
            "[limits]\nping_interval_secs = 0\noutbox_frames = 0\nmax_json_bytes = 10\n\
             max_control_message_bytes = 100\ncontrol_messages_per_second = 0\n\
             request_header_timeout_secs = 0\n",
        )
        .expect("valid TOML");
        let problems = file.limits().validate().expect_err("zero limits");

        assert!(
            problems.contains("limits.max_control_message_bytes"),
            "{problems}"
        );
        assert!(
            problems.contains("limits.control_messages_per_second"),
            "{problems}"
        );
        assert!(problems.contains("limits.ping_interval_secs"), "{problems}");
        assert!(problems.contains("limits.outbox_frames"), "{problems}");
        assert!(problems.contains("limits.max_json_bytes"), "{problems}");
        assert!(
            problems.contains("limits.request_header_timeout_secs"),
            "{problems}"
        );
        assert_eq!(Limits::default().validate(), Ok(()));
    }

    #[test]
    fn shutdown_grace_may_be_zero() {
        let file: FileSettings =
            toml::from_str("[limits]\nshutdown_grace_secs = 0\nrequest_header_timeout_secs = 5\n")
                .expect("valid TOML");
        let limits = file.limits();

        assert_eq!(limits.shutdown_grace, Duration::ZERO);
        assert_eq!(limits.request_header_timeout, Duration::from_secs(5));
        assert_eq!(limits.validate(), Ok(()));
    }

    #[test]
    fn unknown_key_is_rejected() {
        let error = toml::from_str::<FileSettings>("listn = \"x\"").expect_err("typo");
        assert!(error.to_string().contains("listn"), "{error}");
    }
}
