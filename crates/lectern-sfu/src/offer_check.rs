//! Checks a remote description before the WebRTC stack sees it, so a bad offer gets a precise
//! error, and reads the facts the SFU needs from it.

use std::io::Cursor;

use rtc::sdp::description::media::MediaDescription;
use rtc::sdp::description::session::SessionDescription;

use crate::speaking::AUDIO_LEVEL_URI;
use crate::{ParticipantId, SfuError};

/// Facts the SFU reads from a remote description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RemoteAudio {
    /// Audio m-lines on which the remote peer accepts media (`sendrecv` or `recvonly`).
    pub(crate) receivable_sections: usize,
    /// Negotiated id of the audio level header extension, if the remote listed it.
    pub(crate) audio_level_id: Option<u8>,
}

/// Parses a remote offer and checks that it offers audio with Opus.
pub(crate) fn check_offer(participant: &ParticipantId, sdp: &str) -> Result<RemoteAudio, SfuError> {
    let parsed = parse(participant, sdp)?;
    let audio: Vec<&MediaDescription> = audio_sections(&parsed).collect();
    if audio.is_empty() {
        return Err(SfuError::NoAudioMedia {
            participant: participant.clone(),
        });
    }

    let mut offered = Vec::new();
    let mut has_opus = false;
    for media in &audio {
        for (_, encoding) in rtpmaps(media) {
            let name = encoding.split('/').next().unwrap_or_default();
            if name.eq_ignore_ascii_case("opus") {
                has_opus = true;
            } else if !offered.iter().any(|known| known == encoding) {
                offered.push(encoding.to_owned());
            }
        }
    }
    if !has_opus {
        return Err(SfuError::OpusNotOffered {
            participant: participant.clone(),
            offered: if offered.is_empty() {
                "none".to_owned()
            } else {
                offered.join(", ")
            },
        });
    }
    Ok(summarize(&audio))
}

/// Parses a remote answer to an offer of the SFU.
pub(crate) fn check_answer(
    participant: &ParticipantId,
    sdp: &str,
) -> Result<RemoteAudio, SfuError> {
    let parsed = parse(participant, sdp)?;
    let audio: Vec<&MediaDescription> = audio_sections(&parsed).collect();
    Ok(summarize(&audio))
}

fn parse(participant: &ParticipantId, sdp: &str) -> Result<SessionDescription, SfuError> {
    let invalid = |reason: String| SfuError::InvalidSdp {
        participant: participant.clone(),
        reason,
    };
    if !sdp.trim_start().starts_with("v=") {
        return Err(invalid(
            "the description does not start with a v= line".to_owned(),
        ));
    }
    SessionDescription::unmarshal(&mut Cursor::new(sdp.as_bytes()))
        .map_err(|error| invalid(error.to_string()))
}

fn audio_sections(parsed: &SessionDescription) -> impl Iterator<Item = &MediaDescription> {
    parsed
        .media_descriptions
        .iter()
        .filter(|media| media.media_name.media.eq_ignore_ascii_case("audio"))
}

/// Yields `(payload type, encoding)` of each `a=rtpmap:<pt> <name>/<rate>[/<channels>]`.
fn rtpmaps(media: &MediaDescription) -> impl Iterator<Item = (&str, &str)> {
    media
        .attributes
        .iter()
        .filter(|attribute| attribute.key == "rtpmap")
        .filter_map(|attribute| attribute.value.as_deref())
        .filter_map(|value| value.split_once(' '))
        .map(|(payload_type, encoding)| (payload_type.trim(), encoding.trim()))
}

fn summarize(audio: &[&MediaDescription]) -> RemoteAudio {
    let receivable_sections = audio
        .iter()
        .filter(|media| media.media_name.port.value != 0)
        .filter(|media| {
            !media
                .attributes
                .iter()
                .any(|attribute| attribute.key == "sendonly" || attribute.key == "inactive")
        })
        .count();
    let audio_level_id = audio.iter().find_map(|media| {
        media
            .attributes
            .iter()
            .filter(|attribute| attribute.key == "extmap")
            .filter_map(|attribute| attribute.value.as_deref())
            .find_map(|value| {
                // `a=extmap:<id>[/<direction>] <uri> [<attributes>]`
                let mut fields = value.split_whitespace();
                let id = fields.next()?.split('/').next()?.parse::<u8>().ok()?;
                (fields.next()? == AUDIO_LEVEL_URI).then_some(id)
            })
    });
    RemoteAudio {
        receivable_sections,
        audio_level_id,
    }
}
