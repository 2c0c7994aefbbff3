import { describe, expect, it } from 'vitest'
import {
  choice,
  isCorrectChoice,
  moveItem,
  newQuestion,
  nextQuestionId,
  questionFromJson,
  questionToJson,
  quizFromJson,
  quizToJson,
  setChoiceCorrect,
} from './model'
import { QUESTION_TYPES, type QuestionJson, type QuizJson } from './types'

/** One question of every type in the shape the server sends: defaults written out, optional texts present where the model allows them. */
const SERVER_QUESTIONS: QuestionJson[] = [
  {
    id: 'q1',
    title: 'Planets',
    text: 'Which planet is largest?',
    type: 'single_choice',
    choices: [
      { text: 'Jupiter', weight: 100, feedback: 'Yes, the largest.' },
      { text: 'Saturn', weight: 50 },
      { text: 'Mars', weight: 0, feedback: 'Mars is smaller than Earth.' },
    ],
    time_limit_secs: 30,
    points: 'double',
    image: 'https://example.org/jupiter.png',
    feedback: { general: 'Jupiter has 95 known moons.', correct: 'Right.', incorrect: 'It is Jupiter.' },
  },
  {
    id: 'q2',
    text: 'Which are gas giants?',
    type: 'multiple_choice',
    choices: [
      { text: 'Jupiter', weight: 33.33333 },
      { text: 'Saturn', weight: 33.33333 },
      { text: 'Neptune', weight: 33.33333 },
      { text: 'Mars', weight: -50, feedback: 'Mars is rocky.' },
    ],
    penalties: true,
    time_limit_secs: 20,
    points: 'standard',
  },
  { id: 'q3', text: 'Jupiter is a gas giant.', type: 'true_false', answer: false, time_limit_secs: 5, points: 'none' },
  {
    id: 'q4',
    text: 'What is pi?',
    type: 'numeric',
    answers: [
      { match: 'exact', value: 3.14159, tolerance: 0.01, weight: 100, feedback: 'Close enough.' },
      { match: 'range', min: 3, max: 3.5, weight: 50 },
      { match: 'exact', value: -1e-7, tolerance: 0, weight: 0 },
    ],
    time_limit_secs: 600,
    points: 'standard',
  },
  {
    id: 'q5',
    text: 'Capital of France?',
    type: 'short_text',
    accepted: [
      { text: 'Paris', weight: 100 },
      { text: 'Lutetia', weight: 25, feedback: 'Its Roman name.' },
    ],
    case_sensitive: true,
    time_limit_secs: 20,
    points: 'standard',
  },
  { id: 'q6', text: 'Order by size.', type: 'ordering', items: ['Mercury', 'Mars', 'Earth'], time_limit_secs: 20, points: 'standard' },
  {
    id: 'q7',
    text: 'Match the moons.',
    type: 'matching',
    pairs: [
      { prompt: 'Io', answer: 'Jupiter' },
      { prompt: 'Titan', answer: 'Saturn' },
    ],
    distractors: ['Venus', 'Mercury'],
    time_limit_secs: 20,
    points: 'standard',
  },
  {
    id: 'q8',
    text: 'Match the symbols.',
    type: 'matching',
    pairs: [
      { prompt: 'H', answer: 'Hydrogen' },
      { prompt: 'He', answer: 'Helium' },
    ],
    time_limit_secs: 20,
    points: 'standard',
  },
  { id: 'q9', text: 'Favourite planet?', type: 'poll', options: ['Earth', 'Mars'], time_limit_secs: 20, points: 'standard', feedback: { general: 'Thanks!' } },
  { id: 'q10', text: 'One word for space.', type: 'word_cloud', max_words: 1, time_limit_secs: 45, points: 'standard' },
]

describe('question JSON round trip', () => {
  it('covers every question type', () => {
    const types = new Set(SERVER_QUESTIONS.map((question) => question.type))
    expect([...types].sort()).toEqual([...QUESTION_TYPES].sort())
  })

  for (const question of SERVER_QUESTIONS) {
    it(`keeps ${question.id} (${question.type}) unchanged`, () => {
      const { json, problems } = questionToJson(questionFromJson(question))
      expect(problems).toEqual([])
      expect(json).toEqual(question)
    })
  }

  it('keeps a whole quiz with its description', () => {
    const quiz: QuizJson = { title: 'Planets', description: 'Week 3', questions: SERVER_QUESTIONS }
    const { json, problems } = quizToJson(quizFromJson(quiz))
    expect(problems).toEqual([])
    expect(json).toEqual(quiz)
  })

  it('keeps a quiz without a description', () => {
    const quiz: QuizJson = { title: 'Planets', questions: SERVER_QUESTIONS.slice(0, 1) }
    expect(quizToJson(quizFromJson(quiz)).json).toEqual(quiz)
  })
})

describe('model to JSON and back', () => {
  for (const type of QUESTION_TYPES) {
    it(`keeps a new ${type} question`, () => {
      const question = newQuestion(type, 'x1')
      question.text = 'Text'
      const first = questionToJson(question).json
      const second = questionToJson(questionFromJson(first)).json
      expect(first.type).toBe(type)
      expect(second).toEqual(first)
    })
  }
})

