// Mirrors of the audio signalling messages of docs/control-protocol.md
// ("Floor and audio").

/** One entry of `audio.config`, in the shape of RTCIceServer. */
export interface IceServer {
  urls: string[]
  username?: string
  credential?: string
}

export interface AudioConfigMessage {
  type: 'audio.config'
  /** False when the server runs without audio, so `rtc.offer` would get `audio_unavailable`. */
  enabled: boolean
  ice_servers: IceServer[]
}

/** An SDP offer or answer, from the server or to it. */
export interface RtcDescriptionMessage {
  type: 'rtc.offer' | 'rtc.answer'
  sdp: string
}

/** A trickle ICE candidate; null ends the sender's candidates. */
export interface RtcCandidateMessage {
  type: 'rtc.candidate'
  candidate: RTCIceCandidateInit | null
}

/** The server's view of this participant's audio connection. */
export interface RtcStateMessage {
  type: 'rtc.state'
  /** `connected` or `closed`; other values are passed through for the log. */
  state: string
  /** Why the server closed the connection: `left`, `connection_failed`, `connection_closed`, `replaced` or `room_closed`. */
  reason?: string
}

export type AudioServerMessage = AudioConfigMessage | RtcDescriptionMessage | RtcCandidateMessage | RtcStateMessage

export type AudioClientMessage =
  | { type: 'rtc.offer'; sdp: string }
  | { type: 'rtc.answer'; sdp: string }
  | { type: 'rtc.candidate'; candidate: RTCIceCandidateInit | null }
  | { type: 'rtc.leave' }
