//! Configuration: network settings for media, ICE servers for browsers, and tuning.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::SfuError;
use crate::speaking::SpeakingConfig;

/// Ports the SFU binds for media.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MediaPorts {
    /// Each session binds a port the operating system picks.
    Ephemeral,
    /// Each session binds one free port of `min..=max`, for firewalls that open a fixed range.
    ///
    /// Every session needs its own port (one UDP socket, plus one TCP listener on the same
    /// number when ICE over TCP is on), so the range bounds the number of concurrent sessions.
    ///
    /// NOTE: `webrtc` 0.21 binds the sockets itself and has no port-range or UDP-mux setting
    /// (its `SettingEngine` keeps both as a to-do), so the SFU probes a port with a throwaway
    /// bind and passes that address to the builder. Another process can take the port between
    /// the probe and the real bind, and the session then fails to start with a `WebRtc` error.
    Range {
        /// First port, inclusive.
        min: u16,
        /// Last port, inclusive.
        max: u16,
    },
}

/// A STUN or TURN server handed to browsers in [`ClientIceConfig`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    /// `stun:` or `turn:` URLs of one server.
    pub urls: Vec<String>,
    /// TURN user name, if the server needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// TURN credential, if the server needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// The part of the configuration a browser needs for its `RTCPeerConnection`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientIceConfig {
    /// Value for `RTCConfiguration.iceServers`.
    pub ice_servers: Vec<IceServer>,
}

/// Network settings for the SFU's peer connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkConfig {
    /// Address the media sockets bind. `0.0.0.0` binds one socket per non-loopback interface
    /// (the `webrtc` crate's expansion of a wildcard), and a concrete address binds only that one.
    /// Tests use `127.0.0.1`, which keeps every candidate on loopback.
    pub bind_ip: IpAddr,
    /// Ports the media sockets bind.
    pub ports: MediaPorts,
    /// Public address of a 1:1 NAT in front of the server. When set, host candidates carry this
    /// address in place of the bound one.
    ///
    /// NOTE: `webrtc` 0.21 ignores its own NAT 1:1 setting, so the SFU rewrites the candidates
    /// it hands out (answers, offers and trickled candidates). Only one address is supported,
    /// and the server's ICE agent still pairs on the bound address.
    pub public_ip: Option<IpAddr>,
    /// STUN and TURN servers for browsers. The SFU itself gathers only host candidates: it is
    /// expected to have a reachable address, directly or through `public_ip`.
    pub ice_servers: Vec<IceServer>,
    /// Also offer passive ICE-TCP candidates, for clients whose networks block UDP.
    pub ice_tcp: bool,
    /// Time without traffic from a participant before its connection counts as disconnected.
    /// Default 5 s, the `webrtc` crate's default.
    pub ice_disconnected_timeout: Duration,
    /// Further time after disconnection before the connection fails and the session is
    /// closed. Default 25 s, the `webrtc` crate's default. A participant who vanishes without
    /// closing is therefore removed after about 30 s.
    pub ice_failed_timeout: Duration,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            bind_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            ports: MediaPorts::Ephemeral,
            public_ip: None,
            ice_servers: Vec::new(),
            ice_tcp: false,
            ice_disconnected_timeout: Duration::from_secs(5),
            ice_failed_timeout: Duration::from_secs(25),
        }
    }
}

impl NetworkConfig {
    /// Settings for tests: loopback only, ephemeral ports, no ICE-TCP.
    pub fn loopback() -> Self {
        Self {
            bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ..Self::default()
        }
    }
}

/// Configuration of an [`Sfu`](crate::Sfu).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SfuConfig {
    /// Network settings.
    pub network: NetworkConfig,
    /// Outgoing audio tracks per subscriber, and so the number of participants whose audio can
    /// be forwarded at the same time. Default 3: the lecturer and two students.
    pub audio_slots: usize,
    /// Capacity of a room's event channel. Events beyond it are dropped and counted.
    /// Default 1024.
    pub event_queue: usize,
    /// Speaking detector tuning.
    pub speaking: SpeakingConfig,
    /// Interval at which publishers without packets are re-checked for silence. Default 100 ms.
    pub speaking_poll_interval: Duration,
}

impl Default for SfuConfig {
    fn default() -> Self {
        Self {
            network: NetworkConfig::default(),
            audio_slots: 3,
            event_queue: 1024,
            speaking: SpeakingConfig::default(),
            speaking_poll_interval: Duration::from_millis(100),
        }
    }
}

impl SfuConfig {
    pub(crate) fn validate(&self) -> Result<(), SfuError> {
        if let MediaPorts::Range { min, max } = self.network.ports
            && (min == 0 || min > max)
        {
            return Err(SfuError::InvalidConfig(format!(
                "media port range {min}-{max} must be non-empty and must not include port 0"
            )));
        }
        if self.audio_slots == 0 || self.audio_slots > usize::from(u8::MAX) {
            return Err(SfuError::InvalidConfig(format!(
                "audio_slots is {}, but it must be between 1 and 255",
                self.audio_slots
            )));
        }
        if self.event_queue == 0 {
            return Err(SfuError::InvalidConfig(
                "event_queue must be at least 1".to_owned(),
            ));
        }
        if self.speaking_poll_interval.is_zero() {
            return Err(SfuError::InvalidConfig(
                "speaking_poll_interval must be longer than zero".to_owned(),
            ));
        }
        Ok(())
    }
}

