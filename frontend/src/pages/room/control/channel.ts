// The room's control channel client (docs/control-protocol.md): one WebSocket
// per room page, shared by the live quiz, the floor and the audio signalling.
// Each feature subscribes to the messages it reads and sends its own.
//
// It reconnects with the board socket's policy, a delay drawn by
// reconnectDelay() from reconnect.ts ("full jitter"), and starts the backoff
// over once a `welcome` arrives. Close code 4000 means the lecturer closed the
// room, so it stops there. Unlike the board, it does not query the REST API
// about failed upgrades, because the board session on the same page does
// that and makes the page stop, which disposes this channel.

import { ROOM_CLOSED_CODE, type ConnectionState } from '../connection'
import { reconnectDelay } from '../reconnect'
import type { AcceptedMessage, AnswerRequest, LecturerCommand } from '../quiz/types'
import { clockOffset } from './clock'
import { encodeClientMessage, parseServerMessage } from './protocol'
import type { ClientMessage, ErrorMessage, ServerMessage } from './types'

/** The parts of the browser WebSocket the channel uses, so tests can pass a fake. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: Event) => void) | null
  onmessage: ((event: MessageEvent) => void) | null
  onclose: ((event: CloseEvent) => void) | null
  onerror: ((event: Event) => void) | null
}

/** WebSocket.OPEN, spelled out because a fake socket class need not define it. */
const OPEN = 1

/** Time a request waits for its reply before it fails with `timeout`, in milliseconds. */
export const REQUEST_TIMEOUT_MS = 10_000

/**
 * Message types that describe the current state as a whole. The channel
 * keeps the last one of each and hands them to a listener that subscribes
 * late, so a feature that mounts after `welcome` still starts complete.
 */
const SNAPSHOT_TYPES: readonly ServerMessage['type'][] = ['welcome', 'quiz.state', 'floor.state', 'audio.config', 'speaking']

/**
 * A request that failed: the server's error `code` (`late`, `no_run`, …), or
 * `disconnected` when the socket closed first, or `timeout` when no reply came.
 */
export class ControlRequestError extends Error {
  readonly code: string

  constructor(code: string, message: string) {
    super(message)
    this.name = 'ControlRequestError'
    this.code = code
  }
}

export type MessageListener = (message: ServerMessage, offset: number) => void
export type StateListener = (state: ConnectionState) => void
export type StopListener = (reason: 'room-closed') => void

export interface ControlChannelOptions {
  /** `ws(s)://host/ws/control/{code}?token=…` */
  url: string
  /** A first message listener, as subscribe() adds them. */
  onMessage?: MessageListener
  /** A first listener of connection state changes. */
  onState?: StateListener
  /** A first listener called once when the channel stops for good because the room closed. */
  onStop?: StopListener
  createSocket?: (url: string) => WebSocketLike
  /** Source of randomness for the jitter, Math.random by default. */
  random?: () => number
  now?: () => number
  requestTimeoutMs?: number
}

interface PendingRequest {
  /** A message type whose next arrival settles the request, such as `quiz.state` for a quiz command. */
  settlesOn: ServerMessage['type'] | null
  /** False for a message sent with send(): only an error reply is reported, and a missing reply is no failure. */
  awaitsReply: boolean
  resolve: (message: ServerMessage) => void
  reject: (error: ControlRequestError) => void
  timer: ReturnType<typeof setTimeout>
}

export class ControlChannel {
  private readonly options: ControlChannelOptions
  private readonly now: () => number
  private socket: WebSocketLike | null = null
  private attempt = 0
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private started = false
  private stopped = false
  private roomClosed = false
  private nextRef = 0
  private readonly pending = new Map<string, PendingRequest>()
  private offsetMs = 0
  private connection: ConnectionState = 'connecting'
  private readonly messageListeners = new Set<MessageListener>()
  private readonly stateListeners = new Set<StateListener>()
  private readonly stopListeners = new Set<StopListener>()
  private readonly snapshots = new Map<ServerMessage['type'], ServerMessage>()

  constructor(options: ControlChannelOptions) {
    this.options = options
    this.now = options.now ?? Date.now
    if (options.onMessage) this.messageListeners.add(options.onMessage)
    if (options.onState) this.stateListeners.add(options.onState)
    if (options.onStop) this.stopListeners.add(options.onStop)
  }

