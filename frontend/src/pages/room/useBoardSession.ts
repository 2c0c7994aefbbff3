// The room's live connection: Yjs document, y-websocket provider, awareness
// and the mounted whiteboard, for as long as the room page is open.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import type { RefObject } from 'preact'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { mountBoard, type BoardController } from '../../board'
import { onLanguageChange, t } from '../../i18n'
import { websocketBase, type ConnectionState } from './connection'
import { diagnoseFailure, superviseConnection } from './reconnect'
import { colorFor, mayDraw, readPeers, readServerPresence, type Peer, type Role, type ServerPresence } from './presence'

export interface Identity {
  token: string
  /** User id of the lecturer or participant id of a student, the ids the server uses too. */
  id: string
  name: string
  role: Role
}

export interface BoardSession {
  connection: ConnectionState
  roomClosed: boolean
  /** Whether the server rejected the token as expired or revoked, so the visitor must sign in or join again. */
  tokenRejected: boolean
  /** The server's latest presence entry, kept through reconnects. */
  presence: ServerPresence | null
  peers: Peer[]
  canDraw: boolean
  hand: boolean
  setHand: (raised: boolean) => void
  boardError: unknown
  /** Returns the id of the page on the lecturer's or student's screen, or null before the board mounts. */
  currentPageId: () => string | null
}

/**
 * Connects to the room's board while `active` is true (false for a room that
 * was already closed when the page loaded) and mounts the whiteboard.
 * `serverNow` returns the server's clock in milliseconds, for video
 * playback. The board calls the latest `serverNow` each time, and a new
 * function does not mount the board again.
 */
export function useBoardSession(
  code: string,
  identity: Identity,
  container: RefObject<HTMLDivElement>,
  active: boolean,
  serverNow: () => number = Date.now,
): BoardSession {
  const serverNowRef = useRef(serverNow)
  serverNowRef.current = serverNow
  const [connection, setConnection] = useState<ConnectionState>(active ? 'connecting' : 'disconnected')
  const [roomClosed, setRoomClosed] = useState(false)
  const [tokenRejected, setTokenRejected] = useState(false)
  const [presence, setPresence] = useState<ServerPresence | null>(null)
  const [peers, setPeers] = useState<Peer[]>([])
  const [canDraw, setCanDraw] = useState(identity.role === 'lecturer')
  const [hand, setHandState] = useState(false)
  const [boardError, setBoardError] = useState<unknown>(null)
  const providerRef = useRef<WebsocketProvider | null>(null)
  const controllerRef = useRef<BoardController | null>(null)

  useEffect(() => {
    const element = container.current
    if (!element || !active) return

    const doc = new Y.Doc()
    const provider = new WebsocketProvider(`${websocketBase()}/ws/board`, code, doc, {
      params: { token: identity.token },
      // Tabs of one browser must not sync with each other directly: a
      // student's tab would pass edits to a lecturer's tab, around the
      // server's permission check.
      disableBc: true,
      // superviseConnection() below opens the socket and schedules every retry.
      connect: false,
    })
    providerRef.current = provider
    const awareness = provider.awareness
    awareness.setLocalStateField('user', {
      id: identity.id,
      name: identity.name,
      role: identity.role,
      color: colorFor(identity.id),
    })
    awareness.setLocalStateField('hand', false)

    let controller: BoardController | null = null
    try {
      controller = mountBoard(element, {
        doc,
        awareness,
        participantId: identity.id,
        name: identity.name,
        role: identity.role,
        t,
        // The room bar shows the student's drawing state instead.
        readOnlyNotice: false,
        media: { roomCode: code, token: identity.token, serverNow: () => serverNowRef.current() },
      })
      controllerRef.current = controller
      controller.setCanDraw(identity.role === 'lecturer')
      if (identity.role === 'student') controller.setFollow(true)
    } catch (error) {
      console.error('mounting the whiteboard failed', error)
      setBoardError(error)
    }

    // True once the page stops reconnecting, because edits made after that would never reach the server.
    let stopped = false
    let lastPresence: ServerPresence | null = null

    const applyRights = () => {
      const allowed = !stopped && mayDraw(lastPresence, identity.id, identity.role)
      controller?.setCanDraw(allowed)
      setCanDraw(allowed)
    }

    const onAwarenessChange = () => {
      const states = awareness.getStates() as Map<number, Record<string, unknown>>
      // While disconnected, y-websocket drops every remote state, the server's
      // too, so the last known rights stay in force until it is back.
      const current = readServerPresence(states)
      if (current) {
        lastPresence = current
        setPresence(current)
      }
      setPeers(readPeers(states))
      applyRights()
    }

    // The board's labels are plain DOM, outside Preact's re-render.
    const unsubscribeLanguage = onLanguageChange(() => controller?.setTranslator(t))

    awareness.on('change', onAwarenessChange)
    onAwarenessChange()

    const supervisor = superviseConnection(provider, {
      diagnose: () => diagnoseFailure(identity.token, code),
      onState: setConnection,
      onStop: (reason) => {
        stopped = true
        applyRights()
        if (reason === 'room-closed') setRoomClosed(true)
        else if (reason === 'unauthorized') setTokenRejected(true)
      },
    })

    return () => {
      supervisor.dispose()
      unsubscribeLanguage()
      awareness.off('change', onAwarenessChange)
      controller?.destroy()
      controllerRef.current = null
      provider.destroy()
      doc.destroy()
      providerRef.current = null
    }
  }, [code, identity.token, identity.id, identity.name, identity.role, active])

  const setHand = useCallback((raised: boolean) => {
    providerRef.current?.awareness.setLocalStateField('hand', raised)
    setHandState(raised)
  }, [])

  const currentPageId = () => controllerRef.current?.currentPageId() ?? null
  return { connection, roomClosed, tokenRejected, presence, peers, canDraw, hand, setHand, boardError, currentPageId }
}
