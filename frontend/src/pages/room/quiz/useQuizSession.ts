// Connects the room page to the control channel for as long as it is open,
// and keeps the quiz panel's state.

import { useCallback, useEffect, useReducer, useRef } from 'preact/hooks'
import { websocketBase } from '../connection'
import type { Identity } from '../useBoardSession'
import { ControlChannel, ControlRequestError, controlChannelUrl } from './controlChannel'
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

/** Opens the control channel of room `code` while `active` is true. */
export function useQuizSession(code: string, identity: Identity, active: boolean): QuizSession {
  const [state, dispatch] = useReducer(quizReducer, initialQuizState)
  const channelRef = useRef<ControlChannel | null>(null)
  // The latest state for the callbacks below, which must stay stable.
  const stateRef = useRef(state)
  stateRef.current = state

  useEffect(() => {
    if (!active) {
      dispatch({ type: 'connection', state: 'disconnected' })
      return
    }
    const channel = new ControlChannel({
      url: controlChannelUrl(websocketBase(), code, identity.token),
      onMessage: (message, offset) => dispatch({ type: 'message', message, offset }),
      onState: (connection) => dispatch({ type: 'connection', state: connection }),
      onStop: () => dispatch({ type: 'stopped' }),
    })
    channelRef.current = channel
    channel.start()
    return () => {
      channel.dispose()
      channelRef.current = null
    }
  }, [code, identity.token, active])

  const command = useCallback((message: LecturerCommand) => {
    const channel = channelRef.current
    dispatch({ type: 'command-sent', command: message.type })
    if (!channel) {
      dispatch({ type: 'command-failed', command: message.type, failure: { code: 'disconnected', message: 'no quiz connection' } })
      return
    }
    channel.command(message).then(
      () => dispatch({ type: 'command-done' }),
      (error: unknown) => {
        console.warn('quiz command failed', { command: message.type, error })
        dispatch({ type: 'command-failed', command: message.type, failure: failureOf(error) })
      },
    )
  }, [])

  const answer = useCallback((value: Answer) => {
    const run = stateRef.current.run
    const channel = channelRef.current
    if (!run || !run.question || !channel) return
    const target = { runId: run.run_id, questionIndex: run.question.index }
    dispatch({ type: 'answer-sent', ...target, answer: value })
    channel.answer({ type: 'quiz.answer', run_id: target.runId, question_index: target.questionIndex, answer: value }).then(
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
