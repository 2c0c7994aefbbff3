// Reading the room's awareness states: the server's entry (drawing rights,
// who is online) and the users' own entries (name, role, raised hand). The
// server's `floor.state` is the source of truth for hands; the awareness
// field only mirrors it.

import type { Participant } from '../../api'

/** Awareness client id under which the server publishes its state. */
export const SERVER_CLIENT_ID = 0

export type Role = 'lecturer' | 'student'

export interface AwarenessUser {
  id: string
  name: string
  role: Role
  color: string
}

/** The server's awareness entry, `state.lectern` of client id 0. */
export interface ServerPresence {
  studentsCanDraw: boolean
  canDraw: string[]
  online: string[]
}

export interface Peer {
  clientId: number
  user: AwarenessUser
  /** The `hand` field of the peer's awareness state, which the room page mirrors from `floor.state`. */
  hand: boolean
}

export interface ParticipantRow {
  id: string
  name: string
  role: Role
  online: boolean
  canDraw: boolean
  /** Whether the hand is up in the server's `floor.state` queue. */
  hand: boolean
  /** The hand as the participant's board awareness state shows it. */
  awarenessHand: boolean
  isSelf: boolean
}

type States = Map<number, Record<string, unknown>>

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []

/** Returns the server's presence entry, or null until the server has sent one. */
export function readServerPresence(states: States): ServerPresence | null {
  const entry = states.get(SERVER_CLIENT_ID)?.lectern
  if (!entry || typeof entry !== 'object') return null
  const fields = entry as Record<string, unknown>
  return {
    studentsCanDraw: fields.studentsCanDraw === true,
    canDraw: stringList(fields.canDraw),
    online: stringList(fields.online),
  }
}

function readUser(value: unknown): AwarenessUser | null {
  if (!value || typeof value !== 'object') return null
  const user = value as Record<string, unknown>
  if (typeof user.id !== 'string' || typeof user.name !== 'string') return null
  return {
    id: user.id,
    name: user.name,
    role: user.role === 'lecturer' ? 'lecturer' : 'student',
    color: typeof user.color === 'string' ? user.color : '#4b5563',
  }
}

/** Returns the clients that announced a user, the server's entry excluded. */
export function readPeers(states: States): Peer[] {
  const peers: Peer[] = []
  for (const [clientId, state] of states) {
    if (clientId === SERVER_CLIENT_ID) continue
    const user = readUser(state.user)
    if (user) peers.push({ clientId, user, hand: state.hand === true })
  }
  return peers
}

/** Returns whether `participantId` may draw according to the server entry. */
export function mayDraw(presence: ServerPresence | null, participantId: string, role: Role): boolean {
  if (role === 'lecturer') return true
  return presence !== null && presence.canDraw.includes(participantId)
}

interface RowInput {
  /** Every student who joined the room, or null for a student's own view. */
  registered: Participant[] | null
  peers: Peer[]
  presence: ServerPresence | null
  selfId: string
  /** Ids of the raised hands from `floor.state`, or null before it arrived. */
  hands?: Set<string> | null
}

/**
 * Merges joined students, awareness peers and the server entry into one row
 * per participant: the lecturer first, then raised hands, then who is online,
 * then by name.
 */
export function buildParticipantRows({ registered, peers, presence, selfId, hands = null }: RowInput): ParticipantRow[] {
  const rows = new Map<string, ParticipantRow>()
  const onlineIds = new Set(presence?.online ?? [])

  for (const participant of registered ?? []) {
    rows.set(participant.id, {
      id: participant.id,
      name: participant.name,
      role: 'student',
      online: onlineIds.has(participant.id),
      canDraw: presence ? presence.canDraw.includes(participant.id) : participant.can_draw,
      hand: hands?.has(participant.id) ?? false,
      awarenessHand: false,
      isSelf: participant.id === selfId,
    })
  }

  for (const peer of peers) {
    const known = rows.get(peer.user.id)
    if (known) {
      known.online = true
      known.awarenessHand ||= peer.hand
      continue
    }
    // A peer missing from the joined list states its own role. The server
    // enforces rights, so a false claim only changes this list.
    const role = peer.user.role
    rows.set(peer.user.id, {
      id: peer.user.id,
      name: peer.user.name,
      role,
      online: true,
      canDraw: mayDraw(presence, peer.user.id, role),
      hand: hands?.has(peer.user.id) ?? false,
      awarenessHand: peer.hand,
      isSelf: peer.user.id === selfId,
    })
  }

  const rank = (row: ParticipantRow): number => {
    if (row.role === 'lecturer') return 0
    if (row.hand) return 1
    if (row.online) return 2
    return 3
  }
  return [...rows.values()].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
}

const PALETTE = ['#b91c1c', '#c2410c', '#a16207', '#15803d', '#0f766e', '#1d4ed8', '#6d28d9', '#be185d']

/** Picks a stable cursor colour for a participant id; each colour has at least 4.9:1 contrast on white. */
export function colorFor(id: string): string {
  let hash = 0
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) | 0
  return PALETTE[Math.abs(hash) % PALETTE.length]
}
