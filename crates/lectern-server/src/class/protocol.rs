//! Messages of the room control channel, version 1, as serde types.
//!
//! docs/control-protocol.md is the contract: every message is one JSON
//! object in one text frame, with the version `v` and a `type`.

use lectern_quiz::{Answer, Distribution, RevealedQuestion, StudentQuestion, StudentResult};
use lectern_sfu::{IceCandidate, IceServer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The protocol version this server speaks.
pub const PROTOCOL_VERSION: u64 = 1;

/// Maximum length of a client's `ref`, in characters.
pub const MAX_REF_CHARS: usize = 64;

/// Number of places in the `leaderboard` field.
pub const LEADERBOARD_SIZE: usize = 10;

/// A decoded client message with the `ref` to copy into its reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub reference: Option<String>,
    pub message: ClientMessage,
}

/// Message a client may send.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type")]
pub enum ClientMessage {
    #[serde(rename = "quiz.launch")]
    Launch {
        quiz_id: String,
        #[serde(default)]
        streak_bonus: bool,
    },
    #[serde(rename = "quiz.next")]
    Next {},
    #[serde(rename = "quiz.close")]
    Close {},
    #[serde(rename = "quiz.reveal")]
    Reveal {},
    #[serde(rename = "quiz.leaderboard")]
    Leaderboard {},
    #[serde(rename = "quiz.end")]
    End {},
    #[serde(rename = "quiz.answer")]
    Answer {
        run_id: String,
        question_index: usize,
        answer: Answer,
    },
    #[serde(rename = "hand.raise")]
    RaiseHand {},
    /// A student lowers their own hand and leaves `participant_id` out; a
    /// lecturer names the hand to lower.
    #[serde(rename = "hand.lower")]
    LowerHand {
        #[serde(default)]
        participant_id: Option<String>,
    },
    #[serde(rename = "hand.lower_all")]
    LowerAllHands {},
    #[serde(rename = "floor.grant")]
    Grant {
        /// The student to give the floor to, or `None` for the first in the
        /// queue.
        #[serde(default)]
        participant_id: Option<String>,
        #[serde(default)]
        to_board: bool,
        #[serde(default)]
        duration_secs: Option<u64>,
        #[serde(default)]
        replace: bool,
    },
    #[serde(rename = "floor.revoke")]
    Revoke { participant_id: String },
    #[serde(rename = "audio.mute")]
    Mute { participant_id: String },
    #[serde(rename = "audio.unmute")]
    Unmute { participant_id: String },
    #[serde(rename = "rtc.offer")]
    RtcOffer { sdp: String },
    #[serde(rename = "rtc.answer")]
    RtcAnswer { sdp: String },
    /// A trickle ICE candidate; `None` (JSON `null`) ends the browser's
    /// candidates.
    #[serde(rename = "rtc.candidate")]
    RtcCandidate {
        #[serde(default)]
        candidate: Option<IceCandidate>,
    },
    #[serde(rename = "rtc.leave")]
    RtcLeave {},
}

/// The `type` of every client message, for telling an unknown type from a
/// malformed message.
const CLIENT_TYPES: [&str; 18] = [
    "quiz.launch",
    "quiz.next",
    "quiz.close",
    "quiz.reveal",
    "quiz.leaderboard",
    "quiz.end",
    "quiz.answer",
    "hand.raise",
    "hand.lower",
    "hand.lower_all",
    "floor.grant",
    "floor.revoke",
    "audio.mute",
    "audio.unmute",
    "rtc.offer",
    "rtc.answer",
    "rtc.candidate",
    "rtc.leave",
];

/// The roles that may send a client message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Senders {
    Lecturer,
    Student,
    Anyone,
}

impl Senders {
    /// Returns true when a participant of `role` may send the message.
    pub fn allow(self, role: Role) -> bool {
        match self {
            Self::Lecturer => role == Role::Lecturer,
            Self::Student => role == Role::Student,
            Self::Anyone => true,
        }
    }
}

