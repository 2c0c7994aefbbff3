// The floor panel's state: the server's last `floor.state` and `speaking`,
// this page's floor request in flight, and what a screen reader should hear
// about the changes. A pure reducer, so tests feed it protocol messages.

import type { ConnectionState } from '../connection'
import type { Role, ServerMessage } from '../control/types'
import type { FloorCommand, FloorView, QueueEntry, Speaker } from './types'

export interface FloorFailure {
  /** The server's error code, or `disconnected` or `timeout`. */
  code: string
  /** The server's own message, in English. */
  message: string
}

/** A text for the live region: a locale key with its values. `id` changes on every announcement, so a repeat is read again. */
export interface Announcement {
  id: number
  key: string
  vars?: Record<string, string | number>
}

export interface FloorViewState {
  connection: ConnectionState
  self: { participantId: string; role: Role } | null
  /** Null until the first `floor.state`. */
  floor: FloorView | null
  /** Server time minus local time, in milliseconds. */
  offset: number
  speaking: string[]
  announcement: Announcement | null
  /** The floor request waiting for its `floor.state` or `error`. */
  pending: FloorCommand | null
  error: (FloorFailure & { command: FloorCommand }) | null
  /** Set while the student's own `hand.lower` is on its way, so its result is no news to announce. */
  loweringOwnHand: boolean
}

export type FloorAction =
  | { type: 'connection'; state: ConnectionState }
  | { type: 'message'; message: ServerMessage; offset: number }
  | { type: 'request-sent'; command: FloorCommand }
  | { type: 'request-done' }
  | { type: 'request-failed'; command: FloorCommand; failure: FloorFailure }
  | { type: 'dismiss-error' }

export const initialFloorState: FloorViewState = {
  connection: 'connecting',
  self: null,
  floor: null,
  offset: 0,
  speaking: [],
  announcement: null,
  pending: null,
  error: null,
  loweringOwnHand: false,
}

/** Returns the speaker entry of `participantId`, or null when they do not hold the floor. */
export function speakerOf(floor: FloorView | null, participantId: string | undefined): Speaker | null {
  if (!floor || participantId === undefined) return null
  return floor.speakers.find((speaker) => speaker.participant_id === participantId) ?? null
}

/** Returns the queue entry of `participantId`, or null when their hand is down. */
export function queueEntryOf(floor: FloorView | null, participantId: string | undefined): QueueEntry | null {
  if (!floor || participantId === undefined) return null
  return floor.queue.find((entry) => entry.participant_id === participantId) ?? null
}

/** Returns the 1-based place of `participantId` in the queue, or null when their hand is down. */
export function queuePosition(floor: FloorView | null, participantId: string | undefined): number | null {
  if (!floor || participantId === undefined) return null
  const index = floor.queue.findIndex((entry) => entry.participant_id === participantId)
  return index < 0 ? null : index + 1
}

export function isMuted(floor: FloorView | null, participantId: string): boolean {
  return floor !== null && floor.muted.includes(participantId)
}

/** Returns the ids of the raised hands, or null before the first `floor.state`. */
export function raisedHands(floor: FloorView | null): Set<string> | null {
  return floor ? new Set(floor.queue.map((entry) => entry.participant_id)) : null
}

let announcementCounter = 0

function announce(key: string, vars?: Announcement['vars']): Announcement {
  announcementCounter += 1
  return { id: announcementCounter, key, vars }
}

/**
 * Returns what a screen reader should hear about the step from `before` to
 * `after`, or null. A student hears about their own floor and hand, the
 * lecturer about each new raised hand. The first state after joining is no
 * change.
 */
export function floorAnnouncement(
  before: FloorView | null,
  after: FloorView,
  self: FloorViewState['self'],
  loweringOwnHand: boolean,
): Announcement | null {
  if (!before || !self) return null
  const id = self.participantId
  if (self.role === 'lecturer') {
    const known = new Set(before.queue.map((entry) => entry.participant_id))
    const raised = after.queue.filter((entry) => !known.has(entry.participant_id))
    if (raised.length === 1) return announce('audio.announce.handRaised', { name: raised[0].name })
    if (raised.length > 1) return announce('audio.announce.handsRaised', { count: raised.length })
    return null
  }

  const wasSpeaker = speakerOf(before, id)
  const speaker = speakerOf(after, id)
  if (!wasSpeaker && speaker) {
    return announce(speaker.to_board ? 'audio.announce.floorGrantedBoard' : 'audio.announce.floorGranted')
  }
  if (wasSpeaker && !speaker) return announce('audio.announce.floorEnded')
  if (isMuted(after, id) !== isMuted(before, id)) {
    return announce(isMuted(after, id) ? 'audio.announce.muted' : 'audio.announce.unmuted')
  }
  const wasQueued = queueEntryOf(before, id) !== null
  const queued = queueEntryOf(after, id) !== null
  if (wasQueued && !queued && !loweringOwnHand) return announce('audio.announce.handLowered')
  return null
}

function applyMessage(state: FloorViewState, message: ServerMessage, offset: number): FloorViewState {
  switch (message.type) {
    case 'welcome':
      return { ...state, self: { participantId: message.participant_id, role: message.role } }
    case 'floor.state': {
      const floor: FloorView = {
        max_speakers: message.max_speakers,
        queue: message.queue,
        speakers: message.speakers,
        muted: message.muted,
      }
      const announcement = floorAnnouncement(state.floor, floor, state.self, state.loweringOwnHand)
      const next: FloorViewState = { ...state, floor, offset, announcement: announcement ?? state.announcement }
      // The own hand is down now, so a later lowering by the lecturer is news again.
      if (state.loweringOwnHand && queueEntryOf(floor, state.self?.participantId) === null) next.loweringOwnHand = false
      // A request settles with the state it caused; a failed grant's notice
      // goes once the speakers change, since it concerns an older floor.
      if (state.error && state.floor && state.floor.speakers.length !== floor.speakers.length) next.error = null
      return next
    }
    case 'speaking':
      return { ...state, speaking: message.speaking }
    default:
      return state
  }
}

export function floorReducer(state: FloorViewState, action: FloorAction): FloorViewState {
  switch (action.type) {
    case 'connection':
      // Speaking indicators from before a disconnect would never be cleared.
      return action.state === 'connected' ? { ...state, connection: action.state } : { ...state, connection: action.state, speaking: [] }
    case 'message':
      return applyMessage(state, action.message, action.offset)
    case 'request-sent': {
      const ownLower = action.command.type === 'hand.lower' && action.command.participant_id === undefined
      return { ...state, pending: action.command, error: null, loweringOwnHand: state.loweringOwnHand || ownLower }
    }
    case 'request-done':
      return { ...state, pending: null }
    case 'request-failed':
      return {
        ...state,
        pending: null,
        error: { ...action.failure, command: action.command },
        loweringOwnHand: action.command.type === 'hand.lower' ? false : state.loweringOwnHand,
      }
    case 'dismiss-error':
      return { ...state, error: null }
  }
}
