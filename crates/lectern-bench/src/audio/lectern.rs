//! Lectern as the audio scenario's server: starting it with audio on, and
//! negotiating each bench peer over the room's control WebSocket.
//!
//! Each participant opens `/ws/control/{code}` with its own token, sends
//! `rtc.offer`, applies `rtc.answer`, and trickles `rtc.candidate` both
//! ways (see docs/control-protocol.md). The SFU closes a participant's
//! audio session with the control connection, so each connection stays
//! open in its own task until the run stops.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};
use webrtc::peer_connection::RTCIceCandidateInit;

use super::AudioError;
use super::network::{PeerNetwork, keep_accepted_candidates};
use super::peer::{CONNECT_TIMEOUT, Peer, PeerCounters};
use crate::targets::{Endpoint, ServerProcess, lectern_version, start_lectern_with_config};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Audio tracks the server sends each participant with the default
/// `max_speakers` of 1: the lecturer, a second lecturer and one speaker.
/// An offer with as many receiving m-lines needs no renegotiation.
pub const AUDIO_SLOTS: usize = 3;

/// Builds the settings of a bench server with audio: join and login limits
/// high enough for hundreds of students from one address, and media on
/// the UDP ports `media_ports` (`"FIRST-LAST"` or `"ephemeral"`).
pub fn audio_config(media_ports: &str) -> String {
    format!(
        "[limits]\njoins_per_minute = 100000\nlogins_per_minute = 1000\n\n\
         [audio]\nenabled = true\nports = \"{media_ports}\"\n"
    )
}

/// A Lectern server started by the bench with audio on.
#[derive(Debug)]
pub struct LecternServer {
    pub process: ServerProcess,
    pub version: String,
}

impl LecternServer {
    /// Starts `binary` on 127.0.0.1, pinned to `cpu` when given.
    pub fn start(binary: &Path, cpu: Option<usize>, media_ports: &str) -> Result<Self, AudioError> {
        let process = start_lectern_with_config(binary, cpu, &audio_config(media_ports)).map_err(
            |error| AudioError::Start {
                system: "lectern",
                reason: format!("{error:#}"),
            },
        )?;
        Ok(Self {
            process,
            version: lectern_version(binary),
        })
    }
}

/// Returns the control channel URL of a board URL of the same room and token.
pub fn control_url(board_url: &str) -> String {
    board_url.replacen("/ws/board/", "/ws/control/", 1)
}

/// Connects `peer` to the room's audio over the control channel at `url`
/// and returns the task that keeps the channel open until `stop`. The
/// server decides whose audio it forwards: the lecturer's, here.
pub async fn join_audio(
    url: String,
    peer: Arc<Peer>,
    counters: Arc<PeerCounters>,
    stop: CancellationToken,
) -> Result<JoinHandle<()>, AudioError> {
    let (mut socket, _) =
        tokio::time::timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(&url))
            .await
            .map_err(|_| AudioError::Timeout("the control WebSocket to connect"))?
            .map_err(AudioError::transport("connecting the control WebSocket"))?;

    let audio_enabled = wait_audio_config(&mut socket).await?;
    if !audio_enabled {
        return Err(AudioError::Signalling(
            "the server runs without audio (audio.config enabled=false)".to_owned(),
        ));
    }

    let offer = peer.offer().await?;
    send(
        &mut socket,
        json!({"v": 1, "type": "rtc.offer", "sdp": offer}),
    )
    .await?;
    let candidates = peer
        .take_candidates()
        .ok_or_else(|| AudioError::Signalling("the peer's candidates were taken".to_owned()))?;
    Ok(tokio::spawn(run_control(
        socket, peer, candidates, counters, stop,
    )))
}

/// Reads the messages after `welcome` up to `audio.config` and returns
/// whether audio is enabled.
async fn wait_audio_config(socket: &mut Socket) -> Result<bool, AudioError> {
    let deadline = tokio::time::Instant::now() + CONNECT_TIMEOUT;
    loop {
        let next = tokio::time::timeout_at(deadline, socket.next())
            .await
            .map_err(|_| AudioError::Timeout("audio.config on the control channel"))?;
        let text = match next {
            Some(Ok(WsMessage::Text(text))) => text,
            Some(Ok(WsMessage::Close(close))) => {
                return Err(AudioError::Signalling(format!(
                    "the server closed the control channel: {close:?}"
                )));
            }
            Some(Ok(_)) => continue,
            Some(Err(error)) => return Err(AudioError::transport("the control channel")(error)),
            None => {
                return Err(AudioError::Signalling(
                    "the control channel closed before audio.config".to_owned(),
                ));
            }
        };
        let message: Value = serde_json::from_str(&text)
            .map_err(AudioError::transport("decoding a control message"))?;
        if message["type"] == "audio.config" {
            return Ok(message["enabled"].as_bool().unwrap_or(false));
        }
    }
}

