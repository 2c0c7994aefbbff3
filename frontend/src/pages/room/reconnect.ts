// Reconnection of the board socket. y-websocket 3.1 retries with exponential
// backoff but without jitter, so after a server restart every browser would
// retry at the same moments. The page switches the provider's own retries
// off and schedules each attempt itself with "full jitter": a delay drawn
// uniformly from [0, min(cap, base * 2^attempt)).
//
// A browser reports a rejected WebSocket upgrade (HTTP 401, 403 or 410) only
// as a failed connection. After repeated failures before opening, the page
// queries the REST API for the cause, so that an expired token or a closed
// room ends the retries.

import { api, ApiError, type Room, type User } from '../../api'
import { ROOM_CLOSED_CODE, shouldReconnect, type ConnectionState } from './connection'

/** Ceiling of the first retry's delay, in milliseconds. */
export const RECONNECT_BASE_MS = 250
/** Maximum delay before a reconnection attempt, in milliseconds. */
export const RECONNECT_CAP_MS = 10_000
/** Number of consecutive attempts failing before their socket opens, from which on the REST API is queried. */
export const DIAGNOSE_AFTER_FAILURES = 2
/** Time the REST check may take before the page retries anyway, in milliseconds. */
export const DIAGNOSIS_TIMEOUT_MS = 10_000

/** Returns the upper bound of the delay before retry `attempt` (0 for the first retry), in milliseconds. */
export function backoffCeiling(attempt: number, baseMs = RECONNECT_BASE_MS, capMs = RECONNECT_CAP_MS): number {
  const exponent = Number.isNaN(attempt) ? 0 : Math.max(0, Math.floor(attempt))
  // 2 ** exponent overflows to Infinity for large attempts, which the cap absorbs.
  return Math.min(capMs, baseMs * 2 ** exponent)
}

/**
 * Returns the delay before retry `attempt` (0 for the first retry) in whole
 * milliseconds, uniform from 0 up to backoffCeiling(attempt). `random`
 * returns a number in [0, 1), as Math.random does.
 */
export function reconnectDelay(
  attempt: number,
  random: () => number = Math.random,
  baseMs = RECONNECT_BASE_MS,
  capMs = RECONNECT_CAP_MS,
): number {
  const ceiling = backoffCeiling(attempt, baseMs, capMs)
  const fraction = Math.min(Math.max(random(), 0), 1)
  return Math.floor(fraction * ceiling)
}

/** Cause of failing board connections, as the REST API reports it. */
export type Diagnosis = 'retry' | 'unauthorized' | 'room-closed'

/** Why the page stopped reconnecting: a diagnosis, or a close code that forbids retrying. */
export type StopReason = Exclude<Diagnosis, 'retry'> | 'rejected'

/** The REST calls the diagnosis needs, replaceable in tests. */
export interface DiagnosisClient {
  me(token: string): Promise<User | unknown>
  getRoom(token: string, code: string): Promise<Room>
}

function failedStatus(result: PromiseSettledResult<unknown>): number | null {
  if (result.status === 'fulfilled') return null
  return result.reason instanceof ApiError ? result.reason.status : null
}

/**
 * Queries `GET /auth/me` and `GET /rooms/{code}` with the socket's token for
 * the cause of failing board connections. 401 from either means the token
 * expired or was revoked, and 410 or a closed room means the lecturer closed
 * it. Anything else, a network failure included, means the page should keep
 * retrying.
 */
export async function diagnoseFailure(token: string, code: string, client: DiagnosisClient = api): Promise<Diagnosis> {
  const [me, room] = await Promise.allSettled([client.me(token), client.getRoom(token, code)])
  if (failedStatus(me) === 401 || failedStatus(room) === 401) return 'unauthorized'
  if (failedStatus(room) === 410) return 'room-closed'
  if (room.status === 'fulfilled' && room.value.closed) return 'room-closed'
  return 'retry'
}

/** The parts of y-websocket's WebsocketProvider that the supervisor drives. */
export interface SupervisedProvider {
  /** y-websocket's switch for its own reconnection loop. */
  shouldConnect: boolean
  connect(): void
  disconnect(): void
  on(name: 'status', listener: (event: { status: ConnectionState }) => void): unknown
  on(name: 'sync', listener: (synced: boolean) => void): unknown
  on(name: 'connection-close', listener: (event: CloseEvent | null) => void): unknown
  off(name: 'status', listener: (event: { status: ConnectionState }) => void): void
  off(name: 'sync', listener: (synced: boolean) => void): void
  off(name: 'connection-close', listener: (event: CloseEvent | null) => void): void
}