impl ClientMessage {
    /// Returns the message's `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Launch { .. } => "quiz.launch",
            Self::Next {} => "quiz.next",
            Self::Close {} => "quiz.close",
            Self::Reveal {} => "quiz.reveal",
            Self::Leaderboard {} => "quiz.leaderboard",
            Self::End {} => "quiz.end",
            Self::Answer { .. } => "quiz.answer",
            Self::RaiseHand {} => "hand.raise",
            Self::LowerHand { .. } => "hand.lower",
            Self::LowerAllHands {} => "hand.lower_all",
            Self::Grant { .. } => "floor.grant",
            Self::Revoke { .. } => "floor.revoke",
            Self::Mute { .. } => "audio.mute",
            Self::Unmute { .. } => "audio.unmute",
            Self::RtcOffer { .. } => "rtc.offer",
            Self::RtcAnswer { .. } => "rtc.answer",
            Self::RtcCandidate { .. } => "rtc.candidate",
            Self::RtcLeave {} => "rtc.leave",
        }
    }

    /// Returns who may send this message.
    pub fn senders(&self) -> Senders {
        match self {
            Self::Answer { .. } | Self::RaiseHand {} => Senders::Student,
            Self::LowerHand { .. }
            | Self::RtcOffer { .. }
            | Self::RtcAnswer { .. }
            | Self::RtcCandidate { .. }
            | Self::RtcLeave {} => Senders::Anyone,
            Self::Launch { .. }
            | Self::Next {}
            | Self::Close {}
            | Self::Reveal {}
            | Self::Leaderboard {}
            | Self::End {}
            | Self::LowerAllHands {}
            | Self::Grant { .. }
            | Self::Revoke { .. }
            | Self::Mute { .. }
            | Self::Unmute { .. } => Senders::Lecturer,
        }
    }
}

/// A participant's role in the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Lecturer,
    Student,
}

/// The `code` of an `error` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidJson,
    InvalidMessage,
    UnsupportedVersion,
    UnknownType,
    Forbidden,
    RateLimited,
    NoSuchQuiz,
    InvalidQuiz,
    RunInProgress,
    NoRun,
    IllegalTransition,
    NoMoreQuestions,
    WrongRun,
    WrongQuestion,
    NoQuestionOpen,
    QuestionClosed,
    Late,
    InvalidAnswer,
    StorageFailed,
    UnknownParticipant,
    NotAStudent,
    HoldsFloor,
    QueueEmpty,
    FloorFull,
    InvalidSdp,
    NoAudio,
    UnsupportedCodec,
    NoAudioSession,
    NoOfferPending,
    InvalidCandidate,
    NegotiationFailed,
    AudioUnavailable,
}

/// A rejected client message: the error to send back.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub reference: Option<String>,
    pub code: ErrorCode,
    pub message: String,
}

impl Rejection {
    pub fn new(reference: Option<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            reference,
            code,
            message: message.into(),
        }
    }

    /// Builds the `error` message for this rejection.
    pub fn to_message(&self) -> ServerMessage {
        ServerMessage::Error {
            reference: self.reference.clone(),
            code: self.code,
            message: self.message.clone(),
        }
    }
}

/// Decodes one text frame into a request, or the error to send back.
///
/// The checks run in the order the protocol lists the error codes: JSON
/// object, `ref`, `v`, `type`, then the fields of that type. A valid `ref`
/// is copied into the error even when a later check fails.
pub fn decode(text: &str) -> Result<Request, Rejection> {
    let value: Value = serde_json::from_str(text).map_err(|error| {
        Rejection::new(
            None,
            ErrorCode::InvalidJson,
            format!("the frame is not valid JSON: {error}"),
        )
    })?;
    let Value::Object(object) = &value else {
        return Err(Rejection::new(
            None,
            ErrorCode::InvalidJson,
            "the frame must be a JSON object",
        ));
    };

    let reference = match object.get("ref") {
        None | Some(Value::Null) => None,
        Some(Value::String(reference)) if reference.chars().count() <= MAX_REF_CHARS => {
            Some(reference.clone())
        }
        Some(_) => {
            return Err(Rejection::new(
                None,
                ErrorCode::InvalidMessage,
                format!("ref must be a string of up to {MAX_REF_CHARS} characters"),
            ));
        }
    };
    let reject = |code, message: String| Rejection::new(reference.clone(), code, message);

    match object.get("v") {
        None => {
            return Err(reject(
                ErrorCode::InvalidMessage,
                format!("missing field `v`; send \"v\": {PROTOCOL_VERSION}"),
            ));
        }
        Some(version) if version.as_u64() == Some(PROTOCOL_VERSION) => {}
        Some(version) => {
            return Err(reject(
                ErrorCode::UnsupportedVersion,
                format!(
                    "protocol version {version} is not supported; send \"v\": {PROTOCOL_VERSION}"
                ),
            ));
        }
    }

    let type_name = match object.get("type") {
        Some(Value::String(type_name)) => type_name.as_str(),
        Some(_) => {
            return Err(reject(
                ErrorCode::InvalidMessage,
                "field `type` must be a string".to_owned(),
            ));
        }
        None => {
            return Err(reject(
                ErrorCode::InvalidMessage,
                "missing field `type`".to_owned(),
            ));
        }
    };
    if !CLIENT_TYPES.contains(&type_name) {
        return Err(reject(
            ErrorCode::UnknownType,
            format!("no client message has type {type_name:?}"),
        ));
    }

    let message: ClientMessage = serde_path_to_error::deserialize(&value).map_err(|error| {
        let path = error.path().to_string();
        let message = if path == "." {
            format!("{type_name}: {}", error.inner())
        } else {
            format!("{type_name}: {path}: {}", error.inner())
        };
        reject(ErrorCode::InvalidMessage, message)
    })?;
    Ok(Request { reference, message })
}

