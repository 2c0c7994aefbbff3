// REST calls of the live quiz: the lecturer's quizzes to launch, and the
// results of a run (the end of docs/control-protocol.md). The results JSON
// carries the `QuestionReport` and `ParticipantResults` of
// crates/lectern-quiz/src/export.rs, read leniently: a field the page does
// not need may be missing without breaking the view.

import { parseError, request, ApiError, type RequestOptions } from '../../../api'
import { parseDistribution } from './protocol'
import type { Correctness, Distribution } from './types'

/** An entry of `GET /api/v1/quizzes`. */
export interface QuizSummary {
  id: string
  title: string
  question_count: number
  version: number
  updated_at: number
}

export interface QuestionReport {
  index: number
  id: string
  /** The question text, when the server sends it; the crate's report has only the id. */
  text: string | null
  type: string
  opened: boolean
  answered: number
  correct: number
  partial: number
  incorrect: number
  average_points: number
  average_response_ms: number
  distribution: Distribution | null
}

export interface AnswerResult {
  index: number
  correctness: Correctness
  points: number
  streak_bonus: number
  response_ms: number
}

export interface ParticipantResults {
  participant_id: string
  /** The display name, when the server sends it. */
  name: string | null
  rank: number
  total: number
  correct: number
  answers: (AnswerResult | null)[]
}

export interface RunResults {
  title: string
  questions: QuestionReport[]
  participants: ParticipantResults[]
}

const finite = (value: unknown, fallback = 0): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback)
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null)
const record = (value: unknown): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null
const CORRECTNESS: readonly string[] = ['correct', 'partial', 'incorrect', 'unscored']

function parseDistributionOrNull(value: unknown): Distribution | null {
  try {
    return parseDistribution(value)
  } catch {
    return null
  }
}

function parseQuestionReport(value: unknown, position: number): QuestionReport | null {
  const json = record(value)
  if (!json) return null
  return {
    index: finite(json.index, position),
    id: text(json.id) ?? String(position + 1),
    text: text(json.text),
    type: text(json.type) ?? '',
    opened: json.opened !== false,
    answered: finite(json.answered),
    correct: finite(json.correct),
    partial: finite(json.partial),
    incorrect: finite(json.incorrect),
    average_points: finite(json.average_points),
    average_response_ms: finite(json.average_response_ms),
    distribution: parseDistributionOrNull(json.distribution),
  }
}

function parseAnswerResult(value: unknown, position: number): AnswerResult | null {
  const json = record(value)
  if (!json) return null
  const correctness = text(json.correctness)
  return {
    index: finite(json.index, position),
    correctness: correctness && CORRECTNESS.includes(correctness) ? (correctness as Correctness) : 'incorrect',
    points: finite(json.points),
    streak_bonus: finite(json.streak_bonus),
    response_ms: finite(json.response_ms),
  }
}

function parseParticipant(value: unknown): ParticipantResults | null {
  const json = record(value)
  const id = json && text(json.participant_id)
  if (!json || !id) return null
  return {
    participant_id: id,
    name: text(json.name),
    rank: finite(json.rank),
    total: finite(json.total),
    correct: finite(json.correct),
    answers: Array.isArray(json.answers) ? json.answers.map(parseAnswerResult) : [],
  }
}

/** Reads a `RunResults` body, dropping entries that are not objects; throws when the body has no question list. */
export function parseRunResults(body: unknown): RunResults {
  const json = record(body)
  if (!json || !Array.isArray(json.questions)) {
    throw new ApiError(200, 'invalid_response', 'the results response has no questions list')
  }
  const questions = json.questions.map(parseQuestionReport).filter((entry): entry is QuestionReport => entry !== null)
  const participants = Array.isArray(json.participants)
    ? json.participants.map(parseParticipant).filter((entry): entry is ParticipantResults => entry !== null)
    : []
  // The server wraps the run's summary, title included, in `run`.
  const title = text(json.title) ?? text(record(json.run)?.title) ?? ''
  return { title, questions, participants }
}

const runPath = (runId: string) => `/quiz-runs/${encodeURIComponent(runId)}`

/** Path of a run's CSV export under the site root, usable as a link that the login cookie authorises. */
export function resultsCsvUrl(runId: string): string {
  return `/api/v1${runPath(runId)}/results.csv`
}

export const quizApi = {
  listQuizzes: (token: string, options: Omit<RequestOptions, 'token'> = {}) =>
    request<QuizSummary[]>('GET', '/quizzes', { ...options, token }),

  getRunResults: async (token: string, runId: string, options: Omit<RequestOptions, 'token'> = {}) =>
    parseRunResults(await request<unknown>('GET', `${runPath(runId)}/results`, { ...options, token })),

  /** Fetches a run's CSV export with the bearer token, for a download that does not depend on the cookie. */
  async getResultsCsv(token: string, runId: string, fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<Blob> {
    let response: Response
    try {
      response = await fetchImpl(resultsCsvUrl(runId), {
        headers: { Authorization: `Bearer ${token}`, Accept: 'text/csv' },
        credentials: 'same-origin',
      })
    } catch (error) {
      throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error))
    }
    if (!response.ok) throw await parseError(response)
    return response.blob()
  },
}
