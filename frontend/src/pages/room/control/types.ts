// Message types of the room's control channel (docs/control-protocol.md):
// the shared `welcome` and `error`, and the unions of every feature's
// messages. Each feature keeps its own types next to its code.

import type { AudioClientMessage, AudioServerMessage } from '../audio/types'
import type { FloorCommand, FloorServerMessage } from '../floor/types'
import type { QuizClientMessage, QuizServerMessage } from '../quiz/types'

export type Role = 'lecturer' | 'student'

export interface WelcomeMessage {
  type: 'welcome'
  participant_id: string
  role: Role
  name: string
  room: string
  server_time: number
}

export interface ErrorMessage {
  type: 'error'
  ref?: string
  code: string
  message: string
}

export type ServerMessage = WelcomeMessage | ErrorMessage | QuizServerMessage | FloorServerMessage | AudioServerMessage

export type ClientMessage = QuizClientMessage | FloorCommand | AudioClientMessage
