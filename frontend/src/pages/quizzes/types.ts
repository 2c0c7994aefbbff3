// JSON of the quiz endpoints (docs/api.md, section Quizzes). The quiz and
// question shapes follow crates/lectern-quiz/src/model.rs: serde tags in
// snake_case, and optional fields left out when empty.

export const QUESTION_TYPES = [
  'single_choice',
  'multiple_choice',
  'true_false',
  'numeric',
  'short_text',
  'ordering',
  'matching',
  'poll',
  'word_cloud',
] as const

export type QuestionType = (typeof QUESTION_TYPES)[number]

export const POINTS_MODES = ['standard', 'double', 'none'] as const
export type PointsMode = (typeof POINTS_MODES)[number]

export interface FeedbackJson {
  general?: string
  correct?: string
  incorrect?: string
}

export interface ChoiceJson {
  text: string
  /** Credit in percent, -100 to 100. */
  weight: number
  feedback?: string
}

export type NumericMatchJson = { match: 'exact'; value: number; tolerance?: number } | { match: 'range'; min: number; max: number }

export type NumericAnswerJson = NumericMatchJson & {
  /** Credit in percent, 0 to 100. */
  weight: number
  feedback?: string
}

export interface AcceptedTextJson {
  text: string
  weight: number
  feedback?: string
}

export interface MatchPairJson {
  prompt: string
  answer: string
}

export type QuestionKindJson =
  | { type: 'single_choice'; choices: ChoiceJson[] }
  | { type: 'multiple_choice'; choices: ChoiceJson[]; penalties?: boolean }
  | { type: 'true_false'; answer: boolean }
  | { type: 'numeric'; answers: NumericAnswerJson[] }
  | { type: 'short_text'; accepted: AcceptedTextJson[]; case_sensitive?: boolean }
  | { type: 'ordering'; items: string[] }
  | { type: 'matching'; pairs: MatchPairJson[]; distractors?: string[] }
  | { type: 'poll'; options: string[] }
  | { type: 'word_cloud'; max_words: number }

export type QuestionJson = {
  id: string
  title?: string
  text: string
  /** Seconds, 5 to 600; the server uses 20 when it is left out. */
  time_limit_secs?: number
  points?: PointsMode
  image?: string
  feedback?: FeedbackJson
} & QuestionKindJson

export interface QuizJson {
  title: string
  description?: string
  questions: QuestionJson[]
}

/** A stored quiz, as `GET /quizzes/{id}` and every write return it. */
export interface QuizView {
  id: string
  /** Starts at 1 and grows by 1 with each write; sent back as `If-Match`. */
  version: number
  /** Unix time in milliseconds. */
  created_at: number
  /** Unix time in milliseconds. */
  updated_at: number
  quiz: QuizJson
}

/** One entry of `GET /quizzes`. */
export interface QuizListItem {
  id: string
  title: string
  question_count: number
  version: number
  /** Unix time in milliseconds. */
  updated_at: number
}

/** One broken rule from a 422 `invalid_quiz` response. */
export interface QuizProblem {
  scope: 'quiz' | 'question'
  /** Position of the question, counting from zero; absent for the quiz. */
  question_index?: number
  question_id?: string
  /** Path of the field, such as `choices[2].weight`. */
  field: string
  message: string
}

/** A question an import left out: `line` for a parse error, `question_id` for a validation failure. */
export interface ImportProblem {
  line?: number
  question_id?: string
  message: string
}

export interface ImportNote {
  line: number
  message: string
}

export interface ImportResult {
  quiz: QuizView
  errors: ImportProblem[]
  notes: ImportNote[]
}

export type TransferFormat = 'gift' | 'moodle_xml'
