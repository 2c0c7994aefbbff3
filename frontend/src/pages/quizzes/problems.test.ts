import { afterEach, describe, expect, it } from 'vitest'
import { getLanguage, setLanguage } from '../../i18n'
import {
  type EditorProblem,
  fieldDomId,
  fieldLabel,
  isProblemVisible,
  mapServerProblems,
  mergeProblems,
  problemId,
  problemText,
  translateServerMessage,
} from './problems'
import type { QuizProblem } from './types'

const initial = getLanguage()
afterEach(() => setLanguage(initial))

describe('mapServerProblems', () => {
  const keys = ['k-a', 'k-b']

  it('maps question problems to the keys sent', () => {
    const problems: QuizProblem[] = [
      { scope: 'question', question_index: 1, question_id: 'q2', field: 'choices[0].text', message: 'must not be empty' },
    ]
    expect(mapServerProblems(problems, keys)).toEqual([
      { questionKey: 'k-b', questionIndex: 1, field: 'choices[0].text', message: 'must not be empty' },
    ])
  })

  it('maps quiz problems to no question', () => {
    const problems: QuizProblem[] = [{ scope: 'quiz', field: 'title', message: 'must not be empty' }]
    expect(mapServerProblems(problems, keys)).toEqual([{ questionKey: null, questionIndex: null, field: 'title', message: 'must not be empty' }])
  })

  it('keeps an index past the sent questions', () => {
    const problems: QuizProblem[] = [{ scope: 'question', question_index: 5, field: 'text', message: 'm' }]
    expect(mapServerProblems(problems, keys)[0]).toMatchObject({ questionKey: null, questionIndex: 5 })
  })
})

describe('mergeProblems', () => {
  it('drops server problems of fields with a local problem', () => {
    const server: EditorProblem[] = [
      { questionKey: 'k-a', questionIndex: 0, field: 'choices[0].weight', message: 'weight 0 …' },
      { questionKey: 'k-a', questionIndex: 0, field: 'text', message: 'must not be empty' },
    ]
    const local = [{ questionKey: 'k-a', field: 'choices[0].weight', messageKey: 'authoring.local.notANumber' }]
    const merged = mergeProblems(local, server, ['k-a'])
    expect(merged).toHaveLength(2)
    expect(merged[0]).toMatchObject({ field: 'choices[0].weight', messageKey: 'authoring.local.notANumber', questionIndex: 0 })
    expect(merged[1]).toMatchObject({ field: 'text', message: 'must not be empty' })
  })

  it('orders quiz problems first', () => {
    const server: EditorProblem[] = [
      { questionKey: 'k-b', questionIndex: 1, field: 'text', message: 'm' },
      { questionKey: null, questionIndex: null, field: 'title', message: 'm' },
    ]
    expect(mergeProblems([], server, ['k-a', 'k-b']).map((problem) => problem.field)).toEqual(['title', 'text'])
  })
})

describe('isProblemVisible', () => {
  const problem: EditorProblem = { questionKey: 'k1', questionIndex: 0, field: 'choices', message: 'm' }

  it('hides untouched fields', () => {
    expect(isProblemVisible(problem, new Set(), false)).toBe(false)
  })

  it('shows a touched field', () => {
    expect(isProblemVisible(problem, new Set([problemId('k1', 'choices')]), false)).toBe(true)
  })

  it('shows a group when a member was touched', () => {
    expect(isProblemVisible(problem, new Set([problemId('k1', 'choices[1].weight')]), false)).toBe(true)
  })

  it('ignores other questions', () => {
    expect(isProblemVisible(problem, new Set([problemId('k2', 'choices')]), false)).toBe(false)
  })

  it('shows everything after a save attempt', () => {
    expect(isProblemVisible(problem, new Set(), true)).toBe(true)
  })
})

