// REST client for the Lectern server (docs/api.md) and the browser-side
// storage of tokens.

export const LECTURER_TOKEN_KEY = 'lectern.token'
const ROOM_TOKEN_PREFIX = 'lectern.room.'
const API_BASE = '/api/v1'

export interface User {
  id: string
  email: string
  name: string
  role: 'lecturer' | 'admin'
}

export interface Room {
  id: string
  code: string
  title: string
  join_url: string
  students_can_draw: boolean
  /** Unix time in milliseconds. */
  created_at: number
  closed: boolean
}

export interface Participant {
  id: string
  name: string
  role: 'student'
  can_draw: boolean
}

export interface JoinResult {
  token: string
  participant_id: string
  role: 'student'
  can_draw: boolean
  room: Room
}

/** A student's credentials for one room, stored under `lectern.room.<code>`. */
export interface RoomSeat {
  token: string
  participant_id: string
  name: string
}

/**
 * A failed request. `code` is the server's error code (`not_found`,
 * `room_closed`, …), `network` when no response arrived, or `http_<status>`
 * when the response carried no error body.
 */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  /** Seconds from the `Retry-After` header, when the server sent one. */
  readonly retryAfter: number | null

  constructor(status: number, code: string, message: string, retryAfter: number | null = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.retryAfter = retryAfter
  }
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null
  const seconds = Number(value.trim())
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds)
  const date = Date.parse(value)
  if (Number.isNaN(date)) return null
  return Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

/**
 * Builds an ApiError from a non-2xx response. The expected body is
 * `{"error": {"code", "message"}}`, and any other body falls back to the status.
 */
export async function parseError(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'))
  const fallbackMessage = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
  let text = ''
  try {
    text = await response.text()
  } catch {
    // The body could not be read, so the status alone describes the failure.
  }

  let code = `http_${response.status}`
  let message = fallbackMessage
  try {
    const body: unknown = JSON.parse(text)
    const error = (body as { error?: unknown } | null)?.error
    if (error && typeof error === 'object') {
      const fields = error as { code?: unknown; message?: unknown }
      if (typeof fields.code === 'string' && fields.code) code = fields.code
      if (typeof fields.message === 'string' && fields.message) message = fields.message
    }
  } catch {
    // Not JSON (a proxy's HTML page, for example): keep the status text.
  }
  return new ApiError(response.status, code, message, retryAfter)
}

export interface RequestOptions {
  token?: string | null
  body?: unknown
  fetchImpl?: typeof fetch
}

/** Sends one API request and returns the parsed JSON body, or undefined for 204. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (options.token) headers.Authorization = `Bearer ${options.token}`
  let body: string | undefined
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }

  const fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis)
  let response: Response
  try {
    response = await fetchImpl(`${API_BASE}${path}`, { method, headers, body, credentials: 'same-origin' })
  } catch (error) {
    throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error))
  }

  if (!response.ok) throw await parseError(response)
  if (response.status === 204) return undefined as T
  const text = await response.text()
  if (!text) return undefined as T
  try {
    return JSON.parse(text) as T
  } catch {
    throw new ApiError(response.status, 'invalid_response', `the server sent a response that is not JSON (HTTP ${response.status})`)
  }
}

// Room codes are matched case-insensitively, ignoring dashes and spaces.
export function normalizeCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]+/g, '')
}

/**
 * Splits a room code into groups for reading aloud: threes, with the last
 * group taking up to four characters, so a 10-character code reads
 * `abc-def-ghjk`.
 */
export function codeGroups(code: string): string[] {
  const normalized = normalizeCode(code)
  const groups: string[] = []
  let start = 0
  while (start < normalized.length) {
    const size = normalized.length - start <= 4 ? normalized.length - start : 3
    groups.push(normalized.slice(start, start + size))
    start += size
  }
  return groups
}

/**
 * Returns whether a normalized code can be a room code: letters and digits
 * only. The server decides whether a room has it, and returns 404 otherwise.
 */
export function isPlausibleCode(normalized: string): boolean {
  return /^[a-z0-9]+$/.test(normalized)
}

const room = (code: string) => `/rooms/${encodeURIComponent(normalizeCode(code))}`

export const api = {
  login: (email: string, password: string) =>
    request<{ token: string; user: User }>('POST', '/auth/login', { body: { email, password } }),
  logout: (token: string) => request<void>('POST', '/auth/logout', { token }),
  me: (token: string) => request<User>('GET', '/auth/me', { token }),
  listRooms: (token: string) => request<Room[]>('GET', '/rooms', { token }),
  createRoom: (token: string, title: string) => request<Room>('POST', '/rooms', { token, body: { title } }),
  getRoom: (token: string, code: string) => request<Room>('GET', room(code), { token }),
  closeRoom: (token: string, code: string) => request<Room>('POST', `${room(code)}/close`, { token }),
  joinRoom: (code: string, name: string) => request<JoinResult>('POST', `${room(code)}/join`, { body: { name } }),
  listParticipants: (token: string, code: string) =>
    request<Participant[]>('GET', `${room(code)}/participants`, { token }),
  setStudentsCanDraw: (token: string, code: string, allowed: boolean) =>
    request<Room>('PUT', `${room(code)}/permissions`, { token, body: { students_can_draw: allowed } }),
  setParticipantCanDraw: (token: string, code: string, participantId: string, allowed: boolean) =>
    request<{ id: string; can_draw: boolean }>(
      'PUT',
      `${room(code)}/participants/${encodeURIComponent(participantId)}/permissions`,
      { token, body: { can_draw: allowed } },
    ),
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null
  } catch {
    return null
  }
}

export function getLecturerToken(): string | null {
  return storage()?.getItem(LECTURER_TOKEN_KEY) ?? null
}

export function setLecturerToken(token: string | null): void {
  if (token) storage()?.setItem(LECTURER_TOKEN_KEY, token)
  else storage()?.removeItem(LECTURER_TOKEN_KEY)
}

export function roomSeatKey(code: string): string {
  return ROOM_TOKEN_PREFIX + normalizeCode(code)
}

/** Returns the stored student credentials for a room, or null when absent or unreadable. */
export function getRoomSeat(code: string): RoomSeat | null {
  const raw = storage()?.getItem(roomSeatKey(code))
  if (!raw) return null
  try {
    const seat = JSON.parse(raw) as Partial<RoomSeat>
    if (typeof seat.token === 'string' && typeof seat.participant_id === 'string' && typeof seat.name === 'string') {
      return { token: seat.token, participant_id: seat.participant_id, name: seat.name }
    }
  } catch {
    // A damaged entry counts as missing, so the student joins again.
  }
  return null
}

export function setRoomSeat(code: string, seat: RoomSeat | null): void {
  if (seat) storage()?.setItem(roomSeatKey(code), JSON.stringify(seat))
  else storage()?.removeItem(roomSeatKey(code))
}
