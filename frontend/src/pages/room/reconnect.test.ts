import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, type Room } from '../../api'
import type { ConnectionState } from './connection'
import {
  backoffCeiling,
  diagnoseFailure,
  DIAGNOSIS_TIMEOUT_MS,
  RECONNECT_BASE_MS,
  RECONNECT_CAP_MS,
  reconnectDelay,
  superviseConnection,
  type Diagnosis,
  type DiagnosisClient,
  type StopReason,
} from './reconnect'

describe('backoffCeiling', () => {
  it('starts at the base', () => {
    expect(backoffCeiling(0)).toBe(RECONNECT_BASE_MS)
  })

  it('doubles with each attempt', () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(backoffCeiling(attempt + 1, 100, 1_000_000)).toBe(2 * backoffCeiling(attempt, 100, 1_000_000))
    }
  })

  it('stops at the cap', () => {
    expect(backoffCeiling(6)).toBe(RECONNECT_CAP_MS)
    expect(backoffCeiling(50)).toBe(RECONNECT_CAP_MS)
    expect(backoffCeiling(5000)).toBe(RECONNECT_CAP_MS)
    expect(backoffCeiling(Number.POSITIVE_INFINITY)).toBe(RECONNECT_CAP_MS)
  })

  it('treats invalid attempts as the first', () => {
    expect(backoffCeiling(-3)).toBe(RECONNECT_BASE_MS)
    expect(backoffCeiling(Number.NaN)).toBe(RECONNECT_BASE_MS)
  })
})

describe('reconnectDelay', () => {
  it('scales the random fraction of the ceiling', () => {
    expect(reconnectDelay(0, () => 0)).toBe(0)
    expect(reconnectDelay(0, () => 0.5)).toBe(RECONNECT_BASE_MS / 2)
    expect(reconnectDelay(3, () => 0.5)).toBe(backoffCeiling(3) / 2)
    expect(reconnectDelay(20, () => 0.5)).toBe(RECONNECT_CAP_MS / 2)
  })

  it('stays below the ceiling', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      expect(reconnectDelay(attempt, () => 0.999999)).toBeLessThan(backoffCeiling(attempt))
    }
  })

  it('keeps Math.random samples within bounds', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      for (let sample = 0; sample < 200; sample++) {
        const delay = reconnectDelay(attempt)
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThan(backoffCeiling(attempt))
        expect(Number.isInteger(delay)).toBe(true)
      }
    }
  })

  it('clamps a random source outside [0, 1)', () => {
    expect(reconnectDelay(0, () => -1)).toBe(0)
    expect(reconnectDelay(0, () => 2)).toBe(RECONNECT_BASE_MS)
  })
})

const openRoom: Room = {
  id: 'r1',
  code: 'abcdefghjk',
  title: 'Algebra',
  join_url: 'http://127.0.0.1/join/abcdefghjk',
  students_can_draw: false,
  created_at: 0,
  closed: false,
}

function client(me: () => Promise<unknown>, room: () => Promise<Room>): DiagnosisClient {
  return { me, getRoom: room }
}

const ok = <T>(value: T) => () => Promise.resolve(value)
const fail = (status: number, code = `http_${status}`) => () => Promise.reject(new ApiError(status, code, code))

describe('diagnoseFailure', () => {
  it('reports 401 from auth/me as unauthorized', async () => {
    expect(await diagnoseFailure('tok', 'abc', client(fail(401), fail(401)))).toBe('unauthorized')
    expect(await diagnoseFailure('tok', 'abc', client(fail(401), ok(openRoom)))).toBe('unauthorized')
  })

  it('reports 401 from the room as unauthorized', async () => {
    expect(await diagnoseFailure('tok', 'abc', client(ok({}), fail(401)))).toBe('unauthorized')
  })

  it('reports 410 as a closed room', async () => {
    expect(await diagnoseFailure('tok', 'abc', client(ok({}), fail(410, 'room_closed')))).toBe('room-closed')
  })

  it('reports a closed room read with 200', async () => {
    expect(await diagnoseFailure('tok', 'abc', client(ok({}), ok({ ...openRoom, closed: true })))).toBe('room-closed')
  })

  it('retries on other answers', async () => {
    expect(await diagnoseFailure('tok', 'abc', client(ok({}), ok(openRoom)))).toBe('retry')
    expect(await diagnoseFailure('tok', 'abc', client(fail(0, 'network'), fail(0, 'network')))).toBe('retry')
    expect(await diagnoseFailure('tok', 'abc', client(fail(500), fail(500)))).toBe('retry')
    expect(await diagnoseFailure('tok', 'abc', client(ok({}), fail(403)))).toBe('retry')
    expect(await diagnoseFailure('tok', 'abc', client(ok({}), fail(404)))).toBe('retry')
  })

  it('retries when a call throws something other than ApiError', async () => {
    const broken = () => Promise.reject(new TypeError('boom'))
    expect(await diagnoseFailure('tok', 'abc', client(broken, broken))).toBe('retry')
  })
})

