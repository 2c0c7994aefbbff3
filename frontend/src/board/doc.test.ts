import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'

import {
  addElement,
  appendPoints,
  createPage,
  deleteElements,
  elementsMap,
  FIRST_PAGE_ID,
  listPages,
  moveElements,
  movePage,
  pagesMap,
  readElement,
  replacePoints,
  setText,
  updateElement,
} from './doc'

/** Two docs that forward every update to each other, like two synced peers. */
function syncedPair(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc()
  const b = new Y.Doc()
  a.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== 'remote') Y.applyUpdate(b, update, 'remote')
  })
  b.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== 'remote') Y.applyUpdate(a, update, 'remote')
  })
  return [a, b]
}

function undoManager(doc: Y.Doc, origin: unknown): Y.UndoManager {
  return new Y.UndoManager([pagesMap(doc), elementsMap(doc)], { trackedOrigins: new Set([origin]), captureTimeout: 0 })
}

function element(doc: Y.Doc, id: string) {
  const map = elementsMap(doc).get(id)
  return map ? readElement(id, map) : null
}

describe('pages', () => {
  it('lists a virtual first page on an empty board', () => {
    const doc = new Y.Doc()
    expect(listPages(doc)).toEqual([{ id: FIRST_PAGE_ID, title: '', order: 'a0' }])
    expect(pagesMap(doc).size).toBe(0)
  })

  it('writes the first page with the first element', () => {
    const doc = new Y.Doc()
    addElement(doc, { kind: 'rectangle', page: FIRST_PAGE_ID, x: 0, y: 0, w: 10, h: 10 }, 'me', 'local')
    expect(pagesMap(doc).has(FIRST_PAGE_ID)).toBe(true)
  })

  it('adds pages after a given page', () => {
    const doc = new Y.Doc()
    const second = createPage(doc, 'local')
    const third = createPage(doc, 'local')
    const between = createPage(doc, 'local', second)
    expect(listPages(doc).map((page) => page.id)).toEqual([FIRST_PAGE_ID, second, between, third])
  })

  it('moves pages left and right', () => {
    const doc = new Y.Doc()
    const second = createPage(doc, 'local')
    const third = createPage(doc, 'local')
    expect(movePage(doc, third, -1, 'local')).toBe(true)
    expect(listPages(doc).map((page) => page.id)).toEqual([FIRST_PAGE_ID, third, second])
    expect(movePage(doc, third, -1, 'local')).toBe(true)
    expect(listPages(doc).map((page) => page.id)).toEqual([third, FIRST_PAGE_ID, second])
    expect(movePage(doc, third, -1, 'local')).toBe(false)
    expect(movePage(doc, FIRST_PAGE_ID, 1, 'local')).toBe(true)
    expect(listPages(doc).map((page) => page.id)).toEqual([third, second, FIRST_PAGE_ID])
    expect(movePage(doc, FIRST_PAGE_ID, 1, 'local')).toBe(false)
  })
})

