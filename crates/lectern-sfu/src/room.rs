//! A room: the sessions of its participants, the forwarding grants, and its signalling API.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};
use webrtc::peer_connection::{RTCIceCandidateInit, RTCSessionDescription};

use crate::config::{SfuConfig, map_sdp_candidates};
use crate::forward::{NOT_FORWARDED, Subscriber};
use crate::offer_check::{RemoteAudio, check_answer, check_offer};
use crate::session::{Session, SessionParts, lock};
use crate::stats::bump;
use crate::{ParticipantId, SfuError, SfuInner};

/// An ICE candidate in the browser's `RTCIceCandidateInit` form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IceCandidate {
    /// The `candidate:` attribute.
    pub candidate: String,
    /// `mid` of the media section the candidate belongs to.
    #[serde(default)]
    pub sdp_mid: Option<String>,
    /// Index of the media section the candidate belongs to.
    #[serde(default, rename = "sdpMLineIndex")]
    pub sdp_mline_index: Option<u16>,
    /// ICE user name fragment of the generation the candidate belongs to.
    #[serde(default)]
    pub username_fragment: Option<String>,
}

/// Reason a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The server called [`Room::leave`].
    Left,
    /// ICE or DTLS failed, or the peer stopped answering consent checks.
    ConnectionFailed,
    /// The peer connection closed.
    ConnectionClosed,
    /// The server called [`Room::close`].
    RoomClosed,
}

/// Something the server must act on, from [`Sfu::create_room`](crate::Sfu::create_room)'s
/// receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RoomEvent {
    /// A local ICE candidate to send to the participant's browser.
    IceCandidate {
        /// Participant whose connection gathered it.
        participant: ParticipantId,
        /// The candidate.
        candidate: IceCandidate,
    },
    /// The SFU has gathered all its candidates for the participant (end of candidates).
    IceGatheringComplete {
        /// Participant whose connection finished gathering.
        participant: ParticipantId,
    },
    /// The participant's peer connection is connected.
    Connected {
        /// Participant who connected.
        participant: ParticipantId,
    },
    /// A participant whose audio is forwarded started or stopped speaking.
    Speaking {
        /// Participant whose state changed.
        participant: ParticipantId,
        /// Whether the participant is speaking now.
        speaking: bool,
    },
    /// The participant's session was closed and removed.
    SessionClosed {
        /// Participant whose session ended.
        participant: ParticipantId,
        /// Reason it ended.
        reason: CloseReason,
    },
}

/// Handle to one room of the SFU. Cheap to clone, and all clones share the room.
#[derive(Debug, Clone)]
pub struct Room {
    inner: Arc<RoomInner>,
}

pub(crate) struct RoomInner {
    sfu: Arc<SfuInner>,
    state: std::sync::Mutex<RoomState>,
    /// Subscribers in a snapshot publishers clone per packet, replaced on join and leave.
    subscribers: RwLock<Arc<[Arc<Subscriber>]>>,
    events: mpsc::Sender<RoomEvent>,
    next_source: AtomicU64,
    next_serial: AtomicU64,
}

impl std::fmt::Debug for RoomInner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("RoomInner").finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct RoomState {
    closed: bool,
    sessions: HashMap<ParticipantId, Arc<Session>>,
    /// Forwarding grant per participant: the slot index, or `NOT_FORWARDED`. A grant outlives
    /// sessions, so a lecturer who reconnects keeps speaking.
    grants: HashMap<ParticipantId, Arc<AtomicU32>>,
    /// Holder of each audio slot.
    slots: Vec<Option<ParticipantId>>,
}

impl RoomState {
    fn grant(&mut self, participant: &ParticipantId) -> Arc<AtomicU32> {
        Arc::clone(
            self.grants
                .entry(participant.clone())
                .or_insert_with(|| Arc::new(AtomicU32::new(NOT_FORWARDED))),
        )
    }
}

