// Sample quiz messages for the unit tests, in the shapes of docs/control-protocol.md.

import type { RunView, StudentQuestion } from './types'

export const NOW = 1_796_400_000_000

export function singleChoice(overrides: Partial<StudentQuestion> = {}): StudentQuestion {
  return {
    index: 0,
    count: 2,
    id: 'q1',
    text: 'Largest planet?',
    time_limit_secs: 20,
    points: 'standard',
    opened_at: NOW,
    deadline: NOW + 20_000,
    type: 'single_choice',
    choices: ['Mars', 'Jupiter'],
    ...overrides,
  } as StudentQuestion
}

/** Returns a question of `kind` with the base fields of singleChoice(). */
export function questionOf(kind: Record<string, unknown>): StudentQuestion {
  const base: Record<string, unknown> = { ...singleChoice() }
  delete base.type
  delete base.choices
  return { ...base, ...kind } as StudentQuestion
}

export function run(overrides: Partial<RunView> = {}): RunView {
  return {
    run_id: 'r_1',
    quiz_id: 'q_1',
    title: 'Planets',
    question_count: 2,
    phase: 'lobby',
    question: null,
    closed_by: null,
    answered: 0,
    participants: 2,
    my_answer: null,
    reveal: null,
    my_result: null,
    distribution: null,
    leaderboard: null,
    my_standing: null,
    podium: null,
    podium_unlisted: null,
    ...overrides,
  }
}

/** Returns the JSON text of a `quiz.state` frame that contains `runView`. */
export function stateFrame(runView: RunView | null, serverTime = NOW): string {
  return JSON.stringify({ v: 1, type: 'quiz.state', server_time: serverTime, run: runView })
}

export function welcomeFrame(role: 'lecturer' | 'student' = 'student', serverTime = NOW): string {
  return JSON.stringify({ v: 1, type: 'welcome', participant_id: 'p_ada', role, name: 'Ada', room: 'abcdefghjk', server_time: serverTime })
}
