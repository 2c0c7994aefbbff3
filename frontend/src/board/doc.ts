/**
 * Typed helpers over the board Y.Doc. The schema is documented in
 * crates/lectern-board/src/schema.rs: root maps `pages` and `elements`, each
 * entry a nested Y.Map.
 *
 * Every helper that writes runs in `doc.transact(fn, origin)`, so a
 * `Y.UndoManager` tracking that origin can undo the edit, and nested calls
 * join the caller's transaction.
 */
import * as Y from 'yjs'

import { compareKeys, generateKeyBetween } from './fractional'
import { decodeChunks, encodePoints, type Point } from './points'

export const PAGES = 'pages'
export const ELEMENTS = 'elements'

export const ELEMENT_KINDS = [
  'stroke',
  'highlighter',
  'line',
  'arrow',
  'rectangle',
  'ellipse',
  'text',
  'image',
  'video',
] as const

export type ElementKind = (typeof ELEMENT_KINDS)[number]

/**
 * Id of the page shown while the `pages` map is empty. It is fixed, so
 * clients that draw on an empty board at the same time write the same page
 * entry instead of creating one page each.
 */
export const FIRST_PAGE_ID = 'page-1'

/** A page entry, read from its Y.Map. */
export interface PageInfo {
  id: string
  title: string
  order: string
}

/** Style and geometry fields that an edit may change. */
export interface ElementFields {
  page: string
  z: string
  color: string
  /** Stroke width in board units; for text, the size step of the font. */
  width: number
  opacity: number
  fill: string | null
  x: number
  y: number
  /** Size; for a line or arrow, the vector from start to end. */
  w: number
  h: number
  /** Rotation in radians about the centre of the x, y, w, h box. */
  rotation: number
  media: string | null
}

/** A read-only snapshot of one element. */
export interface BoardElement extends ElementFields {
  id: string
  kind: ElementKind
  author: string
  created: number
  /** Stroke points relative to x, y; empty for other kinds. */
  points: Point[]
  /** Text content; empty for other kinds. */
  text: string
}

/** Properties of a new element; missing style fields take defaults. */
export interface NewElement extends Partial<ElementFields> {
  kind: ElementKind
  page: string
  x: number
  y: number
  points?: Point[]
  text?: string
}

export type YElement = Y.Map<unknown>

export function pagesMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap(PAGES)
}

export function elementsMap(doc: Y.Doc): Y.Map<YElement> {
  return doc.getMap(ELEMENTS)
}

/** Returns a random id of 12 base-36 characters (about 62 bits). */
export function newId(): string {
  const bytes = new Uint8Array(12)
  crypto.getRandomValues(bytes)
  let id = ''
  for (const byte of bytes) id += (byte % 36).toString(36)
  return id
}

function readString(map: Y.Map<unknown>, key: string, fallback: string): string {
  const value = map.get(key)
  return typeof value === 'string' ? value : fallback
}

function readNumber(map: Y.Map<unknown>, key: string, fallback: number): number {
  const value = map.get(key)
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}

/**
 * Lists pages sorted by `order`, then id. An empty board lists one page,
 * `FIRST_PAGE_ID`, which is written to the document with its first element.
 */
export function listPages(doc: Y.Doc): PageInfo[] {
  const pages: PageInfo[] = []
  pagesMap(doc).forEach((page, id) => {
    if (!(page instanceof Y.Map)) return
    pages.push({ id, title: readString(page, 'title', ''), order: readString(page, 'order', 'a0') })
  })
  if (pages.length === 0) return [{ id: FIRST_PAGE_ID, title: '', order: 'a0' }]
  pages.sort((a, b) => compareKeys(a.order, a.id, b.order, b.id))
  return pages
}

/** Writes the page entry for `FIRST_PAGE_ID` when the board has no pages yet. */
function ensurePageExists(doc: Y.Doc, pageId: string): void {
  const pages = pagesMap(doc)
  if (pages.has(pageId) || pageId !== FIRST_PAGE_ID || pages.size > 0) return
  const page = new Y.Map<unknown>()
  pages.set(pageId, page)
  page.set('title', '')
  page.set('order', 'a0')
}

/**
 * Creates a page after `afterPageId` (or at the end) and returns its id.
 */
