//! The addresses the audio scenario's peers bind to and accept in ICE
//! candidates: loopback for Lectern, and for Janus the bench address on a
//! local veth interface, because Janus gathers no candidate on loopback.
//!
//! The bench drops every remote candidate on another address, so its
//! peers never send media off this machine.

use std::net::{IpAddr, Ipv4Addr, UdpSocket};

use super::AudioError;

/// The address bench/janus/setup.sh assigns to the [`BENCH_INTERFACE`]
/// veth interface. It lies in 198.18.0.0/15, the range RFC 2544 reserves
/// for benchmarks, and as an address of this host its traffic never
/// leaves the machine. Janus 1.1.2 skips loopback interfaces when it
/// gathers ICE candidates, so it gathers on this address instead.
pub const BENCH_ADDRESS: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 1);

/// The veth interface holding [`BENCH_ADDRESS`], named in Janus's
/// `ice_enforce_list`. Its peer end is `lbench1`.
pub const BENCH_INTERFACE: &str = "lbench0";

/// The address a run's peers bind to, and the remote candidates they accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerNetwork {
    /// Bind to 127.0.0.1 and accept loopback candidates only.
    Loopback,
    /// Bind to [`BENCH_ADDRESS`] and accept it or loopback.
    BenchAddress,
}

impl PeerNetwork {
    /// Returns the address the peers' UDP sockets bind to.
    pub fn bind_address(self) -> IpAddr {
        match self {
            Self::Loopback => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Self::BenchAddress => IpAddr::V4(BENCH_ADDRESS),
        }
    }

    /// Returns whether a remote candidate on `address` may be used.
    pub fn accepts(self, address: IpAddr) -> bool {
        match self {
            Self::Loopback => address.is_loopback(),
            Self::BenchAddress => address.is_loopback() || address == IpAddr::V4(BENCH_ADDRESS),
        }
    }

    /// Names the accepted addresses, for error messages.
    pub fn description(self) -> &'static str {
        match self {
            Self::Loopback => "loopback",
            Self::BenchAddress => "loopback or the bench address 198.18.0.1",
        }
    }
}

/// Checks that [`BENCH_ADDRESS`] is an address of this machine by binding
/// a UDP socket to it.
///
/// # Errors
///
/// [`AudioError::Start`] for Janus, with the bind error and the command
/// that creates the interface.
pub fn require_bench_address() -> Result<(), AudioError> {
    UdpSocket::bind((BENCH_ADDRESS, 0))
        .map(drop)
        .map_err(|error| AudioError::Start {
            system: "janus",
            reason: format!(
                "the bench address {BENCH_ADDRESS} is not usable ({error}); \
                 Janus gathers no ICE candidate on loopback, so it needs that address \
                 on the {BENCH_INTERFACE} veth interface: run bench/janus/setup.sh as root"
            ),
        })
}

/// Returns the address of an ICE candidate attribute (`candidate:…
/// ADDRESS PORT typ …`), with or without its `a=` prefix.
pub fn candidate_address(candidate: &str) -> Option<IpAddr> {
    candidate
        .trim_start_matches("a=")
        .split_whitespace()
        .nth(4)
        .and_then(|address| address.parse().ok())
}

/// Returns whether `network` accepts the address of `candidate`.
pub fn candidate_is_accepted(candidate: &str, network: PeerNetwork) -> bool {
    candidate_address(candidate).is_some_and(|address| network.accepts(address))
}

/// Removes from a remote description the candidates that `network` does
/// not accept, so the bench never sends to another address.
///
/// # Errors
///
/// [`AudioError::NoUsableCandidate`] when the description lists
/// candidates and `network` accepts none of them.
pub fn keep_accepted_candidates(sdp: &str, network: PeerNetwork) -> Result<String, AudioError> {
    let mut kept = String::with_capacity(sdp.len());
    let mut removed = Vec::new();
    let mut accepted = 0;
    for line in sdp.split_inclusive('\n') {
        if line.starts_with("a=candidate:") {
            if candidate_is_accepted(line, network) {
                accepted += 1;
            } else {
                removed.push(line.trim_end().to_owned());
                continue;
            }
        }
        kept.push_str(line);
    }
    if accepted == 0 && !removed.is_empty() {
        return Err(AudioError::NoUsableCandidate {
            accepted: network.description(),
            offered: removed.join("; "),
        });
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_candidates_are_accepted() {
        let network = PeerNetwork::Loopback;
        assert!(candidate_is_accepted(
            "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
            network
        ));
        assert!(candidate_is_accepted(
            "a=candidate:1 1 udp 2130706431 ::1 50000 typ host",
            network
        ));
        assert!(!candidate_is_accepted(
            "candidate:1 1 udp 2015363327 192.0.2.2 42227 typ host",
            network
        ));
        assert!(!candidate_is_accepted(
            "candidate:1 1 udp 2015363327 198.18.0.1 42227 typ host",
            network
        ));
        assert!(!candidate_is_accepted("candidate:garbage", network));
    }

    #[test]
    fn bench_address_is_accepted_for_janus() {
        let network = PeerNetwork::BenchAddress;
        assert!(candidate_is_accepted(
            "candidate:1 1 udp 2015363327 198.18.0.1 42227 typ host",
            network
        ));
        assert!(candidate_is_accepted(
            "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
            network
        ));
        assert!(!candidate_is_accepted(
            "candidate:1 1 udp 2015363327 198.18.0.2 42227 typ host",
            network
        ));
        assert!(!candidate_is_accepted(
            "candidate:1 1 udp 2015363327 192.0.2.2 42227 typ host",
            network
        ));
    }

    #[test]
    fn other_candidates_are_removed() {
        let sdp = "v=0\r\na=candidate:1 1 udp 1 127.0.0.1 5 typ host\r\n\
                   a=candidate:2 1 udp 1 192.0.2.2 6 typ host\r\na=end-of-candidates\r\n";
        let kept =
            keep_accepted_candidates(sdp, PeerNetwork::Loopback).expect("one loopback candidate");
        assert!(kept.contains("127.0.0.1"));
        assert!(!kept.contains("192.0.2.2"));
        assert!(kept.ends_with("a=end-of-candidates\r\n"));
    }

    #[test]
    fn description_without_usable_candidate_is_rejected() {
        let sdp = "v=0\r\na=candidate:2 1 udp 1 198.18.0.1 6 typ host\r\n";
        assert!(matches!(
            keep_accepted_candidates(sdp, PeerNetwork::Loopback),
            Err(AudioError::NoUsableCandidate { .. })
        ));
        assert!(keep_accepted_candidates(sdp, PeerNetwork::BenchAddress).is_ok());
    }

    #[test]
    fn description_without_candidates_passes() {
        let sdp = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
        assert_eq!(
            keep_accepted_candidates(sdp, PeerNetwork::Loopback).expect("no candidates"),
            sdp
        );
    }
}
