/**
 * Shared video playback: the `playing`, `position` and `at` fields of a
 * video element (docs/media.md), and what a player does to follow them.
 */
import type * as Y from 'yjs'

/** Drift between a player and the shared position, in seconds, above which the player seeks. */
export const MAX_DRIFT_SECONDS = 0.5

export interface PlaybackState {
  playing: boolean
  /** Seconds into the video at the instant `at`. */
  position: number
  /** Milliseconds on the server's clock. */
  at: number
}

export const STOPPED: PlaybackState = { playing: false, position: 0, at: 0 }

/** Reads the playback fields of a video element; missing or invalid fields read as stopped at 0. */
export function readPlayback(element: Y.Map<unknown>): PlaybackState {
  const playing = element.get('playing')
  const position = element.get('position')
  const at = element.get('at')
  return {
    playing: playing === true,
    position: typeof position === 'number' && Number.isFinite(position) && position >= 0 ? position : 0,
    at: typeof at === 'number' && Number.isFinite(at) ? at : 0,
  }
}

/**
 * Returns the position in seconds that a player shows at server time
 * `serverNow`: `position + (now - at) / 1000` while playing, capped at
 * `duration` when it is known, and `position` while paused.
 */
export function positionAt(state: PlaybackState, serverNow: number, duration = Number.NaN): number {
  let position = state.position
  // A clock a little behind the writer's gives a negative elapsed time, which would seek backwards.
  if (state.playing) position += Math.max(0, serverNow - state.at) / 1000
  if (Number.isFinite(duration) && duration > 0) position = Math.min(position, duration)
  return position
}

/** The steps a player takes to follow the shared state. */
export interface SyncAction {
  /** Position to seek to, or null to stay. */
  seekTo: number | null
  /** `play` or `pause` when the player's state differs from the shared one, else null. */
  toggle: 'play' | 'pause' | null
}

/**
 * Decides how a player at `currentTime` seconds, paused or not, follows
 * `state`: it seeks when it is more than MAX_DRIFT_SECONDS away from the
 * shared position, and plays or pauses to match `playing`.
 */
export function syncAction(state: PlaybackState, currentTime: number, paused: boolean, serverNow: number, duration = Number.NaN): SyncAction {
  const target = positionAt(state, serverNow, duration)
  const ended = Number.isFinite(duration) && duration > 0 && target >= duration
  const seekTo = Math.abs(currentTime - target) > MAX_DRIFT_SECONDS ? target : null
  let toggle: SyncAction['toggle'] = null
  // A video that reached its end stays paused there, even while `playing` is true.
  if (state.playing && paused && !ended) toggle = 'play'
  else if (!state.playing && !paused) toggle = 'pause'
  return { seekTo, toggle }
}

/** Returns the state a controller writes after playing, pausing or seeking its own player. */
export function stateFromPlayer(currentTime: number, paused: boolean, serverNow: number): PlaybackState {
  return { playing: !paused, position: Math.max(0, currentTime), at: serverNow }
}