export function createPage(doc: Y.Doc, origin: unknown, afterPageId?: string, title = ''): string {
  const id = newId()
  doc.transact(() => {
    const existing = listPages(doc)
    ensurePageExists(doc, existing[0].id)

    const index = afterPageId ? existing.findIndex((page) => page.id === afterPageId) : -1
    const before = index >= 0 ? existing[index] : existing[existing.length - 1]
    const after = index >= 0 ? existing[index + 1] : undefined
    const order = generateKeyBetween(before.order, after?.order ?? null)

    const page = new Y.Map<unknown>()
    pagesMap(doc).set(id, page)
    page.set('title', title)
    page.set('order', order)
  }, origin)
  return id
}

/**
 * Moves a page one place left (`-1`) or right (`+1`) by rewriting its
 * `order`. Returns false when the page is already at that end.
 */
export function movePage(doc: Y.Doc, pageId: string, offset: -1 | 1, origin: unknown): boolean {
  const pages = listPages(doc)
  const index = pages.findIndex((page) => page.id === pageId)
  const target = index + offset
  if (index < 0 || target < 0 || target >= pages.length) return false

  // The new key goes between the neighbour we pass and the one beyond it.
  const low = offset < 0 ? pages[target - 1] : pages[target]
  const high = offset < 0 ? pages[target] : pages[target + 1]
  let order: string
  if (low && high && low.order === high.order) {
    // Two pages created concurrently share a key, so there is no key
    // strictly between them. Going below or above both is the closest order.
    if (offset < 0) order = generateKeyBetween(pages[target - 2]?.order ?? null, low.order)
    else order = generateKeyBetween(high.order, pages[target + 2]?.order ?? null)
  } else {
    order = generateKeyBetween(low?.order ?? null, high?.order ?? null)
  }

  doc.transact(() => {
    ensurePageExists(doc, pageId)
    pagesMap(doc).get(pageId)?.set('order', order)
  }, origin)
  return true
}

/** Returns the highest `z` among the elements of a page, or null if it has none. */
export function topZ(doc: Y.Doc, pageId: string): string | null {
  let top: string | null = null
  elementsMap(doc).forEach((element) => {
    if (readString(element, 'page', '') !== pageId) return
    const z = readString(element, 'z', '')
    if (z && (top === null || z > top)) top = z
  })
  return top
}

/**
 * Adds an element above all others on its page and returns its id.
 * Strokes and highlighters get a `points` array, holding `points` as the
 * first chunk when given. Text gets a Y.Text.
 */
export function addElement(doc: Y.Doc, props: NewElement, author: string, origin: unknown): string {
  const id = newId()
  doc.transact(() => {
    ensurePageExists(doc, props.page)
    const element = new Y.Map<unknown>()
    elementsMap(doc).set(id, element)

    element.set('kind', props.kind)
    element.set('page', props.page)
    element.set('z', props.z ?? generateKeyBetween(topZ(doc, props.page), null))
    element.set('author', author)
    element.set('created', Date.now())
    element.set('color', props.color ?? '#1f2937')
    element.set('width', props.width ?? 3)
    element.set('opacity', props.opacity ?? 1)
    if (props.fill) element.set('fill', props.fill)
    element.set('x', props.x)
    element.set('y', props.y)
    element.set('w', props.w ?? 0)
    element.set('h', props.h ?? 0)
    element.set('rotation', props.rotation ?? 0)
    if (props.media) element.set('media', props.media)

    if (props.kind === 'stroke' || props.kind === 'highlighter') {
      const points = new Y.Array<Uint8Array>()
      element.set('points', points)
      if (props.points && props.points.length > 0) points.push([encodePoints(props.points)])
    }
    if (props.kind === 'text') {
      const text = new Y.Text()
      element.set('text', text)
      if (props.text) text.insert(0, props.text)
    }
  }, origin)
  return id
}

/** Sets the given fields of an element; `null` removes `fill` or `media`. */
export function updateElement(doc: Y.Doc, id: string, patch: Partial<ElementFields>, origin: unknown): void {
  const element = elementsMap(doc).get(id)
  if (!element) return
  doc.transact(() => {
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue
      if (value === null) element.delete(key)
      else if (element.get(key) !== value) element.set(key, value)
    }
  }, origin)
}

