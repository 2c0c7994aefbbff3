/**
 * Geometry helpers: surface-to-board points, the selection's bounds and
 * picking the element under a point.
 */
import type { BoardContext } from './context'
import { hitTest, unionBounds, type Bounds } from './hit'
import type { SceneElement } from './scene'
import { screenToBoard } from './viewport'

/** Pick tolerance, in CSS pixels. */
const PICK_TOLERANCE_PX = 4

export function boardPoint(board: BoardContext, event: MouseEvent): { x: number; y: number } {
  const rect = board.surface.getBoundingClientRect()
  return screenToBoard(board.viewport, board.size, event.clientX - rect.left, event.clientY - rect.top)
}

export function selectionBounds(board: BoardContext): Bounds | null {
  const bounds: Bounds[] = []
  for (const id of board.selection) {
    const entry = board.scene.elements.get(id)
    if (entry) bounds.push(entry.bounds)
  }
  return unionBounds(bounds)
}

export function pruneSelection(board: BoardContext): void {
  for (const id of board.selection) {
    const entry = board.scene.elements.get(id)
    if (!entry || entry.data.page !== board.page) board.selection.delete(id)
  }
}

/** Returns the topmost element under a board point, or null. */
export function pick(board: BoardContext, x: number, y: number): SceneElement | null {
  const tolerance = PICK_TOLERANCE_PX / board.viewport.zoom
  const elements = board.scene.pageElements(board.page)
  for (let i = elements.length - 1; i >= 0; i--) {
    if (hitTest(elements[i].data, x, y, tolerance)) return elements[i]
  }
  return null
}
