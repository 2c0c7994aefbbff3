//! The class actor's audio: WebRTC signalling between browsers and the
//! room's SFU room, the SFU's events, and forwarding as the floor decides.
//!
//! The SFU room is created on the first `rtc.offer` and closed when the
//! class actor stops. Each participant has at most one SFU session, owned
//! by the control connection that sent the offer: its candidates and state
//! go to that connection, and the session closes with it.

use std::collections::{BTreeSet, HashMap};

use lectern_board::ConnectionId;
use lectern_sfu::{CloseReason, IceCandidate, ParticipantId, Room, RoomEvent, Sfu, SfuError};
use tokio::sync::mpsc;
use tracing::{debug, error, info, warn};

use super::actor::ClassActor;
use super::protocol::{
    ClientMessage, ErrorCode, Rejection, RtcCloseReason, RtcState, ServerMessage,
};

/// The audio side of one class: the SFU room, once created, and who
/// signals and sends what.
#[derive(Debug)]
pub(super) struct AudioState {
    /// The process-wide SFU, or `None` when audio is disabled.
    sfu: Option<Sfu>,
    room: Option<SfuRoom>,
    /// The SFU session of each participant who joined audio.
    sessions: HashMap<String, AudioSession>,
    /// Participants whose audio the SFU forwards, as last applied.
    forwarded: BTreeSet<String>,
    /// Participants the SFU reports as speaking, as last sent.
    speaking: BTreeSet<String>,
}

#[derive(Debug)]
struct SfuRoom {
    room: Room,
    events: mpsc::Receiver<RoomEvent>,
}

#[derive(Debug, Clone, Copy)]
struct AudioSession {
    /// The control connection that signals this session.
    connection: ConnectionId,
    /// Whether the server sent `rtc.offer` and waits for `rtc.answer`.
    offer_pending: bool,
}

impl AudioState {
    pub(super) fn new(sfu: Option<Sfu>) -> Self {
        Self {
            sfu,
            room: None,
            sessions: HashMap::new(),
            forwarded: BTreeSet::new(),
            speaking: BTreeSet::new(),
        }
    }

    /// Returns the receiver of the SFU room's events, once the room exists.
    pub(super) fn events(&mut self) -> Option<&mut mpsc::Receiver<RoomEvent>> {
        self.room.as_mut().map(|room| &mut room.events)
    }

    /// Builds `audio.config`: whether audio is enabled and the ICE servers
    /// for the browser's `RTCPeerConnection`.
    pub(super) fn config_message(&self) -> ServerMessage {
        ServerMessage::AudioConfig {
            enabled: self.sfu.is_some(),
            ice_servers: self
                .sfu
                .as_ref()
                .map(|sfu| sfu.client_config().ice_servers)
                .unwrap_or_default(),
        }
    }

    /// Returns the SFU room, creating it on first use.
    fn room(&mut self) -> Option<Room> {
        if let Some(existing) = &self.room {
            return Some(existing.room.clone());
        }
        let sfu = self.sfu.as_ref()?;
        let (room, events) = sfu.create_room();
        info!("SFU room created");
        // A new room forwards nobody until `sync_forwarding` runs.
        self.forwarded.clear();
        self.room = Some(SfuRoom {
            room: room.clone(),
            events,
        });
        Some(room)
    }

    /// Returns true when `participant`'s session is signalled over
    /// `connection`.
    fn owned_by(&self, participant: &str, connection: ConnectionId) -> bool {
        self.sessions
            .get(participant)
            .is_some_and(|session| session.connection == connection)
    }
}

impl ClassActor {
    /// Handles one signalling message.
    pub(super) async fn audio_message(
        &mut self,
        connection: ConnectionId,
        reference: Option<String>,
        participant_id: &str,
        message: ClientMessage,
    ) {
        match message {
            ClientMessage::RtcOffer { sdp } => {
                self.rtc_offer(connection, reference, participant_id, &sdp)
                    .await;
            }
            ClientMessage::RtcAnswer { sdp } => {
                self.rtc_answer(connection, reference, participant_id, &sdp)
                    .await;
            }
            ClientMessage::RtcCandidate { candidate } => {
                self.rtc_candidate(connection, reference, participant_id, candidate)
                    .await;
            }
            ClientMessage::RtcLeave {} => {
                if self.audio.owned_by(participant_id, connection) {
                    self.close_session(participant_id, RtcCloseReason::Left)
                        .await;
                } else {
                    debug!("rtc.leave without an audio session; nothing to do");
                }
            }
            other => {
                error!(
                    message = other.type_name(),
                    "not a signalling message; this is a bug"
                );
            }
        }
    }

