/**
 * The board's part of the awareness state:
 * `{ user: { id, name, role, color }, cursor: {x, y} | null,
 *    laser: {x, y, t} | null, page, viewport: {x, y, zoom}, hand }`.
 * Positions are board units and `laser.t` is the sender's clock in
 * milliseconds since the Unix epoch.
 */
import type { Awareness } from 'y-protocols/awareness'

import { isViewport, type Viewport } from './viewport'

export type Role = 'lecturer' | 'student'

/** The server's own awareness entry; it is no participant. */
export const SERVER_CLIENT_ID = 0

/** How long a laser trail point stays visible, in milliseconds. */
export const LASER_TRAIL_MS = 1000

export interface PeerState {
  clientId: number
  id: string
  name: string
  role: Role | null
  color: string
  cursor: { x: number; y: number } | null
  laser: { x: number; y: number } | null
  page: string | null
  viewport: Viewport | null
}

function readPosition(value: unknown): { x: number; y: number } | null {
  if (!value || typeof value !== 'object') return null
  const { x, y } = value as Record<string, unknown>
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return null
  return { x, y }
}

/** Reads one awareness state, or returns null for the server's entry or an empty state. */
export function readPeer(clientId: number, state: Record<string, unknown> | undefined): PeerState | null {
  if (clientId === SERVER_CLIENT_ID || !state) return null
  const user = (state.user ?? {}) as Record<string, unknown>
  const role = user.role === 'lecturer' || user.role === 'student' ? user.role : null
  return {
    clientId,
    id: typeof user.id === 'string' ? user.id : '',
    name: typeof user.name === 'string' ? user.name : '',
    role,
    color: typeof user.color === 'string' ? user.color : '#374151',
    cursor: readPosition(state.cursor),
    laser: readPosition(state.laser),
    page: typeof state.page === 'string' ? state.page : null,
    viewport: isViewport(state.viewport) ? state.viewport : null,
  }
}

/** Lists every participant's state, the local one included. */
export function readPeers(awareness: Awareness): PeerState[] {
  const peers: PeerState[] = []
  for (const [clientId, state] of awareness.getStates()) {
    const peer = readPeer(clientId, state as Record<string, unknown>)
    if (peer) peers.push(peer)
  }
  return peers
}

/**
 * Returns the lecturer to follow: the one with a published page, lowest
 * client id first so that every student picks the same one when a lecturer
 * has the room open in two tabs.
 */
export function findLecturer(peers: readonly PeerState[], ownClientId: number): PeerState | null {
  let found: PeerState | null = null
  for (const peer of peers) {
    if (peer.clientId === ownClientId || peer.role !== 'lecturer' || peer.page === null) continue
    if (found === null || peer.clientId < found.clientId) found = peer
  }
  return found
}

/** Picks a readable colour for a participant from their id. */
export function colorForId(id: string): string {
  // Dark enough for white label text to pass WCAG AA contrast.
  const palette = ['#b91c1c', '#c2410c', '#a16207', '#15803d', '#0f766e', '#1d4ed8', '#6d28d9', '#be185d']
  let hash = 0
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0
  return palette[hash % palette.length]
}

/** Recent laser positions per client, timed by the local clock. */
export class LaserTrails {
  private readonly trails = new Map<number, { color: string; points: Array<{ x: number; y: number; at: number }> }>()

  /** Records the current laser positions of the peers on `page`. */
  record(peers: readonly PeerState[], page: string, now: number): void {
    for (const peer of peers) {
      if (!peer.laser || peer.page !== page) continue
      let trail = this.trails.get(peer.clientId)
      if (!trail) {
        trail = { color: peer.color, points: [] }
        this.trails.set(peer.clientId, trail)
      }
      const last = trail.points[trail.points.length - 1]
      if (!last || last.x !== peer.laser.x || last.y !== peer.laser.y) trail.points.push({ ...peer.laser, at: now })
    }
  }

  /** Drops points older than the trail length; returns whether any remain. */
  prune(now: number): boolean {
    for (const [clientId, trail] of this.trails) {
      while (trail.points.length > 0 && now - trail.points[0].at > LASER_TRAIL_MS) trail.points.shift()
      if (trail.points.length === 0) this.trails.delete(clientId)
    }
    return this.trails.size > 0
  }

  clear(): void {
    this.trails.clear()
  }

  entries(): IterableIterator<[number, { color: string; points: Array<{ x: number; y: number; at: number }> }]> {
    return this.trails.entries()
  }
}