describe('elements', () => {
  it('stacks new elements above older ones', () => {
    const doc = new Y.Doc()
    const first = addElement(doc, { kind: 'line', page: 'p', x: 0, y: 0 }, 'me', 'local')
    const second = addElement(doc, { kind: 'line', page: 'p', x: 0, y: 0 }, 'me', 'local')
    const other = addElement(doc, { kind: 'line', page: 'q', x: 0, y: 0 }, 'me', 'local')
    expect(element(doc, second)!.z > element(doc, first)!.z).toBe(true)
    expect(element(doc, other)!.z).toBe('a0')
  })

  it('reads back every field', () => {
    const doc = new Y.Doc()
    const id = addElement(
      doc,
      { kind: 'rectangle', page: 'p', x: 1, y: 2, w: 3, h: 4, color: '#ff0000', width: 5, opacity: 0.5, fill: '#00ff00' },
      'me',
      'local',
    )
    expect(element(doc, id)).toMatchObject({
      id,
      kind: 'rectangle',
      page: 'p',
      author: 'me',
      color: '#ff0000',
      width: 5,
      opacity: 0.5,
      fill: '#00ff00',
      x: 1,
      y: 2,
      w: 3,
      h: 4,
      rotation: 0,
    })
  })

  it('grows a stroke by appended chunks', () => {
    const doc = new Y.Doc()
    const id = addElement(doc, { kind: 'stroke', page: 'p', x: 10, y: 10, points: [{ x: 0, y: 0, pressure: 0.5 }] }, 'me', 'local')
    appendPoints(doc, id, [{ x: 1, y: 1, pressure: 0.5 }, { x: 2, y: 3, pressure: 1 }], 'local')
    const points = element(doc, id)!.points
    expect(points.map((point) => [point.x, point.y])).toEqual([[0, 0], [1, 1], [2, 3]])
    const chunks = elementsMap(doc).get(id)!.get('points') as Y.Array<Uint8Array>
    expect(chunks.length).toBe(2)
    expect(chunks.get(0)).toBeInstanceOf(Uint8Array)

    replacePoints(doc, id, [{ x: 5, y: 5, pressure: 1 }], 'local')
    expect(chunks.length).toBe(1)
    expect(element(doc, id)!.points).toEqual([{ x: 5, y: 5, pressure: 1 }])
  })

  it('updates, moves and deletes', () => {
    const doc = new Y.Doc()
    const id = addElement(doc, { kind: 'rectangle', page: 'p', x: 0, y: 0, w: 5, h: 5, fill: '#000000' }, 'me', 'local')
    updateElement(doc, id, { color: '#123456', fill: null }, 'local')
    moveElements(doc, [id], 3, -4, 'local')
    expect(element(doc, id)).toMatchObject({ color: '#123456', fill: null, x: 3, y: -4 })
    deleteElements(doc, [id, 'unknown'], 'local')
    expect(element(doc, id)).toBeNull()
  })

  it('edits text minimally so concurrent edits merge', () => {
    const [a, b] = syncedPair()
    const id = addElement(a, { kind: 'text', page: 'p', x: 0, y: 0, text: 'hello world' }, 'me', 'a')
    const textA = elementsMap(a).get(id)!.get('text') as Y.Text
    const textB = elementsMap(b).get(id)!.get('text') as Y.Text
    expect(textB.toString()).toBe('hello world')

    // Apply both edits offline, then exchange updates.
    const beforeA = Y.encodeStateVector(a)
    const beforeB = Y.encodeStateVector(b)
    const offlineA = new Y.Doc()
    const offlineB = new Y.Doc()
    Y.applyUpdate(offlineA, Y.encodeStateAsUpdate(a))
    Y.applyUpdate(offlineB, Y.encodeStateAsUpdate(b))
    setText(elementsMap(offlineA).get(id)!.get('text') as Y.Text, 'Hello world', 'a')
    setText(elementsMap(offlineB).get(id)!.get('text') as Y.Text, 'hello world!', 'b')
    Y.applyUpdate(a, Y.encodeStateAsUpdate(offlineA, beforeA), 'remote')
    Y.applyUpdate(a, Y.encodeStateAsUpdate(offlineB, beforeB), 'remote')
    // Updates applied as 'remote' are not forwarded, so give b both as well.
    Y.applyUpdate(b, Y.encodeStateAsUpdate(offlineA, beforeA), 'remote')
    Y.applyUpdate(b, Y.encodeStateAsUpdate(offlineB, beforeB), 'remote')
    expect(textA.toString()).toBe('Hello world!')
    expect(textB.toString()).toBe('Hello world!')
  })
})

describe('undo', () => {
  it('undoes only its own changes', () => {
    const [a, b] = syncedPair()
    const undoA = undoManager(a, 'local')
    const undoB = undoManager(b, 'local')

    const mine = addElement(a, { kind: 'stroke', page: 'p', x: 0, y: 0, points: [{ x: 1, y: 1, pressure: 1 }] }, 'alice', 'local')
    const theirs = addElement(b, { kind: 'rectangle', page: 'p', x: 0, y: 0, w: 4, h: 4 }, 'bob', 'local')
    expect(elementsMap(a).size).toBe(2)
    expect(elementsMap(b).size).toBe(2)

    undoA.undo()
    expect(element(a, mine)).toBeNull()
    expect(element(a, theirs)).not.toBeNull()
    expect(element(b, mine)).toBeNull()
    expect(element(b, theirs)).not.toBeNull()

    undoA.redo()
    expect(element(b, mine)).not.toBeNull()

    undoB.undo()
    expect(element(a, theirs)).toBeNull()
    expect(element(a, mine)).not.toBeNull()
  })

  it('undoes a move without touching a peer edit', () => {
    const [a, b] = syncedPair()
    const undoA = undoManager(a, 'local')
    const id = addElement(a, { kind: 'rectangle', page: 'p', x: 0, y: 0, w: 4, h: 4 }, 'alice', 'local')
    undoA.clear()

    moveElements(a, [id], 10, 10, 'local')
    updateElement(b, id, { color: '#ff0000' }, 'local')
    undoA.undo()
    expect(element(b, id)).toMatchObject({ x: 0, y: 0, color: '#ff0000' })
  })

  it('ignores edits made under another origin', () => {
    const doc = new Y.Doc()
    const undo = undoManager(doc, 'local')
    addElement(doc, { kind: 'line', page: 'p', x: 0, y: 0 }, 'me', 'remote')
    expect(undo.canUndo()).toBe(false)
  })
})
