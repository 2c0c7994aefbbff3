import { describe, expect, it } from 'vitest'
import { buildAnswer, draftFromAnswer, emptyDraft, moveItem, parseNumber, toggleChoice, type AnswerDraft } from './answerForm'
import { questionOf, singleChoice } from './testFixtures'
import type { Answer, StudentQuestion } from './types'

const questions: Record<string, StudentQuestion> = {
  single: singleChoice(),
  multiple: questionOf({ type: 'multiple_choice', choices: ['2', '3', '4', '5'] }),
  trueFalse: questionOf({ type: 'true_false' }),
  numeric: questionOf({ type: 'numeric' }),
  shortText: questionOf({ type: 'short_text' }),
  ordering: questionOf({ type: 'ordering', items: ['Venus', 'Mercury', 'Earth'] }),
  matching: questionOf({ type: 'matching', prompts: ['France', 'Spain'], answers: ['Madrid', 'Rome', 'Paris'] }),
  poll: questionOf({ type: 'poll', options: ['Tea', 'Coffee'] }),
  words: questionOf({ type: 'word_cloud', max_words: 3 }),
}

function built(question: StudentQuestion, draft: AnswerDraft): Answer {
  const result = buildAnswer(question, draft)
  if (!result.ok) throw new Error(`expected an answer, got the problem ${result.problem}`)
  return result.answer
}

function problem(question: StudentQuestion, draft: AnswerDraft): string {
  const result = buildAnswer(question, draft)
  if (result.ok) throw new Error(`expected a problem, got ${JSON.stringify(result.answer)}`)
  return result.problem
}

describe('buildAnswer', () => {
  it('builds choice for single choice', () => {
    expect(built(questions.single, { type: 'single_choice', selected: 1 })).toEqual({ type: 'choice', index: 1 })
  })

  it('builds poll for a poll', () => {
    expect(built(questions.poll, { type: 'poll', selected: 0 })).toEqual({ type: 'poll', index: 0 })
  })

  it('builds sorted unique choices', () => {
    expect(built(questions.multiple, { type: 'multiple_choice', selected: [3, 0, 3] })).toEqual({ type: 'choices', indices: [0, 3] })
  })

  it('builds boolean for true or false', () => {
    expect(built(questions.trueFalse, { type: 'true_false', value: false })).toEqual({ type: 'boolean', value: false })
    expect(built(questions.trueFalse, { type: 'true_false', value: true })).toEqual({ type: 'boolean', value: true })
  })

  it('builds number from typed text', () => {
    expect(built(questions.numeric, { type: 'numeric', text: ' 3,14 ' })).toEqual({ type: 'number', value: 3.14 })
    expect(built(questions.numeric, { type: 'numeric', text: '-1e3' })).toEqual({ type: 'number', value: -1000 })
  })

  it('builds trimmed text', () => {
    expect(built(questions.shortText, { type: 'short_text', text: '  Paris ' })).toEqual({ type: 'text', value: 'Paris' })
  })

  it('builds order in display indices', () => {
    expect(built(questions.ordering, { type: 'ordering', order: [1, 0, 2] })).toEqual({ type: 'order', indices: [1, 0, 2] })
  })

  it('builds ordering left as shown', () => {
    expect(built(questions.ordering, emptyDraft(questions.ordering))).toEqual({ type: 'order', indices: [0, 1, 2] })
  })

  it('builds matching with one pick per prompt', () => {
    expect(built(questions.matching, { type: 'matching', picks: [2, 0] })).toEqual({ type: 'matching', answers: [2, 0] })
  })

  it('builds words without blanks', () => {
    expect(built(questions.words, { type: 'word_cloud', words: [' rust ', '', 'fast'] })).toEqual({ type: 'words', words: ['rust', 'fast'] })
  })

  it('names what is missing', () => {
    const cases: [StudentQuestion, AnswerDraft, string][] = [
      [questions.single, emptyDraft(questions.single), 'quiz.form.pickOne'],
      [questions.poll, emptyDraft(questions.poll), 'quiz.form.pickOne'],
      [questions.trueFalse, emptyDraft(questions.trueFalse), 'quiz.form.pickOne'],
      [questions.multiple, emptyDraft(questions.multiple), 'quiz.form.pickAtLeastOne'],
      [questions.numeric, { type: 'numeric', text: '  ' }, 'quiz.form.enterNumber'],
      [questions.numeric, { type: 'numeric', text: '12 apples' }, 'quiz.form.notANumber'],
      [questions.shortText, { type: 'short_text', text: ' ' }, 'quiz.form.enterText'],
      [questions.shortText, { type: 'short_text', text: 'x'.repeat(201) }, 'quiz.form.textTooLong'],
      [questions.matching, { type: 'matching', picks: [2, null] }, 'quiz.form.matchEvery'],
      [questions.words, { type: 'word_cloud', words: ['', ' ', ''] }, 'quiz.form.enterWord'],
      [questions.words, { type: 'word_cloud', words: ['y'.repeat(41), '', ''] }, 'quiz.form.wordTooLong'],
      [questions.words, { type: 'word_cloud', words: ['a', 'b', 'c', 'd'] }, 'quiz.form.tooManyWords'],
      [questions.single, { type: 'true_false', value: true }, 'quiz.form.incomplete'],
    ]
    for (const [question, draft, expected] of cases) {
      expect(problem(question, draft), JSON.stringify(draft)).toBe(expected)
    }
  })

  it('counts characters, not UTF-16 units', () => {
    const emoji = '😀'.repeat(200)
    expect(built(questions.shortText, { type: 'short_text', text: emoji })).toEqual({ type: 'text', value: emoji })
  })
})

