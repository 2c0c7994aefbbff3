import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RECONNECT_BASE_MS, RECONNECT_CAP_MS } from '../reconnect'
import { ControlChannel, ControlRequestError, controlChannelUrl, type WebSocketLike } from './channel'
import { NOW, run, stateFrame, welcomeFrame } from '../quiz/testFixtures'
import type { ServerMessage } from './types'

/** A WebSocket stand-in the test opens, feeds and closes by hand. */
class FakeSocket implements WebSocketLike {
  readyState = 0
  sent: string[] = []
  closedWith: number | null = null
  onopen: ((event: Event) => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null
  onerror: ((event: Event) => void) | null = null

  constructor(readonly url: string) {}

  send(data: string) {
    this.sent.push(data)
  }

  close(code = 1000) {
    this.closedWith = code
    this.readyState = 3
  }

  open() {
    this.readyState = 1
    this.onopen?.(new Event('open'))
  }

  receive(data: string) {
    this.onmessage?.({ data } as MessageEvent)
  }

  serverClose(code: number) {
    this.readyState = 3
    this.onclose?.({ code } as CloseEvent)
  }

  /** The client messages sent so far, decoded. */
  get messages(): Record<string, unknown>[] {
    return this.sent.map((text) => JSON.parse(text))
  }
}

interface Harness {
  channel: ControlChannel
  sockets: FakeSocket[]
  messages: ServerMessage[]
  offsets: number[]
  states: string[]
  stops: string[]
  latest: () => FakeSocket
}

function harness(options: { random?: () => number; now?: () => number } = {}): Harness {
  const sockets: FakeSocket[] = []
  const messages: ServerMessage[] = []
  const offsets: number[] = []
  const states: string[] = []
  const stops: string[] = []
  const channel = new ControlChannel({
    url: 'ws://127.0.0.1/ws/control/abc?token=t',
    createSocket: (url) => {
      const socket = new FakeSocket(url)
      sockets.push(socket)
      return socket
    },
    onMessage: (message, offset) => {
      messages.push(message)
      offsets.push(offset)
    },
    onState: (state) => states.push(state),
    onStop: (reason) => stops.push(reason),
    random: options.random ?? (() => 0.5),
    now: options.now,
    requestTimeoutMs: 5_000,
  })
  channel.start()
  return { channel, sockets, messages, offsets, states, stops, latest: () => sockets[sockets.length - 1] }
}

beforeEach(() => {
  vi.useFakeTimers()
  vi.spyOn(console, 'info').mockImplementation(() => undefined)
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('controlChannelUrl', () => {
  it('puts the code in the path and the token in the query', () => {
    expect(controlChannelUrl('wss://lectern.example', 'abc', 't/+=')).toBe('wss://lectern.example/ws/control/abc?token=t%2F%2B%3D')
  })
})

describe('ControlChannel', () => {
  it('opens the socket and reports its state', () => {
    const h = harness()
    expect(h.sockets).toHaveLength(1)
    expect(h.latest().url).toBe('ws://127.0.0.1/ws/control/abc?token=t')
    expect(h.states).toEqual(['connecting'])
    h.latest().open()
    expect(h.states).toEqual(['connecting', 'connected'])
    expect(h.channel.connected).toBe(true)
  })

  it('delivers valid messages and drops invalid ones', () => {
    const h = harness()
    h.latest().open()
    h.latest().receive(welcomeFrame())
    h.latest().receive('not json')
    h.latest().receive(JSON.stringify({ v: 1, type: 'welcome' }))
    h.latest().receive(JSON.stringify({ v: 1, type: 'future.thing' }))
    h.latest().receive(stateFrame(run()))
    expect(h.messages.map((message) => message.type)).toEqual(['welcome', 'quiz.state'])
  })

  it('computes the clock offset from server_time', () => {
    let now = NOW - 2_500
    const h = harness({ now: () => now })
    h.latest().open()
    h.latest().receive(welcomeFrame('student', NOW))
    expect(h.channel.offset).toBe(2_500)
    expect(h.offsets).toEqual([2_500])

    now = NOW + 10_000
    h.latest().receive(stateFrame(run(), NOW + 9_000))
    expect(h.channel.offset).toBe(-1_000)
    expect(h.offsets).toEqual([2_500, -1_000])
  })

  it('matches an accepted answer by ref', async () => {
    const h = harness()
    h.latest().open()
    const reply = h.channel.answer({ type: 'quiz.answer', run_id: 'r_1', question_index: 0, answer: { type: 'choice', index: 1 } })
    const sent = h.latest().messages[0]
    expect(sent).toMatchObject({ v: 1, type: 'quiz.answer', run_id: 'r_1', question_index: 0, answer: { type: 'choice', index: 1 } })
    expect(typeof sent.ref).toBe('string')

    // A reply to another request settles nothing.
    h.latest().receive(JSON.stringify({ v: 1, type: 'error', ref: 'other', code: 'late', message: 'late' }))
    h.latest().receive(
      JSON.stringify({
        v: 1, type: 'quiz.accepted', ref: sent.ref, run_id: 'r_1', question_index: 0,
        answer: { type: 'choice', index: 1 }, received_at: NOW, response_ms: 4000, duplicate: false,
      }),
    )
    await expect(reply).resolves.toMatchObject({ type: 'quiz.accepted', response_ms: 4000 })
    // The unmatched error and the acceptance both reach the listener.
    expect(h.messages.map((message) => message.type)).toEqual(['error', 'quiz.accepted'])
  })

  it('rejects a request with the error of its ref', async () => {
    const h = harness()
    h.latest().open()
    const reply = h.channel.answer({ type: 'quiz.answer', run_id: 'r_1', question_index: 0, answer: { type: 'boolean', value: true } })
    const ref = h.latest().messages[0].ref
    h.latest().receive(JSON.stringify({ v: 1, type: 'error', ref, code: 'late', message: 'answer arrived 120 ms after the deadline' }))
    await expect(reply).rejects.toMatchObject({ name: 'ControlRequestError', code: 'late' })
    // A matched error is the request's, not a notice for the page.
    expect(h.messages).toEqual([])
  })

  it('gives each request its own ref', () => {
    const h = harness()
    h.latest().open()
    void h.channel.command({ type: 'quiz.next' })
    void h.channel.command({ type: 'quiz.close' }).catch(() => undefined)
    const [first, second] = h.latest().messages
    expect(first.ref).not.toBe(second.ref)
  })

  it('settles a command on the next quiz.state', async () => {
    const h = harness()
    h.latest().open()
    const done = h.channel.command({ type: 'quiz.launch', quiz_id: 'q_1', streak_bonus: false })
    expect(h.latest().messages[0]).toMatchObject({ v: 1, type: 'quiz.launch', quiz_id: 'q_1', streak_bonus: false })
    h.latest().receive(stateFrame(run()))
    await expect(done).resolves.toBeUndefined()
  })

  it('rejects a command with its error', async () => {
    const h = harness()
    h.latest().open()
    const done = h.channel.command({ type: 'quiz.reveal' })
    const ref = h.latest().messages[0].ref
    h.latest().receive(JSON.stringify({ v: 1, type: 'error', ref, code: 'illegal_transition', message: 'the question is open' }))
    await expect(done).rejects.toMatchObject({ code: 'illegal_transition' })
  })

  it('rejects a request while not connected', async () => {
    const h = harness()
    await expect(h.channel.command({ type: 'quiz.next' })).rejects.toMatchObject({ code: 'disconnected' })
    expect(h.latest().sent).toEqual([])
  })

  it('rejects open requests when the socket closes', async () => {
    const h = harness()
    h.latest().open()
    const reply = h.channel.answer({ type: 'quiz.answer', run_id: 'r_1', question_index: 0, answer: { type: 'poll', index: 0 } })
    h.latest().serverClose(1001)
    await expect(reply).rejects.toMatchObject({ code: 'disconnected' })
  })

  it('rejects a request without a reply after the timeout', async () => {
    const h = harness()
    h.latest().open()
    const reply = h.channel.answer({ type: 'quiz.answer', run_id: 'r_1', question_index: 0, answer: { type: 'poll', index: 0 } })
    vi.advanceTimersByTime(5_000)
    await expect(reply).rejects.toBeInstanceOf(ControlRequestError)
    await expect(reply).rejects.toMatchObject({ code: 'timeout' })
  })

  it('reconnects with the board socket backoff', () => {
    const h = harness({ random: () => 0.999 })
    h.latest().open()
    h.latest().serverClose(1001)
    expect(h.states.at(-1)).toBe('disconnected')

    // First retry: below RECONNECT_BASE_MS.
    vi.advanceTimersByTime(RECONNECT_BASE_MS - 2)
    expect(h.sockets).toHaveLength(1)
    vi.advanceTimersByTime(2)
    expect(h.sockets).toHaveLength(2)

    // Second retry, after a failure before opening: the ceiling doubles.
    h.latest().serverClose(1006)
    vi.advanceTimersByTime(RECONNECT_BASE_MS * 2 - 2)
    expect(h.sockets).toHaveLength(2)
    vi.advanceTimersByTime(2)
    expect(h.sockets).toHaveLength(3)
  })

  it('caps the delay', () => {
    const h = harness({ random: () => 0.999 })
    for (let attempt = 0; attempt < 12; attempt++) {
      h.latest().serverClose(1006)
      vi.advanceTimersByTime(RECONNECT_CAP_MS)
    }
    expect(h.sockets).toHaveLength(13)
  })

  it('draws the delay at random', () => {
    const h = harness({ random: () => 0 })
    h.latest().serverClose(1006)
    vi.advanceTimersByTime(0)
    expect(h.sockets).toHaveLength(2)
  })

  it('starts the backoff over after a welcome', () => {
    const h = harness({ random: () => 0.999 })
    for (let attempt = 0; attempt < 4; attempt++) {
      h.latest().serverClose(1006)
      vi.advanceTimersByTime(RECONNECT_CAP_MS)
    }
    h.latest().open()
    h.latest().receive(welcomeFrame())
    h.latest().serverClose(1001)
    const before = h.sockets.length
    vi.advanceTimersByTime(RECONNECT_BASE_MS)
    expect(h.sockets).toHaveLength(before + 1)
  })

  it('stops after close code 4000', () => {
    const h = harness()
    h.latest().open()
    h.latest().serverClose(4000)
    vi.advanceTimersByTime(RECONNECT_CAP_MS * 2)
    expect(h.sockets).toHaveLength(1)
    expect(h.stops).toEqual(['room-closed'])
    expect(h.states.at(-1)).toBe('disconnected')
  })

  it('reconnects after the other documented close codes', () => {
    for (const code of [1001, 1003, 1008, 1009, 1011, 1013, 4401]) {
      const h = harness({ random: () => 0 })
      h.latest().serverClose(code)
      vi.advanceTimersByTime(0)
      expect(h.sockets, `close code ${code}`).toHaveLength(2)
      h.channel.dispose()
    }
  })

  it('closes the socket and cancels the retry on dispose', () => {
    const h = harness()
    h.latest().open()
    const socket = h.latest()
    h.channel.dispose()
    expect(socket.closedWith).toBe(1000)
    vi.advanceTimersByTime(RECONNECT_CAP_MS * 2)
    expect(h.sockets).toHaveLength(1)

    const other = harness()
    other.latest().serverClose(1006)
    other.channel.dispose()
    vi.advanceTimersByTime(RECONNECT_CAP_MS * 2)
    expect(other.sockets).toHaveLength(1)
  })

  it('ignores events of a replaced socket', () => {
    const h = harness({ random: () => 0 })
    const first = h.latest()
    first.open()
    first.serverClose(1006)
    vi.advanceTimersByTime(0)
    first.receive(welcomeFrame())
    expect(h.messages).toEqual([])
  })

  it('replays state messages to a late subscriber', () => {
    const h = harness()
    h.latest().open()
    h.latest().receive(welcomeFrame())
    h.latest().receive(stateFrame(run()))
    h.latest().receive(JSON.stringify({ v: 1, type: 'floor.state', server_time: NOW, max_speakers: 1, queue: [], speakers: [], muted: [] }))
    h.latest().receive(JSON.stringify({ v: 1, type: 'audio.config', ice_servers: [] }))
    h.latest().receive(JSON.stringify({ v: 1, type: 'error', code: 'rate_limited', message: 'slow down' }))

    const late: string[] = []
    h.channel.subscribe((message) => late.push(message.type))
    expect(late).toEqual(['welcome', 'quiz.state', 'floor.state', 'audio.config'])
  })

  it('forgets the replay after a new welcome', () => {
    const h = harness()
    h.latest().open()
    h.latest().receive(welcomeFrame())
    h.latest().receive(stateFrame(run()))
    h.latest().receive(welcomeFrame())

    const late: string[] = []
    h.channel.subscribe((message) => late.push(message.type))
    expect(late).toEqual(['welcome'])
  })

  it('delivers to every subscriber until it unsubscribes', () => {
    const h = harness()
    h.latest().open()
    const first: string[] = []
    const second: string[] = []
    const stopFirst = h.channel.subscribe((message) => first.push(message.type))
    h.channel.subscribe((message) => second.push(message.type))
    h.latest().receive(JSON.stringify({ v: 1, type: 'speaking', speaking: ['p_ada'] }))
    stopFirst()
    h.latest().receive(JSON.stringify({ v: 1, type: 'speaking', speaking: [] }))
    expect(first).toEqual(['speaking'])
    expect(second).toEqual(['speaking', 'speaking'])
  })

  it('reports the state to a watcher at once', () => {
    const h = harness()
    const seen: string[] = []
    h.channel.watchState((state) => seen.push(state))
    h.latest().open()
    expect(seen).toEqual(['connecting', 'connected'])
  })

  it('settles a floor request on floor.state', async () => {
    const h = harness()
    h.latest().open()
    const done = h.channel.request({ type: 'hand.raise' }, 'floor.state')
    expect(h.latest().messages[0]).toMatchObject({ v: 1, type: 'hand.raise' })
    // A quiz.state settles quiz commands only.
    h.latest().receive(stateFrame(run()))
    h.latest().receive(JSON.stringify({ v: 1, type: 'floor.state', server_time: NOW, max_speakers: 1, queue: [], speakers: [], muted: [] }))
    await expect(done).resolves.toMatchObject({ type: 'floor.state' })
  })

  it('routes the error of a sent message to its sender', () => {
    const h = harness()
    h.latest().open()
    const errors: string[] = []
    expect(h.channel.send({ type: 'rtc.candidate', candidate: { candidate: 'c' } }, (error) => errors.push(error.code))).toBe(true)
    const ref = h.latest().messages[0].ref
    h.latest().receive(JSON.stringify({ v: 1, type: 'error', ref, code: 'no_audio_session', message: 'no offer yet' }))
    expect(errors).toEqual(['no_audio_session'])
    // The error is the sender's, not a notice for the quiz.
    expect(h.messages).toEqual([])
  })

  it('does not send while closed', () => {
    const h = harness()
    expect(h.channel.send({ type: 'rtc.leave' })).toBe(false)
    expect(h.latest().sent).toEqual([])
  })

  it('forgets a sent message after the timeout', () => {
    const h = harness()
    h.latest().open()
    const errors: string[] = []
    h.channel.send({ type: 'rtc.leave' }, (error) => errors.push(error.code))
    vi.advanceTimersByTime(5_000)
    h.latest().serverClose(1001)
    expect(errors).toEqual([])
  })
})