impl RoomInner {
    pub(crate) fn config(&self) -> Arc<SfuConfig> {
        Arc::clone(&self.sfu.config)
    }

    pub(crate) fn subscribers(&self) -> Arc<[Arc<Subscriber>]> {
        Arc::clone(
            &self
                .subscribers
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    pub(crate) fn next_source(&self) -> u64 {
        self.next_source.fetch_add(1, Ordering::Relaxed)
    }

    /// Sends an event without waiting. A full channel drops it and counts the drop.
    pub(crate) fn emit(&self, event: RoomEvent) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.events.try_send(event) {
            bump(&self.sfu.counters.events_dropped);
            warn!("room event channel full, dropping an event");
        }
    }

    fn publish_subscribers(&self, state: &RoomState) {
        let snapshot: Arc<[Arc<Subscriber>]> = state
            .sessions
            .values()
            .map(|session| Arc::clone(&session.subscriber))
            .collect();
        *self
            .subscribers
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = snapshot;
    }

    /// Removes and closes the participant's session. With `serial`, only that session is
    /// removed, so a late event of an old connection cannot close a newer one.
    pub(crate) async fn remove_session(
        &self,
        participant: &ParticipantId,
        serial: Option<u64>,
        reason: CloseReason,
    ) -> bool {
        let session = {
            let mut state = lock(&self.state);
            let matches = state
                .sessions
                .get(participant)
                .is_some_and(|session| serial.is_none_or(|serial| session.serial == serial));
            if !matches {
                return false;
            }
            let session = state.sessions.remove(participant);
            self.publish_subscribers(&state);
            session
        };
        let Some(session) = session else {
            return false;
        };
        session.close().await;
        info!(%participant, ?reason, "SFU session closed");
        self.emit(RoomEvent::SessionClosed {
            participant: participant.clone(),
            reason,
        });
        true
    }

    fn session(&self, participant: &ParticipantId) -> Result<Arc<Session>, SfuError> {
        let state = lock(&self.state);
        if state.closed {
            return Err(SfuError::RoomClosed);
        }
        let session = state
            .sessions
            .get(participant)
            .cloned()
            .ok_or_else(|| SfuError::UnknownSession(participant.clone()))?;
        if session.is_closed() {
            return Err(SfuError::SessionClosed(participant.clone()));
        }
        Ok(session)
    }
}

impl Room {
    pub(crate) fn new(sfu: Arc<SfuInner>) -> (Self, mpsc::Receiver<RoomEvent>) {
        let (events, receiver) = mpsc::channel(sfu.config.event_queue);
        let slots = vec![None; sfu.config.audio_slots];
        let inner = RoomInner {
            sfu,
            state: std::sync::Mutex::new(RoomState {
                slots,
                ..RoomState::default()
            }),
            subscribers: RwLock::new(Arc::from(Vec::new())),
            events,
            next_source: AtomicU64::new(1),
            next_serial: AtomicU64::new(1),
        };
        (
            Self {
                inner: Arc::new(inner),
            },
            receiver,
        )
    }