describe('emptyDraft', () => {
  it('starts with nothing picked', () => {
    expect(emptyDraft(questions.single)).toEqual({ type: 'single_choice', selected: null })
    expect(emptyDraft(questions.multiple)).toEqual({ type: 'multiple_choice', selected: [] })
    expect(emptyDraft(questions.matching)).toEqual({ type: 'matching', picks: [null, null] })
    expect(emptyDraft(questions.words)).toEqual({ type: 'word_cloud', words: ['', '', ''] })
  })
})

describe('draftFromAnswer', () => {
  it('restores every answer type', () => {
    const cases: [StudentQuestion, Answer][] = [
      [questions.single, { type: 'choice', index: 1 }],
      [questions.poll, { type: 'poll', index: 1 }],
      [questions.multiple, { type: 'choices', indices: [0, 2] }],
      [questions.trueFalse, { type: 'boolean', value: false }],
      [questions.numeric, { type: 'number', value: 2.5 }],
      [questions.shortText, { type: 'text', value: 'Paris' }],
      [questions.ordering, { type: 'order', indices: [2, 0, 1] }],
      [questions.matching, { type: 'matching', answers: [2, 0] }],
      [questions.words, { type: 'words', words: ['rust', 'fast'] }],
    ]
    for (const [question, answer] of cases) {
      expect(built(question, draftFromAnswer(question, answer)), answer.type).toEqual(answer)
    }
  })

  it('ignores an answer of another type', () => {
    expect(draftFromAnswer(questions.single, { type: 'boolean', value: true })).toEqual(emptyDraft(questions.single))
    expect(draftFromAnswer(questions.ordering, { type: 'order', indices: [0] })).toEqual(emptyDraft(questions.ordering))
  })
})

describe('parseNumber', () => {
  it('reads the usual spellings', () => {
    expect(parseNumber('42')).toBe(42)
    expect(parseNumber('-0.5')).toBe(-0.5)
    expect(parseNumber('.5')).toBe(0.5)
    expect(parseNumber('1,5')).toBe(1.5)
    expect(parseNumber('1 000')).toBe(1000)
    expect(parseNumber('\u22123')).toBe(-3)
    expect(parseNumber('6.02e23')).toBe(6.02e23)
  })

  it('rejects what is not one number', () => {
    for (const text of ['', 'abc', '1.2.3', '1,2,3', '0x10', 'Infinity', 'NaN', '1e999', '--1']) {
      expect(parseNumber(text), text).toBeNull()
    }
  })
})

describe('moveItem', () => {
  it('moves an entry up and down', () => {
    expect(moveItem([0, 1, 2], 2, 1)).toEqual([0, 2, 1])
    expect(moveItem([0, 1, 2], 0, 1)).toEqual([1, 0, 2])
  })

  it('leaves moves past the ends alone', () => {
    expect(moveItem([0, 1, 2], 0, -1)).toEqual([0, 1, 2])
    expect(moveItem([0, 1, 2], 2, 3)).toEqual([0, 1, 2])
  })
})

describe('toggleChoice', () => {
  it('adds and removes an index', () => {
    expect(toggleChoice([2], 0)).toEqual([0, 2])
    expect(toggleChoice([0, 2], 2)).toEqual([0])
  })
})
