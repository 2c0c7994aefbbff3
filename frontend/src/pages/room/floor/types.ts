// Mirrors of the floor and hand messages of docs/control-protocol.md
// ("Floor and audio"). Times are server times in milliseconds since the Unix
// epoch.

/** A raised hand, in the order hands went up. */
export interface QueueEntry {
  participant_id: string
  name: string
  raised_at: number
}

/** A participant who holds the floor. */
export interface Speaker {
  participant_id: string
  name: string
  /** Whether the grant includes drawing on the board. */
  to_board: boolean
  since: number
  /** When the server revokes the floor by itself, or null for a grant without a time limit. */
  until: number | null
}

/** The room's floor as `floor.state` carries it. */
export interface FloorView {
  max_speakers: number
  queue: QueueEntry[]
  speakers: Speaker[]
  /** Participants whose audio the lecturer stopped forwarding. */
  muted: string[]
}

export interface FloorStateMessage extends FloorView {
  type: 'floor.state'
  server_time: number
}

export interface SpeakingMessage {
  type: 'speaking'
  /** Participant ids of everyone speaking now. */
  speaking: string[]
}

export type FloorServerMessage = FloorStateMessage | SpeakingMessage

/** Hand and floor requests. Lecturer-only ones get `forbidden` from a student. */
export type FloorCommand =
  | { type: 'hand.raise' }
  /** Without participant_id a student lowers their own hand; the lecturer must name one. */
  | { type: 'hand.lower'; participant_id?: string }
  | { type: 'hand.lower_all' }
  | { type: 'floor.grant'; participant_id?: string; to_board?: boolean; duration_secs?: number; replace?: boolean }
  | { type: 'floor.revoke'; participant_id: string }
  | { type: 'audio.mute'; participant_id: string }
  | { type: 'audio.unmute'; participant_id: string }
