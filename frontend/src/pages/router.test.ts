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

  it('reads the quiz list', () => {
    expect(parseRoute('/quizzes')).toEqual({ name: 'quizzes' })
    expect(parseRoute('/quizzes/')).toEqual({ name: 'quizzes' })
  })

  it('reads quiz ids', () => {
    const id = '0b6f2f4e-8d8c-4f3a-9a57-2f0e1c1d7a10'
    expect(parseRoute(`/quizzes/${id}`)).toEqual({ name: 'quiz', id })
    expect(parseRoute(`/quizzes/${id}/`)).toEqual({ name: 'quiz', id })
    expect(parseRoute('/quizzes/a%20b')).toEqual({ name: 'quiz', id: 'a b' })
  })

  it('reads a new quiz as a null id', () => {
    expect(parseRoute('/quizzes/new')).toEqual({ name: 'quiz', id: null })
  })

  it('returns not-found for deeper quiz paths', () => {
    expect(parseRoute('/quizzes/abc/export')).toEqual({ name: 'not-found', path: '/quizzes/abc/export' })
    expect(parseRoute('/quiz')).toEqual({ name: 'not-found', path: '/quiz' })
    expect(parseRoute('/quizzes/%E0%A4%A')).toEqual({ name: 'not-found', path: '/quizzes/%E0%A4%A' })
  })

  it('returns not-found for other paths', () => {
    expect(parseRoute('/room')).toEqual({ name: 'not-found', path: '/room' })
    expect(parseRoute('/join/a/b')).toEqual({ name: 'not-found', path: '/join/a/b' })
    expect(parseRoute('/nowhere')).toEqual({ name: 'not-found', path: '/nowhere' })
  })
})
