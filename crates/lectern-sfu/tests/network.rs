//! Network settings as they appear in the SFU's candidates: ICE over TCP, the media port
//! range, and the 1:1 NAT address. Candidates are only read, never dialled, so the
//! documentation address used for the NAT test receives no traffic.

#![allow(clippy::unwrap_used)]

mod support;

use std::net::{IpAddr, Ipv4Addr, UdpSocket};

use lectern_sfu::{IceServer, MediaPorts, ParticipantId, RoomEvent, Sfu, SfuConfig};
use support::{Client, ClientCodec, WAIT, sfu_config};

/// Joins one client, applies its offer and returns every candidate the SFU produced: those in
/// the answer and those trickled before gathering completed.
async fn gather_candidates(config: SfuConfig) -> Vec<String> {
    support::init_tracing();
    let sfu = Sfu::new(config).unwrap();
    let (room, mut events) = sfu.create_room();
    let participant = ParticipantId::new("student");
    room.join(&participant).await.unwrap();
    let client = Client::new("student", 2, ClientCodec::Opus, 1).await;
    let offer = client.offer().await;
    let answer = room.accept_offer(&participant, &offer).await.unwrap();

    let mut candidates: Vec<String> = answer
        .lines()
        .filter_map(|line| line.strip_prefix("a="))
        .filter(|line| line.starts_with("candidate:"))
        .map(str::to_owned)
        .collect();
    tokio::time::timeout(WAIT, async {
        while let Some(event) = events.recv().await {
            match event {
                RoomEvent::IceCandidate { candidate, .. } => candidates.push(candidate.candidate),
                RoomEvent::IceGatheringComplete { .. } => break,
                _ => {}
            }
        }
    })
    .await
    .expect("ICE gathering did not complete");
    room.close().await;
    assert!(!candidates.is_empty(), "the SFU produced no candidate");
    candidates
}

/// Splits `candidate:<foundation> <component> <transport> <priority> <address> <port> typ ...`.
fn address_and_port(candidate: &str) -> (String, u16) {
    let fields: Vec<&str> = candidate.split_whitespace().collect();
    (fields[4].to_owned(), fields[5].parse().unwrap())
}

#[tokio::test]
async fn ice_tcp_adds_passive_candidate() {
    let mut config = sfu_config();
    config.network.ice_tcp = true;
    let candidates = gather_candidates(config).await;
    let tcp: Vec<&String> = candidates
        .iter()
        .filter(|candidate| candidate.to_ascii_lowercase().contains(" tcp "))
        .collect();
    assert!(!tcp.is_empty(), "no TCP candidate in {candidates:?}");
    // RFC 6544 active candidates carry the discard port 9, so only passive ones listen.
    assert!(
        tcp.iter()
            .any(|candidate| candidate.contains("tcptype passive")),
        "no passive TCP candidate in {tcp:?}"
    );
    for candidate in &candidates {
        assert_eq!(address_and_port(candidate).0, "127.0.0.1", "{candidate}");
    }
}

#[tokio::test]
async fn port_range_bounds_candidate_ports() {
    // A port the kernel just handed out is very likely free, and so are its neighbours.
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    let first = probe.local_addr().unwrap().port().min(u16::MAX - 4);
    drop(probe);
    let mut config = sfu_config();
    config.network.ports = MediaPorts::Range {
        min: first,
        max: first + 3,
    };
    for candidate in gather_candidates(config).await {
        let (_, port) = address_and_port(&candidate);
        assert!((first..=first + 3).contains(&port), "{candidate}");
    }
}

#[tokio::test]
async fn public_ip_replaces_host_address() {
    let public_ip = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));
    let mut config = sfu_config();
    config.network.public_ip = Some(public_ip);
    for candidate in gather_candidates(config).await {
        assert_eq!(address_and_port(&candidate).0, "203.0.113.7", "{candidate}");
    }
}

#[test]
fn client_config_lists_ice_servers() {
    let server = IceServer {
        urls: vec!["turn:turn.example.org:3478".to_owned()],
        username: Some("lectern".to_owned()),
        credential: Some("secret".to_owned()),
    };
    let mut config = sfu_config();
    config.network.ice_servers = vec![server.clone()];
    let sfu = Sfu::new(config).unwrap();
    let client = sfu.client_config();
    assert_eq!(client.ice_servers, vec![server]);
}
