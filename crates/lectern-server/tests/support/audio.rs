//! Browser stand-ins for room audio: WebRTC peers built with the `webrtc`
//! crate, bound to 127.0.0.1 only, that signal with the server over the
//! control channel. They follow the client peers of lectern-sfu's tests.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_OPUS, MIME_TYPE_PCMU};
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RtpCodecKind,
};
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCIceCandidateInit, RTCPeerConnectionIceEvent, RTCPeerConnectionState, RTCSessionDescription,
    Registry, SettingEngineBuilder, register_default_interceptors,
};

use super::{ControlClient, WAIT};

/// Payload phases, the first payload byte: warm-up packets only prove the
/// path is up.
pub const PHASE_WARM_UP: u8 = 0;
pub const PHASE_COUNTED: u8 = 1;

/// A packet a peer received, reduced to what the tests check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub phase: u8,
    /// Number of the sending peer, the second payload byte.
    pub sender: u8,
    pub counter: u32,
}

/// Builds an Opus-like payload: phase, sender number, a big-endian
/// counter, then filler.
pub fn payload(phase: u8, sender: u8, counter: u32) -> Bytes {
    let mut buffer = BytesMut::with_capacity(40);
    buffer.put_u8(phase);
    buffer.put_u8(sender);
    buffer.put_u32(counter);
    buffer.put_bytes(0xAB, 34);
    buffer.freeze()
}

fn parse_payload(payload: &[u8]) -> Option<Received> {
    let counter = u32::from_be_bytes(payload.get(2..6)?.try_into().ok()?);
    Some(Received {
        phase: *payload.first()?,
        sender: *payload.get(1)?,
        counter,
    })
}

/// The codec a peer offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Opus,
    Pcmu,
}

fn codec_parameters(codec: Codec) -> (RTCRtpCodec, u8) {
    match codec {
        Codec::Opus => (
            RTCRtpCodec {
                mime_type: MIME_TYPE_OPUS.to_owned(),
                clock_rate: 48_000,
                channels: 2,
                sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
                rtcp_feedback: vec![],
            },
            111,
        ),
        Codec::Pcmu => (
            RTCRtpCodec {
                mime_type: MIME_TYPE_PCMU.to_owned(),
                clock_rate: 8_000,
                channels: 0,
                sdp_fmtp_line: String::new(),
                rtcp_feedback: vec![],
            },
            0,
        ),
    }
}

struct Handler {
    candidates: mpsc::UnboundedSender<RTCIceCandidateInit>,
    received: mpsc::UnboundedSender<Received>,
    state: watch::Sender<RTCPeerConnectionState>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        if let Ok(init) = event.candidate.to_json() {
            let _ = self.candidates.send(init);
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        self.state.send_replace(state);
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let received = self.received.clone();
        tokio::spawn(async move {
            while let Some(event) = track.poll().await {
                if let TrackRemoteEvent::OnRtpPacket(packet) = event
                    && let Some(packet) = parse_payload(&packet.payload)
                {
                    let _ = received.send(packet);
                }
            }
        });
    }
}

/// A browser stand-in: one sending audio track on a `sendrecv` m-line,
/// plus receive-only audio m-lines.
pub struct AudioPeer {
    pub number: u8,
    pub peer: Arc<dyn PeerConnection>,
    track: Arc<TrackLocalStaticRTP>,
    ssrc: u32,
    sequence_number: u16,
    timestamp: u32,
    payload_type: u8,
    pub received: mpsc::UnboundedReceiver<Received>,
    candidates: mpsc::UnboundedReceiver<RTCIceCandidateInit>,
    state: watch::Receiver<RTCPeerConnectionState>,
}

