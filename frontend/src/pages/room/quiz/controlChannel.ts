// The room's control channel client (docs/control-protocol.md): one WebSocket
// per room page that carries the live quiz.
//
// It reconnects with the board socket's policy, a delay drawn by
// reconnectDelay() from reconnect.ts ("full jitter"), and starts the backoff
// over once a `welcome` arrives. Close code 4000 means the lecturer closed the
// room, so it stops there. Unlike the board, it does not query the REST API
// about failed upgrades, because the board session on the same page does
// that and makes the page stop, which disposes this channel.

import { ROOM_CLOSED_CODE, type ConnectionState } from '../connection'
import { reconnectDelay } from '../reconnect'
import { clockOffset } from './clock'
import { encodeClientMessage, parseServerMessage } from './protocol'
import type { AcceptedMessage, AnswerRequest, ClientMessage, LecturerCommand, ServerMessage } from './types'

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

export interface ControlChannelOptions {
  /** `ws(s)://host/ws/control/{code}?token=…` */
  url: string
  /** Receives every valid message except error replies matched to a request, with the clock offset after it. */
  onMessage: (message: ServerMessage, offset: number) => void
  /** Receives every change of the connection state. */
  onState?: (state: ConnectionState) => void
  /** Called once when the channel stops for good because the room closed. */
  onStop?: (reason: 'room-closed') => void
  createSocket?: (url: string) => WebSocketLike
  /** Source of randomness for the jitter, Math.random by default. */
  random?: () => number
  now?: () => number
  requestTimeoutMs?: number
}

interface PendingRequest {
  /** Commands have no reply of their own: the next `quiz.state` settles them. */
  settlesOnState: boolean
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
  private stopped = false
  private nextRef = 0
  private readonly pending = new Map<string, PendingRequest>()
  private offsetMs = 0

  constructor(options: ControlChannelOptions) {
    this.options = options
    this.now = options.now ?? Date.now
  }

  /** Server time minus local time, from the last `welcome` or `quiz.state`. */
  get offset(): number {
    return this.offsetMs
  }

  get connected(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN
  }

  start(): void {
    if (this.stopped || this.socket) return
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
    this.failPending('disconnected', 'the page closed the quiz connection')
  }

  /** Sends a lecturer command. Resolves when the next `quiz.state` arrives, rejects on an `error` with its ref. */
  command(command: LecturerCommand): Promise<void> {
    return this.request(command, true).then(() => undefined)
  }

  /** Sends a student's answer. Resolves with the server's `quiz.accepted`, rejects on an `error` with its ref. */
  answer(request: AnswerRequest): Promise<AcceptedMessage> {
    return this.request(request, false) as Promise<AcceptedMessage>
  }

  private request(message: ClientMessage, settlesOnState: boolean): Promise<ServerMessage> {
    const socket = this.socket
    if (!socket || socket.readyState !== OPEN) {
      return Promise.reject(new ControlRequestError('disconnected', 'the quiz connection is not open'))
    }
    this.nextRef += 1
    const ref = String(this.nextRef)
    return new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref)
        reject(new ControlRequestError('timeout', `no reply to ${message.type} within ${this.timeoutMs} ms`))
      }, this.timeoutMs)
      this.pending.set(ref, { settlesOnState, resolve, reject, timer })
      socket.send(encodeClientMessage(message, ref))
    })
  }

  private get timeoutMs(): number {
    return this.options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
  }

  private open(): void {
    this.options.onState?.('connecting')
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url))
    let socket: WebSocketLike
    try {
      socket = create(this.options.url)
    } catch (error) {
      console.warn('control socket: opening failed', error)
      this.options.onState?.('disconnected')
      this.scheduleRetry(null)
      return
    }
    this.socket = socket
    socket.onopen = () => {
      if (this.socket === socket) this.options.onState?.('connected')
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
    if (message.type === 'welcome' || message.type === 'quiz.state') {
      this.offsetMs = clockOffset(message.server_time, this.now())
    }
    // A welcome means the connection works, so the backoff starts over.
    if (message.type === 'welcome') this.attempt = 0

    let matchedError = false
    if ((message.type === 'error' || message.type === 'quiz.accepted') && message.ref !== undefined) {
      const request = this.pending.get(message.ref)
      if (request) {
        this.settle(message.ref, request)
        if (message.type === 'error') {
          request.reject(new ControlRequestError(message.code, message.message))
          matchedError = true
        } else {
          request.resolve(message)
        }
      }
    }
    if (!matchedError) this.options.onMessage(message, this.offsetMs)

    if (message.type === 'quiz.state') {
      for (const [ref, request] of this.pending) {
        if (!request.settlesOnState) continue
        this.settle(ref, request)
        request.resolve(message)
      }
    }
  }

  private settle(ref: string, request: PendingRequest): void {
    clearTimeout(request.timer)
    this.pending.delete(ref)
  }

  private failPending(code: string, message: string): void {
    for (const [ref, request] of this.pending) {
      this.settle(ref, request)
      request.reject(new ControlRequestError(code, message))
    }
  }

  private closed(code: number): void {
    this.failPending('disconnected', `the quiz connection closed with code ${code}`)
    if (this.stopped) return
    this.options.onState?.('disconnected')
    if (code === ROOM_CLOSED_CODE) {
      this.stopped = true
      console.warn('control socket: the room was closed; not reconnecting')
      this.options.onStop?.('room-closed')
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
