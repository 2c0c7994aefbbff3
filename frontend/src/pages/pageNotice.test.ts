import { describe, expect, it } from 'vitest'
import { leavePageNotice, takePageNotice } from './pageNotice'

describe('page notice', () => {
  it('reaches only the page it was left for', () => {
    leavePageNotice('/join/abc', 'join.seatExpired')
    expect(takePageNotice('/')).toBeNull()
    expect(takePageNotice('/join/abc')).toBe('join.seatExpired')
  })

  it('is taken once', () => {
    leavePageNotice('/', 'login.sessionExpired')
    expect(takePageNotice('/')).toBe('login.sessionExpired')
    expect(takePageNotice('/')).toBeNull()
  })

  it('keeps only the latest notice', () => {
    leavePageNotice('/', 'login.sessionExpired')
    leavePageNotice('/join/abc', 'join.seatExpired')
    expect(takePageNotice('/')).toBeNull()
    expect(takePageNotice('/join/abc')).toBe('join.seatExpired')
  })
})
