/** The eraser: deletes every element its path touches. */
import type { BoardContext, Gesture } from '../context'
import { deleteElements } from '../doc'
import { boundsIntersect, hitTestSegment, type Bounds } from '../hit'

/** Eraser radius, in CSS pixels. */
const ERASER_RADIUS_PX = 8

export function startErase(board: BoardContext, point: { x: number; y: number }, pointerId: number): void {
  board.undoManager.stopCapturing()
  board.gesture = { type: 'erase', pointerId, lastX: point.x, lastY: point.y, erased: new Set() }
  eraseAlong(board, point.x, point.y, point.x, point.y)
}

export function continueErase(board: BoardContext, gesture: Extract<Gesture, { type: 'erase' }>, point: { x: number; y: number }): void {
  eraseAlong(board, gesture.lastX, gesture.lastY, point.x, point.y)
  gesture.lastX = point.x
  gesture.lastY = point.y
}

function eraseAlong(board: BoardContext, ax: number, ay: number, bx: number, by: number): void {
  const gesture = board.gesture
  if (gesture?.type !== 'erase') return
  const radius = ERASER_RADIUS_PX / board.viewport.zoom
  const sweep: Bounds = { minX: Math.min(ax, bx) - radius, minY: Math.min(ay, by) - radius, maxX: Math.max(ax, bx) + radius, maxY: Math.max(ay, by) + radius }
  const hits: string[] = []
  for (const entry of board.scene.pageElements(board.page)) {
    if (gesture.erased.has(entry.data.id) || !boundsIntersect(entry.bounds, sweep)) continue
    if (hitTestSegment(entry.data, ax, ay, bx, by, radius)) hits.push(entry.data.id)
  }
  if (hits.length === 0) return
  for (const id of hits) gesture.erased.add(id)
  deleteElements(board.doc, hits, board.localOrigin)
}
