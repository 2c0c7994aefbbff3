import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, ApiError, codeGroups, isPlausibleCode, normalizeCode, parseError, request } from './api'

const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })

describe('parseError', () => {
  it('reads code and message from the error body', async () => {
    const error = await parseError(jsonResponse(404, { error: { code: 'not_found', message: 'no room with code abc' } }))
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(404)
    expect(error.code).toBe('not_found')
    expect(error.message).toBe('no room with code abc')
    expect(error.retryAfter).toBeNull()
  })

  it('reads Retry-After seconds', async () => {
    const error = await parseError(
      jsonResponse(429, { error: { code: 'rate_limited', message: 'too many joins' } }, { 'Retry-After': '17' }),
    )
    expect(error.code).toBe('rate_limited')
    expect(error.retryAfter).toBe(17)
  })

  it('reads a Retry-After date', async () => {
    const later = new Date(Date.now() + 30_000).toUTCString()
    const error = await parseError(jsonResponse(429, { error: { code: 'rate_limited', message: 'x' } }, { 'Retry-After': later }))
    expect(error.retryAfter).toBeGreaterThanOrEqual(28)
    expect(error.retryAfter).toBeLessThanOrEqual(31)
  })

  it('falls back to the status for a non-JSON body', async () => {
    const error = await parseError(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }))
    expect(error.status).toBe(502)
    expect(error.code).toBe('http_502')
    expect(error.message).toBe('HTTP 502 Bad Gateway')
  })

  it('falls back for JSON without an error object', async () => {
    const error = await parseError(jsonResponse(500, { detail: 'x' }))
    expect(error.code).toBe('http_500')
    expect(error.message).toBe('HTTP 500')
  })

  it('keeps the status text when the message is missing', async () => {
    const error = await parseError(jsonResponse(410, { error: { code: 'room_closed' } }))
    expect(error.code).toBe('room_closed')
    expect(error.message).toBe('HTTP 410')
  })

  it('handles an empty body', async () => {
    const error = await parseError(new Response(null, { status: 401 }))
    expect(error.code).toBe('http_401')
  })
})

describe('request', () => {
  afterEach(() => vi.restoreAllMocks())

  it('sends JSON with the bearer token', async () => {
    const fetchImpl = vi.fn(async () => jsonResponse(201, { code: 'abc' }))
    const result = await request<{ code: string }>('POST', '/rooms', { token: 'tok', body: { title: 'T' }, fetchImpl })
    expect(result).toEqual({ code: 'abc' })
    expect(fetchImpl).toHaveBeenCalledTimes(1)
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/rooms')
    expect(init.method).toBe('POST')
    expect(init.body).toBe('{"title":"T"}')
    const headers = init.headers as Record<string, string>
    expect(headers.Authorization).toBe('Bearer tok')
    expect(headers['Content-Type']).toBe('application/json')
  })

  it('omits Authorization without a token', async () => {
    const fetchImpl = vi.fn(async () => jsonResponse(200, []))
    await request('GET', '/rooms', { fetchImpl })
    const init = (fetchImpl.mock.calls[0] as unknown as [string, RequestInit])[1]
    expect((init.headers as Record<string, string>).Authorization).toBeUndefined()
  })

  it('returns undefined for 204', async () => {
    const fetchImpl = vi.fn(async () => new Response(null, { status: 204 }))
    await expect(request('POST', '/auth/logout', { token: 't', fetchImpl })).resolves.toBeUndefined()
  })

  it('throws ApiError with the server message', async () => {
    const fetchImpl = vi.fn(async () => jsonResponse(401, { error: { code: 'unauthorized', message: 'wrong email or password' } }))
    const failure = request('POST', '/auth/login', { body: {}, fetchImpl })
    await expect(failure).rejects.toBeInstanceOf(ApiError)
    await expect(failure).rejects.toMatchObject({ status: 401, code: 'unauthorized', message: 'wrong email or password' })
  })

  it('turns a fetch failure into a network error', async () => {
    const fetchImpl = vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    })
    await expect(request('GET', '/rooms', { fetchImpl })).rejects.toMatchObject({ status: 0, code: 'network', message: 'Failed to fetch' })
  })

  it('rejects a success body that is not JSON', async () => {
    const fetchImpl = vi.fn(async () => new Response('<html></html>', { status: 200 }))
    await expect(request('GET', '/rooms', { fetchImpl })).rejects.toMatchObject({ code: 'invalid_response' })
  })

  it('uses global fetch by default', async () => {
    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(jsonResponse(200, { status: 'ok' }))
    await expect(api.listRooms('tok')).resolves.toEqual({ status: 'ok' })
    expect(spy.mock.calls[0][0]).toBe('/api/v1/rooms')
  })
})

describe('normalizeCode', () => {
  it('lowercases and drops dashes and spaces', () => {
    expect(normalizeCode(' 9J5Q-84v2 n6 ')).toBe('9j5q84v2n6')
  })

  it('is applied to room paths', async () => {
    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(jsonResponse(200, {}))
    await api.getRoom('tok', 'AB-CD')
    expect(spy.mock.calls[0][0]).toBe('/api/v1/rooms/abcd')
    spy.mockRestore()
  })
})

describe('codeGroups', () => {
  it('splits a 10-character code 3-3-4', () => {
    expect(codeGroups('abcdefghjk')).toEqual(['abc', 'def', 'ghjk'])
  })

  it('normalizes before splitting', () => {
    expect(codeGroups('ABC-DEF ghjk')).toEqual(['abc', 'def', 'ghjk'])
  })

  it('splits other lengths into threes', () => {
    expect(codeGroups('abcdefgh')).toEqual(['abc', 'def', 'gh'])
    expect(codeGroups('abcd')).toEqual(['abcd'])
    expect(codeGroups('')).toEqual([])
  })
})

describe('isPlausibleCode', () => {
  it('accepts letters and digits', () => {
    expect(isPlausibleCode('u8bqdt6sa9')).toBe(true)
  })

  it('rejects other characters', () => {
    expect(isPlausibleCode('abc/def')).toBe(false)
    expect(isPlausibleCode('')).toBe(false)
  })
})
