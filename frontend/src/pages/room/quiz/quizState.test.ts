import { describe, expect, it } from 'vitest'
import { parseServerMessage } from '../control/protocol'
import { canAnswer, initialQuizState, questionKey, quizReducer, type QuizAction, type QuizViewState } from './quizState'
import { NOW, run, singleChoice, stateFrame, welcomeFrame } from './testFixtures'
import type { RunView, ServerMessage } from './types'

function message(text: string): ServerMessage {
  const result = parseServerMessage(text)
  if (result.ok !== true) throw new Error(`invalid test message: ${JSON.stringify(result)}`)
  return result.message
}

function reduce(state: QuizViewState, ...actions: QuizAction[]): QuizViewState {
  return actions.reduce(quizReducer, state)
}

const openRun = (overrides: Partial<RunView> = {}) => run({ phase: 'question_open', question: singleChoice(), ...overrides })
const receive = (text: string, offset = 0): QuizAction => ({ type: 'message', message: message(text), offset })

const connected = reduce(initialQuizState, { type: 'connection', state: 'connected' })

const progressFrame = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    v: 1, type: 'quiz.progress', run_id: 'r_1', question_index: 0, answered: 4, participants: 25,
    distribution: { type: 'options', counts: [1, 3] }, ...overrides,
  })

const acceptedFrame = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    v: 1, type: 'quiz.accepted', ref: '1', run_id: 'r_1', question_index: 0,
    answer: { type: 'choice', index: 1 }, received_at: NOW + 4000, response_ms: 4000, duplicate: false, ...overrides,
  })