impl AudioPeer {
    /// Builds a peer with `audio_sections` audio m-lines: the first sends
    /// and receives, the rest only receive. The server's default of one
    /// speaker gives three audio slots, so three m-lines hear every slot
    /// without renegotiation.
    pub async fn new(number: u8, codec: Codec, audio_sections: usize) -> Self {
        let (rtp_codec, payload_type) = codec_parameters(codec);
        let mut media_engine = MediaEngine::default();
        media_engine
            .register_codec(
                RTCRtpCodecParameters {
                    rtp_codec: rtp_codec.clone(),
                    payload_type,
                },
                RtpCodecKind::Audio,
            )
            .unwrap();
        let registry = register_default_interceptors(Registry::new(), &mut media_engine).unwrap();
        let settings = SettingEngineBuilder::new()
            .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
            .build();

        let (candidates_tx, candidates) = mpsc::unbounded_channel();
        let (received_tx, received) = mpsc::unbounded_channel();
        let (state_tx, state) = watch::channel(RTCPeerConnectionState::New);
        let handler = Arc::new(Handler {
            candidates: candidates_tx,
            received: received_tx,
            state: state_tx,
        });
        let peer = Box::pin(
            PeerConnectionBuilder::new()
                .with_media_engine(media_engine)
                .with_interceptor_registry(registry)
                .with_setting_engine(settings)
                .with_handler(handler)
                .with_udp_addrs(vec!["127.0.0.1:0".to_owned()])
                .build(),
        )
        .await
        .unwrap();
        let peer: Arc<dyn PeerConnection> = Arc::new(peer);

        let ssrc = 0x2000_0000 + u32::from(number);
        let track = Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
            format!("peer-{number}"),
            format!("peer-{number}-microphone"),
            format!("peer {number} microphone"),
            RtpCodecKind::Audio,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters {
                    ssrc: Some(ssrc),
                    ..Default::default()
                },
                codec: rtp_codec,
                ..Default::default()
            }],
        )));
        if audio_sections > 0 {
            peer.add_track(Arc::clone(&track) as Arc<dyn TrackLocal>)
                .await
                .unwrap();
        }
        for _ in 1..audio_sections {
            peer.add_transceiver_from_kind(
                RtpCodecKind::Audio,
                Some(RTCRtpTransceiverInit {
                    direction: RTCRtpTransceiverDirection::Recvonly,
                    ..Default::default()
                }),
            )
            .await
            .unwrap();
        }

        Self {
            number,
            peer,
            track,
            ssrc,
            sequence_number: 1000 * u16::from(number),
            timestamp: 100_000 * u32::from(number),
            payload_type,
            received,
            candidates,
            state,
        }
    }

    /// Creates the peer's offer and applies it locally.
    pub async fn offer(&self) -> String {
        let offer = self.peer.create_offer(None).await.unwrap();
        self.peer.set_local_description(offer).await.unwrap();
        self.peer.local_description().await.unwrap().sdp
    }

    /// Applies the server's answer.
    pub async fn apply_answer(&self, sdp: &str) {
        self.peer
            .set_remote_description(RTCSessionDescription::answer(sdp.to_owned()).unwrap())
            .await
            .unwrap();
    }

    /// Applies the server's offer and returns the peer's answer.
    pub async fn answer_offer(&self, sdp: &str) -> String {
        self.peer
            .set_remote_description(RTCSessionDescription::offer(sdp.to_owned()).unwrap())
            .await
            .unwrap();
        let answer = self.peer.create_answer(None).await.unwrap();
        self.peer.set_local_description(answer).await.unwrap();
        self.peer.local_description().await.unwrap().sdp
    }

    /// Adds a server candidate from an `rtc.candidate` message; `null` ends
    /// the server's candidates and is skipped.
    pub async fn add_remote_candidate(&self, candidate: &Value) {
        if candidate.is_null() {
            return;
        }
        let init = RTCIceCandidateInit {
            candidate: candidate["candidate"].as_str().unwrap().to_owned(),
            sdp_mid: candidate["sdpMid"].as_str().map(str::to_owned),
            sdp_mline_index: candidate["sdpMLineIndex"]
                .as_u64()
                .and_then(|index| u16::try_from(index).ok()),
            username_fragment: candidate["usernameFragment"].as_str().map(str::to_owned),
            url: None,
        };
        self.peer.add_ice_candidate(init).await.unwrap();
    }

    /// Returns the local candidates gathered since the last call, as the
    /// `candidate` field of `rtc.candidate`.
    pub fn local_candidates(&mut self) -> Vec<Value> {
        let mut candidates = Vec::new();
        while let Ok(init) = self.candidates.try_recv() {
            candidates.push(json!({
                "candidate": init.candidate,
                "sdpMid": init.sdp_mid,
                "sdpMLineIndex": init.sdp_mline_index,
                "usernameFragment": init.username_fragment,
            }));
        }
        candidates
    }

    pub fn is_connected(&self) -> bool {
        *self.state.borrow() == RTCPeerConnectionState::Connected
    }

    /// Sends one RTP packet with the given payload.
    pub async fn send(&mut self, payload: Bytes) {
        self.sequence_number = self.sequence_number.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(960);
        let packet = rtp::Packet {
            header: rtp::Header {
                version: 2,
                payload_type: self.payload_type,
                sequence_number: self.sequence_number,
                timestamp: self.timestamp,
                ssrc: self.ssrc,
                ..Default::default()
            },
            payload,
        };
        self.track.write_rtp(packet).await.unwrap();
    }

    /// Sends a counted packet of this peer.
    pub async fn send_counted(&mut self, counter: u32) {
        let number = self.number;
        self.send(payload(PHASE_COUNTED, number, counter)).await;
    }

    /// Sends counted packets at four times the pace of 20 ms Opus frames,
    /// so the test stays short without a burst no microphone produces.
    pub async fn send_paced(&mut self, counters: std::ops::Range<u32>) {
        let mut pace = tokio::time::interval(Duration::from_millis(5));
        for counter in counters {
            pace.tick().await;
            self.send_counted(counter).await;
        }
    }

    /// Drains what was received so far without waiting.
    pub fn drain(&mut self) -> Vec<Received> {
        let mut packets = Vec::new();
        while let Ok(packet) = self.received.try_recv() {
            packets.push(packet);
        }
        packets
    }

    /// Waits for the next counted packet from `sender`, skipping others.
    /// Fails after [`WAIT`].
    pub async fn next_counted_from(&mut self, sender: u8) -> Received {
        let number = self.number;
        tokio::time::timeout(WAIT, async {
            loop {
                let packet = self.received.recv().await.expect("receiver closed");
                if packet.phase == PHASE_COUNTED && packet.sender == sender {
                    return packet;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("peer {number} received no packet from peer {sender}"))
    }

    /// Collects `count` counted packets from `sender`.
    pub async fn collect_from(&mut self, sender: u8, count: u32) -> Vec<u32> {
        let mut counters = Vec::new();
        while counters.len() < count as usize {
            counters.push(self.next_counted_from(sender).await.counter);
        }
        counters
    }
}

/// Joins audio over the control channel: sends the peer's offer, applies
/// the answer (and answers a server offer), trickles candidates both ways,
/// and returns once the peer is connected and the server sent
/// `rtc.state` `connected`. Other messages stay in `control.pending`.
/// Panics on an `error` or after [`WAIT`].
pub async fn join_audio(control: &mut ControlClient, peer: &mut AudioPeer) {
    let offer = peer.offer().await;
    control
        .send(json!({"v": 1, "type": "rtc.offer", "sdp": offer}))
        .await;

    let deadline = tokio::time::Instant::now() + WAIT;
    let mut answered = false;
    let mut early_candidates = Vec::new();
    let mut server_connected = false;
    while !(server_connected && peer.is_connected()) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "peer {} did not connect audio",
            peer.number
        );
        for candidate in peer.local_candidates() {
            control
                .send(json!({"v": 1, "type": "rtc.candidate", "candidate": candidate}))
                .await;
        }
        let Ok(message) = tokio::time::timeout(Duration::from_millis(20), control.read()).await
        else {
            continue;
        };
        match message["type"].as_str() {
            Some("rtc.answer") => {
                peer.apply_answer(message["sdp"].as_str().unwrap()).await;
                answered = true;
                for candidate in early_candidates.drain(..) {
                    peer.add_remote_candidate(&candidate).await;
                }
            }
            Some("rtc.offer") => {
                let answer = peer.answer_offer(message["sdp"].as_str().unwrap()).await;
                control
                    .send(json!({"v": 1, "type": "rtc.answer", "sdp": answer}))
                    .await;
            }
            Some("rtc.candidate") if answered => {
                peer.add_remote_candidate(&message["candidate"]).await;
            }
            Some("rtc.candidate") => early_candidates.push(message["candidate"].clone()),
            Some("rtc.state") if message["state"] == "connected" => server_connected = true,
            Some("error") => panic!("joining audio failed: {message}"),
            _ => control.pending.push_back(message),
        }
    }
}

/// Sends warm-up packets from `sender` until every listener received one,
/// so that counted packets do not race the setup of the server's outgoing
/// tracks.
pub async fn warm_up(sender: &mut AudioPeer, listeners: &mut [&mut AudioPeer]) {
    let number = sender.number;
    let mut ready = vec![false; listeners.len()];
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut counter = 0;
    while !ready.iter().all(|ready| *ready) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "warm-up packets from peer {number} never arrived"
        );
        sender.send(payload(PHASE_WARM_UP, number, counter)).await;
        counter += 1;
        for (index, listener) in listeners.iter_mut().enumerate() {
            if let Ok(Some(packet)) =
                tokio::time::timeout(Duration::from_millis(20), listener.received.recv()).await
                && packet.phase == PHASE_WARM_UP
                && packet.sender == number
            {
                ready[index] = true;
            }
        }
    }
    for listener in listeners.iter_mut() {
        listener.drain();
    }
}
