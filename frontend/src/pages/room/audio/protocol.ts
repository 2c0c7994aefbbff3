// Validation of `audio.config` and the `rtc.*` messages
// (docs/control-protocol.md, "Floor and audio"). control/protocol.ts calls
// parseAudioMessage() for these types.

import { Invalid, array, boolean, count, object, optionalString, string, type Json } from '../control/validate'
import type { AudioServerMessage, IceServer } from './types'

/** Reads `urls` as a list, since RTCIceServer also allows a single string. */
function parseUrls(value: unknown, path: string): string[] {
  if (typeof value === 'string') return [value]
  const urls = array(value, path, string)
  if (urls.length === 0) throw new Invalid(`${path} is empty`)
  return urls
}

function parseIceServer(value: unknown, path: string): IceServer {
  const json = object(value, path)
  const server: IceServer = { urls: parseUrls(json.urls, `${path}.urls`) }
  const username = optionalString(json.username, `${path}.username`)
  const credential = optionalString(json.credential, `${path}.credential`)
  if (username !== undefined) server.username = username
  if (credential !== undefined) server.credential = credential
  return server
}

function parseCandidate(value: unknown, path: string): RTCIceCandidateInit | null {
  if (value === null) return null
  const json = object(value, path)
  const candidate: RTCIceCandidateInit = { candidate: string(json.candidate, `${path}.candidate`) }
  const mid = json.sdpMid
  if (mid !== undefined) candidate.sdpMid = mid === null ? null : string(mid, `${path}.sdpMid`)
  const index = json.sdpMLineIndex
  if (index !== undefined) candidate.sdpMLineIndex = index === null ? null : count(index, `${path}.sdpMLineIndex`)
  const fragment = json.usernameFragment
  if (fragment !== undefined) candidate.usernameFragment = fragment === null ? null : string(fragment, `${path}.usernameFragment`)
  return candidate
}

/**
 * Validates an `audio.config` or `rtc.*` message object. Returns undefined
 * for other types, and throws Invalid for a wrong field.
 */
export function parseAudioMessage(type: string, json: Json): AudioServerMessage | undefined {
  switch (type) {
    case 'audio.config':
      return {
        type,
        enabled: json.enabled === undefined ? true : boolean(json.enabled, 'enabled'),
        ice_servers: json.ice_servers === undefined ? [] : array(json.ice_servers, 'ice_servers', parseIceServer),
      }
    case 'rtc.offer':
    case 'rtc.answer': {
      const sdp = string(json.sdp, 'sdp')
      if (sdp.trim() === '') throw new Invalid('sdp is empty')
      return { type, sdp }
    }
    case 'rtc.candidate':
      if (!('candidate' in json)) throw new Invalid('candidate is missing')
      return { type, candidate: parseCandidate(json.candidate, 'candidate') }
    case 'rtc.state': {
      const message: AudioServerMessage = { type, state: string(json.state, 'state') }
      const reason = optionalString(json.reason, 'reason')
      if (reason !== undefined) message.reason = reason
      return message
    }
    default:
      return undefined
  }
}
