import { describe, expect, it } from 'vitest'
import { parseRoute } from './router'

describe('parseRoute', () => {
  it('reads the start page', () => {
    expect(parseRoute('/')).toEqual({ name: 'home' })
  })

  it('reads the join form without a code', () => {
    expect(parseRoute('/join')).toEqual({ name: 'join', code: null })
    expect(parseRoute('/join/')).toEqual({ name: 'join', code: null })
  })

  it('reads join and room codes', () => {
    expect(parseRoute('/join/abc-def-ghjk')).toEqual({ name: 'join', code: 'abc-def-ghjk' })
    expect(parseRoute('/room/abcdefghjk')).toEqual({ name: 'room', code: 'abcdefghjk' })
  })

  it('returns not-found for other paths', () => {
    expect(parseRoute('/room')).toEqual({ name: 'not-found', path: '/room' })
    expect(parseRoute('/join/a/b')).toEqual({ name: 'not-found', path: '/join/a/b' })
    expect(parseRoute('/nowhere')).toEqual({ name: 'not-found', path: '/nowhere' })
  })
})