describe('questionFromJson defaults', () => {
  it('fills defaults the JSON leaves out', () => {
    const model = questionFromJson({ id: 'q1', text: 'T', type: 'multiple_choice', choices: [{ text: 'a', weight: 100 }, { text: 'b', weight: 0 }] })
    expect(model.timeLimit).toBe('20')
    expect(model.points).toBe('standard')
    expect(model.penalties).toBe(false)
    expect(model.feedback).toEqual({ general: '', correct: '', incorrect: '' })
  })

  it('writes the defaults out again', () => {
    const { json } = questionToJson(questionFromJson({ id: 'q1', text: 'T', type: 'short_text', accepted: [{ text: 'a', weight: 100 }] }))
    expect(json).toEqual({
      id: 'q1',
      text: 'T',
      type: 'short_text',
      accepted: [{ text: 'a', weight: 100 }],
      case_sensitive: false,
      time_limit_secs: 20,
      points: 'standard',
    })
  })

  it('reads an exact answer without tolerance as 0', () => {
    const model = questionFromJson({ id: 'q1', text: 'T', type: 'numeric', answers: [{ match: 'exact', value: 2, weight: 100 }] })
    expect(model.numericAnswers[0].tolerance).toBe('0')
  })
})

describe('questionToJson', () => {
  it('leaves out blank optional texts', () => {
    const question = newQuestion('poll', 'q1')
    question.title = '   '
    question.image = ''
    question.feedback = { general: ' ', correct: '', incorrect: '' }
    const { json } = questionToJson(question)
    expect(json).not.toHaveProperty('title')
    expect(json).not.toHaveProperty('image')
    expect(json).not.toHaveProperty('feedback')
  })

  it('sends only the fields of the type', () => {
    const question = newQuestion('true_false', 'q1')
    const { json } = questionToJson(question)
    expect(Object.keys(json).sort()).toEqual(['answer', 'id', 'points', 'text', 'time_limit_secs', 'type'])
  })

  it('reports numbers that do not parse', () => {
    const question = newQuestion('numeric', 'q1')
    question.numericAnswers[0].value = 'abc'
    question.numericAnswers[0].tolerance = ''
    question.timeLimit = '2.5'
    const { json, problems } = questionToJson(question)
    expect(problems).toEqual([
      { questionKey: question.key, field: 'answers[0].value', messageKey: 'authoring.local.notANumber' },
      { questionKey: question.key, field: 'answers[0].tolerance', messageKey: 'authoring.local.numberMissing' },
      { questionKey: question.key, field: 'time_limit_secs', messageKey: 'authoring.local.notAWholeNumber' },
    ])
    expect(json.time_limit_secs).toBe(0)
  })

  it('rejects a word count above the u8 range', () => {
    const question = newQuestion('word_cloud', 'q1')
    question.maxWords = '300'
    expect(questionToJson(question).problems.map((problem) => problem.field)).toEqual(['max_words'])
  })

  it('accepts a word count the server checks itself', () => {
    const question = newQuestion('word_cloud', 'q1')
    question.maxWords = '11'
    const { json, problems } = questionToJson(question)
    expect(problems).toEqual([])
    expect(json).toMatchObject({ max_words: 11 })
  })

  it('reads range ends for a range answer', () => {
    const question = newQuestion('numeric', 'q1')
    Object.assign(question.numericAnswers[0], { match: 'range', min: ' -2 ', max: '1e3', weight: '100' })
    expect(questionToJson(question).json).toMatchObject({ answers: [{ match: 'range', min: -2, max: 1000, weight: 100 }] })
  })
})

describe('choice correctness', () => {
  it('sets 100 or 0 for single choice', () => {
    const choices = [choice('a', '100'), choice('b', '0')]
    const next = setChoiceCorrect('single_choice', choices, 1, true)
    expect(next.map((item) => item.weight)).toEqual(['100', '100'])
    expect(setChoiceCorrect('single_choice', next, 0, false).map((item) => item.weight)).toEqual(['0', '100'])
  })

  it('shares 100 between correct multiple choices', () => {
    const choices = [choice('a', '100'), choice('b', '0'), choice('c', '-25'), choice('d', '0')]
    const two = setChoiceCorrect('multiple_choice', choices, 1, true)
    expect(two.map((item) => item.weight)).toEqual(['50', '50', '-25', '0'])
    const three = setChoiceCorrect('multiple_choice', two, 3, true)
    expect(three.map((item) => item.weight)).toEqual(['33.33333', '33.33333', '-25', '33.33333'])
  })

  it('keeps penalties when a choice turns wrong', () => {
    const choices = [choice('a', '50'), choice('b', '50'), choice('c', '-25')]
    const next = setChoiceCorrect('multiple_choice', choices, 0, false)
    expect(next.map((item) => item.weight)).toEqual(['0', '100', '-25'])
  })

  it('reads correctness from the weight', () => {
    expect(isCorrectChoice('single_choice', '100')).toBe(true)
    expect(isCorrectChoice('single_choice', '50')).toBe(false)
    expect(isCorrectChoice('multiple_choice', '50')).toBe(true)
    expect(isCorrectChoice('multiple_choice', '-10')).toBe(false)
    expect(isCorrectChoice('multiple_choice', '')).toBe(false)
  })
})

describe('list helpers', () => {
  it('moves an item', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a'])
    expect(moveItem(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'c', 'b'])
  })

  it('ignores moves outside the list', () => {
    expect(moveItem(['a', 'b'], 0, -1)).toEqual(['a', 'b'])
    expect(moveItem(['a', 'b'], 1, 2)).toEqual(['a', 'b'])
  })

  it('picks an unused question id', () => {
    expect(nextQuestionId([])).toBe('q1')
    expect(nextQuestionId([{ id: 'q1' }, { id: 'q2' }])).toBe('q3')
    expect(nextQuestionId([{ id: 'q2' }])).toBe('q3')
    expect(nextQuestionId([{ id: 'intro' }, { id: 'q3' }])).toBe('q4')
  })
})
