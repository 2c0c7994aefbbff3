//! The `[audio]` settings: where the SFU binds its media sockets, the STUN
//! and TURN servers sent to browsers, and the floor's speaker limit.

use std::net::IpAddr;
use std::str::FromStr;

use lectern_sfu::{IceServer, MediaPorts, NetworkConfig, SfuConfig};
use serde::Deserialize;

/// First port of the default media port range.
pub const DEFAULT_MEDIA_PORT_MIN: u16 = 50_000;
/// Last port of the default media port range. Each audio session binds one
/// port, so the range of 1000 ports allows 1000 concurrent sessions.
pub const DEFAULT_MEDIA_PORT_MAX: u16 = 50_999;

/// Settings of room audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioSettings {
    /// Whether the server runs the SFU. Without it, `rtc.offer` is rejected
    /// and the floor still works.
    pub enabled: bool,
    /// Address the media sockets bind, or `None` for the IP address of the
    /// listen address.
    pub bind_ip: Option<IpAddr>,
    /// Ports the media sockets bind: one UDP port per audio session.
    pub ports: MediaPorts,
    /// Public address of a 1:1 NAT in front of the server, put into the
    /// server's ICE candidates in place of the bound address.
    pub public_ip: Option<IpAddr>,
    /// STUN and TURN servers handed to browsers in `audio.config`.
    pub ice_servers: Vec<IceServer>,
    /// Also offer ICE over TCP, on the same port numbers as UDP.
    pub ice_tcp: bool,
    /// Maximum number of students who hold the floor at once.
    pub max_speakers: usize,
}

impl Default for AudioSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            bind_ip: None,
            ports: MediaPorts::Range {
                min: DEFAULT_MEDIA_PORT_MIN,
                max: DEFAULT_MEDIA_PORT_MAX,
            },
            public_ip: None,
            ice_servers: Vec::new(),
            ice_tcp: false,
            max_speakers: 1,
        }
    }
}

/// Largest `max_speakers` accepted. Each speaker takes one outgoing audio
/// track of every listener, so every browser in audio receives
/// `max_speakers + 2` tracks. The limit of 16 is a judgement for a
/// classroom, not a measured figure.
pub const MAX_SPEAKERS_LIMIT: usize = 16;

impl AudioSettings {
    /// Checks the settings, naming the settings-file key of each problem.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.max_speakers == 0 || self.max_speakers > MAX_SPEAKERS_LIMIT {
            problems.push(format!(
                "audio.max_speakers is {}, but it must be between 1 and {MAX_SPEAKERS_LIMIT}",
                self.max_speakers
            ));
        }
        if let MediaPorts::Range { min, max } = self.ports
            && (min == 0 || min > max)
        {
            problems.push(format!(
                "audio.ports {min}-{max} is invalid: write \"FIRST-LAST\" with 1 <= FIRST <= LAST, or \"ephemeral\""
            ));
        }
        if let Some(public_ip) = self.public_ip
            && (public_ip.is_unspecified() || public_ip.is_loopback())
        {
            problems.push(format!(
                "audio.public_ip {public_ip} is not a public address; set the address clients reach the server at, or leave it out"
            ));
        }
        for (index, server) in self.ice_servers.iter().enumerate() {
            if server.urls.is_empty() {
                problems.push(format!("audio.ice_servers[{index}].urls is empty"));
            }
            for url in &server.urls {
                let scheme = url.split(':').next().unwrap_or_default();
                match scheme {
                    "stun" | "stuns" => {}
                    "turn" | "turns" => {
                        if server.username.is_none() || server.credential.is_none() {
                            problems.push(format!(
                                "audio.ice_servers[{index}] lists TURN URL {url:?} but lacks username or credential"
                            ));
                        }
                    }
                    _ => problems.push(format!(
                        "audio.ice_servers[{index}] URL {url:?} must start with stun:, stuns:, turn: or turns:"
                    )),
                }
            }
        }
        problems
    }

    /// Builds the SFU configuration. Media binds `bind_ip`, or else the IP
    /// address of `listen_ip`.
    ///
    /// The SFU gets two audio slots more than `max_speakers`: one for the
    /// room's lecturer and one for a second lecturer, such as an admin,
    /// who may speak at the same time.
    pub fn sfu_config(&self, listen_ip: IpAddr) -> SfuConfig {
        SfuConfig {
            network: NetworkConfig {
                bind_ip: self.bind_ip.unwrap_or(listen_ip),
                ports: self.ports,
                public_ip: self.public_ip,
                ice_servers: self.ice_servers.clone(),
                ice_tcp: self.ice_tcp,
                ..NetworkConfig::default()
            },
            audio_slots: self.max_speakers + 2,
            ..SfuConfig::default()
        }
    }
}