/// Picks the port of each new session.
#[derive(Debug)]
pub(crate) struct PortAllocator {
    bind_ip: IpAddr,
    ports: MediaPorts,
    with_tcp: bool,
    /// Offset into the range where the next search starts, so a port just released by a
    /// closing session is not reused at once.
    cursor: AtomicU32,
}

impl PortAllocator {
    pub(crate) fn new(network: &NetworkConfig) -> Self {
        Self {
            bind_ip: network.bind_ip,
            ports: network.ports,
            with_tcp: network.ice_tcp,
            cursor: AtomicU32::new(0),
        }
    }

    /// Returns the address for a new session's sockets.
    pub(crate) fn next_addr(&self) -> Result<SocketAddr, SfuError> {
        let MediaPorts::Range { min, max } = self.ports else {
            return Ok(SocketAddr::new(self.bind_ip, 0));
        };
        let size = u32::from(max) - u32::from(min) + 1;
        for _ in 0..size {
            let offset = self.cursor.fetch_add(1, Ordering::Relaxed) % size;
            let Ok(port) = u16::try_from(u32::from(min) + offset) else {
                continue;
            };
            let addr = SocketAddr::new(self.bind_ip, port);
            if self.is_free(addr) {
                return Ok(addr);
            }
        }
        Err(SfuError::NoFreePort { min, max })
    }

    fn is_free(&self, addr: SocketAddr) -> bool {
        if UdpSocket::bind(addr).is_err() {
            return false;
        }
        !self.with_tcp || TcpListener::bind(addr).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_skips_bound_port() {
        let taken = UdpSocket::bind("127.0.0.1:0").expect("bind a probe socket");
        let taken_port = taken.local_addr().expect("local address").port();
        let network = NetworkConfig {
            ports: MediaPorts::Range {
                min: taken_port,
                max: taken_port,
            },
            ..NetworkConfig::loopback()
        };
        let allocator = PortAllocator::new(&network);
        assert!(matches!(
            allocator.next_addr(),
            Err(SfuError::NoFreePort { .. })
        ));
        drop(taken);
        let addr = allocator.next_addr().expect("the port is free again");
        assert_eq!(addr.port(), taken_port);
    }

    #[test]
    fn invalid_range_is_rejected() {
        let mut config = SfuConfig::default();
        config.network.ports = MediaPorts::Range {
            min: 5000,
            max: 4000,
        };
        assert!(matches!(config.validate(), Err(SfuError::InvalidConfig(_))));
    }

    #[test]
    fn zero_slots_are_rejected() {
        let config = SfuConfig {
            audio_slots: 0,
            ..SfuConfig::default()
        };
        assert!(matches!(config.validate(), Err(SfuError::InvalidConfig(_))));
    }
}

/// Replaces the address of a host candidate (`candidate:<foundation> <component> <transport>
/// <priority> <address> <port> typ host ...`) with `public_ip`. Other candidates are returned
/// unchanged.
///
/// `webrtc` 0.21 stores `SettingEngine::with_nat_1to1_ips` but no gathering code reads it, so
/// the SFU applies the 1:1 NAT mapping itself to every candidate it hands out.
pub(crate) fn map_host_candidate(candidate: &str, public_ip: IpAddr) -> String {
    let fields: Vec<&str> = candidate.split(' ').collect();
    let is_host = fields.get(6) == Some(&"typ") && fields.get(7) == Some(&"host");
    if !is_host || fields.len() < 8 {
        return candidate.to_owned();
    }
    let public_ip = public_ip.to_string();
    let mut mapped = fields;
    mapped[4] = &public_ip;
    mapped.join(" ")
}

/// Applies [`map_host_candidate`] to every `a=candidate:` line of an SDP description.
pub(crate) fn map_sdp_candidates(sdp: &str, public_ip: IpAddr) -> String {
    let mut mapped = String::with_capacity(sdp.len());
    for line in sdp.split_inclusive('\n') {
        let body = line.trim_end_matches(['\r', '\n']);
        match body.strip_prefix("a=") {
            Some(candidate) if candidate.starts_with("candidate:") => {
                mapped.push_str("a=");
                mapped.push_str(&map_host_candidate(candidate, public_ip));
                mapped.push_str(&line[body.len()..]);
            }
            _ => mapped.push_str(line),
        }
    }
    mapped
}

#[cfg(test)]
mod nat_tests {
    use super::*;

    const PUBLIC: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));

    #[test]
    fn host_candidate_gets_public_address() {
        let mapped = map_host_candidate(
            "candidate:1 1 udp 2130706431 10.0.0.5 40000 typ host",
            PUBLIC,
        );
        assert_eq!(
            mapped,
            "candidate:1 1 udp 2130706431 203.0.113.7 40000 typ host"
        );
    }

    #[test]
    fn relay_candidate_is_unchanged() {
        let candidate =
            "candidate:2 1 udp 16777215 198.51.100.1 3478 typ relay raddr 10.0.0.5 rport 40000";
        assert_eq!(map_host_candidate(candidate, PUBLIC), candidate);
    }

    #[test]
    fn sdp_candidate_lines_are_mapped() {
        let sdp = "v=0\r\na=candidate:1 1 udp 1 10.0.0.5 40000 typ host\r\na=mid:0\r\n";
        assert_eq!(
            map_sdp_candidates(sdp, PUBLIC),
            "v=0\r\na=candidate:1 1 udp 1 203.0.113.7 40000 typ host\r\na=mid:0\r\n"
        );
    }
}