    /// Joins the participant to audio, or renegotiates their session, and
    /// sends the answer. When the answer leaves audio slots without a
    /// track, the server's own offer follows.
    ///
    /// NOTE: the SFU calls run inside the actor, so the room's other
    /// commands wait while a session opens (binding its socket and applying
    /// the offer, a few milliseconds on loopback). An offer that crosses
    /// the server's own pending offer is not rolled back; it gets
    /// `negotiation_failed`.
    async fn rtc_offer(
        &mut self,
        connection: ConnectionId,
        reference: Option<String>,
        participant_id: &str,
        sdp: &str,
    ) {
        debug!(bytes = sdp.len(), "offer received");
        let Some(room) = self.audio.room() else {
            let rejection = Rejection::new(
                reference,
                ErrorCode::AudioUnavailable,
                "audio is disabled on this server",
            );
            self.reject(connection, rejection);
            return;
        };
        // A room created just now learns who may send audio.
        self.sync_forwarding();
        let participant = ParticipantId::new(participant_id);

        // A session the SFU closed by itself, whose event has not arrived
        // yet, is gone already.
        let has_session = room.participants().contains(&participant);
        match self.audio.sessions.get(participant_id).copied() {
            Some(session) if !has_session => {
                debug!(connection = %session.connection, "dropping the record of a session the SFU closed");
                self.audio.sessions.remove(participant_id);
            }
            Some(session) if session.connection != connection => {
                info!(previous = %session.connection, "audio moves to a newer control connection");
                self.close_session(participant_id, RtcCloseReason::Replaced)
                    .await;
            }
            _ => {}
        }

        let is_new = !self.audio.sessions.contains_key(participant_id);
        if is_new {
            if let Err(error) = room.join(&participant).await {
                error!(%error, "opening the audio session failed");
                let rejection = Rejection::new(
                    reference,
                    ErrorCode::AudioUnavailable,
                    format!("the server could not open an audio connection: {error}"),
                );
                self.reject(connection, rejection);
                return;
            }
            self.audio.sessions.insert(
                participant_id.to_owned(),
                AudioSession {
                    connection,
                    offer_pending: false,
                },
            );
            info!("joined audio");
        }

        let answer = match room.accept_offer(&participant, sdp).await {
            Ok(answer) => answer,
            Err(error) => {
                info!(%error, "offer rejected");
                self.reject(connection, sfu_error(reference, &error));
                if is_new {
                    // A session that never negotiated is no use to anyone.
                    self.close_session(participant_id, RtcCloseReason::Left)
                        .await;
                }
                return;
            }
        };
        debug!(bytes = answer.len(), "answer sent");
        self.send(connection, &ServerMessage::RtcAnswer { sdp: answer });

        self.offer_missing_slots(connection, &room, &participant)
            .await;
    }

    /// Sends the server's offer when the participant's session has audio
    /// slots without an outgoing track, so that the browser hears every
    /// speaker.
    async fn offer_missing_slots(
        &mut self,
        connection: ConnectionId,
        room: &Room,
        participant: &ParticipantId,
    ) {
        match room.unattached_slots(participant) {
            Ok(0) => return,
            Ok(missing) => debug!(missing, "renegotiating to add audio tracks"),
            Err(error) => {
                warn!(%error, "cannot count the session's audio tracks");
                return;
            }
        }
        match room.create_offer(participant).await {
            Ok(offer) => {
                if let Some(session) = self.audio.sessions.get_mut(participant.as_str()) {
                    session.offer_pending = true;
                }
                debug!(bytes = offer.len(), "offer sent");
                self.send(connection, &ServerMessage::RtcOffer { sdp: offer });
            }
            Err(error) => {
                // The browser still hears the slots its own offer made room for.
                warn!(%error, "creating the server's offer failed");
            }
        }
    }

    /// Applies the browser's answer to the server's offer.
    async fn rtc_answer(
        &mut self,
        connection: ConnectionId,
        reference: Option<String>,
        participant_id: &str,
        sdp: &str,
    ) {
        debug!(bytes = sdp.len(), "answer received");
        let Some(session) = self.session_of(connection, participant_id) else {
            let rejection = Rejection::new(
                reference,
                ErrorCode::NoAudioSession,
                "no audio session on this connection; send rtc.offer first",
            );
            self.reject(connection, rejection);
            return;
        };
        if !session.offer_pending {
            let rejection = Rejection::new(
                reference,
                ErrorCode::NoOfferPending,
                "the server sent no rtc.offer that waits for an answer",
            );
            self.reject(connection, rejection);
            return;
        }
        let Some(room) = self.audio.room() else {
            return;
        };

        match room
            .accept_answer(&ParticipantId::new(participant_id), sdp)
            .await
        {
            Ok(()) => {
                if let Some(session) = self.audio.sessions.get_mut(participant_id) {
                    session.offer_pending = false;
                }
                debug!("renegotiation complete");
            }
            Err(error) => {
                info!(%error, "answer rejected");
                self.reject(connection, sfu_error(reference, &error));
            }
        }
    }

