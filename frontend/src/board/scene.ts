/**
 * An incremental cache of the board's elements for rendering and picking.
 *
 * `observeDeep` on the `elements` map records which elements changed, and
 * `flush` re-reads only those. Stroke points are decoded again, and the
 * painted path dropped, only when `points`, `width` or `kind` changed, so
 * moving a stroke or recolouring it keeps its decoded geometry.
 */
import * as Y from 'yjs'

import { elementsMap, readElement, type BoardElement, type YElement } from './doc'
import { compareKeys } from './fractional'
import { elementBounds, type Bounds } from './hit'

/** One cached element with its derived geometry. */
export interface SceneElement {
  data: BoardElement
  bounds: Bounds
  /** The painted path, built on first paint; null after a geometry change. */
  path: Path2D | null
}

const GEOMETRY_KEYS = new Set(['points', 'width', 'kind'])

export class Scene {
  readonly elements = new Map<string, SceneElement>()
  private readonly map: Y.Map<YElement>
  /** Changed element ids, mapped to whether their geometry changed. */
  private readonly dirty = new Map<string, boolean>()
  private readonly pageIds = new Map<string, Set<string>>()
  private readonly sortedPages = new Map<string, SceneElement[]>()
  private readonly listeners = new Set<() => void>()
  private readonly observer: (events: Array<Y.YEvent<Y.AbstractType<unknown>>>) => void

  constructor(doc: Y.Doc) {
    this.map = elementsMap(doc)
    this.map.forEach((_, id) => this.dirty.set(id, true))

    this.observer = (events) => {
      for (const event of events) this.recordEvent(event)
      for (const listener of this.listeners) listener()
    }
    this.map.observeDeep(this.observer)
  }

  /** Calls `listener` after every change to the elements; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  destroy(): void {
    this.map.unobserveDeep(this.observer)
    this.listeners.clear()
  }

  /** Returns whether changes are waiting for `flush`. */
  get pending(): boolean {
    return this.dirty.size > 0
  }

  private markDirty(id: string, geometry: boolean): void {
    this.dirty.set(id, (this.dirty.get(id) ?? false) || geometry)
  }

  private recordEvent(event: Y.YEvent<Y.AbstractType<unknown>>): void {
    if (event.target === this.map) {
      for (const id of event.changes.keys.keys()) this.markDirty(id, true)
      return
    }
    // The path runs from the elements map: [id] for a field of the element,
    // [id, 'points'] or [id, 'text'] for its nested types.
    const [id, field] = event.path
    if (typeof id !== 'string') return
    if (field === undefined) {
      let geometry = false
      for (const key of event.changes.keys.keys()) {
        if (GEOMETRY_KEYS.has(key)) geometry = true
      }
      this.markDirty(id, geometry)
    } else {
      this.markDirty(id, field === 'points')
    }
  }

  /**
   * Re-reads the changed elements. Returns the ids of the pages whose
   * elements changed, so the caller can skip repainting other pages.
   */
  flush(): Set<string> {
    const changedPages = new Set<string>()
    for (const [id, geometry] of this.dirty) {
      const previous = this.elements.get(id)
      const yElement = this.map.get(id)
      const data = yElement instanceof Y.Map ? this.read(id, yElement, previous, geometry) : null

      if (previous) {
        changedPages.add(previous.data.page)
        if (!data || data.page !== previous.data.page) this.pageIds.get(previous.data.page)?.delete(id)
        if (!data || data.page !== previous.data.page || data.z !== previous.data.z || data.kind !== previous.data.kind) {
          this.sortedPages.delete(previous.data.page)
        }
      }
      if (!data) {
        this.elements.delete(id)
        continue
      }

      changedPages.add(data.page)
      if (previous) {
        // Update in place, so the sorted page lists keep pointing at it.
        previous.data = data
        previous.bounds = elementBounds(data)
        if (geometry) previous.path = null
      } else {
        this.elements.set(id, { data, bounds: elementBounds(data), path: null })
      }

      let ids = this.pageIds.get(data.page)
      if (!ids) {
        ids = new Set()
        this.pageIds.set(data.page, ids)
      }
      if (!ids.has(id)) {
        ids.add(id)
        this.sortedPages.delete(data.page)
      }
    }
    this.dirty.clear()
    return changedPages
  }

  private read(id: string, yElement: YElement, previous: SceneElement | undefined, geometry: boolean): BoardElement | null {
    if (geometry || !previous) return readElement(id, yElement)
    // Only style or position fields changed, so reuse the decoded points.
    return readElement(id, yElement, previous.data.points)
  }

  /** Returns the number of elements on a page. */
  countOnPage(pageId: string): number {
    return this.pageIds.get(pageId)?.size ?? 0
  }

  /**
   * Returns the elements of a page in paint order: highlighters first, then
   * everything else, each group by ascending `z`, ties broken by id.
   */
  pageElements(pageId: string): SceneElement[] {
    let sorted = this.sortedPages.get(pageId)
    if (sorted) return sorted
    sorted = []
    for (const id of this.pageIds.get(pageId) ?? []) {
      const element = this.elements.get(id)
      if (element) sorted.push(element)
    }
    sorted.sort((a, b) => {
      const highlighterA = a.data.kind === 'highlighter' ? 0 : 1
      const highlighterB = b.data.kind === 'highlighter' ? 0 : 1
      if (highlighterA !== highlighterB) return highlighterA - highlighterB
      return compareKeys(a.data.z, a.data.id, b.data.z, b.data.id)
    })
    this.sortedPages.set(pageId, sorted)
    return sorted
  }
}
