// Parsing and validation of the quiz's control channel messages
// (docs/control-protocol.md). control/protocol.ts calls parseQuizMessage()
// for every `quiz.*` type. Unknown fields are ignored, and a message whose
// known fields have the wrong type is rejected whole.

import {
  Invalid,
  array,
  boolean,
  count,
  nullable,
  number,
  object,
  oneOf,
  optionalString,
  string,
  type Json,
} from '../control/validate'
import {
  PHASES,
  type AcceptedText,
  type Answer,
  type Choice,
  type ClosedBy,
  type Correctness,
  type Distribution,
  type Feedback,
  type MatchPair,
  type MyAnswer,
  type MyStanding,
  type NumericAnswer,
  type Phase,
  type PointsMode,
  type QuizServerMessage,
  type Question,
  type RevealedQuestion,
  type RunView,
  type Standing,
  type StudentKind,
  type StudentQuestion,
  type StudentResult,
  type TextCount,
} from './types'

const POINTS_MODES: readonly PointsMode[] = ['standard', 'double', 'none']
const CORRECTNESS: readonly Correctness[] = ['correct', 'partial', 'incorrect', 'unscored']
const CLOSED_BY: readonly ClosedBy[] = ['deadline', 'lecturer']

export function parseAnswer(value: unknown, path = 'answer'): Answer {
  const json = object(value, path)
  const type = string(json.type, `${path}.type`)
  switch (type) {
    case 'choice':
    case 'poll':
      return { type, index: count(json.index, `${path}.index`) }
    case 'choices':
    case 'order':
      return { type, indices: array(json.indices, `${path}.indices`, count) }
    case 'boolean':
      return { type, value: boolean(json.value, `${path}.value`) }
    case 'number':
      return { type, value: number(json.value, `${path}.value`) }
    case 'text':
      return { type, value: string(json.value, `${path}.value`) }
    case 'matching':
      return { type, answers: array(json.answers, `${path}.answers`, count) }
    case 'words':
      return { type, words: array(json.words, `${path}.words`, string) }
    default:
      throw new Invalid(`${path}.type has the unknown value ${JSON.stringify(type)}`)
  }
}

function parseStudentKind(json: Json, path: string): StudentKind {
  const type = string(json.type, `${path}.type`)
  switch (type) {
    case 'single_choice':
    case 'multiple_choice':
      return { type, choices: array(json.choices, `${path}.choices`, string) }
    case 'true_false':
    case 'numeric':
    case 'short_text':
      return { type }
    case 'ordering':
      return { type, items: array(json.items, `${path}.items`, string) }
    case 'matching':
      return { type, prompts: array(json.prompts, `${path}.prompts`, string), answers: array(json.answers, `${path}.answers`, string) }
    case 'poll':
      return { type, options: array(json.options, `${path}.options`, string) }
    case 'word_cloud':
      return { type, max_words: count(json.max_words, `${path}.max_words`) }
    default:
      throw new Invalid(`${path}.type has the unknown value ${JSON.stringify(type)}`)
  }
}

export function parseStudentQuestion(value: unknown, path = 'question'): StudentQuestion {
  const json = object(value, path)
  return {
    index: count(json.index, `${path}.index`),
    count: count(json.count, `${path}.count`),
    id: string(json.id, `${path}.id`),
    text: string(json.text, `${path}.text`),
    image: optionalString(json.image, `${path}.image`),
    time_limit_secs: count(json.time_limit_secs, `${path}.time_limit_secs`),
    points: oneOf(json.points, `${path}.points`, POINTS_MODES),
    opened_at: count(json.opened_at, `${path}.opened_at`),
    deadline: count(json.deadline, `${path}.deadline`),
    ...parseStudentKind(json, path),
  }
}

function parseChoice(value: unknown, path: string): Choice {
  const json = object(value, path)
  return { text: string(json.text, `${path}.text`), weight: number(json.weight, `${path}.weight`), feedback: optionalString(json.feedback, `${path}.feedback`) }
}

function parseNumericAnswer(value: unknown, path: string): NumericAnswer {
  const json = object(value, path)
  const weight = number(json.weight, `${path}.weight`)
  const feedback = optionalString(json.feedback, `${path}.feedback`)
  const match = oneOf(json.match, `${path}.match`, ['exact', 'range'] as const)
  if (match === 'exact') {
    const tolerance = json.tolerance === undefined ? 0 : number(json.tolerance, `${path}.tolerance`)
    return { match, value: number(json.value, `${path}.value`), tolerance, weight, feedback }
  }
  return { match, min: number(json.min, `${path}.min`), max: number(json.max, `${path}.max`), weight, feedback }
}

function parseAcceptedText(value: unknown, path: string): AcceptedText {
  const json = object(value, path)
  return { text: string(json.text, `${path}.text`), weight: number(json.weight, `${path}.weight`), feedback: optionalString(json.feedback, `${path}.feedback`) }
}

