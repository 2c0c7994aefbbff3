// Validation problems in the editor: the server's list mapped onto the
// editor's questions and fields, the names of those fields, and
// translations of the server's English messages.

import { t } from '../../i18n'
import type { LocalProblem } from './model'
import type { QuizProblem } from './types'

/**
 * One problem as the editor shows it. `questionKey` is the key of the
 * question in the editor (null for the quiz itself), `field` the server's
 * path such as `choices[2].weight`. Either `messageKey` (a locale key) or
 * the server's `message` describes it.
 */
export interface EditorProblem {
  questionKey: string | null
  /** Position of the question when the problem was found, counting from zero; null for the quiz. */
  questionIndex: number | null
  field: string
  message: string
  messageKey?: string
}

/**
 * Maps the server's problems onto the editor's questions. `questionKeys`
 * are the keys of the questions in the order they were sent, because the
 * lecturer may have moved questions while the request ran.
 */
export function mapServerProblems(problems: readonly QuizProblem[], questionKeys: readonly string[]): EditorProblem[] {
  return problems.map((problem) => {
    if (problem.scope === 'question' && problem.question_index !== undefined) {
      return {
        questionKey: questionKeys[problem.question_index] ?? null,
        questionIndex: problem.question_index,
        field: problem.field,
        message: problem.message,
      }
    }
    return { questionKey: null, questionIndex: null, field: problem.field, message: problem.message }
  })
}

/**
 * Joins the local problems (numbers that did not parse) with the server's.
 * A server problem of a field that has a local problem is dropped, because
 * the server only saw the 0 put in place of the number.
 */
export function mergeProblems(
  local: readonly LocalProblem[],
  server: readonly EditorProblem[],
  questionKeys: readonly string[],
): EditorProblem[] {
  const localFields = new Set(local.map((problem) => problemId(problem.questionKey, problem.field)))
  const fromLocal = local.map((problem) => {
    const index = problem.questionKey === null ? -1 : questionKeys.indexOf(problem.questionKey)
    return {
      questionKey: problem.questionKey,
      questionIndex: index >= 0 ? index : null,
      field: problem.field,
      message: '',
      messageKey: problem.messageKey,
    }
  })
  const kept = server.filter((problem) => !localFields.has(problemId(problem.questionKey, problem.field)))
  return [...fromLocal, ...kept].sort(byPosition)
}

function byPosition(a: EditorProblem, b: EditorProblem): number {
  const left = a.questionIndex ?? -1
  const right = b.questionIndex ?? -1
  return left - right
}

/** Returns the identifier of a field of a question, or of the quiz when `questionKey` is null. */
export function problemId(questionKey: string | null, field: string): string {
  return `${questionKey ?? 'quiz'}|${field}`
}

/** Returns the DOM id of a field's input; the error summary links to it. */
export function fieldDomId(questionKey: string | null, field: string): string {
  return `field-${questionKey ?? 'quiz'}-${field.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`
}

/**
 * Returns whether a problem should show. Problems of a field show once the
 * lecturer changed or left it, and problems of a group (`choices`,
 * `answers[0]`) once one of its fields was touched. `showAll` is set after
 * a save attempt.
 */
export function isProblemVisible(problem: EditorProblem, touched: ReadonlySet<string>, showAll: boolean): boolean {
  if (showAll) return true
  const id = problemId(problem.questionKey, problem.field)
  if (touched.has(id)) return true
  for (const entry of touched) {
    if (entry.startsWith(`${id}[`) || entry.startsWith(`${id}.`)) return true
  }
  return false
}

/** Returns the problems of one field. */
export function problemsOf(problems: readonly EditorProblem[], questionKey: string | null, field: string): EditorProblem[] {
  return problems.filter((problem) => problem.questionKey === questionKey && problem.field === field)
}

const QUIZ_FIELDS: Record<string, string> = {
  title: 'authoring.field.quizTitle',
  description: 'authoring.field.description',
  questions: 'authoring.field.questions',
}

const QUESTION_FIELDS: Record<string, string> = {
  id: 'authoring.field.id',
  title: 'authoring.field.questionTitle',
  text: 'authoring.field.text',
  image: 'authoring.field.image',
  time_limit_secs: 'authoring.field.timeLimit',
  points: 'authoring.field.points',
  'feedback.general': 'authoring.field.feedbackGeneral',
  'feedback.correct': 'authoring.field.feedbackCorrect',
  'feedback.incorrect': 'authoring.field.feedbackIncorrect',
  choices: 'authoring.field.choices',
  answers: 'authoring.field.answers',
  accepted: 'authoring.field.accepted',
  items: 'authoring.field.items',
  pairs: 'authoring.field.pairs',
  distractors: 'authoring.field.distractors',
  options: 'authoring.field.options',
  max_words: 'authoring.field.maxWords',
}