    /// Creates the participant's session: a peer connection with its sockets bound, and the
    /// subscriber entry that publishers write its outgoing packets to. Signalling follows with
    /// [`accept_offer`](Self::accept_offer).
    ///
    /// # Errors
    ///
    /// [`SfuError::SessionExists`] if the participant has a session, [`SfuError::RoomClosed`],
    /// [`SfuError::NoFreePort`], or [`SfuError::WebRtc`] if the peer connection cannot open.
    pub async fn join(&self, participant: &ParticipantId) -> Result<(), SfuError> {
        let config = self.inner.config();
        let (grant, serial) = {
            let mut state = lock(&self.inner.state);
            if state.closed {
                return Err(SfuError::RoomClosed);
            }
            if state.sessions.contains_key(participant) {
                return Err(SfuError::SessionExists(participant.clone()));
            }
            let serial = self.inner.next_serial.fetch_add(1, Ordering::Relaxed);
            (state.grant(participant), serial)
        };
        let addr = self.inner.sfu.ports.next_addr()?;

        let subscriber = Arc::new(Subscriber::new(participant.clone(), config.audio_slots));
        let cancel = CancellationToken::new();
        let session = Box::pin(Session::open(SessionParts {
            participant: participant.clone(),
            serial,
            config: Arc::clone(&config),
            counters: Arc::clone(&self.inner.sfu.counters),
            room: Arc::downgrade(&self.inner),
            grant,
            addr,
            subscriber,
            cancel,
        }))
        .await?;
        let session = Arc::new(session);

        let rejected = {
            let mut state = lock(&self.inner.state);
            if state.closed {
                Some(SfuError::RoomClosed)
            } else if state.sessions.contains_key(participant) {
                Some(SfuError::SessionExists(participant.clone()))
            } else {
                state
                    .sessions
                    .insert(participant.clone(), Arc::clone(&session));
                self.inner.publish_subscribers(&state);
                None
            }
        };
        if let Some(error) = rejected {
            session.close().await;
            return Err(error);
        }

        info!(%participant, %addr, "SFU session created");
        Ok(())
    }

    /// Applies the browser's offer and returns the SDP answer.
    ///
    /// The SFU attaches one outgoing track to each audio m-line on which the browser can
    /// receive (`sendrecv` or `recvonly`), in m-line order, up to
    /// [`SfuConfig::audio_slots`]. A browser that offers fewer m-lines hears fewer
    /// simultaneous speakers until the server calls [`create_offer`](Self::create_offer).
    /// The answer contains the candidates gathered so far, and later ones arrive as
    /// [`RoomEvent::IceCandidate`].
    ///
    /// NOTE: `add_track` binds a track to the first audio transceiver without a sender, so a
    /// `sendonly` m-line listed before the receiving ones takes a track that is never heard.
    /// Browsers should put their microphone on a `sendrecv` m-line.
    ///
    /// # Errors
    ///
    /// [`SfuError::InvalidSdp`], [`SfuError::NoAudioMedia`], [`SfuError::OpusNotOffered`],
    /// [`SfuError::UnknownSession`], [`SfuError::SessionClosed`], or [`SfuError::WebRtc`] when
    /// the stack rejects the offer (for example in the wrong signalling state).
    pub async fn accept_offer(
        &self,
        participant: &ParticipantId,
        offer_sdp: &str,
    ) -> Result<String, SfuError> {
        let session = self.inner.session(participant)?;
        let remote = check_offer(participant, offer_sdp)?;
        let offer = RTCSessionDescription::offer(offer_sdp.to_owned()).map_err(|error| {
            SfuError::InvalidSdp {
                participant: participant.clone(),
                reason: error.to_string(),
            }
        })?;
        session
            .peer
            .set_remote_description(offer)
            .await
            .map_err(SfuError::webrtc(participant, "apply the remote offer"))?;
        self.note_remote_audio(&session, remote);

        let attached = *lock(&session.attached_slots);
        let wanted = remote.receivable_sections.min(session.slot_tracks.len());
        session
            .attach_slot_tracks(wanted.saturating_sub(attached))
            .await?;

        let answer = session
            .peer
            .create_answer(None)
            .await
            .map_err(SfuError::webrtc(participant, "create the answer"))?;
        session
            .peer
            .set_local_description(answer)
            .await
            .map_err(SfuError::webrtc(participant, "apply the local answer"))?;
        session.refresh_outputs().await?;
        self.local_sdp(&session).await
    }