type Listener = (...args: never[]) => void

/** Fake WebsocketProvider that records calls and emits events as y-websocket 3.1 does. */
class FakeProvider {
  shouldConnect = false
  connects: number[] = []
  disconnects = 0
  private listeners = new Map<string, Set<Listener>>()

  on(name: string, listener: Listener): void {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set())
    this.listeners.get(name)!.add(listener)
  }

  off(name: string, listener: Listener): void {
    this.listeners.get(name)?.delete(listener)
  }

  listenerCount(): number {
    let count = 0
    for (const set of this.listeners.values()) count += set.size
    return count
  }

  private emit(name: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) (listener as (...values: unknown[]) => void)(...args)
  }

  connect(): void {
    this.shouldConnect = true
    this.connects.push(Date.now())
    this.emit('status', { status: 'connecting' })
  }

  disconnect(): void {
    this.shouldConnect = false
    this.disconnects++
  }

  open(): void {
    this.emit('status', { status: 'connected' })
  }

  sync(): void {
    this.emit('sync', true)
  }

  /** Closes the socket. y-websocket emits `disconnected` only for a socket that had opened. */
  close(code: number | null, opened: boolean): void {
    this.emit('connection-close', code === null ? null : ({ code } as CloseEvent))
    if (opened) this.emit('status', { status: 'disconnected' })
  }
}

interface Harness {
  provider: FakeProvider
  states: ConnectionState[]
  stops: StopReason[]
  diagnoses: number
  dispose: () => void
}

function supervise(diagnose: () => Promise<Diagnosis> = () => Promise.resolve('retry'), random = () => 0.5): Harness {
  const provider = new FakeProvider()
  const harness: Harness = { provider, states: [], stops: [], diagnoses: 0, dispose: () => {} }
  const supervisor = superviseConnection(provider, {
    diagnose: () => {
      harness.diagnoses++
      return diagnose()
    },
    onState: (state) => harness.states.push(state),
    onStop: (reason) => harness.stops.push(reason),
    random,
  })
  harness.dispose = () => supervisor.dispose()
  return harness
}