export interface SupervisorOptions {
  /** Called after DIAGNOSE_AFTER_FAILURES or more consecutive failures before opening. */
  diagnose: () => Promise<Diagnosis>
  /** Receives every change of the visible connection state. */
  onState: (state: ConnectionState) => void
  /** Called once when the page stops reconnecting for good. */
  onStop: (reason: StopReason) => void
  /** Source of randomness for the jitter, Math.random by default. */
  random?: () => number
}

export interface Supervisor {
  /** Cancels a pending retry and detaches from the provider, which stays as it is. */
  dispose(): void
}

/**
 * Drives the connection of a provider created with `connect: false`: starts
 * it, and after each close schedules the next attempt with full jitter.
 *
 * The visible state is `connecting` while an attempt is open or opening,
 * `connected` once the socket opened, and `disconnected` while the page waits
 * to retry or after it stopped.
 */
export function superviseConnection(provider: SupervisedProvider, options: SupervisorOptions): Supervisor {
  const random = options.random ?? Math.random
  /** Retries since the last connection that synced, the exponent of the backoff. */
  let attempt = 0
  /** Consecutive attempts that closed before their socket opened. */
  let failuresBeforeOpen = 0
  let opened = false
  let stopped = false
  let disposed = false
  let retryTimer: ReturnType<typeof setTimeout> | null = null

  const clearRetry = () => {
    if (retryTimer !== null) clearTimeout(retryTimer)
    retryTimer = null
  }

  const stop = (reason: StopReason) => {
    if (stopped) return
    stopped = true
    clearRetry()
    provider.disconnect()
    options.onState('disconnected')
    console.warn('board socket: stopped reconnecting', { reason })
    options.onStop(reason)
  }

  const scheduleRetry = (code: number | null) => {
    const delay = reconnectDelay(attempt, random)
    console.info('board socket: closed, reconnecting', { code, attempt, delayMs: delay })
    attempt++
    retryTimer = setTimeout(() => {
      retryTimer = null
      if (!stopped && !disposed) provider.connect()
    }, delay)
  }

  const diagnoseThenRetry = async (code: number | null) => {
    let verdict: Diagnosis = 'retry'
    let timeout: ReturnType<typeof setTimeout> | undefined
    try {
      verdict = await Promise.race([
        options.diagnose(),
        new Promise<Diagnosis>((resolve) => {
          timeout = setTimeout(() => resolve('retry'), DIAGNOSIS_TIMEOUT_MS)
        }),
      ])
    } catch (error) {
      console.warn('board socket: checking the token and room failed; retrying', error)
    } finally {
      clearTimeout(timeout)
    }
    if (stopped || disposed) return
    if (verdict === 'retry') scheduleRetry(code)
    else stop(verdict)
  }

  const onStatus = ({ status }: { status: ConnectionState }) => {
    if (stopped || disposed) return
    if (status === 'connecting') opened = false
    if (status === 'connected') {
      opened = true
      failuresBeforeOpen = 0
    }
    options.onState(status)
  }

  const onSync = (synced: boolean) => {
    // A connection that synced did useful work, so backoff starts over.
    if (synced) attempt = 0
  }

  const onConnectionClose = (event: CloseEvent | null) => {
    // y-websocket emits this before it schedules its own retry, and that
    // retry does nothing while shouldConnect is false. The `shouldReconnect`
    // option is not enough, because y-websocket does not call it when it
    // closed the socket itself (after 30 s without a message).
    provider.shouldConnect = false
    if (stopped || disposed) return

    const code = event?.code ?? null
    if (code === ROOM_CLOSED_CODE) return stop('room-closed')
    if (code !== null && !shouldReconnect(code)) return stop('rejected')

    if (!opened) failuresBeforeOpen++
    opened = false
    options.onState('disconnected')
    if (failuresBeforeOpen >= DIAGNOSE_AFTER_FAILURES) void diagnoseThenRetry(code)
    else scheduleRetry(code)
  }

  provider.on('status', onStatus)
  provider.on('sync', onSync)
  provider.on('connection-close', onConnectionClose)
  options.onState('connecting')
  provider.connect()

  return {
    dispose() {
      if (disposed) return
      disposed = true
      clearRetry()
      provider.off('status', onStatus)
      provider.off('sync', onSync)
      provider.off('connection-close', onConnectionClose)
    },
  }
}