describe('fieldLabel', () => {
  it('names quiz and question fields', () => {
    setLanguage('en')
    expect(fieldLabel('title', 'quiz')).toBe('Quiz title')
    expect(fieldLabel('title', 'question')).toBe('Question title')
    expect(fieldLabel('feedback.incorrect', 'question')).toBe('Feedback for a wrong answer')
  })

  it('numbers list rows from one', () => {
    setLanguage('en')
    expect(fieldLabel('choices[2].weight', 'question')).toBe('Choice 3 weight')
    expect(fieldLabel('answers[0]', 'question')).toBe('Answer 1')
    expect(fieldLabel('answers[1].min', 'question')).toBe('Answer 2 lower end')
    expect(fieldLabel('items[0]', 'question')).toBe('Item 1')
    expect(fieldLabel('pairs[1].answer', 'question')).toBe('Answer 2')
    expect(fieldLabel('distractors[0]', 'question')).toBe('Wrong answer 1')
  })

  it('translates labels into Russian', () => {
    setLanguage('ru')
    expect(fieldLabel('choices[0].text', 'question')).toBe('Текст варианта 1')
  })

  it('returns unknown paths as they are', () => {
    expect(fieldLabel('choices[0].colour', 'question')).toBe('choices[0].colour')
    expect(fieldLabel('whatever', 'quiz')).toBe('whatever')
  })
})

describe('translateServerMessage', () => {
  const cases: [string, string, string][] = [
    ['must not be empty', 'must not be empty', 'не должно быть пустым'],
    ['is 501 characters long, max 500', 'is 501 characters long, at most 500 are allowed', 'длина — 501 симв., допустимо не больше 500'],
    ['single_choice needs 2 to 10 choices, found 1', 'needs 2 to 10, it has 1', 'нужно от 2 до 10, сейчас 1'],
    ['weight 150 is out of range, expected -100 to 100 (percent)', 'must be from -100 to 100 %', 'должен быть от -100 до 100 %'],
    ['single_choice needs a choice with weight 100 (the correct one)', 'mark one choice as correct (weight 100)', 'отметьте верный вариант (вес 100)'],
    ['multiple_choice positive weights must add up to 100, found 90', 'the weights of the correct choices must add up to 100, they add up to 90', 'веса верных вариантов должны в сумме давать 100, сейчас 90'],
    ['time limit 3 s is out of range, expected 5 to 600 s', 'must be from 5 to 600 seconds', 'должно быть от 5 до 600 секунд'],
    ['duplicate id, question 1 has it too', 'question 1 has the same id; ids must differ', 'у вопроса 1 такой же идентификатор; идентификаторы должны различаться'],
    ['range min 5 is greater than max 1', 'the lower end 5 is above the upper end 1', 'нижняя граница 5 больше верхней 1'],
    ['distractor equals the answer of pairs[0], so it would count as correct', 'equals the answer of pair 1, so it would count as correct', 'совпадает с ответом пары 1, поэтому считался бы верным'],
    ['numeric needs an answer with weight 100 (full credit)', 'one answer needs weight 100 (full credit)', 'у одного ответа должен быть вес 100 (полный балл)'],
  ]

  for (const [message, english, russian] of cases) {
    it(`translates "${message.slice(0, 30)}"`, () => {
      setLanguage('en')
      expect(translateServerMessage(message)).toBe(english)
      setLanguage('ru')
      expect(translateServerMessage(message)).toBe(russian)
    })
  }

  it('keeps unknown messages', () => {
    setLanguage('ru')
    expect(translateServerMessage('something new')).toBe('something new')
  })

  it('prefers the local message key', () => {
    setLanguage('en')
    const problem: EditorProblem = { questionKey: 'k', questionIndex: 0, field: 'x', message: '', messageKey: 'authoring.local.numberMissing' }
    expect(problemText(problem)).toBe('enter a number')
  })
})

describe('fieldDomId', () => {
  it('builds ids without brackets or dots', () => {
    expect(fieldDomId('k3', 'choices[2].weight')).toBe('field-k3-choices-2-weight')
    expect(fieldDomId(null, 'title')).toBe('field-quiz-title')
    expect(fieldDomId('k3', 'answers[0]')).toBe('field-k3-answers-0')
  })
})