describe('superviseConnection', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.spyOn(console, 'info').mockImplementation(() => {})
    vi.spyOn(console, 'warn').mockImplementation(() => {})
  })

  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('connects at once', () => {
    const { provider, states } = supervise()
    expect(provider.connects).toHaveLength(1)
    expect(states.at(-1)).toBe('connecting')
    provider.open()
    expect(states.at(-1)).toBe('connected')
  })

  it('turns off the provider loop on close', () => {
    const { provider } = supervise()
    provider.open()
    provider.close(1006, true)
    expect(provider.shouldConnect).toBe(false)
  })

  it('waits the jittered delay before retrying', () => {
    const { provider, states } = supervise()
    provider.open()
    provider.close(1006, true)
    expect(states.at(-1)).toBe('disconnected')

    vi.advanceTimersByTime(RECONNECT_BASE_MS / 2 - 1)
    expect(provider.connects).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(provider.connects).toHaveLength(2)
    expect(states.at(-1)).toBe('connecting')
  })

  it('grows the delay up to the cap', () => {
    const { provider } = supervise(undefined, () => 0.999)
    const gaps: number[] = []
    for (let attempt = 0; attempt < 10; attempt++) {
      provider.open()
      const closedAt = Date.now()
      provider.close(1006, true)
      vi.runOnlyPendingTimers()
      gaps.push(provider.connects.at(-1)! - closedAt)
    }
    for (let attempt = 0; attempt < gaps.length; attempt++) {
      expect(gaps[attempt]).toBe(Math.floor(0.999 * backoffCeiling(attempt)))
    }
    expect(Math.max(...gaps)).toBeLessThan(RECONNECT_CAP_MS)
  })

  it('restarts the backoff after a sync', () => {
    const { provider } = supervise(undefined, () => 0.999)
    for (let attempt = 0; attempt < 4; attempt++) {
      provider.open()
      provider.close(1006, true)
      vi.runOnlyPendingTimers()
    }
    provider.open()
    provider.sync()
    const closedAt = Date.now()
    provider.close(1006, true)
    vi.runOnlyPendingTimers()
    expect(provider.connects.at(-1)! - closedAt).toBe(Math.floor(0.999 * RECONNECT_BASE_MS))
  })

  it('retries a local close', () => {
    const { provider } = supervise()
    provider.open()
    provider.close(null, true)
    vi.runOnlyPendingTimers()
    expect(provider.connects).toHaveLength(2)
  })

  it('retries one failure before open without diagnosis', () => {
    const harness = supervise()
    harness.provider.close(1006, false)
    expect(harness.states.at(-1)).toBe('disconnected')
    vi.runOnlyPendingTimers()
    expect(harness.diagnoses).toBe(0)
    expect(harness.provider.connects).toHaveLength(2)
  })

  it('asks the diagnosis on the second failure', async () => {
    let resolve: (value: Diagnosis) => void = () => {}
    const harness = supervise(() => new Promise<Diagnosis>((done) => (resolve = done)))
    const { provider } = harness

    provider.close(1006, false)
    expect(harness.diagnoses).toBe(0)
    vi.runOnlyPendingTimers()
    provider.close(1006, false)
    expect(harness.diagnoses).toBe(1)

    // No retry is scheduled while the diagnosis runs.
    vi.advanceTimersByTime(RECONNECT_CAP_MS)
    expect(provider.connects).toHaveLength(2)

    resolve('retry')
    await vi.advanceTimersByTimeAsync(RECONNECT_CAP_MS)
    expect(provider.connects).toHaveLength(3)
    expect(harness.stops).toEqual([])
  })

  it('does not diagnose when an attempt opened in between', () => {
    const harness = supervise()
    const { provider } = harness
    provider.close(1006, false)
    vi.runOnlyPendingTimers()
    provider.open()
    provider.close(1006, true)
    vi.runOnlyPendingTimers()
    provider.close(1006, false)
    expect(harness.diagnoses).toBe(0)
    expect(provider.connects).toHaveLength(3)
  })

  it('stops when the token is rejected', async () => {
    const harness = supervise(() => Promise.resolve('unauthorized'))
    const { provider } = harness
    provider.close(1006, false)
    vi.runOnlyPendingTimers()
    provider.close(1006, false)
    await vi.advanceTimersByTimeAsync(RECONNECT_CAP_MS * 3)

    expect(harness.stops).toEqual(['unauthorized'])
    expect(provider.disconnects).toBe(1)
    expect(provider.connects).toHaveLength(2)
    expect(harness.states.at(-1)).toBe('disconnected')
  })

  it('stops when the diagnosis finds the room closed', async () => {
    const harness = supervise(() => Promise.resolve('room-closed'))
    harness.provider.close(1006, false)
    vi.runOnlyPendingTimers()
    harness.provider.close(1006, false)
    await vi.advanceTimersByTimeAsync(RECONNECT_CAP_MS * 3)
    expect(harness.stops).toEqual(['room-closed'])
    expect(harness.provider.connects).toHaveLength(2)
  })

  it('retries when the diagnosis hangs', async () => {
    const harness = supervise(() => new Promise<Diagnosis>(() => {}))
    harness.provider.close(1006, false)
    vi.runOnlyPendingTimers()
    harness.provider.close(1006, false)
    await vi.advanceTimersByTimeAsync(DIAGNOSIS_TIMEOUT_MS - 1)
    expect(harness.provider.connects).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1 + RECONNECT_CAP_MS)
    expect(harness.provider.connects).toHaveLength(3)
    expect(harness.stops).toEqual([])
  })

  it('retries when the diagnosis throws', async () => {
    const harness = supervise(() => Promise.reject(new Error('boom')))
    harness.provider.close(1006, false)
    vi.runOnlyPendingTimers()
    harness.provider.close(1006, false)
    await vi.advanceTimersByTimeAsync(RECONNECT_CAP_MS)
    expect(harness.provider.connects).toHaveLength(3)
  })

  it('stops on the room-closed close code', () => {
    const harness = supervise()
    harness.provider.open()
    harness.provider.close(4000, true)
    vi.advanceTimersByTime(RECONNECT_CAP_MS * 3)
    expect(harness.stops).toEqual(['room-closed'])
    expect(harness.provider.connects).toHaveLength(1)
    expect(harness.states.at(-1)).toBe('disconnected')
  })

  it('stops on a permanent close code', () => {
    const harness = supervise()
    harness.provider.open()
    harness.provider.close(4403, true)
    vi.advanceTimersByTime(RECONNECT_CAP_MS * 3)
    expect(harness.stops).toEqual(['rejected'])
    expect(harness.provider.connects).toHaveLength(1)
  })

  it('cancels a pending retry on dispose', () => {
    const harness = supervise()
    harness.provider.open()
    harness.provider.close(1006, true)
    harness.dispose()
    vi.advanceTimersByTime(RECONNECT_CAP_MS * 3)
    expect(harness.provider.connects).toHaveLength(1)
    expect(harness.provider.listenerCount()).toBe(0)
  })
})