    /// Creates an offer from the SFU that adds a send-only audio track for every slot the
    /// participant's last offer left without one. The browser answers through
    /// [`accept_answer`](Self::accept_answer).
    ///
    /// # Errors
    ///
    /// [`SfuError::UnknownSession`], [`SfuError::SessionClosed`], or [`SfuError::WebRtc`] when
    /// the stack cannot create the offer (for example while the browser's offer is pending).
    pub async fn create_offer(&self, participant: &ParticipantId) -> Result<String, SfuError> {
        let session = self.inner.session(participant)?;
        session.add_missing_slot_transceivers().await?;
        let offer = session
            .peer
            .create_offer(None)
            .await
            .map_err(SfuError::webrtc(participant, "create an offer"))?;
        session
            .peer
            .set_local_description(offer)
            .await
            .map_err(SfuError::webrtc(participant, "apply the local offer"))?;
        self.local_sdp(&session).await
    }

    /// Returns how many of the room's audio slots have no outgoing track in the participant's
    /// session yet: the tracks [`create_offer`](Self::create_offer) would add. A server
    /// renegotiates when this is above zero after [`accept_offer`](Self::accept_offer), so
    /// that the browser hears every slot.
    ///
    /// # Errors
    ///
    /// [`SfuError::UnknownSession`] or [`SfuError::SessionClosed`].
    pub fn unattached_slots(&self, participant: &ParticipantId) -> Result<usize, SfuError> {
        let session = self.inner.session(participant)?;
        let attached = *lock(&session.attached_slots);
        Ok(session.slot_tracks.len().saturating_sub(attached))
    }

    /// Applies the browser's answer to an offer from [`create_offer`](Self::create_offer).
    ///
    /// # Errors
    ///
    /// [`SfuError::InvalidSdp`], [`SfuError::UnknownSession`], [`SfuError::SessionClosed`], or
    /// [`SfuError::WebRtc`] when no offer of the SFU is pending.
    pub async fn accept_answer(
        &self,
        participant: &ParticipantId,
        answer_sdp: &str,
    ) -> Result<(), SfuError> {
        let session = self.inner.session(participant)?;
        let remote = check_answer(participant, answer_sdp)?;
        let answer = RTCSessionDescription::answer(answer_sdp.to_owned()).map_err(|error| {
            SfuError::InvalidSdp {
                participant: participant.clone(),
                reason: error.to_string(),
            }
        })?;
        session
            .peer
            .set_remote_description(answer)
            .await
            .map_err(SfuError::webrtc(participant, "apply the remote answer"))?;
        self.note_remote_audio(&session, remote);
        session.refresh_outputs().await
    }

    /// Adds a remote ICE candidate from the participant's browser.
    ///
    /// # Errors
    ///
    /// [`SfuError::UnknownSession`], [`SfuError::SessionClosed`], or
    /// [`SfuError::InvalidCandidate`] when the stack rejects it.
    pub async fn add_ice_candidate(
        &self,
        participant: &ParticipantId,
        candidate: IceCandidate,
    ) -> Result<(), SfuError> {
        let session = self.inner.session(participant)?;
        let init = RTCIceCandidateInit {
            candidate: candidate.candidate,
            sdp_mid: candidate.sdp_mid,
            sdp_mline_index: candidate.sdp_mline_index,
            username_fragment: candidate.username_fragment,
            url: None,
        };
        session
            .peer
            .add_ice_candidate(init)
            .await
            .map_err(|error| SfuError::InvalidCandidate {
                participant: participant.clone(),
                reason: error.to_string(),
            })
    }

