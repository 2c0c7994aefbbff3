// REST client of the quiz endpoints. Calls without special needs go through
// `request` from api.ts. Writes send `If-Match`, import sends raw text and
// export reads raw text, which `request` cannot do, so those use `send`
// below. A 422 `invalid_quiz` answer becomes an InvalidQuizError that keeps
// the list of problems.

import { ApiError, parseError, request } from '../../api'
import type { ImportResult, QuizJson, QuizListItem, QuizProblem, QuizView, TransferFormat } from './types'

const API_BASE = '/api/v1'

/** A 422 `invalid_quiz` response: `problems` lists every broken rule. */
export class InvalidQuizError extends ApiError {
  readonly problems: QuizProblem[]

  constructor(status: number, code: string, message: string, problems: QuizProblem[]) {
    super(status, code, message)
    this.name = 'InvalidQuizError'
    this.problems = problems
  }
}

/** Returns whether an error means that the quiz changed on the server since it was read (409 or 412). */
export function isConflict(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 409 || error.status === 412)
}

function readProblems(text: string): QuizProblem[] | null {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; errors?: unknown } }
    if (body.error?.code !== 'invalid_quiz' || !Array.isArray(body.error.errors)) return null
    return body.error.errors.filter(
      (item): item is QuizProblem =>
        !!item && typeof item === 'object' && typeof item.field === 'string' && typeof item.message === 'string',
    )
  } catch {
    return null
  }
}

/** Turns a failed response into an ApiError, or an InvalidQuizError for a 422 that lists problems. */
async function failure(response: Response): Promise<ApiError> {
  const text = await response
    .clone()
    .text()
    .catch(() => '')
  const error = await parseError(response)
  const problems = response.status === 422 ? readProblems(text) : null
  return problems ? new InvalidQuizError(error.status, error.code, error.message, problems) : error
}

interface SendOptions {
  token: string
  /** Sent as JSON. */
  json?: unknown
  /** Sent as is, as text/plain. */
  text?: string
  ifMatch?: number
}

/** Sends one request and returns the response once it is 2xx. */
async function send(method: string, path: string, options: SendOptions): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${options.token}` }
  let body: string | undefined
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.json)
  } else if (options.text !== undefined) {
    headers['Content-Type'] = 'text/plain; charset=utf-8'
    body = options.text
  }
  if (options.ifMatch !== undefined) headers['If-Match'] = `"${options.ifMatch}"`

  let response: Response
  try {
    response = await globalThis.fetch(`${API_BASE}${path}`, { method, headers, body, credentials: 'same-origin' })
  } catch (error) {
    throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error))
  }
  if (!response.ok) throw await failure(response)
  return response
}

async function sendJson<T>(method: string, path: string, options: SendOptions): Promise<T> {
  const response = await send(method, path, options)
  try {
    return (await response.json()) as T
  } catch {
    throw new ApiError(response.status, 'invalid_response', `the server sent a response that is not JSON (HTTP ${response.status})`)
  }
}

const quizPath = (id: string) => `/quizzes/${encodeURIComponent(id)}`

/** Returns the URL of a quiz's export; the browser sends the login cookie when it follows it. */
export function exportUrl(id: string, format: TransferFormat): string {
  return `${API_BASE}${quizPath(id)}/export?format=${format}`
}

export interface ExportedFile {
  text: string
  /** File name from `Content-Disposition`, or a name built from the quiz id. */
  fileName: string
  contentType: string
  /** Ids of questions the format cannot carry, from `X-Lectern-Skipped`. */
  skipped: string[]
}

function fileNameFrom(disposition: string | null): string | null {
  const match = disposition ? /filename="?([^";]+)"?/i.exec(disposition) : null
  return match ? match[1] : null
}

export const quizApi = {
  list: (token: string) => request<QuizListItem[]>('GET', '/quizzes', { token }),
  get: (token: string, id: string) => request<QuizView>('GET', quizPath(id), { token }),
  remove: (token: string, id: string) => request<void>('DELETE', quizPath(id), { token }),
  create: (token: string, quiz: QuizJson) => sendJson<QuizView>('POST', '/quizzes', { token, json: quiz }),
  /** Replaces the quiz only while it is at `version`; otherwise the server answers 412 (or 409 during a race). */
  update: (token: string, id: string, version: number, quiz: QuizJson) =>
    sendJson<QuizView>('PUT', quizPath(id), { token, json: quiz, ifMatch: version }),
  /** Resolves when the quiz is valid and throws InvalidQuizError listing the problems when not. */
  validate: async (token: string, quiz: QuizJson): Promise<void> => {
    await send('POST', '/quizzes/validate', { token, json: quiz })
  },
  import: (token: string, format: TransferFormat, text: string, title?: string) => {
    const query = new URLSearchParams({ format })
    if (title) query.set('title', title)
    return sendJson<ImportResult>('POST', `/quizzes/import?${query}`, { token, text })
  },
  export: async (token: string, id: string, format: TransferFormat): Promise<ExportedFile> => {
    const response = await send('GET', `${quizPath(id)}/export?format=${format}`, { token })
    const skipped = (response.headers.get('X-Lectern-Skipped') ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
    const extension = format === 'gift' ? 'gift.txt' : 'xml'
    return {
      text: await response.text(),
      fileName: fileNameFrom(response.headers.get('Content-Disposition')) ?? `quiz-${id}.${extension}`,
      contentType: response.headers.get('Content-Type') ?? 'text/plain',
      skipped,
    }
  },
}
