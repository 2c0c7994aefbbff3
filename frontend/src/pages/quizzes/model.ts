// The editor's model of a quiz and its conversion to and from the quiz JSON.
//
// Numbers stay as the text of their inputs, so a half-typed "-" or "3."
// survives a re-render. quizToJson() parses them and reports the ones that
// are not numbers as local problems. Every question keeps the answer fields
// of all types, so only the fields of its `type` reach the JSON. Lists carry
// a `key` that is not part of the JSON, so Preact keeps each row's inputs
// (and focus) when rows move.

import type { NumericAnswerJson, PointsMode, QuestionJson, QuestionKindJson, QuestionType, QuizJson } from './types'

/** Time limit of a question whose JSON leaves it out (`DEFAULT_TIME_LIMIT_SECS` of the model). */
export const DEFAULT_TIME_LIMIT_SECS = 20
/** Largest list the model allows for choices, items, pairs and options. */
export const MAX_OPTIONS = 10
export const MAX_NUMERIC_ANSWERS = 10
export const MAX_ACCEPTED_TEXTS = 20
export const MAX_DISTRACTORS = 10
export const MAX_QUESTIONS = 200

let lastKey = 0

/** Returns a key unique in this page load, for list rows. */
export function newKey(): string {
  lastKey += 1
  return `k${lastKey}`
}

export interface TextItem {
  key: string
  text: string
}

export interface ChoiceModel {
  key: string
  text: string
  /** Percent, as typed. */
  weight: string
  feedback: string
}

export interface NumericAnswerModel {
  key: string
  match: 'exact' | 'range'
  value: string
  tolerance: string
  min: string
  max: string
  weight: string
  feedback: string
}

export interface AcceptedTextModel {
  key: string
  text: string
  weight: string
  feedback: string
}

export interface PairModel {
  key: string
  prompt: string
  answer: string
}

export interface QuestionModel {
  key: string
  type: QuestionType
  id: string
  title: string
  text: string
  timeLimit: string
  points: PointsMode
  image: string
  feedback: { general: string; correct: string; incorrect: string }
  choices: ChoiceModel[]
  penalties: boolean
  answer: boolean
  numericAnswers: NumericAnswerModel[]
  accepted: AcceptedTextModel[]
  caseSensitive: boolean
  items: TextItem[]
  pairs: PairModel[]
  distractors: TextItem[]
  options: TextItem[]
  maxWords: string
}

export interface QuizModel {
  title: string
  description: string
  questions: QuestionModel[]
}

/**
 * A value the editor could not put into the JSON, such as a weight that is
 * not a number. `field` uses the server's paths (`choices[1].weight`), and
 * `messageKey` is a locale key.
 */
export interface LocalProblem {
  questionKey: string | null
  field: string
  messageKey: string
}

export const textItem = (text = ''): TextItem => ({ key: newKey(), text })

export const choice = (text = '', weight = '0', feedback = ''): ChoiceModel => ({ key: newKey(), text, weight, feedback })

export const numericAnswer = (): NumericAnswerModel => ({
  key: newKey(),
  match: 'exact',
  value: '',
  tolerance: '0',
  min: '',
  max: '',
  weight: '100',
  feedback: '',
})

export const acceptedText = (text = '', weight = '100'): AcceptedTextModel => ({ key: newKey(), text, weight, feedback: '' })

export const pair = (prompt = '', answer = ''): PairModel => ({ key: newKey(), prompt, answer })

/** Returns the first id of the form `q<n>` that no question in `questions` has. */
export function nextQuestionId(questions: readonly { id: string }[]): string {
  const usedIds = new Set(questions.map((question) => question.id))
  let number = questions.length + 1
  while (usedIds.has(`q${number}`)) number += 1
  return `q${number}`
}

/** Creates a question of `type` with the answer fields that type starts with. */
export function newQuestion(type: QuestionType, id: string): QuestionModel {
  const question: QuestionModel = {
    key: newKey(),
    type,
    id,
    title: '',
    text: '',
    timeLimit: String(DEFAULT_TIME_LIMIT_SECS),
    points: 'standard',
    image: '',
    feedback: { general: '', correct: '', incorrect: '' },
    choices: [choice('', '100'), choice('', '0')],
    penalties: false,
    answer: true,
    numericAnswers: [numericAnswer()],
    accepted: [acceptedText()],
    caseSensitive: false,
    items: [textItem(), textItem()],
    pairs: [pair(), pair()],
    distractors: [],
    options: [textItem(), textItem()],
    maxWords: '3',
  }
  if (type === 'multiple_choice') question.choices = [choice('', '50'), choice('', '50'), choice('', '0')]
  return question
}

/** Creates an empty quiz for a new draft, with one single-choice question. */
export function newQuiz(): QuizModel {
  return { title: '', description: '', questions: [newQuestion('single_choice', 'q1')] }
}

const numberText = (value: number | undefined, fallback = '') => (value === undefined ? fallback : String(value))