/** Fake WebSocket for y-websocket's `WebSocketPolyfill` option. Tests call its handlers directly. */
class FakeSocket {
  static instances: FakeSocket[] = []
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  readonly CONNECTING = 0
  readonly OPEN = 1
  binaryType = 'blob'
  readyState = 0
  onopen: (() => void) | null = null
  onclose: ((event: { code: number }) => void) | null = null
  onerror: ((event: unknown) => void) | null = null
  onmessage: ((event: unknown) => void) | null = null

  constructor(readonly url: string) {
    FakeSocket.instances.push(this)
  }

  send(): void {}

  close(): void {
    this.readyState = 3
  }

  open(): void {
    this.readyState = 1
    this.onopen?.()
  }
}

describe('superviseConnection with y-websocket', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.spyOn(console, 'info').mockImplementation(() => {})
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    FakeSocket.instances = []
  })

  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  async function start() {
    const [{ WebsocketProvider }, Y] = await Promise.all([import('y-websocket'), import('yjs')])
    const doc = new Y.Doc()
    const provider = new WebsocketProvider('ws://127.0.0.1:9', 'room', doc, {
      connect: false,
      disableBc: true,
      WebSocketPolyfill: FakeSocket as unknown as typeof WebSocket,
    })
    const states: ConnectionState[] = []
    // 0.999 puts the first retry at 249 ms, after y-websocket's own first retry at 200 ms.
    const supervisor = superviseConnection(provider, {
      diagnose: () => Promise.resolve('retry'),
      onState: (state) => states.push(state),
      onStop: () => {},
      random: () => 0.999,
    })
    const destroy = () => {
      supervisor.dispose()
      provider.destroy()
      doc.destroy()
    }
    return { provider, states, destroy }
  }

  it('keeps the provider from retrying by itself', async () => {
    const { states, destroy } = await start()
    expect(FakeSocket.instances).toHaveLength(1)
    FakeSocket.instances[0].open()
    expect(states.at(-1)).toBe('connected')

    FakeSocket.instances[0].onclose?.({ code: 1006 })
    vi.advanceTimersByTime(240)
    expect(FakeSocket.instances).toHaveLength(1)
    vi.advanceTimersByTime(10)
    expect(FakeSocket.instances).toHaveLength(2)
    vi.advanceTimersByTime(RECONNECT_CAP_MS)
    expect(FakeSocket.instances).toHaveLength(2)
    destroy()
  })

  it('schedules the retry after the provider watchdog', async () => {
    const { provider, states, destroy } = await start()
    FakeSocket.instances[0].open()
    // y-websocket closes a socket that received nothing for 30 s, checking
    // every 3 s. Its clock is a Date.now captured at import, which fake
    // timers do not reach, so the last message is moved into the past.
    provider.wsLastMessageReceived = 0
    vi.advanceTimersByTime(3_000)
    expect(states.at(-1)).toBe('disconnected')
    expect(FakeSocket.instances).toHaveLength(1)
    vi.advanceTimersByTime(250)
    expect(FakeSocket.instances).toHaveLength(2)
    vi.advanceTimersByTime(RECONNECT_CAP_MS)
    expect(FakeSocket.instances).toHaveLength(2)
    destroy()
  })
})