    /// Allows or stops forwarding of the participant's audio. Takes effect at the next packet
    /// the SFU reads from the participant. Packets already queued for subscribers still go out.
    ///
    /// Allowing takes one of the room's audio slots, stopping frees it. The grant does not
    /// depend on a session: it may be set before the participant joins and survives a
    /// reconnection. The lecturer is allowed like anyone else, normally when the room starts.
    ///
    /// # Errors
    ///
    /// [`SfuError::NoFreeAudioSlot`] when allowing while every slot is taken, or
    /// [`SfuError::RoomClosed`].
    pub fn set_forwarding(
        &self,
        participant: &ParticipantId,
        allowed: bool,
    ) -> Result<(), SfuError> {
        let mut state = lock(&self.inner.state);
        if state.closed {
            return Err(SfuError::RoomClosed);
        }
        let grant = state.grant(participant);
        if allowed {
            if grant.load(Ordering::Acquire) != NOT_FORWARDED {
                return Ok(());
            }
            let slots = state.slots.len();
            let Some(index) = state.slots.iter().position(Option::is_none) else {
                return Err(SfuError::NoFreeAudioSlot {
                    participant: participant.clone(),
                    slots,
                });
            };
            state.slots[index] = Some(participant.clone());
            let slot = u32::try_from(index).unwrap_or(NOT_FORWARDED);
            grant.store(slot, Ordering::Release);
            debug!(%participant, slot, "forwarding allowed");
        } else {
            let slot = grant.swap(NOT_FORWARDED, Ordering::AcqRel);
            if let Some(holder) = usize::try_from(slot)
                .ok()
                .and_then(|index| state.slots.get_mut(index))
            {
                *holder = None;
                debug!(%participant, slot, "forwarding stopped");
            }
        }
        Ok(())
    }

    /// Returns whether the participant's audio is forwarded.
    pub fn is_forwarding(&self, participant: &ParticipantId) -> bool {
        lock(&self.inner.state)
            .grants
            .get(participant)
            .is_some_and(|grant| grant.load(Ordering::Acquire) != NOT_FORWARDED)
    }

    /// Closes and removes the participant's session. Its forwarding grant is kept.
    ///
    /// # Errors
    ///
    /// [`SfuError::UnknownSession`] if the participant has no session.
    pub async fn leave(&self, participant: &ParticipantId) -> Result<(), SfuError> {
        if self
            .inner
            .remove_session(participant, None, CloseReason::Left)
            .await
        {
            Ok(())
        } else {
            Err(SfuError::UnknownSession(participant.clone()))
        }
    }

    /// Closes every session and rejects further calls with [`SfuError::RoomClosed`].
    pub async fn close(&self) {
        let sessions: Vec<Arc<Session>> = {
            let mut state = lock(&self.inner.state);
            state.closed = true;
            let sessions = state.sessions.drain().map(|(_, session)| session).collect();
            self.inner.publish_subscribers(&state);
            sessions
        };
        for session in sessions {
            session.close().await;
            self.inner.emit(RoomEvent::SessionClosed {
                participant: session.participant.clone(),
                reason: CloseReason::RoomClosed,
            });
        }
    }

    /// Returns the participants with a session.
    pub fn participants(&self) -> Vec<ParticipantId> {
        lock(&self.inner.state).sessions.keys().cloned().collect()
    }

    /// Returns how many packets were dropped for this subscriber because its queue in the
    /// `webrtc` crate was full.
    pub fn dropped_for(&self, participant: &ParticipantId) -> Option<u64> {
        lock(&self.inner.state)
            .sessions
            .get(participant)
            .map(|session| session.subscriber.dropped_queue_full())
    }

    /// Makes writes to the subscriber fail as if its queue in the `webrtc` crate were full, or
    /// ends that, to test a subscriber whose sending is stuck. Returns whether the participant
    /// has a session.
    #[doc(hidden)]
    pub fn block_sending_for_test(&self, participant: &ParticipantId, blocked: bool) -> bool {
        lock(&self.inner.state)
            .sessions
            .get(participant)
            .map(|session| session.subscriber.block_for_test(blocked))
            .is_some()
    }

    fn note_remote_audio(&self, session: &Session, remote: RemoteAudio) {
        session
            .audio_level_id
            .store(remote.audio_level_id.unwrap_or(0), Ordering::Relaxed);
    }

    async fn local_sdp(&self, session: &Session) -> Result<String, SfuError> {
        session
            .peer
            .local_description()
            .await
            .map(
                |description| match self.inner.sfu.config.network.public_ip {
                    Some(public_ip) => map_sdp_candidates(&description.sdp, public_ip),
                    None => description.sdp,
                },
            )
            .ok_or_else(|| SfuError::SessionClosed(session.participant.clone()))
    }
}