/** Builds the editor's question from its JSON. */
export function questionFromJson(json: QuestionJson): QuestionModel {
  const question = newQuestion(json.type, json.id)
  question.title = json.title ?? ''
  question.text = json.text
  question.timeLimit = numberText(json.time_limit_secs, String(DEFAULT_TIME_LIMIT_SECS))
  question.points = json.points ?? 'standard'
  question.image = json.image ?? ''
  question.feedback = {
    general: json.feedback?.general ?? '',
    correct: json.feedback?.correct ?? '',
    incorrect: json.feedback?.incorrect ?? '',
  }

  switch (json.type) {
    case 'single_choice':
    case 'multiple_choice':
      question.choices = json.choices.map((item) => choice(item.text, String(item.weight), item.feedback ?? ''))
      if (json.type === 'multiple_choice') question.penalties = json.penalties ?? false
      break
    case 'true_false':
      question.answer = json.answer
      break
    case 'numeric':
      question.numericAnswers = json.answers.map((answer) => {
        const row = numericAnswer()
        row.match = answer.match
        if (answer.match === 'exact') {
          row.value = String(answer.value)
          row.tolerance = numberText(answer.tolerance, '0')
        } else {
          row.min = String(answer.min)
          row.max = String(answer.max)
        }
        row.weight = String(answer.weight)
        row.feedback = answer.feedback ?? ''
        return row
      })
      break
    case 'short_text':
      question.accepted = json.accepted.map((item) => ({ ...acceptedText(item.text, String(item.weight)), feedback: item.feedback ?? '' }))
      question.caseSensitive = json.case_sensitive ?? false
      break
    case 'ordering':
      question.items = json.items.map((item) => textItem(item))
      break
    case 'matching':
      question.pairs = json.pairs.map((item) => pair(item.prompt, item.answer))
      question.distractors = (json.distractors ?? []).map((item) => textItem(item))
      break
    case 'poll':
      question.options = json.options.map((item) => textItem(item))
      break
    case 'word_cloud':
      question.maxWords = String(json.max_words)
      break
  }
  return question
}

/** Builds the editor's quiz from its JSON. */
export function quizFromJson(json: QuizJson): QuizModel {
  return {
    title: json.title,
    description: json.description ?? '',
    questions: json.questions.map(questionFromJson),
  }
}

/** Collects the local problems of one conversion. */
class NumberReader {
  readonly problems: LocalProblem[] = []

  constructor(private readonly questionKey: string) {}

  /** Parses a decimal number; reports and returns 0 for an empty or invalid one. */
  decimal(field: string, text: string): number {
    const trimmed = text.trim()
    const value = Number(trimmed)
    if (trimmed === '' || !Number.isFinite(value)) {
      this.report(field, trimmed === '' ? 'authoring.local.numberMissing' : 'authoring.local.notANumber')
      return 0
    }
    return value
  }

  /**
   * Parses a whole number from 0 to `max`, the range of the model's
   * unsigned field, which the server would otherwise reject as invalid
   * JSON. The server checks the narrower allowed range itself.
   */
  whole(field: string, text: string, max: number): number {
    const trimmed = text.trim()
    const value = Number(trimmed)
    if (trimmed === '') this.report(field, 'authoring.local.numberMissing')
    else if (!Number.isInteger(value) || value < 0 || value > max) this.report(field, 'authoring.local.notAWholeNumber')
    else return value
    return 0
  }

  private report(field: string, messageKey: string) {
    this.problems.push({ questionKey: this.questionKey, field, messageKey })
  }
}

/** Returns `text` when it has more than white space, else undefined, because the model rejects empty optional texts. */
const optional = (text: string): string | undefined => (text.trim() === '' ? undefined : text)