/// Message the server sends.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type")]
pub enum ServerMessage {
    #[serde(rename = "welcome")]
    Welcome {
        participant_id: String,
        role: Role,
        name: String,
        room: String,
        server_time: u64,
    },
    #[serde(rename = "quiz.state")]
    QuizState {
        server_time: u64,
        run: Option<Box<RunView>>,
    },
    #[serde(rename = "quiz.progress")]
    Progress {
        run_id: String,
        question_index: usize,
        answered: u32,
        participants: u32,
        distribution: Distribution,
    },
    #[serde(rename = "quiz.accepted")]
    Accepted {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        run_id: String,
        question_index: usize,
        answer: Answer,
        received_at: u64,
        response_ms: u64,
        duplicate: bool,
    },
    #[serde(rename = "error")]
    Error {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        code: ErrorCode,
        message: String,
    },
    #[serde(rename = "floor.state")]
    FloorState(FloorView),
    #[serde(rename = "audio.config")]
    AudioConfig {
        /// False when the server runs without audio; `rtc.offer` then gets
        /// `audio_unavailable`.
        enabled: bool,
        ice_servers: Vec<IceServer>,
    },
    #[serde(rename = "rtc.offer")]
    RtcOffer { sdp: String },
    #[serde(rename = "rtc.answer")]
    RtcAnswer { sdp: String },
    /// A trickle ICE candidate of the server, or `None` once it has sent
    /// them all.
    #[serde(rename = "rtc.candidate")]
    RtcCandidate { candidate: Option<IceCandidate> },
    #[serde(rename = "rtc.state")]
    RtcState {
        state: RtcState,
        /// The cause of the close, or `None` while connected.
        reason: Option<RtcCloseReason>,
    },
    #[serde(rename = "speaking")]
    Speaking { speaking: Vec<String> },
}

/// The floor's public state, the same for every participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FloorView {
    pub server_time: u64,
    pub max_speakers: usize,
    /// Raised hands, first in line first.
    pub queue: Vec<QueuedHand>,
    /// Students holding the floor, longest-holding first.
    pub speakers: Vec<SpeakerView>,
    /// Participants the lecturer muted, sorted by id.
    pub muted: Vec<String>,
}

/// A raised hand in `floor.state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueuedHand {
    pub participant_id: String,
    pub name: String,
    pub raised_at: u64,
}

/// A student holding the floor, in `floor.state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpeakerView {
    pub participant_id: String,
    pub name: String,
    pub to_board: bool,
    pub since: u64,
    /// When the server revokes the floor by itself, or `None` for a grant
    /// without a time limit.
    pub until: Option<u64>,
}

/// The server's view of a participant's audio connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RtcState {
    Connected,
    Closed,
}

/// The cause of a participant's audio connection closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RtcCloseReason {
    /// The participant sent `rtc.leave`.
    Left,
    /// ICE or DTLS failed, or the browser stopped answering consent checks.
    ConnectionFailed,
    /// The browser closed its peer connection.
    ConnectionClosed,
    /// Another control connection of the same participant joined audio.
    Replaced,
    /// The room closed or the server is restarting.
    RoomClosed,
}

#[derive(Serialize)]
struct Envelope<'a> {
    v: u64,
    #[serde(flatten)]
    message: &'a ServerMessage,
}

impl ServerMessage {
    /// Encodes the message as the JSON text of one frame, with `v`.
    pub fn to_text(&self) -> String {
        let envelope = Envelope {
            v: PROTOCOL_VERSION,
            message: self,
        };
        serde_json::to_string(&envelope).unwrap_or_else(|error| {
            tracing::error!(%error, "cannot encode a control message");
            format!(
                "{{\"v\":{PROTOCOL_VERSION},\"type\":\"error\",\"code\":\"storage_failed\",\"message\":\"the server failed to encode a message\"}}"
            )
        })
    }
}

