import { describe, expect, it } from 'vitest'
import { encodeClientMessage, parseServerMessage } from '../control/protocol'
import { NOW, run, singleChoice, stateFrame, welcomeFrame } from './testFixtures'

function parsed(text: string) {
  const result = parseServerMessage(text)
  if (result.ok !== true) throw new Error(`expected a valid message, got ${JSON.stringify(result)}`)
  return result.message
}

function rejection(value: unknown): string {
  const result = parseServerMessage(typeof value === 'string' ? value : JSON.stringify(value))
  if (result.ok !== false) throw new Error(`expected a rejection, got ${JSON.stringify(result)}`)
  return result.reason
}

describe('parseServerMessage', () => {
  it('reads welcome', () => {
    expect(parsed(welcomeFrame('lecturer'))).toEqual({
      type: 'welcome',
      participant_id: 'p_ada',
      role: 'lecturer',
      name: 'Ada',
      room: 'abcdefghjk',
      server_time: NOW,
    })
  })

  it('reads the documented quiz.state example', () => {
    const frame = {
      v: 1,
      type: 'quiz.state',
      server_time: NOW,
      run: {
        run_id: 'r_1',
        quiz_id: 'q_1',
        title: 'Planets',
        question_count: 2,
        phase: 'question_open',
        question: {
          index: 0, count: 2, id: 'q1', text: 'Largest planet?', time_limit_secs: 20, points: 'standard',
          opened_at: NOW, deadline: NOW + 20_000, type: 'single_choice', choices: ['Mars', 'Jupiter'],
        },
        answered: 3,
        participants: 25,
        my_answer: { answer: { type: 'choice', index: 1 }, received_at: NOW + 4000, response_ms: 4000 },
        reveal: null, my_result: null, distribution: null, leaderboard: null, my_standing: null, podium: null, podium_unlisted: null,
      },
    }
    const message = parsed(JSON.stringify(frame))
    expect(message.type).toBe('quiz.state')
    if (message.type !== 'quiz.state') return
    expect(message.run?.question).toEqual(singleChoice())
    expect(message.run?.my_answer?.answer).toEqual({ type: 'choice', index: 1 })
    expect(message.run?.answered).toBe(3)
  })

  it('reads closed_by and tolerates its absence', () => {
    const closed = run({ phase: 'question_closed', question: singleChoice(), closed_by: 'lecturer' })
    const withCause = parsed(stateFrame(closed))
    expect(withCause.type === 'quiz.state' && withCause.run?.closed_by).toBe('lecturer')

    const older: Record<string, unknown> = { ...closed }
    delete older.closed_by
    const withoutCause = parsed(JSON.stringify({ v: 1, type: 'quiz.state', server_time: NOW, run: older }))
    expect(withoutCause.type === 'quiz.state' && withoutCause.run?.closed_by).toBe(null)
  })

  it('rejects an unknown closed_by', () => {
    const closed = { ...run({ phase: 'question_closed', question: singleChoice() }), closed_by: 'janitor' }
    expect(rejection({ v: 1, type: 'quiz.state', server_time: NOW, run: closed })).toContain('closed_by')
  })

  it('reads quiz.state without a run', () => {
    expect(parsed(stateFrame(null))).toEqual({ type: 'quiz.state', server_time: NOW, run: null })
  })

  it('reads a revealed question with its key', () => {
    const reveal = {
      index: 0,
      question: {
        id: 'q1', text: 'Largest planet?', type: 'single_choice', time_limit_secs: 20, points: 'standard',
        choices: [{ text: 'Mars', weight: 0, feedback: 'Too small.' }, { text: 'Jupiter', weight: 100 }],
        feedback: { general: 'Gas giants are large.' },
      },
      display_order: [],
      answered: 2,
      distribution: { type: 'options', counts: [1, 1] },
    }
    const message = parsed(stateFrame({ ...run({ phase: 'answer_revealed', question: singleChoice() }), reveal } as never))
    if (message.type !== 'quiz.state') throw new Error('not quiz.state')
    expect(message.run?.reveal?.question).toMatchObject({ type: 'single_choice', choices: [{ weight: 0 }, { weight: 100 }] })
    expect(message.run?.reveal?.question.feedback.general).toBe('Gas giants are large.')
  })

  it('reads the podium as an array or as places', () => {
    const standing = { rank: 1, participant_id: 'p_ada', name: 'Ada', score: 900, correct: 1, streak: 1 }
    for (const podium of [[standing], { places: [standing] }]) {
      const message = parsed(stateFrame({ ...run({ phase: 'ended' }), podium } as never))
      if (message.type !== 'quiz.state') throw new Error('not quiz.state')
      expect(message.run?.podium).toEqual([standing])
    }
  })

  it('reads podium_unlisted and tolerates its absence', () => {
    const ended = run({ phase: 'ended', podium: [], podium_unlisted: 42 })
    const withCount = parsed(stateFrame(ended))
    if (withCount.type !== 'quiz.state') throw new Error('not quiz.state')
    expect(withCount.run?.podium_unlisted).toBe(42)

    const older: Record<string, unknown> = { ...ended }
    delete older.podium_unlisted
    const withoutCount = parsed(JSON.stringify({ v: 1, type: 'quiz.state', server_time: NOW, run: older }))
    if (withoutCount.type !== 'quiz.state') throw new Error('not quiz.state')
    expect(withoutCount.run?.podium_unlisted).toBe(null)
  })

  it('rejects a negative podium_unlisted', () => {
    const ended = { ...run({ phase: 'ended', podium: [] }), podium_unlisted: -1 }
    expect(rejection({ v: 1, type: 'quiz.state', server_time: NOW, run: ended })).toContain('podium_unlisted')
  })

  it('reads every distribution type', () => {
    const distributions = [
      { type: 'options', counts: [1, 3] },
      { type: 'true_false', true_count: 2, false_count: 1 },
      { type: 'numbers', values: [{ value: 1.5, count: 1 }] },
      { type: 'texts', values: [{ text: 'paris', count: 2 }] },
      { type: 'ordering', correct_per_position: [1, 0, 2] },
      { type: 'matching', correct_per_prompt: [2, 2] },
      { type: 'words', words: [{ text: 'rust', count: 2 }] },
    ]
    for (const distribution of distributions) {
      const frame = { v: 1, type: 'quiz.progress', run_id: 'r_1', question_index: 0, answered: 4, participants: 25, distribution }
      expect(parsed(JSON.stringify(frame))).toMatchObject({ type: 'quiz.progress', distribution })
    }
  })

  it('reads quiz.accepted and error with their ref', () => {
    const accepted = {
      v: 1, type: 'quiz.accepted', ref: 'a1', run_id: 'r_1', question_index: 0,
      answer: { type: 'choice', index: 1 }, received_at: NOW, response_ms: 4000, duplicate: true,
    }
    expect(parsed(JSON.stringify(accepted))).toMatchObject({ type: 'quiz.accepted', ref: 'a1', duplicate: true })
    const error = { v: 1, type: 'error', ref: 'a1', code: 'late', message: 'answer arrived 120 ms after the deadline of question 1' }
    expect(parsed(JSON.stringify(error))).toEqual({ type: 'error', ref: 'a1', code: 'late', message: error.message })
  })

  it('ignores unknown fields', () => {
    const message = parsed(JSON.stringify({ ...JSON.parse(welcomeFrame()), future: { nested: true } }))
    expect(message).not.toHaveProperty('future')
  })

  it('ignores unknown message types', () => {
    expect(parseServerMessage(JSON.stringify({ v: 1, type: 'floor.granted', who: 'p_ada' }))).toEqual({ ok: 'ignored', type: 'floor.granted' })
  })

  it('rejects text that is not JSON', () => {
    expect(rejection('{"v": 1,')).toMatch(/not valid JSON/)
  })

  it('rejects a JSON value that is not an object', () => {
    expect(rejection([1, 2])).toMatch(/not an object/)
    expect(rejection('"welcome"')).toMatch(/not an object/)
  })

  it('rejects another protocol version', () => {
    expect(rejection({ ...JSON.parse(welcomeFrame()), v: 2 })).toMatch(/version 2/)
    const { v: _v, ...withoutVersion } = JSON.parse(welcomeFrame())
    expect(rejection(withoutVersion)).toMatch(/version undefined/)
  })

  it('rejects a message without a type', () => {
    expect(rejection({ v: 1 })).toBe('type is not a string')
  })

  it('rejects wrong field types and names the field', () => {
    expect(rejection({ ...JSON.parse(welcomeFrame()), server_time: '1796400000000' })).toBe('server_time is not a finite number')
    expect(rejection({ ...JSON.parse(welcomeFrame()), role: 'admin' })).toMatch(/^role has the unknown value/)
    expect(rejection({ v: 1, type: 'quiz.state', server_time: NOW })).toBe('run is missing')
    expect(rejection(JSON.parse(stateFrame({ ...run(), phase: 'paused' } as never)))).toMatch(/^run.phase/)
    expect(rejection(JSON.parse(stateFrame({ ...run(), answered: -1 })))).toBe('run.answered is not a whole number of zero or more')
    expect(rejection(JSON.parse(stateFrame({ ...run(), answered: 1.5 })))).toBe('run.answered is not a whole number of zero or more')
  })

  it('rejects a question of an unknown type', () => {
    const question = { ...singleChoice(), type: 'essay' }
    expect(rejection(JSON.parse(stateFrame(run({ phase: 'question_open', question: question as never }))))).toMatch(/^run.question.type/)
  })

  it('rejects a question whose options are not strings', () => {
    const question = { ...singleChoice(), choices: ['Mars', 3] }
    expect(rejection(JSON.parse(stateFrame(run({ phase: 'question_open', question: question as never }))))).toBe('run.question.choices[1] is not a string')
  })

  it('rejects an answer of an unknown type', () => {
    const accepted = { v: 1, type: 'quiz.accepted', run_id: 'r_1', question_index: 0, answer: { type: 'essay' }, received_at: NOW, response_ms: 1 }
    expect(rejection(accepted)).toMatch(/^answer.type/)
  })

  it('rejects a leaderboard entry without a name', () => {
    const leaderboard = [{ rank: 1, participant_id: 'p_ada', score: 10 }]
    expect(rejection(JSON.parse(stateFrame({ ...run({ phase: 'leaderboard' }), leaderboard } as never)))).toBe('run.leaderboard[0].name is not a string')
  })

  it('rejects an error without a code', () => {
    expect(rejection({ v: 1, type: 'error', message: 'x' })).toBe('code is not a string')
  })
})

describe('encodeClientMessage', () => {
  it('adds the version and ref', () => {
    expect(JSON.parse(encodeClientMessage({ type: 'quiz.next' }, '7'))).toEqual({ v: 1, type: 'quiz.next', ref: '7' })
  })

  it('leaves ref out when not given', () => {
    expect(JSON.parse(encodeClientMessage({ type: 'quiz.launch', quiz_id: 'q_1', streak_bonus: true }))).toEqual({
      v: 1,
      type: 'quiz.launch',
      quiz_id: 'q_1',
      streak_bonus: true,
    })
  })
})
