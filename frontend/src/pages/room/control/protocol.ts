// Parsing and validation of control channel messages (docs/control-protocol.md).
//
// Every server message is checked field by field before the page uses it.
// Fields and message types this client does not know are ignored, as the
// protocol asks, so that later server versions can add them. A message whose
// known fields have the wrong type is rejected whole, with a reason for the log.

import { parseAudioMessage } from '../audio/protocol'
import { parseFloorMessage } from '../floor/protocol'
import { parseQuizMessage } from '../quiz/protocol'
import type { ClientMessage, ServerMessage } from './types'
import { Invalid, count, object, oneOf, optionalString, string, type Json } from './validate'

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = 1

export type ParseResult = { ok: true; message: ServerMessage } | { ok: false; reason: string } | { ok: 'ignored'; type: string }

/** Validates one decoded message object by its type. */
function parseObject(json: Json): ParseResult {
  const type = string(json.type, 'type')
  switch (type) {
    case 'welcome':
      return {
        ok: true,
        message: {
          type,
          participant_id: string(json.participant_id, 'participant_id'),
          role: oneOf(json.role, 'role', ['lecturer', 'student'] as const),
          name: string(json.name, 'name'),
          room: string(json.room, 'room'),
          server_time: count(json.server_time, 'server_time'),
        },
      }
    case 'error':
      return {
        ok: true,
        message: {
          type,
          ref: optionalString(json.ref, 'ref'),
          code: string(json.code, 'code'),
          message: json.message === undefined ? '' : string(json.message, 'message'),
        },
      }
  }
  const message = parseQuizMessage(type, json) ?? parseFloorMessage(type, json) ?? parseAudioMessage(type, json)
  return message ? { ok: true, message } : { ok: 'ignored', type }
}

/**
 * Parses one text frame from the server. Returns the validated message, or
 * `ignored` for a message type this client does not know, or a reason why
 * the frame was rejected.
 */
export function parseServerMessage(text: string): ParseResult {
  let decoded: unknown
  try {
    decoded = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'the frame is not valid JSON' }
  }
  try {
    const json = object(decoded, 'message')
    if (json.v !== PROTOCOL_VERSION) return { ok: false, reason: `protocol version ${JSON.stringify(json.v)} is not ${PROTOCOL_VERSION}` }
    return parseObject(json)
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message }
    throw error
  }
}

/** Encodes a client message with the protocol version and an optional `ref`. */
export function encodeClientMessage(message: ClientMessage, ref?: string): string {
  return JSON.stringify(ref === undefined ? { v: PROTOCOL_VERSION, ...message } : { v: PROTOCOL_VERSION, ...message, ref })
}
