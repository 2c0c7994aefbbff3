// Follows the room's control channel for the quiz panel and keeps its state.

import { useCallback, useEffect, useReducer, useRef } from 'preact/hooks'
import { ControlRequestError, type ControlChannel } from '../control/channel'
import { initialQuizState, quizReducer, type QuizViewState, type RequestFailure } from './quizState'
import type { Answer, LecturerCommand } from './types'

export interface QuizSession {
  state: QuizViewState
  /** Sends a lecturer command; failures land in `state.commandError`. */
  command: (command: LecturerCommand) => void
  /** Sends the student's answer to the open question; failures land in `state.answerError`. */
  answer: (answer: Answer) => void
  dismissNotice: () => void
}

function failureOf(error: unknown): RequestFailure {
  if (error instanceof ControlRequestError) return { code: error.code, message: error.message }
  return { code: 'unknown', message: error instanceof Error ? error.message : String(error) }
}

/** Follows `channel`, the room's control channel, or shows a disconnected quiz while it is null. */
export function useQuizSession(channel: ControlChannel | null): QuizSession {
  const [state, dispatch] = useReducer(quizReducer, initialQuizState)
  const channelRef = useRef<ControlChannel | null>(null)
  // The latest state for the callbacks below, which must stay stable.
  const stateRef = useRef(state)
  stateRef.current = state

  useEffect(() => {
    channelRef.current = channel
    if (!channel) {
      dispatch({ type: 'connection', state: 'disconnected' })
      return
    }
    const unsubscribe = [
      channel.subscribe((message, offset) => dispatch({ type: 'message', message, offset })),
      channel.watchState((connection) => dispatch({ type: 'connection', state: connection })),
      channel.onStop(() => dispatch({ type: 'stopped' })),
    ]
    return () => {
      for (const stop of unsubscribe) stop()
      channelRef.current = null
    }
  }, [channel])

  const command = useCallback((message: LecturerCommand) => {
    const current = channelRef.current
    dispatch({ type: 'command-sent', command: message.type })
    if (!current) {
      dispatch({ type: 'command-failed', command: message.type, failure: { code: 'disconnected', message: 'no control connection' } })
      return
    }
    current.command(message).then(
      () => dispatch({ type: 'command-done' }),
      (error: unknown) => {
        console.warn('quiz command failed', { command: message.type, error })
        dispatch({ type: 'command-failed', command: message.type, failure: failureOf(error) })
      },
    )
  }, [])

  const answer = useCallback((value: Answer) => {
    const run = stateRef.current.run
    const current = channelRef.current
    if (!run || !run.question || !current) return
    const target = { runId: run.run_id, questionIndex: run.question.index }
    dispatch({ type: 'answer-sent', ...target, answer: value })
    current.answer({ type: 'quiz.answer', run_id: target.runId, question_index: target.questionIndex, answer: value }).then(
      // quiz.accepted also reaches the reducer as a message, which records it.
      () => undefined,
      (error: unknown) => {
        console.warn('sending the quiz answer failed', { ...target, error })
        dispatch({ type: 'answer-failed', ...target, failure: failureOf(error) })
      },
    )
  }, [])

  const dismissNotice = useCallback(() => dispatch({ type: 'dismiss-notice' }), [])

  return { state, command, answer, dismissNotice }
}
