// The quiz panel's state: what the server last sent about the run, plus the
// requests this page has in flight. A pure reducer, so tests can feed it the
// protocol's messages in any order.

import type { ConnectionState } from '../connection'
import type { Answer, LecturerCommand, Role, RunView, ServerMessage } from './types'

export interface RequestFailure {
  /** The server's error code, or `disconnected` or `timeout`. */
  code: string
  /** The server's own message, in English. */
  message: string
}

export interface QuizViewState {
  connection: ConnectionState
  /** True once the channel stopped for good (the room closed). */
  stopped: boolean
  /** This page's participant id, role and name, from `welcome`. */
  self: { participantId: string; role: Role; name: string } | null
  /** Server time minus local time, in milliseconds. */
  offset: number
  /** Whether a `quiz.state` arrived since the page loaded. */
  loaded: boolean
  run: RunView | null
  /** The student's answer waiting for `quiz.accepted`. */
  sending: { runId: string; questionIndex: number; answer: Answer } | null
  /** Whether the server reported the accepted answer as a repeat of an earlier one. */
  duplicate: boolean
  /** Failure of the student's last answer to the current question. */
  answerError: RequestFailure | null
  /** The lecturer's command waiting for the next `quiz.state`. */
  pendingCommand: LecturerCommand['type'] | null
  commandError: (RequestFailure & { command: LecturerCommand['type'] }) | null
  /** An `error` the server sent that matched no request. */
  notice: RequestFailure | null
}

export type QuizAction =
  | { type: 'connection'; state: ConnectionState }
  | { type: 'stopped' }
  | { type: 'message'; message: ServerMessage; offset: number }
  | { type: 'answer-sent'; runId: string; questionIndex: number; answer: Answer }
  | { type: 'answer-failed'; failure: RequestFailure; runId: string; questionIndex: number }
  | { type: 'command-sent'; command: LecturerCommand['type'] }
  | { type: 'command-done' }
  | { type: 'command-failed'; failure: RequestFailure; command: LecturerCommand['type'] }
  | { type: 'dismiss-notice' }

export const initialQuizState: QuizViewState = {
  connection: 'connecting',
  stopped: false,
  self: null,
  offset: 0,
  loaded: false,
  run: null,
  sending: null,
  duplicate: false,
  answerError: null,
  pendingCommand: null,
  commandError: null,
  notice: null,
}

/** Returns an id of the run's current question, which changes whenever another question or run comes up. */
export function questionKey(run: RunView | null): string {
  if (!run) return ''
  return `${run.run_id}:${run.question?.index ?? 'none'}`
}

function isCurrentQuestion(run: RunView | null, runId: string, questionIndex: number): run is RunView {
  return run !== null && run.run_id === runId && run.question?.index === questionIndex
}

function applyMessage(state: QuizViewState, message: ServerMessage, offset: number): QuizViewState {
  switch (message.type) {
    case 'welcome':
      return { ...state, offset, self: { participantId: message.participant_id, role: message.role, name: message.name } }

    case 'quiz.state': {
      const run = message.run
      const sameQuestion = questionKey(run) === questionKey(state.run)
      const next: QuizViewState = { ...state, offset, loaded: true, run }
      if (!sameQuestion) {
        next.sending = null
        next.duplicate = false
        next.answerError = null
      }
      // An answer the server stored ends the wait, even when its reply was lost with a connection.
      if (run?.my_answer) next.sending = null
      if (state.commandError && state.run?.phase !== run?.phase) next.commandError = null
      return next
    }

    case 'quiz.progress': {
      if (!isCurrentQuestion(state.run, message.run_id, message.question_index)) return state
      return {
        ...state,
        run: { ...state.run, answered: message.answered, participants: message.participants, distribution: message.distribution },
      }
    }

    case 'quiz.accepted': {
      if (!isCurrentQuestion(state.run, message.run_id, message.question_index)) return { ...state, sending: null }
      return {
        ...state,
        run: { ...state.run, my_answer: { answer: message.answer, received_at: message.received_at, response_ms: message.response_ms } },
        sending: null,
        duplicate: message.duplicate,
        answerError: null,
      }
    }

    case 'error':
      return { ...state, notice: { code: message.code, message: message.message } }

    default:
      // Floor and audio messages share the channel.
      return state
  }
}

export function quizReducer(state: QuizViewState, action: QuizAction): QuizViewState {
  switch (action.type) {
    case 'connection':
      return { ...state, connection: action.state }
    case 'stopped':
      return { ...state, stopped: true, connection: 'disconnected', sending: null, pendingCommand: null }
    case 'message':
      return applyMessage(state, action.message, action.offset)
    case 'answer-sent':
      return {
        ...state,
        sending: { runId: action.runId, questionIndex: action.questionIndex, answer: action.answer },
        answerError: null,
      }
    case 'answer-failed':
      // A failure that arrives after the question moved on concerns nothing on screen.
      if (!isCurrentQuestion(state.run, action.runId, action.questionIndex)) return { ...state, sending: null }
      return { ...state, sending: null, answerError: action.failure }
    case 'command-sent':
      return { ...state, pendingCommand: action.command, commandError: null }
    case 'command-done':
      return { ...state, pendingCommand: null }
    case 'command-failed':
      return { ...state, pendingCommand: null, commandError: { ...action.failure, command: action.command } }
    case 'dismiss-notice':
      return { ...state, notice: null, commandError: null }
  }
}

/** Returns whether the student may still change and send an answer to the open question. */
export function canAnswer(state: QuizViewState, remainingMs: number): boolean {
  const run = state.run
  return (
    run !== null &&
    run.phase === 'question_open' &&
    run.question !== null &&
    run.my_answer === null &&
    state.sending === null &&
    remainingMs > 0 &&
    state.connection === 'connected'
  )
}