  /** Server time minus local time, from the last `welcome`, `quiz.state` or `floor.state`. */
  get offset(): number {
    return this.offsetMs
  }

  get connected(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN
  }

  get state(): ConnectionState {
    return this.connection
  }

  /** True once the channel stopped for good: the room closed or the page disposed it. */
  get isStopped(): boolean {
    return this.stopped
  }

  /**
   * Calls `listener` with every valid message except error replies matched
   * to a request, after first replaying the latest state messages
   * (`welcome`, `quiz.state`, `floor.state`, `audio.config`, `speaking`)
   * received before it subscribed. Returns the unsubscribe function.
   */
  subscribe(listener: MessageListener): () => void {
    this.messageListeners.add(listener)
    for (const type of SNAPSHOT_TYPES) {
      const message = this.snapshots.get(type)
      if (message) listener(message, this.offsetMs)
    }
    return () => this.messageListeners.delete(listener)
  }

  /** Calls `listener` with the current connection state and then with every change. Returns the unsubscribe function. */
  watchState(listener: StateListener): () => void {
    this.stateListeners.add(listener)
    listener(this.connection)
    return () => this.stateListeners.delete(listener)
  }

  /** Calls `listener` once when the room closes; at once when it already has. Returns the unsubscribe function. */
  onStop(listener: StopListener): () => void {
    if (this.roomClosed) {
      listener('room-closed')
      return () => undefined
    }
    this.stopListeners.add(listener)
    return () => this.stopListeners.delete(listener)
  }

  start(): void {
    if (this.stopped || this.started) return
    this.started = true
    this.open()
  }

  /** Closes the socket, cancels a pending retry and fails every open request. */
  dispose(): void {
    if (this.stopped) return
    this.stopped = true
    this.clearRetry()
    const socket = this.socket
    this.socket = null
    if (socket) {
      this.detach(socket)
      socket.close(1000, 'page closed')
    }
    this.failPending('disconnected', 'the page closed the control connection')
  }

  /** Sends a lecturer command. Resolves when the next `quiz.state` arrives, rejects on an `error` with its ref. */
  command(command: LecturerCommand): Promise<void> {
    return this.request(command, 'quiz.state').then(() => undefined)
  }

  /** Sends a student's answer. Resolves with the server's `quiz.accepted`, rejects on an `error` with its ref. */
  answer(request: AnswerRequest): Promise<AcceptedMessage> {
    return this.request(request) as Promise<AcceptedMessage>
  }