describe('quizReducer', () => {
  it('stores who the server says this page is', () => {
    const state = reduce(connected, receive(welcomeFrame('student'), 1500))
    expect(state.self).toEqual({ participantId: 'p_ada', role: 'student', name: 'Ada' })
    expect(state.offset).toBe(1500)
  })

  it('takes the run and offset from quiz.state', () => {
    const state = reduce(connected, receive(stateFrame(openRun()), -200))
    expect(state.loaded).toBe(true)
    expect(state.run?.phase).toBe('question_open')
    expect(state.offset).toBe(-200)
  })

  it('applies progress to the current question', () => {
    const state = reduce(connected, receive(stateFrame(openRun())), receive(progressFrame()))
    expect(state.run?.answered).toBe(4)
    expect(state.run?.participants).toBe(25)
    expect(state.run?.distribution).toEqual({ type: 'options', counts: [1, 3] })
  })

  it('ignores progress of another question or run', () => {
    const start = reduce(connected, receive(stateFrame(openRun())))
    expect(reduce(start, receive(progressFrame({ question_index: 1 })))).toBe(start)
    expect(reduce(start, receive(progressFrame({ run_id: 'r_old' })))).toBe(start)
    expect(reduce(connected, receive(progressFrame()))).toBe(connected)
  })

  it('records an accepted answer and ends the wait', () => {
    const state = reduce(
      connected,
      receive(stateFrame(openRun())),
      { type: 'answer-sent', runId: 'r_1', questionIndex: 0, answer: { type: 'choice', index: 1 } },
      receive(acceptedFrame({ duplicate: true })),
    )
    expect(state.sending).toBeNull()
    expect(state.run?.my_answer).toEqual({ answer: { type: 'choice', index: 1 }, received_at: NOW + 4000, response_ms: 4000 })
    expect(state.duplicate).toBe(true)
  })

  it('ignores an acceptance for another question', () => {
    const state = reduce(connected, receive(stateFrame(openRun())), receive(acceptedFrame({ question_index: 1 })))
    expect(state.run?.my_answer).toBeNull()
  })

  it('keeps a failed answer for the form', () => {
    const state = reduce(
      connected,
      receive(stateFrame(openRun())),
      { type: 'answer-sent', runId: 'r_1', questionIndex: 0, answer: { type: 'choice', index: 0 } },
      { type: 'answer-failed', runId: 'r_1', questionIndex: 0, failure: { code: 'late', message: 'late by 120 ms' } },
    )
    expect(state.sending).toBeNull()
    expect(state.answerError).toEqual({ code: 'late', message: 'late by 120 ms' })
  })

  it('drops a failure of an earlier question', () => {
    const state = reduce(
      connected,
      receive(stateFrame(openRun({ question: singleChoice({ index: 1 }) }))),
      { type: 'answer-failed', runId: 'r_1', questionIndex: 0, failure: { code: 'late', message: '' } },
    )
    expect(state.answerError).toBeNull()
  })

  it('clears the answer state on the next question', () => {
    const answered = reduce(
      connected,
      receive(stateFrame(openRun())),
      { type: 'answer-failed', runId: 'r_1', questionIndex: 0, failure: { code: 'invalid_answer', message: '' } },
    )
    expect(answered.answerError).not.toBeNull()
    const next = reduce(answered, receive(stateFrame(openRun({ question: singleChoice({ index: 1 }) }))))
    expect(next.answerError).toBeNull()
    expect(next.sending).toBeNull()
  })

  it('keeps the answer error through a repeated state', () => {
    const failed = reduce(
      connected,
      receive(stateFrame(openRun())),
      { type: 'answer-failed', runId: 'r_1', questionIndex: 0, failure: { code: 'storage_failed', message: '' } },
    )
    expect(reduce(failed, receive(stateFrame(openRun({ answered: 5 })))).answerError?.code).toBe('storage_failed')
  })

  it('restores the locked form from my_answer after a reconnect', () => {
    const waiting = reduce(
      connected,
      receive(stateFrame(openRun())),
      { type: 'answer-sent', runId: 'r_1', questionIndex: 0, answer: { type: 'choice', index: 1 } },
      { type: 'answer-failed', runId: 'r_1', questionIndex: 0, failure: { code: 'disconnected', message: '' } },
    )
    const myAnswer = { answer: { type: 'choice' as const, index: 1 }, received_at: NOW + 3000, response_ms: 3000 }
    const restored = reduce(waiting, receive(welcomeFrame()), receive(stateFrame(openRun({ my_answer: myAnswer }))))
    expect(restored.run?.my_answer).toEqual(myAnswer)
    expect(canAnswer(restored, 10_000)).toBe(false)
  })

  it('tracks a lecturer command', () => {
    const sent = reduce(connected, { type: 'command-sent', command: 'quiz.next' })
    expect(sent.pendingCommand).toBe('quiz.next')
    expect(reduce(sent, { type: 'command-done' }).pendingCommand).toBeNull()
    const failed = reduce(sent, { type: 'command-failed', command: 'quiz.next', failure: { code: 'no_more_questions', message: '' } })
    expect(failed.pendingCommand).toBeNull()
    expect(failed.commandError).toEqual({ command: 'quiz.next', code: 'no_more_questions', message: '' })
    expect(reduce(failed, { type: 'dismiss-notice' }).commandError).toBeNull()
  })

  it('keeps an unmatched error as a notice', () => {
    const state = reduce(connected, receive(JSON.stringify({ v: 1, type: 'error', code: 'rate_limited', message: 'slow down' })))
    expect(state.notice).toEqual({ code: 'rate_limited', message: 'slow down' })
  })

  it('stops for good', () => {
    const state = reduce(connected, { type: 'command-sent', command: 'quiz.end' }, { type: 'stopped' })
    expect(state.stopped).toBe(true)
    expect(state.connection).toBe('disconnected')
    expect(state.pendingCommand).toBeNull()
  })
})

describe('canAnswer', () => {
  const open = reduce(connected, receive(stateFrame(openRun())))

  it('allows an answer while open, in time and connected', () => {
    expect(canAnswer(open, 1)).toBe(true)
  })

  it('locks the form otherwise', () => {
    expect(canAnswer(open, 0)).toBe(false)
    expect(canAnswer(reduce(open, { type: 'connection', state: 'disconnected' }), 5000)).toBe(false)
    expect(canAnswer(reduce(open, { type: 'answer-sent', runId: 'r_1', questionIndex: 0, answer: { type: 'choice', index: 0 } }), 5000)).toBe(false)
    expect(canAnswer(reduce(open, receive(stateFrame(openRun({ phase: 'question_closed' })))), 5000)).toBe(false)
  })
})

describe('questionKey', () => {
  it('changes with the run and the question', () => {
    expect(questionKey(null)).toBe('')
    expect(questionKey(run())).toBe('r_1:none')
    expect(questionKey(openRun())).toBe('r_1:0')
    expect(questionKey(openRun({ run_id: 'r_2' }))).toBe('r_2:0')
  })
})