/** Moves elements by dx, dy board units in one transaction. */
export function moveElements(doc: Y.Doc, ids: Iterable<string>, dx: number, dy: number, origin: unknown): void {
  const elements = elementsMap(doc)
  doc.transact(() => {
    for (const id of ids) {
      const element = elements.get(id)
      if (!element) continue
      element.set('x', readNumber(element, 'x', 0) + dx)
      element.set('y', readNumber(element, 'y', 0) + dy)
    }
  }, origin)
}

/** Deletes elements in one transaction; unknown ids are ignored. */
export function deleteElements(doc: Y.Doc, ids: Iterable<string>, origin: unknown): void {
  const elements = elementsMap(doc)
  doc.transact(() => {
    for (const id of ids) elements.delete(id)
  }, origin)
}

/** Appends one chunk of points to a stroke or highlighter. */
export function appendPoints(doc: Y.Doc, id: string, points: readonly Point[], origin: unknown): void {
  if (points.length === 0) return
  const array = elementsMap(doc).get(id)?.get('points')
  if (!(array instanceof Y.Array)) return
  doc.transact(() => array.push([encodePoints(points)]), origin)
}

/** Replaces all points of a stroke with one chunk, as a resize does. */
export function replacePoints(doc: Y.Doc, id: string, points: readonly Point[], origin: unknown): void {
  const array = elementsMap(doc).get(id)?.get('points')
  if (!(array instanceof Y.Array)) return
  doc.transact(() => {
    array.delete(0, array.length)
    if (points.length > 0) array.push([encodePoints(points)])
  }, origin)
}

/**
 * Replaces the content of a Y.Text with `value`, editing only the changed
 * middle so that a peer's concurrent edit elsewhere in the text survives.
 */
export function setText(text: Y.Text, value: string, origin: unknown): void {
  const current = text.toString()
  if (current === value) return
  let start = 0
  while (start < current.length && start < value.length && current[start] === value[start]) start++
  let endCurrent = current.length
  let endValue = value.length
  while (endCurrent > start && endValue > start && current[endCurrent - 1] === value[endValue - 1]) {
    endCurrent--
    endValue--
  }
  const apply = (): void => {
    if (endCurrent > start) text.delete(start, endCurrent - start)
    if (endValue > start) text.insert(start, value.slice(start, endValue))
  }
  if (text.doc) text.doc.transact(apply, origin)
  else apply()
}

function readTextValue(value: unknown): string {
  if (value instanceof Y.Text) return value.toString()
  if (typeof value === 'string') return value
  return ''
}

function isElementKind(value: unknown): value is ElementKind {
  return typeof value === 'string' && (ELEMENT_KINDS as readonly string[]).includes(value)
}

/**
 * Reads an element into a snapshot, or returns null when its `kind` is
 * missing or unknown (a newer client's element, or a half-synced one).
 * `decodedPoints`, when given, replaces decoding the `points` array.
 */
export function readElement(id: string, element: YElement, decodedPoints?: Point[]): BoardElement | null {
  const kind = element.get('kind')
  if (!isElementKind(kind)) return null

  const pointsArray = element.get('points')
  const textValue = element.get('text')
  const fill = element.get('fill')
  const media = element.get('media')
  return {
    id,
    kind,
    page: readString(element, 'page', ''),
    z: readString(element, 'z', ''),
    author: readString(element, 'author', ''),
    created: readNumber(element, 'created', 0),
    color: readString(element, 'color', '#1f2937'),
    width: readNumber(element, 'width', 3),
    opacity: readNumber(element, 'opacity', 1),
    fill: typeof fill === 'string' ? fill : null,
    x: readNumber(element, 'x', 0),
    y: readNumber(element, 'y', 0),
    w: readNumber(element, 'w', 0),
    h: readNumber(element, 'h', 0),
    rotation: readNumber(element, 'rotation', 0),
    media: typeof media === 'string' ? media : null,
    points: decodedPoints ?? (pointsArray instanceof Y.Array ? decodeChunks(pointsArray.toArray()) : []),
    text: readTextValue(textValue),
  }
}