/// The `[audio]` table of the settings file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAudio {
    pub enabled: Option<bool>,
    pub bind_ip: Option<IpAddr>,
    /// `"FIRST-LAST"`, such as `"50000-50999"`, or `"ephemeral"` for ports
    /// the operating system picks.
    pub ports: Option<PortSetting>,
    pub public_ip: Option<IpAddr>,
    pub ice_servers: Option<Vec<IceServer>>,
    pub ice_tcp: Option<bool>,
    pub max_speakers: Option<usize>,
}

impl FileAudio {
    /// Applies the table over the defaults.
    pub fn settings(&self) -> AudioSettings {
        let defaults = AudioSettings::default();
        AudioSettings {
            enabled: self.enabled.unwrap_or(defaults.enabled),
            bind_ip: self.bind_ip.or(defaults.bind_ip),
            ports: self.ports.map_or(defaults.ports, |ports| ports.0),
            public_ip: self.public_ip.or(defaults.public_ip),
            ice_servers: self.ice_servers.clone().unwrap_or(defaults.ice_servers),
            ice_tcp: self.ice_tcp.unwrap_or(defaults.ice_tcp),
            max_speakers: self.max_speakers.unwrap_or(defaults.max_speakers),
        }
    }
}

/// A media port setting as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct PortSetting(pub MediaPorts);

impl FromStr for PortSetting {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("ephemeral") {
            return Ok(Self(MediaPorts::Ephemeral));
        }
        let invalid = || {
            format!(
                "invalid audio.ports {text:?}: write \"FIRST-LAST\", such as \"50000-50999\", or \"ephemeral\""
            )
        };
        let (min, max) = text.split_once('-').ok_or_else(invalid)?;
        let min = min.trim().parse().map_err(|_| invalid())?;
        let max = max.trim().parse().map_err(|_| invalid())?;
        Ok(Self(MediaPorts::Range { min, max }))
    }
}

impl TryFrom<String> for PortSetting {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> AudioSettings {
        let file: FileAudio = toml::from_str(text).expect("valid TOML");
        file.settings()
    }

    #[test]
    fn defaults_are_valid() {
        let settings = AudioSettings::default();
        assert!(settings.validate().is_empty());
        assert!(settings.enabled);
        assert_eq!(settings.max_speakers, 1);
        assert_eq!(
            settings.ports,
            MediaPorts::Range {
                min: 50_000,
                max: 50_999
            }
        );
    }

    #[test]
    fn ports_parse() {
        assert_eq!(
            parse("ports = \"40000-40099\"").ports,
            MediaPorts::Range {
                min: 40_000,
                max: 40_099
            }
        );
        assert_eq!(parse("ports = \"ephemeral\"").ports, MediaPorts::Ephemeral);
        let error = toml::from_str::<FileAudio>("ports = \"40000\"").expect_err("no range");
        assert!(error.to_string().contains("FIRST-LAST"), "{error}");
    }

    #[test]
    fn invalid_values_are_named() {
        let settings = parse(
            "ports = \"5000-4000\"\nmax_speakers = 0\npublic_ip = \"0.0.0.0\"\n\
             [[ice_servers]]\nurls = [\"turn:turn.example.org\"]\n\
             [[ice_servers]]\nurls = [\"http://example.org\"]\n",
        );
        let problems = settings.validate().join("\n");

        assert!(problems.contains("audio.ports"), "{problems}");
        assert!(problems.contains("audio.max_speakers"), "{problems}");
        assert!(problems.contains("audio.public_ip"), "{problems}");
        assert!(problems.contains("ice_servers[0]"), "{problems}");
        assert!(problems.contains("ice_servers[1]"), "{problems}");
    }

    #[test]
    fn sfu_binds_listen_ip_by_default() {
        let listen: IpAddr = "127.0.0.1".parse().expect("address");
        let config = AudioSettings::default().sfu_config(listen);
        assert_eq!(config.network.bind_ip, listen);
        assert_eq!(config.audio_slots, 3);
    }
}