function parseMatchPair(value: unknown, path: string): MatchPair {
  const json = object(value, path)
  return { prompt: string(json.prompt, `${path}.prompt`), answer: string(json.answer, `${path}.answer`) }
}

function parseFeedback(value: unknown, path: string): Feedback {
  if (value === undefined || value === null) return {}
  const json = object(value, path)
  return {
    general: optionalString(json.general, `${path}.general`),
    correct: optionalString(json.correct, `${path}.correct`),
    incorrect: optionalString(json.incorrect, `${path}.incorrect`),
  }
}

/** Parses a question with its key, as a revealed question carries it. */
export function parseQuestion(value: unknown, path = 'question'): Question {
  const json = object(value, path)
  const base = {
    id: string(json.id, `${path}.id`),
    title: optionalString(json.title, `${path}.title`),
    text: string(json.text, `${path}.text`),
    time_limit_secs: json.time_limit_secs === undefined ? 20 : count(json.time_limit_secs, `${path}.time_limit_secs`),
    points: json.points === undefined ? ('standard' as const) : oneOf(json.points, `${path}.points`, POINTS_MODES),
    image: optionalString(json.image, `${path}.image`),
    feedback: parseFeedback(json.feedback, `${path}.feedback`),
  }
  const type = string(json.type, `${path}.type`)
  switch (type) {
    case 'single_choice':
      return { ...base, type, choices: array(json.choices, `${path}.choices`, parseChoice) }
    case 'multiple_choice':
      return {
        ...base,
        type,
        choices: array(json.choices, `${path}.choices`, parseChoice),
        penalties: json.penalties === undefined ? false : boolean(json.penalties, `${path}.penalties`),
      }
    case 'true_false':
      return { ...base, type, answer: boolean(json.answer, `${path}.answer`) }
    case 'numeric':
      return { ...base, type, answers: array(json.answers, `${path}.answers`, parseNumericAnswer) }
    case 'short_text':
      return {
        ...base,
        type,
        accepted: array(json.accepted, `${path}.accepted`, parseAcceptedText),
        case_sensitive: json.case_sensitive === undefined ? false : boolean(json.case_sensitive, `${path}.case_sensitive`),
      }
    case 'ordering':
      return { ...base, type, items: array(json.items, `${path}.items`, string) }
    case 'matching':
      return {
        ...base,
        type,
        pairs: array(json.pairs, `${path}.pairs`, parseMatchPair),
        distractors: json.distractors === undefined ? [] : array(json.distractors, `${path}.distractors`, string),
      }
    case 'poll':
      return { ...base, type, options: array(json.options, `${path}.options`, string) }
    case 'word_cloud':
      return { ...base, type, max_words: count(json.max_words, `${path}.max_words`) }
    default:
      throw new Invalid(`${path}.type has the unknown value ${JSON.stringify(type)}`)
  }
}

function parseTextCount(value: unknown, path: string): TextCount {
  const json = object(value, path)
  return { text: string(json.text, `${path}.text`), count: count(json.count, `${path}.count`) }
}

export function parseDistribution(value: unknown, path = 'distribution'): Distribution {
  const json = object(value, path)
  const type = string(json.type, `${path}.type`)
  switch (type) {
    case 'options':
      return { type, counts: array(json.counts, `${path}.counts`, count) }
    case 'true_false':
      return { type, true_count: count(json.true_count, `${path}.true_count`), false_count: count(json.false_count, `${path}.false_count`) }
    case 'numbers':
      return {
        type,
        values: array(json.values, `${path}.values`, (entry, entryPath) => {
          const item = object(entry, entryPath)
          return { value: number(item.value, `${entryPath}.value`), count: count(item.count, `${entryPath}.count`) }
        }),
      }
    case 'texts':
      return { type, values: array(json.values, `${path}.values`, parseTextCount) }
    case 'ordering':
      return { type, correct_per_position: array(json.correct_per_position, `${path}.correct_per_position`, count) }
    case 'matching':
      return { type, correct_per_prompt: array(json.correct_per_prompt, `${path}.correct_per_prompt`, count) }
    case 'words':
      return { type, words: array(json.words, `${path}.words`, parseTextCount) }
    default:
      throw new Invalid(`${path}.type has the unknown value ${JSON.stringify(type)}`)
  }
}

function parseRevealedQuestion(value: unknown, path: string): RevealedQuestion {
  const json = object(value, path)
  return {
    index: count(json.index, `${path}.index`),
    question: parseQuestion(json.question, `${path}.question`),
    display_order: json.display_order === undefined ? [] : array(json.display_order, `${path}.display_order`, count),
    answered: count(json.answered, `${path}.answered`),
    distribution: parseDistribution(json.distribution, `${path}.distribution`),
  }
}