/** Sub-fields of list rows, keyed `list.part`, or `list` alone for a row that is one text. */
const ROW_FIELDS: Record<string, string> = {
  'choices.text': 'authoring.field.choiceText',
  'choices.weight': 'authoring.field.choiceWeight',
  'choices.feedback': 'authoring.field.choiceFeedback',
  answers: 'authoring.field.answer',
  'answers.value': 'authoring.field.answerValue',
  'answers.tolerance': 'authoring.field.answerTolerance',
  'answers.min': 'authoring.field.answerMin',
  'answers.max': 'authoring.field.answerMax',
  'answers.weight': 'authoring.field.answerWeight',
  'answers.feedback': 'authoring.field.answerFeedback',
  'accepted.text': 'authoring.field.acceptedText',
  'accepted.weight': 'authoring.field.acceptedWeight',
  'accepted.feedback': 'authoring.field.acceptedFeedback',
  items: 'authoring.field.item',
  'pairs.prompt': 'authoring.field.pairPrompt',
  'pairs.answer': 'authoring.field.pairAnswer',
  distractors: 'authoring.field.distractor',
  options: 'authoring.field.option',
}

/** Returns the translated name of a field, such as "Choice 3 weight" for `choices[2].weight`; unknown paths are returned as they are. */
export function fieldLabel(field: string, scope: 'quiz' | 'question'): string {
  const fixed = (scope === 'quiz' ? QUIZ_FIELDS : QUESTION_FIELDS)[field]
  if (fixed) return t(fixed)
  const row = /^(\w+)\[(\d+)\](?:\.(\w+))?$/.exec(field)
  if (scope === 'question' && row) {
    const key = ROW_FIELDS[row[3] ? `${row[1]}.${row[3]}` : row[1]]
    if (key) return t(key, { n: Number(row[2]) + 1 })
  }
  return field
}

/**
 * The server's messages (crates/lectern-quiz/src/validate.rs) with the
 * locale key of their translation. The type names and list names inside
 * messages are dropped, because the field label already names the field.
 */
const SERVER_MESSAGES: readonly [RegExp, string, (match: RegExpExecArray) => Record<string, string>][] = [
  [/^must not be empty$/, 'empty', () => ({})],
  [/^must not be empty after normalisation$/, 'emptyAfterNormalisation', () => ({})],
  [/^is (\d+) characters long, max (\d+)$/, 'tooLong', (m) => ({ length: m[1], max: m[2] })],
  [/^a quiz needs (\d+) to (\d+) questions, found (\d+)$/, 'questionCount', (m) => ({ min: m[1], max: m[2], found: m[3] })],
  [/^duplicate id, question (\d+) has it too$/, 'duplicateId', (m) => ({ question: m[1] })],
  [/^time limit (\S+) s is out of range, expected (\d+) to (\d+) s$/, 'timeLimitRange', (m) => ({ min: m[2], max: m[3] })],
  [/^id must be (\d+) to (\d+) characters, found (\d+)$/, 'idLength', (m) => ({ min: m[1], max: m[2], found: m[3] })],
  [/^id may contain only ASCII letters, digits/, 'idCharacters', () => ({})],
  [/^\w+ needs (\d+) to (\d+) \w+, found (\d+)$/, 'count', (m) => ({ min: m[1], max: m[2], found: m[3] })],
  [/^weight (\S+) is out of range, expected (\S+) to 100/, 'weightRange', (m) => ({ min: m[2] })],
  [/^\w+ needs a choice with weight 100/, 'needsCorrectChoice', () => ({})],
  [/^\w+ needs an answer with weight 100/, 'needsFullCredit', () => ({})],
  [/^\w+ positive weights must add up to 100, found (\S+)$/, 'weightSum', (m) => ({ sum: m[1] })],
  [/^tolerance \S+ must be a finite number, zero or more$/, 'tolerance', () => ({})],
  [/^range \S+ must have finite ends$/, 'rangeEnds', () => ({})],
  [/^range min (\S+) is greater than max (\S+)$/, 'rangeOrder', (m) => ({ min: m[1], max: m[2] })],
  [/^distractor equals the answer of pairs\[(\d+)\]/, 'distractorIsAnswer', (m) => ({ pair: String(Number(m[1]) + 1) })],
  [/^max_words \S+ is out of range, expected (\d+) to (\d+)$/, 'maxWordsRange', (m) => ({ min: m[1], max: m[2] })],
]

/** Translates a validation message of the server, or returns it unchanged when no pattern of this page matches it. */
export function translateServerMessage(message: string): string {
  for (const [pattern, key, vars] of SERVER_MESSAGES) {
    const match = pattern.exec(message)
    if (match) return t(`authoring.serverMessage.${key}`, vars(match))
  }
  return message
}

/** Returns the text of a problem in the current language. */
export function problemText(problem: EditorProblem): string {
  return problem.messageKey ? t(problem.messageKey) : translateServerMessage(problem.message)
}
