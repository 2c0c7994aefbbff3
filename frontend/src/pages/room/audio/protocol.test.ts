import { describe, expect, it } from 'vitest'
import { encodeClientMessage, parseServerMessage } from '../control/protocol'

function parsed(value: unknown) {
  const result = parseServerMessage(JSON.stringify(value))
  if (result.ok !== true) throw new Error(`expected a valid message, got ${JSON.stringify(result)}`)
  return result.message
}

function rejection(value: unknown): string {
  const result = parseServerMessage(JSON.stringify(value))
  if (result.ok !== false) throw new Error(`expected a rejection, got ${JSON.stringify(result)}`)
  return result.reason
}

describe('audio.config', () => {
  it('parses ICE servers', () => {
    const message = parsed({
      v: 1,
      type: 'audio.config',
      enabled: true,
      ice_servers: [{ urls: ['stun:stun.example.org:3478'] }, { urls: 'turn:turn.example.org', username: 'u', credential: 'c' }],
    })
    expect(message).toEqual({
      type: 'audio.config',
      enabled: true,
      ice_servers: [{ urls: ['stun:stun.example.org:3478'] }, { urls: ['turn:turn.example.org'], username: 'u', credential: 'c' }],
    })
  })

  it('reads missing fields as enabled without servers', () => {
    expect(parsed({ v: 1, type: 'audio.config' })).toEqual({ type: 'audio.config', enabled: true, ice_servers: [] })
  })

  it('reads a server without audio', () => {
    expect(parsed({ v: 1, type: 'audio.config', enabled: false, ice_servers: [] })).toMatchObject({ enabled: false })
    expect(rejection({ v: 1, type: 'audio.config', enabled: 'no' })).toBe('enabled is not a boolean')
  })

  it('rejects servers without urls', () => {
    expect(rejection({ v: 1, type: 'audio.config', ice_servers: [{}] })).toBe('ice_servers[0].urls is not an array')
    expect(rejection({ v: 1, type: 'audio.config', ice_servers: [{ urls: [] }] })).toBe('ice_servers[0].urls is empty')
  })
})

describe('rtc messages', () => {
  it('parses an offer and an answer', () => {
    expect(parsed({ v: 1, type: 'rtc.offer', sdp: 'v=0\r\n' })).toEqual({ type: 'rtc.offer', sdp: 'v=0\r\n' })
    expect(parsed({ v: 1, type: 'rtc.answer', sdp: 'v=0\r\n' })).toEqual({ type: 'rtc.answer', sdp: 'v=0\r\n' })
  })

  it('rejects a missing or empty sdp', () => {
    expect(rejection({ v: 1, type: 'rtc.answer' })).toBe('sdp is not a string')
    expect(rejection({ v: 1, type: 'rtc.offer', sdp: ' ' })).toBe('sdp is empty')
  })

  it('parses a candidate and its end', () => {
    const candidate = { candidate: 'candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 }
    expect(parsed({ v: 1, type: 'rtc.candidate', candidate })).toEqual({ type: 'rtc.candidate', candidate })
    expect(parsed({ v: 1, type: 'rtc.candidate', candidate: null })).toEqual({ type: 'rtc.candidate', candidate: null })
  })

  it('rejects a malformed candidate', () => {
    expect(rejection({ v: 1, type: 'rtc.candidate' })).toBe('candidate is missing')
    expect(rejection({ v: 1, type: 'rtc.candidate', candidate: { sdpMid: '0' } })).toBe('candidate.candidate is not a string')
    expect(rejection({ v: 1, type: 'rtc.candidate', candidate: { candidate: 'c', sdpMLineIndex: -1 } })).toBe(
      'candidate.sdpMLineIndex is not a whole number of zero or more',
    )
  })

  it('parses rtc.state with and without a reason', () => {
    expect(parsed({ v: 1, type: 'rtc.state', state: 'connected' })).toEqual({ type: 'rtc.state', state: 'connected' })
    expect(parsed({ v: 1, type: 'rtc.state', state: 'connected', reason: null })).toEqual({ type: 'rtc.state', state: 'connected' })
    expect(parsed({ v: 1, type: 'rtc.state', state: 'closed', reason: 'connection_failed' })).toEqual({
      type: 'rtc.state',
      state: 'closed',
      reason: 'connection_failed',
    })
    expect(rejection({ v: 1, type: 'rtc.state' })).toBe('state is not a string')
  })

  it('encodes client signalling with the version', () => {
    expect(JSON.parse(encodeClientMessage({ type: 'rtc.offer', sdp: 'v=0' }, '4'))).toEqual({ v: 1, type: 'rtc.offer', sdp: 'v=0', ref: '4' })
    expect(JSON.parse(encodeClientMessage({ type: 'rtc.leave' }))).toEqual({ v: 1, type: 'rtc.leave' })
    expect(JSON.parse(encodeClientMessage({ type: 'floor.grant', participant_id: 'p_ada', duration_secs: 60 }))).toEqual({
      v: 1,
      type: 'floor.grant',
      participant_id: 'p_ada',
      duration_secs: 60,
    })
  })
})