    /// Adds a trickle ICE candidate of the browser.
    async fn rtc_candidate(
        &mut self,
        connection: ConnectionId,
        reference: Option<String>,
        participant_id: &str,
        candidate: Option<IceCandidate>,
    ) {
        if self.session_of(connection, participant_id).is_none() {
            let rejection = Rejection::new(
                reference,
                ErrorCode::NoAudioSession,
                "no audio session on this connection; send rtc.offer before its candidates",
            );
            self.reject(connection, rejection);
            return;
        }
        // `null` and an empty candidate end the browser's candidates; the
        // SFU needs no notice of that.
        let Some(candidate) = candidate.filter(|candidate| !candidate.candidate.is_empty()) else {
            return;
        };
        let Some(room) = self.audio.room() else {
            return;
        };
        if let Err(error) = room
            .add_ice_candidate(&ParticipantId::new(participant_id), candidate)
            .await
        {
            info!(%error, "candidate rejected");
            self.reject(connection, sfu_error(reference, &error));
        }
    }

    fn session_of(&self, connection: ConnectionId, participant_id: &str) -> Option<AudioSession> {
        self.audio
            .sessions
            .get(participant_id)
            .copied()
            .filter(|session| session.connection == connection)
    }

    /// Closes the audio session that `connection` signals, if any, because
    /// the connection closed.
    pub(super) async fn connection_closed(
        &mut self,
        connection: ConnectionId,
        participant_id: &str,
    ) {
        if self.audio.owned_by(participant_id, connection) {
            self.close_session(participant_id, RtcCloseReason::Left)
                .await;
        }
    }

    /// Closes a participant's SFU session and sends `rtc.state` `closed` to
    /// the connection that owned it.
    async fn close_session(&mut self, participant_id: &str, reason: RtcCloseReason) {
        let Some(session) = self.audio.sessions.remove(participant_id) else {
            return;
        };
        if let Some(room) = self.audio.room.as_ref().map(|room| room.room.clone()) {
            match room.leave(&ParticipantId::new(participant_id)).await {
                Ok(()) | Err(SfuError::UnknownSession(_)) => {}
                Err(error) => {
                    warn!(participant = %participant_id, %error, "closing the audio session failed")
                }
            }
        }
        info!(participant = %participant_id, connection = %session.connection, ?reason, "left audio");
        self.send(
            session.connection,
            &ServerMessage::RtcState {
                state: RtcState::Closed,
                reason: Some(reason),
            },
        );
        self.stop_speaking(participant_id);
    }

    /// Handles an event of the SFU room.
    pub(super) async fn audio_event(&mut self, event: Option<RoomEvent>) {
        let Some(event) = event else {
            error!("the SFU room's event channel closed; audio restarts with the next offer");
            self.audio.room = None;
            self.audio.sessions.clear();
            return;
        };
        match event {
            RoomEvent::IceCandidate {
                participant,
                candidate,
            } => self.send_to_session(
                participant.as_str(),
                &ServerMessage::RtcCandidate {
                    candidate: Some(candidate),
                },
            ),
            RoomEvent::IceGatheringComplete { participant } => self.send_to_session(
                participant.as_str(),
                &ServerMessage::RtcCandidate { candidate: None },
            ),
            RoomEvent::Connected { participant } => {
                info!(%participant, "audio connected");
                self.send_to_session(
                    participant.as_str(),
                    &ServerMessage::RtcState {
                        state: RtcState::Connected,
                        reason: None,
                    },
                );
            }
            RoomEvent::Speaking {
                participant,
                speaking,
            } => {
                let changed = if speaking {
                    self.audio.speaking.insert(participant.as_str().to_owned())
                } else {
                    self.audio.speaking.remove(participant.as_str())
                };
                if changed {
                    self.broadcast_speaking();
                }
            }
            RoomEvent::SessionClosed {
                participant,
                reason,
            } => self.session_closed_by_sfu(&participant, reason),
            other => debug!(?other, "SFU event ignored"),
        }
    }

