// Validation of `floor.state` and `speaking` (docs/control-protocol.md,
// "Floor and audio"). control/protocol.ts calls parseFloorMessage() for
// these types.

import { Invalid, array, boolean, count, nullable, object, string, type Json } from '../control/validate'
import type { FloorServerMessage, QueueEntry, Speaker } from './types'

function parseQueueEntry(value: unknown, path: string): QueueEntry {
  const json = object(value, path)
  return {
    participant_id: string(json.participant_id, `${path}.participant_id`),
    name: string(json.name, `${path}.name`),
    raised_at: count(json.raised_at, `${path}.raised_at`),
  }
}

function parseSpeaker(value: unknown, path: string): Speaker {
  const json = object(value, path)
  return {
    participant_id: string(json.participant_id, `${path}.participant_id`),
    name: string(json.name, `${path}.name`),
    to_board: json.to_board === undefined ? false : boolean(json.to_board, `${path}.to_board`),
    since: count(json.since, `${path}.since`),
    until: nullable(json.until, `${path}.until`, count),
  }
}

/**
 * Validates a `floor.state` or `speaking` message object. Returns undefined
 * for other types, and throws Invalid for a wrong field.
 */
export function parseFloorMessage(type: string, json: Json): FloorServerMessage | undefined {
  switch (type) {
    case 'floor.state': {
      const maxSpeakers = count(json.max_speakers, 'max_speakers')
      if (maxSpeakers < 1) throw new Invalid('max_speakers is below 1')
      return {
        type,
        server_time: count(json.server_time, 'server_time'),
        max_speakers: maxSpeakers,
        queue: array(json.queue, 'queue', parseQueueEntry),
        speakers: array(json.speakers, 'speakers', parseSpeaker),
        muted: json.muted === undefined ? [] : array(json.muted, 'muted', string),
      }
    }
    case 'speaking':
      return { type, speaking: array(json.speaking, 'speaking', string) }
    default:
      return undefined
  }
}