function parseStudentResult(value: unknown, path: string): StudentResult {
  const json = object(value, path)
  return {
    index: count(json.index, `${path}.index`),
    question_id: string(json.question_id, `${path}.question_id`),
    answer: nullable(json.answer, `${path}.answer`, parseAnswer),
    correctness: oneOf(json.correctness, `${path}.correctness`, CORRECTNESS),
    points: count(json.points, `${path}.points`),
    streak_bonus: count(json.streak_bonus, `${path}.streak_bonus`),
    streak: count(json.streak, `${path}.streak`),
    total: count(json.total, `${path}.total`),
    feedback: json.feedback === undefined ? [] : array(json.feedback, `${path}.feedback`, string),
  }
}

function parseStanding(value: unknown, path: string): Standing {
  const json = object(value, path)
  return {
    rank: count(json.rank, `${path}.rank`),
    participant_id: string(json.participant_id, `${path}.participant_id`),
    name: string(json.name, `${path}.name`),
    score: count(json.score, `${path}.score`),
    correct: json.correct === undefined ? 0 : count(json.correct, `${path}.correct`),
    streak: json.streak === undefined ? 0 : count(json.streak, `${path}.streak`),
  }
}

/**
 * Parses the podium. The protocol describes it "in the leaderboard's shape",
 * an array of standings, but the crate's `Podium` struct wraps that array
 * in `places`, so both forms are read.
 */
function parsePodium(value: unknown, path: string): Standing[] {
  if (Array.isArray(value)) return array(value, path, parseStanding)
  const json = object(value, path)
  return array(json.places, `${path}.places`, parseStanding)
}

function parseMyAnswer(value: unknown, path: string): MyAnswer {
  const json = object(value, path)
  return {
    answer: parseAnswer(json.answer, `${path}.answer`),
    received_at: count(json.received_at, `${path}.received_at`),
    response_ms: count(json.response_ms, `${path}.response_ms`),
  }
}

function parseMyStanding(value: unknown, path: string): MyStanding {
  const json = object(value, path)
  return { rank: count(json.rank, `${path}.rank`), score: count(json.score, `${path}.score`) }
}

export function parseRun(value: unknown, path = 'run'): RunView {
  const json = object(value, path)
  return {
    run_id: string(json.run_id, `${path}.run_id`),
    quiz_id: string(json.quiz_id, `${path}.quiz_id`),
    title: string(json.title, `${path}.title`),
    question_count: count(json.question_count, `${path}.question_count`),
    phase: oneOf<Phase>(json.phase, `${path}.phase`, PHASES),
    question: nullable(json.question, `${path}.question`, parseStudentQuestion),
    // Servers before this field was added send none.
    closed_by: json.closed_by === undefined ? null : nullable(json.closed_by, `${path}.closed_by`, (value, fieldPath) => oneOf<ClosedBy>(value, fieldPath, CLOSED_BY)),
    answered: json.answered === undefined ? 0 : count(json.answered, `${path}.answered`),
    participants: json.participants === undefined ? 0 : count(json.participants, `${path}.participants`),
    my_answer: nullable(json.my_answer, `${path}.my_answer`, parseMyAnswer),
    reveal: nullable(json.reveal, `${path}.reveal`, parseRevealedQuestion),
    my_result: nullable(json.my_result, `${path}.my_result`, parseStudentResult),
    distribution: nullable(json.distribution, `${path}.distribution`, parseDistribution),
    leaderboard: nullable(json.leaderboard, `${path}.leaderboard`, (list, listPath) => array(list, listPath, parseStanding)),
    my_standing: nullable(json.my_standing, `${path}.my_standing`, parseMyStanding),
    podium: nullable(json.podium, `${path}.podium`, parsePodium),
    // Servers before this field was added list every participant ranked 1 to 3 and send none.
    podium_unlisted: json.podium_unlisted === undefined ? null : nullable(json.podium_unlisted, `${path}.podium_unlisted`, count),
  }
}

function optionalRef(value: unknown): string | undefined {
  return optionalString(value, 'ref')
}

/**
 * Validates one decoded `quiz.*` message object. Returns undefined for a
 * quiz message type this client does not know, and throws Invalid for a
 * known type with a wrong field.
 */
export function parseQuizMessage(type: string, json: Json): QuizServerMessage | undefined {
  switch (type) {
    case 'quiz.state':
      if (!('run' in json)) throw new Invalid('run is missing')
      return { type, server_time: count(json.server_time, 'server_time'), run: nullable(json.run, 'run', parseRun) }
    case 'quiz.progress':
      return {
        type,
        run_id: string(json.run_id, 'run_id'),
        question_index: count(json.question_index, 'question_index'),
        answered: count(json.answered, 'answered'),
        participants: count(json.participants, 'participants'),
        distribution: parseDistribution(json.distribution),
      }
    case 'quiz.accepted':
      return {
        type,
        ref: optionalRef(json.ref),
        run_id: string(json.run_id, 'run_id'),
        question_index: count(json.question_index, 'question_index'),
        answer: parseAnswer(json.answer),
        received_at: count(json.received_at, 'received_at'),
        response_ms: count(json.response_ms, 'response_ms'),
        duplicate: json.duplicate === undefined ? false : boolean(json.duplicate, 'duplicate'),
      }
    default:
      return undefined
  }
}