/// The room's quiz run as one participant may see it.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    pub run_id: String,
    pub quiz_id: String,
    pub title: String,
    pub question_count: usize,
    pub phase: &'static str,
    /// The current question without its key, in every phase that concerns
    /// a question.
    pub question: Option<StudentQuestion>,
    /// `deadline` or `lecturer` once the current question has closed,
    /// else `None`.
    pub closed_by: Option<&'static str>,
    pub answered: u32,
    pub participants: u32,
    pub my_answer: Option<MyAnswer>,
    pub reveal: Option<RevealedQuestion>,
    pub my_result: Option<StudentResult>,
    pub distribution: Option<Distribution>,
    pub leaderboard: Option<Vec<LeaderboardEntry>>,
    pub my_standing: Option<MyStanding>,
    /// Participants ranked 1 to 3, best first, at most
    /// [`lectern_quiz::standings::PODIUM_MAX_ENTRIES`], in the ended phase.
    pub podium: Option<Vec<LeaderboardEntry>>,
    /// Number of participants ranked 1 to 3 who are not in `podium`
    /// because it is full, in the ended phase.
    pub podium_unlisted: Option<u32>,
}

/// A student's own accepted answer to the current question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MyAnswer {
    pub answer: Answer,
    pub received_at: u64,
    pub response_ms: u64,
}

/// One place in the leaderboard or on the podium.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaderboardEntry {
    pub rank: u32,
    pub participant_id: String,
    pub name: String,
    pub score: u64,
    pub correct: u32,
    pub streak: u32,
}

