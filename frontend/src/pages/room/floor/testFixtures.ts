// Sample floor messages for the unit tests, in the shapes of docs/control-protocol.md.

import { NOW } from '../quiz/testFixtures'
import type { FloorView, QueueEntry, Speaker } from './types'

export function queued(id: string, name: string, raisedAt = NOW - 30_000): QueueEntry {
  return { participant_id: id, name, raised_at: raisedAt }
}

export function speaker(id: string, name: string, overrides: Partial<Speaker> = {}): Speaker {
  return { participant_id: id, name, to_board: false, since: NOW - 5_000, until: null, ...overrides }
}

export function floorView(overrides: Partial<FloorView> = {}): FloorView {
  return { max_speakers: 1, queue: [], speakers: [], muted: [], ...overrides }
}

/** Returns the JSON text of a `floor.state` frame. */
export function floorFrame(view: FloorView, serverTime = NOW): string {
  return JSON.stringify({ v: 1, type: 'floor.state', server_time: serverTime, ...view })
}
