/**
 * Pen and highlighter strokes. Points gathered during a frame go out to the
 * document as one chunk.
 */
import type { BoardContext } from '../context'
import { addElement, appendPoints } from '../doc'
import { scheduleFrame } from '../frame'
import { boardPoint } from '../geometry'
import { DEFAULT_PRESSURE, HIGHLIGHTER_OPACITY } from '../paint'
import type { Point } from '../points'

/** Minimum distance between stored stroke points, in CSS pixels. */
const MIN_POINT_DISTANCE_PX = 1

export function flushStroke(board: BoardContext): void {
  const gesture = board.gesture
  if (gesture?.type !== 'stroke' || gesture.pending.length === 0) return
  const points = gesture.pending
  gesture.pending = []
  appendPoints(board.doc, gesture.id, points, board.localOrigin)
}

export function pressureOf(event: PointerEvent): number {
  return event.pointerType === 'pen' && event.pressure > 0 ? event.pressure : DEFAULT_PRESSURE
}

export function highlighterWidth(base: number): number {
  return Math.max(12, base * 4)
}

/** Starts a pen or highlighter stroke at board point `point`. */
export function startStroke(board: BoardContext, event: PointerEvent, point: { x: number; y: number }, pointerId: number): void {
  const { doc, localOrigin, width } = board
  const first: Point = { x: 0, y: 0, pressure: pressureOf(event) }
  board.undoManager.stopCapturing()
  const highlighter = board.tool === 'highlighter'
  const id = addElement(
    doc,
    {
      kind: highlighter ? 'highlighter' : 'stroke',
      page: board.page,
      x: point.x,
      y: point.y,
      color: board.color,
      width: highlighter ? highlighterWidth(width) : width,
      opacity: highlighter ? HIGHLIGHTER_OPACITY : 1,
      points: [first],
    },
    board.participantId,
    localOrigin,
  )
  board.gesture = { type: 'stroke', pointerId, id, originX: point.x, originY: point.y, pending: [], last: first }
}

/** Adds the samples of a pointer move, including coalesced ones, to the stroke. */
export function continueStroke(board: BoardContext, event: PointerEvent): void {
  const samples = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : []
  for (const sample of samples.length > 0 ? samples : [event]) addStrokePoint(board, boardPoint(board, sample), pressureOf(sample))
  scheduleFrame(board)
}

function addStrokePoint(board: BoardContext, point: { x: number; y: number }, pressure: number): void {
  const gesture = board.gesture
  if (gesture?.type !== 'stroke') return
  const relative: Point = { x: point.x - gesture.originX, y: point.y - gesture.originY, pressure }
  const minimum = MIN_POINT_DISTANCE_PX / board.viewport.zoom
  if (Math.hypot(relative.x - gesture.last.x, relative.y - gesture.last.y) < minimum) return
  gesture.pending.push(relative)
  gesture.last = relative
}