function kindToJson(question: QuestionModel, read: NumberReader): QuestionKindJson {
  const texts = (items: TextItem[]) => items.map((item) => item.text)

  switch (question.type) {
    case 'single_choice':
    case 'multiple_choice': {
      const choices = question.choices.map((item, index) => {
        const json: { text: string; weight: number; feedback?: string } = {
          text: item.text,
          weight: read.decimal(`choices[${index}].weight`, item.weight),
        }
        const feedback = optional(item.feedback)
        if (feedback !== undefined) json.feedback = feedback
        return json
      })
      return question.type === 'single_choice'
        ? { type: 'single_choice', choices }
        : { type: 'multiple_choice', choices, penalties: question.penalties }
    }
    case 'true_false':
      return { type: 'true_false', answer: question.answer }
    case 'numeric':
      return {
        type: 'numeric',
        answers: question.numericAnswers.map((item, index) => {
          const field = `answers[${index}]`
          const matcher: NumericAnswerJson =
            item.match === 'exact'
              ? {
                  match: 'exact',
                  value: read.decimal(`${field}.value`, item.value),
                  tolerance: read.decimal(`${field}.tolerance`, item.tolerance),
                  weight: 0,
                }
              : { match: 'range', min: read.decimal(`${field}.min`, item.min), max: read.decimal(`${field}.max`, item.max), weight: 0 }
          matcher.weight = read.decimal(`${field}.weight`, item.weight)
          const feedback = optional(item.feedback)
          if (feedback !== undefined) matcher.feedback = feedback
          return matcher
        }),
      }
    case 'short_text':
      return {
        type: 'short_text',
        accepted: question.accepted.map((item, index) => {
          const json: { text: string; weight: number; feedback?: string } = {
            text: item.text,
            weight: read.decimal(`accepted[${index}].weight`, item.weight),
          }
          const feedback = optional(item.feedback)
          if (feedback !== undefined) json.feedback = feedback
          return json
        }),
        case_sensitive: question.caseSensitive,
      }
    case 'ordering':
      return { type: 'ordering', items: texts(question.items) }
    case 'matching': {
      const pairs = question.pairs.map((item) => ({ prompt: item.prompt, answer: item.answer }))
      return question.distractors.length > 0
        ? { type: 'matching', pairs, distractors: texts(question.distractors) }
        : { type: 'matching', pairs }
    }
    case 'poll':
      return { type: 'poll', options: texts(question.options) }
    case 'word_cloud':
      // u8 in the model: larger numbers are invalid JSON to the server.
      return { type: 'word_cloud', max_words: read.whole('max_words', question.maxWords, 255) }
  }
}

/**
 * Converts one question to its JSON, in the shape the server sends back:
 * `time_limit_secs` and `points` always present, empty optional texts left
 * out. Numbers that do not parse become 0 and are listed in `problems`.
 */
export function questionToJson(question: QuestionModel): { json: QuestionJson; problems: LocalProblem[] } {
  const read = new NumberReader(question.key)
  const json: Record<string, unknown> = { id: question.id }
  const title = optional(question.title)
  if (title !== undefined) json.title = title
  json.text = question.text
  Object.assign(json, kindToJson(question, read))
  // u32 in the model.
  json.time_limit_secs = read.whole('time_limit_secs', question.timeLimit, 4_294_967_295)
  json.points = question.points

  const image = optional(question.image)
  if (image !== undefined) json.image = image
  const feedback: { general?: string; correct?: string; incorrect?: string } = {}
  for (const part of ['general', 'correct', 'incorrect'] as const) {
    const text = optional(question.feedback[part])
    if (text !== undefined) feedback[part] = text
  }
  if (Object.keys(feedback).length > 0) json.feedback = feedback
  return { json: json as QuestionJson, problems: read.problems }
}

/** Converts the quiz to its JSON; `problems` lists the numbers that did not parse. */
export function quizToJson(quiz: QuizModel): { json: QuizJson; problems: LocalProblem[] } {
  const problems: LocalProblem[] = []
  const questions = quiz.questions.map((question) => {
    const converted = questionToJson(question)
    problems.push(...converted.problems)
    return converted.json
  })
  const description = optional(quiz.description)
  const json: QuizJson =
    description === undefined ? { title: quiz.title, questions } : { title: quiz.title, description, questions }
  return { json, problems }
}

/** Returns whether a choice counts as correct: full credit for single choice, any credit for multiple choice. */
export function isCorrectChoice(type: QuestionType, weight: string): boolean {
  const value = Number(weight)
  if (weight.trim() === '' || !Number.isFinite(value)) return false
  return type === 'multiple_choice' ? value > 0 : value === 100
}

/** Formats a share of 100 with at most 5 decimals, as Moodle XML writes thirds (33.33333). */
function share(count: number): string {
  return String(Math.round((100 / count) * 100_000) / 100_000)
}

/**
 * Marks a choice correct or not and returns the new choices. Single choice:
 * the choice gets weight 100 or 0. Multiple choice: the correct choices
 * share 100 evenly, and a choice marked wrong gets 0 unless it already
 * carries a penalty (a negative weight).
 */
export function setChoiceCorrect(type: QuestionType, choices: ChoiceModel[], index: number, correct: boolean): ChoiceModel[] {
  if (type !== 'multiple_choice') {
    return choices.map((item, position) => (position === index ? { ...item, weight: correct ? '100' : '0' } : item))
  }
  const marked = choices.map((item, position) => (position === index ? correct : isCorrectChoice(type, item.weight)))
  const count = marked.filter(Boolean).length
  return choices.map((item, position) => {
    if (marked[position]) return { ...item, weight: share(count) }
    const weight = Number(item.weight)
    return Number.isFinite(weight) && weight < 0 ? item : { ...item, weight: '0' }
  })
}

/** Returns `list` with the item at `from` moved to `to`; positions outside the list return it unchanged. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length || to < 0 || to >= list.length || from === to) return [...list]
  const copy = [...list]
  const [item] = copy.splice(from, 1)
  copy.splice(to, 0, item)
  return copy
}
