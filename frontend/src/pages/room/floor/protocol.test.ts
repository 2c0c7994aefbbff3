import { describe, expect, it } from 'vitest'
import { parseServerMessage } from '../control/protocol'
import { NOW } from '../quiz/testFixtures'
import { floorFrame, floorView, queued, speaker } from './testFixtures'

function parsed(text: string) {
  const result = parseServerMessage(text)
  if (result.ok !== true) throw new Error(`expected a valid message, got ${JSON.stringify(result)}`)
  return result.message
}

function rejection(value: unknown): string {
  const result = parseServerMessage(JSON.stringify(value))
  if (result.ok !== false) throw new Error(`expected a rejection, got ${JSON.stringify(result)}`)
  return result.reason
}

const documented = {
  v: 1,
  type: 'floor.state',
  server_time: NOW,
  max_speakers: 1,
  queue: [{ participant_id: 'p_ada', name: 'Ada', raised_at: NOW - 10_000 }],
  speakers: [{ participant_id: 'p_grace', name: 'Grace', to_board: true, since: NOW - 5_000, until: NOW + 55_000 }],
  muted: ['p_alan'],
}

describe('floor.state', () => {
  it('parses the documented example', () => {
    expect(parsed(JSON.stringify(documented))).toEqual({
      type: 'floor.state',
      server_time: NOW,
      max_speakers: 1,
      queue: [queued('p_ada', 'Ada', NOW - 10_000)],
      speakers: [speaker('p_grace', 'Grace', { to_board: true, until: NOW + 55_000 })],
      muted: ['p_alan'],
    })
  })

  it('reads a null until as no time limit', () => {
    const message = parsed(floorFrame(floorView({ speakers: [speaker('p_grace', 'Grace')] })))
    expect(message).toMatchObject({ speakers: [{ until: null }] })
  })

  it('ignores unknown fields', () => {
    const message = parsed(JSON.stringify({ ...documented, future: 1, queue: [{ ...documented.queue[0], extra: true }] }))
    expect(message).toMatchObject({ queue: [{ participant_id: 'p_ada' }] })
    expect(message).not.toHaveProperty('future')
  })

  it('rejects wrong fields by path', () => {
    expect(rejection({ ...documented, queue: 'Ada' })).toBe('queue is not an array')
    expect(rejection({ ...documented, queue: [{ name: 'Ada', raised_at: 1 }] })).toBe('queue[0].participant_id is not a string')
    expect(rejection({ ...documented, speakers: [{ ...documented.speakers[0], until: 'soon' }] })).toBe('speakers[0].until is not a finite number')
    expect(rejection({ ...documented, speakers: [{ ...documented.speakers[0], to_board: 'yes' }] })).toBe('speakers[0].to_board is not a boolean')
    expect(rejection({ ...documented, muted: [3] })).toBe('muted[0] is not a string')
    expect(rejection({ ...documented, max_speakers: 0 })).toBe('max_speakers is below 1')
    expect(rejection({ ...documented, server_time: undefined })).toBe('server_time is not a finite number')
  })
})

describe('speaking', () => {
  it('parses the list of speakers', () => {
    expect(parsed(JSON.stringify({ v: 1, type: 'speaking', speaking: ['p_ada'] }))).toEqual({ type: 'speaking', speaking: ['p_ada'] })
    expect(parsed(JSON.stringify({ v: 1, type: 'speaking', speaking: [] }))).toEqual({ type: 'speaking', speaking: [] })
  })

  it('rejects a list that is not of ids', () => {
    expect(rejection({ v: 1, type: 'speaking', speaking: 'p_ada' })).toBe('speaking is not an array')
    expect(rejection({ v: 1, type: 'speaking', speaking: [null] })).toBe('speaking[0] is not a string')
  })
})
