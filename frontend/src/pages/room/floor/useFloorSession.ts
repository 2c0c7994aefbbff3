// Follows the room's control channel for hands and the floor.

import { useCallback, useEffect, useReducer, useRef } from 'preact/hooks'
import { ControlRequestError, type ControlChannel } from '../control/channel'
import { floorReducer, initialFloorState, type FloorFailure, type FloorViewState } from './floorState'
import type { FloorCommand } from './types'

export interface FloorSession {
  state: FloorViewState
  /** Sends a hand or floor request; failures land in `state.error`. */
  send: (command: FloorCommand) => void
  dismissError: () => void
}

function failureOf(error: unknown): FloorFailure {
  if (error instanceof ControlRequestError) return { code: error.code, message: error.message }
  return { code: 'unknown', message: error instanceof Error ? error.message : String(error) }
}

export function useFloorSession(channel: ControlChannel | null): FloorSession {
  const [state, dispatch] = useReducer(floorReducer, initialFloorState)
  const channelRef = useRef<ControlChannel | null>(null)

  useEffect(() => {
    channelRef.current = channel
    if (!channel) {
      dispatch({ type: 'connection', state: 'disconnected' })
      return
    }
    const unsubscribe = [
      channel.subscribe((message, offset) => dispatch({ type: 'message', message, offset })),
      channel.watchState((connection) => dispatch({ type: 'connection', state: connection })),
    ]
    return () => {
      for (const stop of unsubscribe) stop()
      channelRef.current = null
    }
  }, [channel])

  const send = useCallback((command: FloorCommand) => {
    const current = channelRef.current
    dispatch({ type: 'request-sent', command })
    if (!current) {
      dispatch({ type: 'request-failed', command, failure: { code: 'disconnected', message: 'no control connection' } })
      return
    }
    // A request that succeeds changes the floor, and the server sends the
    // new floor.state to everyone, which settles it.
    current.request(command, 'floor.state').then(
      () => dispatch({ type: 'request-done' }),
      (error: unknown) => {
        // A request that changes nothing, such as raising a hand that is
        // already up, causes no floor.state, so no reply is no failure.
        if (error instanceof ControlRequestError && error.code === 'timeout') {
          console.info('floor request got no floor.state', { command: command.type })
          dispatch({ type: 'request-done' })
          return
        }
        console.warn('floor request failed', { command: command.type, error })
        dispatch({ type: 'request-failed', command, failure: failureOf(error) })
      },
    )
  }, [])

  const dismissError = useCallback(() => dispatch({ type: 'dismiss-error' }), [])

  return { state, send, dismissError }
}
