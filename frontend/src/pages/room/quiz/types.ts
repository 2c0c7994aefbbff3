// TypeScript mirrors of the quiz JSON of the lectern-quiz crate
// (crates/lectern-quiz/src/{model,view,distribution,standings}.rs) and of the
// quiz's control channel messages in docs/control-protocol.md. Serde writes enum tags
// in snake_case, so the `type` values here are those of the Rust variants.

/** A student's answer, in display indices for ordering and matching. */
export type Answer =
  | { type: 'choice'; index: number }
  | { type: 'choices'; indices: number[] }
  | { type: 'boolean'; value: boolean }
  | { type: 'number'; value: number }
  | { type: 'text'; value: string }
  | { type: 'order'; indices: number[] }
  | { type: 'matching'; answers: number[] }
  | { type: 'poll'; index: number }
  | { type: 'words'; words: string[] }

/** Base points: standard is 1000, double 2000, none 0. */
export type PointsMode = 'standard' | 'double' | 'none'

/** The answerable part of a question as a student sees it, without its key. */
export type StudentKind =
  | { type: 'single_choice'; choices: string[] }
  | { type: 'multiple_choice'; choices: string[] }
  | { type: 'true_false' }
  | { type: 'numeric' }
  | { type: 'short_text' }
  /** Items in a shuffled display order, never the correct one. */
  | { type: 'ordering'; items: string[] }
  /** Prompts in the authored order and answers shuffled. */
  | { type: 'matching'; prompts: string[]; answers: string[] }
  | { type: 'poll'; options: string[] }
  | { type: 'word_cloud'; max_words: number }

export type QuestionType = StudentKind['type']

/** The `StudentQuestion` of the crate: a question while students answer it. */
export type StudentQuestion = {
  index: number
  count: number
  id: string
  text: string
  image?: string
  time_limit_secs: number
  points: PointsMode
  /** Server time in milliseconds since the Unix epoch. */
  opened_at: number
  /** First server time at which answers are late. */
  deadline: number
} & StudentKind

export interface Choice {
  text: string
  /** Credit in percent, -100 to 100. */
  weight: number
  feedback?: string
}

export type NumericMatch = { match: 'exact'; value: number; tolerance: number } | { match: 'range'; min: number; max: number }

export type NumericAnswer = NumericMatch & { weight: number; feedback?: string }

export interface AcceptedText {
  text: string
  weight: number
  feedback?: string
}

export interface MatchPair {
  prompt: string
  answer: string
}

/** The kind of a question with its answer key, as in a revealed question. */
export type QuestionKind =
  | { type: 'single_choice'; choices: Choice[] }
  | { type: 'multiple_choice'; choices: Choice[]; penalties: boolean }
  | { type: 'true_false'; answer: boolean }
  | { type: 'numeric'; answers: NumericAnswer[] }
  | { type: 'short_text'; accepted: AcceptedText[]; case_sensitive: boolean }
  /** Items in the correct order. */
  | { type: 'ordering'; items: string[] }
  | { type: 'matching'; pairs: MatchPair[]; distractors: string[] }
  | { type: 'poll'; options: string[] }
  | { type: 'word_cloud'; max_words: number }

export interface Feedback {
  general?: string
  correct?: string
  incorrect?: string
}

/** A question with its key and feedback, the `Question` of the crate. */
export type Question = {
  id: string
  title?: string
  text: string
  time_limit_secs: number
  points: PointsMode
  image?: string
  feedback: Feedback
} & QuestionKind

export interface NumberCount {
  value: number
  count: number
}

export interface TextCount {
  text: string
  count: number
}

/** Spread of a class's answers to one question, in the authored order. */
export type Distribution =
  | { type: 'options'; counts: number[] }
  | { type: 'true_false'; true_count: number; false_count: number }
  | { type: 'numbers'; values: NumberCount[] }
  | { type: 'texts'; values: TextCount[] }
  | { type: 'ordering'; correct_per_position: number[] }
  | { type: 'matching'; correct_per_prompt: number[] }
  | { type: 'words'; words: TextCount[] }

/** A question after its answer is revealed. */
export interface RevealedQuestion {
  index: number
  question: Question
  /** `display_order[p]` is the authored index shown at position `p`; empty for kinds that are not shuffled. */
  display_order: number[]
  answered: number
  distribution: Distribution
}

export type Correctness = 'correct' | 'partial' | 'incorrect' | 'unscored'

/** One student's result on one revealed question. */
export interface StudentResult {
  index: number
  question_id: string
  /** The answer as sent, null when the student did not answer. */
  answer: Answer | null
  correctness: Correctness
  /** Points without the streak bonus. */
  points: number
  streak_bonus: number
  streak: number
  /** Running total after this question. */
  total: number
  /** Feedback texts, general first. */
  feedback: string[]
}

/** One place in the standings; ties share a rank. */
export interface Standing {
  rank: number
  participant_id: string
  name: string
  score: number
  correct: number
  streak: number
}

export interface MyStanding {
  rank: number
  score: number
}

/** A student's own accepted answer to the current question. */
export interface MyAnswer {
  answer: Answer
  /** Server time of arrival. */
  received_at: number
  response_ms: number
}

export type Phase = 'lobby' | 'question_open' | 'question_closed' | 'answer_revealed' | 'leaderboard' | 'ended'

export const PHASES: readonly Phase[] = ['lobby', 'question_open', 'question_closed', 'answer_revealed', 'leaderboard', 'ended']

/** The room's quiz run as one participant may see it: the `run` of `quiz.state`. */
export type ClosedBy = 'deadline' | 'lecturer'

export interface RunView {
  run_id: string
  quiz_id: string
  title: string
  question_count: number
  phase: Phase
  question: StudentQuestion | null
  /** What closed the current question, once it has closed. */
  closed_by: ClosedBy | null
  answered: number
  participants: number
  my_answer: MyAnswer | null
  reveal: RevealedQuestion | null
  my_result: StudentResult | null
  distribution: Distribution | null
  leaderboard: Standing[] | null
  my_standing: MyStanding | null
  /** Standings ranked 1 to 3, best first. The server lists at most 10 of them. */
  podium: Standing[] | null
  /** Number of participants ranked 1 to 3 who are not in `podium` because it is full. Set whenever `podium` is. */
  podium_unlisted: number | null
}

export type { ErrorMessage, Role, ServerMessage, WelcomeMessage } from '../control/types'

export interface StateMessage {
  type: 'quiz.state'
  server_time: number
  run: RunView | null
}

export interface ProgressMessage {
  type: 'quiz.progress'
  run_id: string
  question_index: number
  answered: number
  participants: number
  distribution: Distribution
}

export interface AcceptedMessage {
  type: 'quiz.accepted'
  ref?: string
  run_id: string
  question_index: number
  answer: Answer
  received_at: number
  response_ms: number
  duplicate: boolean
}

/** The quiz's server messages; control/types.ts adds the others. */
export type QuizServerMessage = StateMessage | ProgressMessage | AcceptedMessage

/** Commands the lecturer sends; the server answers each with `quiz.state`, or with `error`. */
export type LecturerCommand =
  | { type: 'quiz.launch'; quiz_id: string; streak_bonus?: boolean }
  | { type: 'quiz.next' }
  | { type: 'quiz.close' }
  | { type: 'quiz.reveal' }
  | { type: 'quiz.leaderboard' }
  | { type: 'quiz.end' }

export interface AnswerRequest {
  type: 'quiz.answer'
  run_id: string
  question_index: number
  answer: Answer
}

export type QuizClientMessage = LecturerCommand | AnswerRequest
