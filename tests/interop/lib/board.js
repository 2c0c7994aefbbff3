// Board clients built from the official Yjs packages (yjs, y-websocket), as a
// browser would use them, plus the board schema helpers the tests need.

import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider, messageAuth, messageSync } from 'y-websocket'
import * as authProtocol from 'y-protocols/auth'
import * as syncProtocol from 'y-protocols/sync'
import * as encoding from 'lib0/encoding'

import { onEvent, waitFor } from './wait.js'

/** The root map of board elements, keyed by element id. */
export const ELEMENTS = 'elements'

/** The first byte of every point chunk. */
export const POINTS_FORMAT = 1

/**
 * Encodes stroke points as one chunk of the board schema. The chunk starts
 * with the format byte. Each point then adds its x and y deltas from the
 * previous point (the first from the element origin) in tenths of a board
 * unit as zigzag varints, and its pressure (0 to 1) as one byte (0 to 255).
 * The server crate lectern-board decodes the same format.
 *
 * @param {Array<{x: number, y: number, pressure: number}>} points
 * @returns {Uint8Array}
 */
export function encodePoints (points) {
  const bytes = [POINTS_FORMAT]
  const writeVarUint = (value) => {
    while (value > 0x7f) {
      bytes.push((value % 0x80) | 0x80)
      value = Math.floor(value / 0x80)
    }
    bytes.push(value)
  }
  const writeZigzag = (value) => writeVarUint(value >= 0 ? value * 2 : -value * 2 - 1)

  let previousX = 0
  let previousY = 0
  for (const point of points) {
    const x = Math.round(point.x * 10)
    const y = Math.round(point.y * 10)
    writeZigzag(x - previousX)
    writeZigzag(y - previousY)
    bytes.push(Math.round(Math.min(1, Math.max(0, point.pressure)) * 255))
    previousX = x
    previousY = y
  }
  return Uint8Array.from(bytes)
}

/**
 * Adds a stroke element to `doc` in one transaction and returns its fields.
 *
 * @param {Y.Doc} doc
 * @param {object} stroke
 * @param {string} stroke.id
 * @param {string} stroke.author participant or user id of the creator
 * @param {Array<{x: number, y: number, pressure: number}>} stroke.points
 */
export function addStroke (doc, { id, author, points }) {
  const fields = {
    kind: 'stroke',
    page: 'page-1',
    z: 'a0',
    author,
    created: Date.now(),
    color: '#1f77b4',
    width: 2,
    opacity: 1,
    x: 100,
    y: 50
  }
  const chunk = encodePoints(points)

  doc.transact(() => {
    const element = new Y.Map()
    for (const [key, value] of Object.entries(fields)) element.set(key, value)
    const chunks = new Y.Array()
    chunks.push([chunk])
    element.set('points', chunks)
    doc.getMap(ELEMENTS).set(id, element)
  })
  return { fields, chunk }
}

/** Returns the element `id` of a document as a Y.Map, or undefined. */
export function getElement (doc, id) {
  return doc.getMap(ELEMENTS).get(id)
}

/** Applies a Yjs v1 update (such as GET /board's body) to a new document. */
export function docFromUpdate (update) {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc
}

/** Describes the element ids and any pending (unintegrated) structs of a document. */
export function describeDoc (label, doc) {
  const ids = [...doc.getMap(ELEMENTS).keys()]
  const pending = doc.store.pendingStructs
  const pendingText = pending
    ? `; pending structs that wait for missing updates, as [client, first missing clock]: ${JSON.stringify([...pending.missing])}`
    : ''
  return `${label}: elements [${ids.join(', ')}]${pendingText}`
}

/**
 * One participant's board: a Y.Doc synced through y-websocket's
 * WebsocketProvider, recording every permission-denied message it receives.
 */
export class BoardClient {
  /**
   * @param {object} options
   * @param {string} options.baseUrl the server's http:// URL
   * @param {string} options.code the room code
   * @param {string} options.token a lecturer or participant token
   * @param {string} options.label names this client in error messages
   */
  constructor ({ baseUrl, code, token, label }) {
    this.label = label
    this.doc = new Y.Doc()
    /** @type {string[]} reasons of the permission-denied messages received */
    this.permissionDenied = []
    /** @type {Array<{code: number, reason: string}>} closes reported by the socket */
    this.closes = []
    this.errors = []

    this.provider = new WebsocketProvider(baseUrl.replace(/^http/, 'ws') + '/ws/board', code, this.doc, {
      params: { token },
      WebSocketPolyfill: WebSocket,
      // Both clients run in this process, where BroadcastChannel would sync
      // them directly and hide whatever the server does.
      disableBc: true
    })
    this.awareness = this.provider.awareness

    // Each provider copies the handler table, so this replaces the handler
    // that only calls console.warn, for this client alone.
    this.provider.messageHandlers[messageAuth] = (_encoder, decoder, provider) => {
      authProtocol.readAuthMessage(decoder, provider.doc, (_doc, reason) => {
        this.permissionDenied.push(reason)
        this.provider.emit('permission-denied', [reason])
      })
    }
    this.provider.on('connection-close', (event) => {
      if (event) this.closes.push({ code: event.code, reason: String(event.reason) })
    })
    this.provider.on('connection-error', (event) => {
      this.errors.push(event?.message ?? String(event))
    })
  }

  /** Describes the connection history, for timeout errors. */
  describeConnection () {
    return `${this.label}: connected=${this.provider.wsconnected} synced=${this.provider.synced} ` +
      `closes=${JSON.stringify(this.closes)} errors=${JSON.stringify(this.errors)}`
  }

  /** Resolves once the provider has completed its first sync with the server. */
  waitSynced (diagnose) {
    return waitFor({
      what: `${this.label} to sync with the server`,
      check: () => this.provider.synced,
      subscribe: onEvent(this.provider, 'sync'),
      diagnose: async () => `${this.describeConnection()}\n${diagnose ? await diagnose() : ''}`
    })
  }

  /**
   * Sends a fresh sync step 1 and resolves once the server's sync step 2
   * reply has been applied. This relies on the server handling each
   * connection's frames in order and sending them on one queue, so every
   * update it relayed to this client earlier has been applied too.
   */
  async resync (diagnose) {
    const { provider } = this
    provider.synced = false
    const synced = this.waitSynced(diagnose)

    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, messageSync)
    syncProtocol.writeSyncStep1(encoder, this.doc)
    provider.ws.send(encoding.toUint8Array(encoder))

    await synced
  }

  /**
   * Drops the connection without the goodbye that `disconnect()` sends (an
   * awareness update with a null state), as a closed laptop lid would.
   */
  dropConnection () {
    this.provider.shouldConnect = false
    this.provider.ws.terminate()
  }

  /** Closes the connection and clears every timer the client holds. */
  destroy () {
    this.provider.destroy()
    this.awareness.destroy()
    this.doc.destroy()
  }
}