async fn send(socket: &mut Socket, message: Value) -> Result<(), AudioError> {
    socket
        .send(WsMessage::text(message.to_string()))
        .await
        .map_err(AudioError::transport("sending on the control channel"))
}

/// Runs one participant's control channel: sends local candidates,
/// applies the server's answer, candidates and offers, and stays open
/// until `stop`.
async fn run_control(
    mut socket: Socket,
    peer: Arc<Peer>,
    mut candidates: tokio::sync::mpsc::Receiver<super::peer::LocalCandidate>,
    counters: Arc<PeerCounters>,
    stop: CancellationToken,
) {
    let mut gathering = true;
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            candidate = candidates.recv(), if gathering => {
                let message = match candidate {
                    Some(candidate) => json!({"v": 1, "type": "rtc.candidate", "candidate": candidate}),
                    None => {
                        gathering = false;
                        json!({"v": 1, "type": "rtc.candidate", "candidate": null})
                    }
                };
                if let Err(error) = send(&mut socket, message).await {
                    warn!(%error, "sending a candidate failed");
                    counters.errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            next = socket.next() => {
                let text = match next {
                    Some(Ok(WsMessage::Text(text))) => text,
                    Some(Ok(WsMessage::Close(close))) => {
                        warn!(?close, "the server closed a control channel");
                        counters.disconnects.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(error)) => {
                        warn!(%error, "a control channel failed");
                        counters.disconnects.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    None => {
                        counters.disconnects.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                };
                if let Err(error) = handle_message(&mut socket, &peer, &text).await {
                    warn!(%error, "a control message could not be applied");
                    counters.errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
    let _ = socket.close(None).await;
}

/// Applies one server message that concerns audio; ignores the others.
async fn handle_message(socket: &mut Socket, peer: &Peer, text: &str) -> Result<(), AudioError> {
    let message: Value =
        serde_json::from_str(text).map_err(AudioError::transport("decoding a control message"))?;
    match message["type"].as_str().unwrap_or_default() {
        "rtc.answer" => {
            let sdp =
                keep_accepted_candidates(&string_field(&message, "sdp")?, PeerNetwork::Loopback)?;
            peer.accept_answer(sdp).await
        }
        "rtc.offer" => {
            debug!("the server renegotiates");
            let sdp =
                keep_accepted_candidates(&string_field(&message, "sdp")?, PeerNetwork::Loopback)?;
            let answer = peer.answer(sdp).await?;
            send(socket, json!({"v": 1, "type": "rtc.answer", "sdp": answer})).await
        }
        "rtc.candidate" => {
            if message["candidate"].is_null() {
                return Ok(());
            }
            let candidate: RTCIceCandidateInit =
                serde_json::from_value(message["candidate"].clone())
                    .map_err(AudioError::transport("decoding a server candidate"))?;
            peer.add_remote_candidate(candidate).await
        }
        "rtc.state" => {
            if message["state"] == "closed" {
                return Err(AudioError::Signalling(format!(
                    "the server closed the audio session: {}",
                    message["reason"]
                )));
            }
            debug!("the server reports the audio session connected");
            Ok(())
        }
        "error" => Err(AudioError::Signalling(format!(
            "the server rejected a message: {} ({})",
            message["message"], message["code"]
        ))),
        _ => Ok(()),
    }
}

fn string_field(message: &Value, name: &str) -> Result<String, AudioError> {
    message[name].as_str().map(str::to_owned).ok_or_else(|| {
        AudioError::Signalling(format!("{} has no string {name:?}", message["type"]))
    })
}

/// Returns the control URLs of the lecturer and of each student of `endpoint`.
pub fn participant_urls(endpoint: &Endpoint) -> (String, Vec<String>) {
    (
        control_url(&endpoint.writer_url),
        endpoint
            .reader_urls
            .iter()
            .map(|url| control_url(url))
            .collect(),
    )
}
