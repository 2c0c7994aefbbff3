import { describe, expect, it } from 'vitest'
import { buildParticipantRows, colorFor, mayDraw, readPeers, readServerPresence } from './presence'
import { shouldReconnect, websocketBase } from './connection'

type States = Map<number, Record<string, unknown>>

const server = (lectern: unknown): [number, Record<string, unknown>] => [0, { lectern }]
const client = (id: number, user: unknown, hand = false): [number, Record<string, unknown>] => [id, { user, hand }]

describe('readServerPresence', () => {
  it('reads the entry of client 0', () => {
    const states: States = new Map([server({ v: 1, studentsCanDraw: true, canDraw: ['p1'], online: ['u1', 'p1'] })])
    expect(readServerPresence(states)).toEqual({ studentsCanDraw: true, canDraw: ['p1'], online: ['u1', 'p1'] })
  })

  it('returns null without a server entry', () => {
    expect(readServerPresence(new Map([client(5, { id: 'p', name: 'P' })]))).toBeNull()
  })

  it('ignores malformed lists', () => {
    const states: States = new Map([server({ canDraw: 'p1', online: [1, 'p2'] })])
    expect(readServerPresence(states)).toEqual({ studentsCanDraw: false, canDraw: [], online: ['p2'] })
  })
})

describe('readPeers', () => {
  it('skips the server and clients without a user', () => {
    const states: States = new Map([
      server({ canDraw: [] }),
      client(7, { id: 'p1', name: 'Grace', role: 'student', color: '#000' }, true),
      [8, { cursor: null }],
    ])
    const peers = readPeers(states)
    expect(peers).toHaveLength(1)
    expect(peers[0]).toMatchObject({ clientId: 7, hand: true, user: { id: 'p1', name: 'Grace', role: 'student' } })
  })
})

describe('mayDraw', () => {
  const presence = { studentsCanDraw: false, canDraw: ['p1'], online: [] }

  it('always allows the lecturer', () => {
    expect(mayDraw(null, 'u1', 'lecturer')).toBe(true)
  })

  it('follows the canDraw list for students', () => {
    expect(mayDraw(presence, 'p1', 'student')).toBe(true)
    expect(mayDraw(presence, 'p2', 'student')).toBe(false)
  })

  it('denies students until the server entry arrives', () => {
    expect(mayDraw(null, 'p1', 'student')).toBe(false)
  })
})

describe('buildParticipantRows', () => {
  it('merges joined students with online peers', () => {
    const rows = buildParticipantRows({
      registered: [
        { id: 'p1', name: 'Grace', role: 'student', can_draw: false },
        { id: 'p2', name: 'Alan', role: 'student', can_draw: false },
      ],
      peers: [
        { clientId: 3, user: { id: 'u1', name: 'Ada', role: 'lecturer', color: '#000' }, hand: false },
        { clientId: 4, user: { id: 'p1', name: 'Grace', role: 'student', color: '#000' }, hand: true },
      ],
      presence: { studentsCanDraw: false, canDraw: ['p1'], online: ['u1', 'p1'] },
      selfId: 'u1',
      hands: new Set(['p1']),
    })
    expect(rows.map((row) => row.id)).toEqual(['u1', 'p1', 'p2'])
    expect(rows[0]).toMatchObject({ role: 'lecturer', canDraw: true, online: true, isSelf: true })
    expect(rows[1]).toMatchObject({ hand: true, awarenessHand: true, canDraw: true, online: true })
    expect(rows[2]).toMatchObject({ hand: false, awarenessHand: false, canDraw: false, online: false })
  })

  it('takes hands from the floor, not from awareness', () => {
    const peers = [{ clientId: 4, user: { id: 'p1', name: 'Grace', role: 'student' as const, color: '#000' }, hand: true }]
    const registered = [
      { id: 'p1', name: 'Grace', role: 'student' as const, can_draw: false },
      { id: 'p2', name: 'Alan', role: 'student' as const, can_draw: false },
    ]
    const presence = { studentsCanDraw: false, canDraw: [], online: ['p1', 'p2'] }

    const beforeFloor = buildParticipantRows({ registered, peers, presence, selfId: 'u1', hands: null })
    expect(beforeFloor.map((row) => [row.id, row.hand])).toEqual([['p2', false], ['p1', false]])

    const rows = buildParticipantRows({ registered, peers, presence, selfId: 'u1', hands: new Set(['p2']) })
    // A raised hand sorts first.
    expect(rows.map((row) => row.id)).toEqual(['p2', 'p1'])
    expect(rows[0]).toMatchObject({ id: 'p2', hand: true, awarenessHand: false })
    expect(rows[1]).toMatchObject({ id: 'p1', hand: false, awarenessHand: true })
  })

  it('uses REST rights before the server entry arrives', () => {
    const rows = buildParticipantRows({
      registered: [{ id: 'p1', name: 'Grace', role: 'student', can_draw: true }],
      peers: [],
      presence: null,
      selfId: 'u1',
    })
    expect(rows[0].canDraw).toBe(true)
  })
})

describe('colorFor', () => {
  it('is stable per id', () => {
    expect(colorFor('abc')).toBe(colorFor('abc'))
    expect(colorFor('abc')).toMatch(/^#[0-9a-f]{6}$/)
  })
})

describe('websocketBase', () => {
  it('matches the page scheme', () => {
    expect(websocketBase({ protocol: 'https:', host: 'lectern.example.org' })).toBe('wss://lectern.example.org')
    expect(websocketBase({ protocol: 'http:', host: '127.0.0.1:5173' })).toBe('ws://127.0.0.1:5173')
  })
})

describe('shouldReconnect', () => {
  it('stops after the room closed', () => {
    expect(shouldReconnect(4000)).toBe(false)
  })

  it('stops on y-websocket permanent codes', () => {
    expect(shouldReconnect(4401)).toBe(false)
  })

  it('retries on ordinary closes', () => {
    expect(shouldReconnect(1006)).toBe(true)
    expect(shouldReconnect(1013)).toBe(true)
  })
})
