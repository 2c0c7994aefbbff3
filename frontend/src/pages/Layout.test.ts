import { describe, expect, it } from 'vitest'
import { ApiError } from '../api'
import { errorKey } from './Layout'

describe('errorKey', () => {
  it('prefers the code in the context', () => {
    const error = new ApiError(401, 'unauthorized', 'wrong email or password')
    expect(errorKey(error, 'login')).toBe('errors.login.unauthorized')
  })

  it('falls back to the code without context', () => {
    expect(errorKey(new ApiError(403, 'forbidden', 'not yours'), 'login')).toBe('errors.forbidden')
  })

  it('uses the status when the code is unknown', () => {
    expect(errorKey(new ApiError(404, 'http_404', 'HTTP 404 Not Found'), 'join')).toBe('errors.join.not_found')
    expect(errorKey(new ApiError(502, 'http_502', 'HTTP 502 Bad Gateway'))).toBe('errors.internal')
  })

  it('returns null for an unknown code and status', () => {
    expect(errorKey(new ApiError(400, 'invalid_field', 'name must not be empty'))).toBeNull()
  })
})