    /// Forgets a session the SFU closed by itself and sends `rtc.state`
    /// `closed` to its connection.
    fn session_closed_by_sfu(&mut self, participant: &ParticipantId, reason: CloseReason) {
        let reason = match reason {
            CloseReason::ConnectionFailed => RtcCloseReason::ConnectionFailed,
            CloseReason::ConnectionClosed => RtcCloseReason::ConnectionClosed,
            // The actor closed these sessions itself and sent `rtc.state` then.
            _ => return,
        };
        let newer_session = self
            .audio
            .room
            .as_ref()
            .is_some_and(|room| room.room.participants().contains(participant));
        if newer_session {
            return;
        }
        let Some(session) = self.audio.sessions.remove(participant.as_str()) else {
            return;
        };
        if reason == RtcCloseReason::ConnectionFailed {
            warn!(%participant, connection = %session.connection, "audio connection failed: ICE or DTLS failed, or the browser stopped answering");
        } else {
            info!(%participant, connection = %session.connection, "audio connection closed by the browser");
        }
        self.send(
            session.connection,
            &ServerMessage::RtcState {
                state: RtcState::Closed,
                reason: Some(reason),
            },
        );
        self.stop_speaking(participant.as_str());
    }

    fn send_to_session(&mut self, participant_id: &str, message: &ServerMessage) {
        if let Some(session) = self.audio.sessions.get(participant_id).copied() {
            self.send(session.connection, message);
        }
    }

    fn stop_speaking(&mut self, participant_id: &str) {
        if self.audio.speaking.remove(participant_id) {
            self.broadcast_speaking();
        }
    }

    fn broadcast_speaking(&mut self) {
        let speaking = self.audio.speaking.iter().cloned().collect();
        self.broadcast(&ServerMessage::Speaking { speaking });
    }

    /// Makes the SFU forward exactly the participants the floor lets send
    /// audio: lecturers and speakers who are not muted. Before the SFU
    /// room exists this changes nothing; the room gets the whole set when
    /// it is created.
    pub(super) fn sync_forwarding(&mut self) {
        let Some(room) = self.audio.room.as_ref().map(|room| room.room.clone()) else {
            return;
        };
        let snapshot = self.floor.snapshot();
        let wanted: BTreeSet<String> = snapshot
            .lecturers
            .into_iter()
            .chain(
                snapshot
                    .speakers
                    .into_iter()
                    .map(|speaker| speaker.participant),
            )
            .filter(|participant| self.floor.may_send_audio(participant))
            .collect();

        // Stopping first frees the audio slots that new speakers take.
        let stopped: Vec<String> = self.audio.forwarded.difference(&wanted).cloned().collect();
        for participant in stopped {
            match room.set_forwarding(&ParticipantId::new(participant.as_str()), false) {
                Ok(()) => info!(%participant, "audio forwarding stopped"),
                Err(error) => warn!(%participant, %error, "stopping audio forwarding failed"),
            }
            self.audio.forwarded.remove(&participant);
            self.stop_speaking(&participant);
        }
        let started: Vec<String> = wanted.difference(&self.audio.forwarded).cloned().collect();
        for participant in started {
            match room.set_forwarding(&ParticipantId::new(participant.as_str()), true) {
                Ok(()) => {
                    info!(%participant, "audio forwarding started");
                    self.audio.forwarded.insert(participant);
                }
                // NOTE: a participant without a free slot stays unheard
                // until the next floor change frees one; the floor still
                // shows them as a speaker.
                Err(error) => error!(%participant, %error, "starting audio forwarding failed"),
            }
        }
    }

    /// Closes the SFU room and every session in it, sending `rtc.state`
    /// `closed` with reason `room_closed` to each session's connection.
    pub(super) async fn close_audio_room(&mut self) {
        let Some(room) = self.audio.room.take() else {
            return;
        };
        let sessions: Vec<AudioSession> = self
            .audio
            .sessions
            .drain()
            .map(|(_, session)| session)
            .collect();
        for session in sessions {
            self.send(
                session.connection,
                &ServerMessage::RtcState {
                    state: RtcState::Closed,
                    reason: Some(RtcCloseReason::RoomClosed),
                },
            );
        }
        room.room.close().await;
        self.audio.forwarded.clear();
        self.audio.speaking.clear();
        info!("SFU room closed");
    }
}

/// Maps an SFU error to its protocol error.
fn sfu_error(reference: Option<String>, error: &SfuError) -> Rejection {
    let code = match error {
        SfuError::InvalidSdp { .. } => ErrorCode::InvalidSdp,
        SfuError::NoAudioMedia { .. } => ErrorCode::NoAudio,
        SfuError::OpusNotOffered { .. } => ErrorCode::UnsupportedCodec,
        SfuError::UnknownSession(_) | SfuError::SessionClosed(_) => ErrorCode::NoAudioSession,
        SfuError::InvalidCandidate { .. } => ErrorCode::InvalidCandidate,
        SfuError::WebRtc { .. } => ErrorCode::NegotiationFailed,
        _ => ErrorCode::AudioUnavailable,
    };
    let message = match code {
        ErrorCode::NoAudioSession => {
            "the audio session has closed; send rtc.offer to join audio again".to_owned()
        }
        _ => error.to_string(),
    };
    Rejection::new(reference, code, message)
}