/// A student's own place in the standings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MyStanding {
    pub rank: u32,
    pub score: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejection(text: &str) -> Rejection {
        decode(text).expect_err("rejected")
    }

    #[test]
    fn decode_reads_every_type() {
        let cases = [
            (
                r#"{"v":1,"type":"quiz.launch","quiz_id":"q"}"#,
                ClientMessage::Launch {
                    quiz_id: "q".to_owned(),
                    streak_bonus: false,
                },
            ),
            (r#"{"v":1,"type":"quiz.next"}"#, ClientMessage::Next {}),
            (r#"{"v":1,"type":"quiz.close"}"#, ClientMessage::Close {}),
            (r#"{"v":1,"type":"quiz.reveal"}"#, ClientMessage::Reveal {}),
            (
                r#"{"v":1,"type":"quiz.leaderboard"}"#,
                ClientMessage::Leaderboard {},
            ),
            (
                r#"{"v":1,"type":"quiz.end","extra":[1]}"#,
                ClientMessage::End {},
            ),
            (
                r#"{"v":1,"type":"quiz.answer","run_id":"r","question_index":2,"answer":{"type":"choice","index":1}}"#,
                ClientMessage::Answer {
                    run_id: "r".to_owned(),
                    question_index: 2,
                    answer: Answer::Choice { index: 1 },
                },
            ),
        ];

        let candidate = IceCandidate {
            candidate: "candidate:1 1 udp 1 127.0.0.1 5000 typ host".to_owned(),
            sdp_mid: Some("0".to_owned()),
            sdp_mline_index: Some(0),
            username_fragment: None,
        };
        let signalling = [
            (
                r#"{"v":1,"type":"hand.raise"}"#,
                ClientMessage::RaiseHand {},
            ),
            (
                r#"{"v":1,"type":"hand.lower"}"#,
                ClientMessage::LowerHand {
                    participant_id: None,
                },
            ),
            (
                r#"{"v":1,"type":"hand.lower_all"}"#,
                ClientMessage::LowerAllHands {},
            ),
            (
                r#"{"v":1,"type":"floor.grant","to_board":true,"duration_secs":60}"#,
                ClientMessage::Grant {
                    participant_id: None,
                    to_board: true,
                    duration_secs: Some(60),
                    replace: false,
                },
            ),
            (
                r#"{"v":1,"type":"floor.revoke","participant_id":"p"}"#,
                ClientMessage::Revoke {
                    participant_id: "p".to_owned(),
                },
            ),
            (
                r#"{"v":1,"type":"audio.mute","participant_id":"p"}"#,
                ClientMessage::Mute {
                    participant_id: "p".to_owned(),
                },
            ),
            (
                r#"{"v":1,"type":"audio.unmute","participant_id":"p"}"#,
                ClientMessage::Unmute {
                    participant_id: "p".to_owned(),
                },
            ),
            (
                r#"{"v":1,"type":"rtc.offer","sdp":"v=0"}"#,
                ClientMessage::RtcOffer {
                    sdp: "v=0".to_owned(),
                },
            ),
            (
                r#"{"v":1,"type":"rtc.answer","sdp":"v=0"}"#,
                ClientMessage::RtcAnswer {
                    sdp: "v=0".to_owned(),
                },
            ),
            (
                r#"{"v":1,"type":"rtc.candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}}"#,
                ClientMessage::RtcCandidate {
                    candidate: Some(candidate),
                },
            ),
            (
                r#"{"v":1,"type":"rtc.candidate","candidate":null}"#,
                ClientMessage::RtcCandidate { candidate: None },
            ),
            (r#"{"v":1,"type":"rtc.leave"}"#, ClientMessage::RtcLeave {}),
        ];

        for (text, expected) in cases.into_iter().chain(signalling) {
            let request = decode(text).expect(text);
            assert_eq!(request.message, expected, "{text}");
            assert!(
                CLIENT_TYPES.contains(&request.message.type_name()),
                "{text}"
            );
        }
    }

    #[test]
    fn decode_error_codes() {
        let cases = [
            ("not json", ErrorCode::InvalidJson),
            ("[1]", ErrorCode::InvalidJson),
            (r#"{"type":"quiz.next"}"#, ErrorCode::InvalidMessage),
            (
                r#"{"v":2,"type":"quiz.next"}"#,
                ErrorCode::UnsupportedVersion,
            ),
            (
                r#"{"v":"1","type":"quiz.next"}"#,
                ErrorCode::UnsupportedVersion,
            ),
            (r#"{"v":1}"#, ErrorCode::InvalidMessage),
            (r#"{"v":1,"type":7}"#, ErrorCode::InvalidMessage),
            (r#"{"v":1,"type":"quiz.dance"}"#, ErrorCode::UnknownType),
            (r#"{"v":1,"type":"quiz.launch"}"#, ErrorCode::InvalidMessage),
            (
                r#"{"v":1,"type":"quiz.next","ref":5}"#,
                ErrorCode::InvalidMessage,
            ),
        ];

        for (text, code) in cases {
            assert_eq!(rejection(text).code, code, "{text}");
        }
    }

    #[test]
    fn senders_follow_roles() {
        let student_only = ClientMessage::RaiseHand {};
        let lecturer_only = ClientMessage::LowerAllHands {};
        let anyone = ClientMessage::RtcLeave {};

        assert!(student_only.senders().allow(Role::Student));
        assert!(!student_only.senders().allow(Role::Lecturer));
        assert!(lecturer_only.senders().allow(Role::Lecturer));
        assert!(!lecturer_only.senders().allow(Role::Student));
        assert!(anyone.senders().allow(Role::Student));
        assert!(anyone.senders().allow(Role::Lecturer));
    }

    #[test]
    fn rtc_state_encodes_reason() {
        let text = ServerMessage::RtcState {
            state: RtcState::Closed,
            reason: Some(RtcCloseReason::ConnectionFailed),
        }
        .to_text();

        let value: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(value["type"], "rtc.state");
        assert_eq!(value["state"], "closed");
        assert_eq!(value["reason"], "connection_failed");
    }

    #[test]
    fn missing_field_is_named() {
        let error = rejection(
            r#"{"v":1,"type":"quiz.answer","ref":"a1","question_index":0,"answer":{"type":"choice","index":0}}"#,
        );

        assert_eq!(error.code, ErrorCode::InvalidMessage);
        assert!(error.message.contains("run_id"), "{}", error.message);
        assert_eq!(error.reference.as_deref(), Some("a1"));
    }

    #[test]
    fn long_ref_is_rejected() {
        let text = format!(r#"{{"v":1,"type":"quiz.next","ref":"{}"}}"#, "x".repeat(65));

        let error = rejection(&text);

        assert_eq!(error.code, ErrorCode::InvalidMessage);
        assert_eq!(error.reference, None);
    }

    #[test]
    fn server_message_carries_version() {
        let text = ServerMessage::Error {
            reference: None,
            code: ErrorCode::NoRun,
            message: "no quiz is running".to_owned(),
        }
        .to_text();

        let value: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(value["v"], 1);
        assert_eq!(value["type"], "error");
        assert_eq!(value["code"], "no_run");
        assert!(value.get("ref").is_none(), "{text}");
    }
}