  /**
   * Sends `message` with a new `ref`. Resolves with the reply that carries
   * the ref, or with the next message of type `settlesOn`; rejects on an
   * `error` with the ref, when the socket closes first, or after the timeout.
   */
  request(message: ClientMessage, settlesOn: ServerMessage['type'] | null = null): Promise<ServerMessage> {
    const socket = this.socket
    if (!socket || socket.readyState !== OPEN) {
      return Promise.reject(new ControlRequestError('disconnected', 'the control connection is not open'))
    }
    const ref = this.newRef()
    return new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref)
        reject(new ControlRequestError('timeout', `no reply to ${message.type} within ${this.timeoutMs} ms`))
      }, this.timeoutMs)
      this.pending.set(ref, { settlesOn, awaitsReply: true, resolve, reject, timer })
      socket.send(encodeClientMessage(message, ref))
    })
  }

  /**
   * Sends `message`, which has no reply of its own when it succeeds, such
   * as a trickle ICE candidate. An `error` with its ref goes to `onError`
   * instead of the listeners. Returns false when the socket is not open.
   */
  send(message: ClientMessage, onError?: (error: ErrorMessage) => void): boolean {
    const socket = this.socket
    if (!socket || socket.readyState !== OPEN) return false
    const ref = this.newRef()
    // The server answers within the request timeout or not at all, so the
    // entry is forgotten after it.
    const timer = setTimeout(() => this.pending.delete(ref), this.timeoutMs)
    this.pending.set(ref, {
      settlesOn: null,
      awaitsReply: false,
      resolve: () => undefined,
      reject: (error) => onError?.({ type: 'error', ref, code: error.code, message: error.message }),
      timer,
    })
    socket.send(encodeClientMessage(message, ref))
    return true
  }

  private newRef(): string {
    this.nextRef += 1
    return String(this.nextRef)
  }

  private get timeoutMs(): number {
    return this.options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
  }

  private setConnection(state: ConnectionState): void {
    this.connection = state
    for (const listener of [...this.stateListeners]) listener(state)
  }

  private open(): void {
    this.setConnection('connecting')
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url))
    let socket: WebSocketLike
    try {
      socket = create(this.options.url)
    } catch (error) {
      console.warn('control socket: opening failed', error)
      this.setConnection('disconnected')
      this.scheduleRetry(null)
      return
    }
    this.socket = socket
    socket.onopen = () => {
      if (this.socket === socket) this.setConnection('connected')
    }
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(event.data)
    }
    socket.onerror = () => {
      // A close event follows, and it decides about the retry.
    }
    socket.onclose = (event) => {
      if (this.socket !== socket) return
      this.detach(socket)
      this.socket = null
      this.closed(event.code)
    }
  }

  private detach(socket: WebSocketLike): void {
    socket.onopen = null
    socket.onmessage = null
    socket.onclose = null
    socket.onerror = null
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') {
      console.warn('control socket: ignored a binary message')
      return
    }
    const parsed = parseServerMessage(data)
    if (parsed.ok === false) {
      console.warn('control socket: ignored an invalid message', { reason: parsed.reason })
      return
    }
    if (parsed.ok === 'ignored') return

    const message = parsed.message
    if (message.type === 'welcome' || message.type === 'quiz.state' || message.type === 'floor.state') {
      this.offsetMs = clockOffset(message.server_time, this.now())
    }
    if (message.type === 'welcome') {
      // A welcome means the connection works, so the backoff starts over.
      this.attempt = 0
      // State of the previous connection no longer holds.
      this.snapshots.clear()
    }
    if (SNAPSHOT_TYPES.includes(message.type)) this.snapshots.set(message.type, message)

    const matchedError = this.settleByRef(message)
    if (!matchedError) {
      for (const listener of [...this.messageListeners]) listener(message, this.offsetMs)
    }
    this.settleByType(message)
  }

  /** Settles the request a reply names by its ref. Returns true for an error reply, which listeners do not get. */
  private settleByRef(message: ServerMessage): boolean {
    if (!('ref' in message) || message.ref === undefined) return false
    const request = this.pending.get(message.ref)
    if (!request) return false
    this.settle(message.ref, request)
    if (message.type === 'error') {
      request.reject(new ControlRequestError(message.code, message.message))
      return true
    }
    request.resolve(message)
    return false
  }

  private settleByType(message: ServerMessage): void {
    for (const [ref, request] of this.pending) {
      if (request.settlesOn !== message.type) continue
      this.settle(ref, request)
      request.resolve(message)
    }
  }

  private settle(ref: string, request: PendingRequest): void {
    clearTimeout(request.timer)
    this.pending.delete(ref)
  }

  private failPending(code: string, message: string): void {
    for (const [ref, request] of this.pending) {
      this.settle(ref, request)
      if (request.awaitsReply) request.reject(new ControlRequestError(code, message))
    }
  }

  private closed(code: number): void {
    this.failPending('disconnected', `the control connection closed with code ${code}`)
    if (this.stopped) return
    this.setConnection('disconnected')
    if (code === ROOM_CLOSED_CODE) {
      this.stopped = true
      this.roomClosed = true
      console.warn('control socket: the room was closed; not reconnecting')
      for (const listener of [...this.stopListeners]) listener('room-closed')
      return
    }
    this.scheduleRetry(code)
  }

  private scheduleRetry(code: number | null): void {
    const delay = reconnectDelay(this.attempt, this.options.random)
    console.info('control socket: closed, reconnecting', { code, attempt: this.attempt, delayMs: delay })
    this.attempt += 1
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      if (!this.stopped) this.open()
    }, delay)
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    this.retryTimer = null
  }
}

/** Returns the control channel URL of room `code`, with the token in the query as the protocol allows. */
export function controlChannelUrl(base: string, code: string, token: string): string {
  return `${base}/ws/control/${encodeURIComponent(code)}?token=${encodeURIComponent(token)}`
}
