/** Line, arrow, rectangle and ellipse shapes, drawn by dragging. */
import type { BoardContext, Gesture } from '../context'
import { addElement, deleteElements, elementsMap, updateElement, type ElementKind } from '../doc'

type ShapeGesture = Extract<Gesture, { type: 'shape' }>

/** Starts a shape of `kind` with zero size at board point `point`. */
export function startShape(board: BoardContext, kind: ElementKind, point: { x: number; y: number }, pointerId: number): void {
  board.undoManager.stopCapturing()
  const id = addElement(
    board.doc,
    { kind, page: board.page, x: point.x, y: point.y, w: 0, h: 0, color: board.color, width: board.width },
    board.participantId,
    board.localOrigin,
  )
  board.gesture = { type: 'shape', pointerId, id, kind, startX: point.x, startY: point.y }
}

export function updateShape(board: BoardContext, shape: ShapeGesture, x: number, y: number): void {
  const { doc, localOrigin } = board
  // Lines keep their direction in w, h. Boxes are stored normalized.
  if (shape.kind === 'line' || shape.kind === 'arrow') {
    updateElement(doc, shape.id, { w: x - shape.startX, h: y - shape.startY }, localOrigin)
  } else {
    updateElement(
      doc,
      shape.id,
      { x: Math.min(shape.startX, x), y: Math.min(shape.startY, y), w: Math.abs(x - shape.startX), h: Math.abs(y - shape.startY) },
      localOrigin,
    )
  }
}

export function finishShape(board: BoardContext, finished: ShapeGesture): void {
  const entry = elementsMap(board.doc).get(finished.id)
  const w = Number(entry?.get('w') ?? 0)
  const h = Number(entry?.get('h') ?? 0)
  // A click without a drag leaves no zero-size shape behind.
  if (Math.hypot(w, h) * board.viewport.zoom < 2) deleteElements(board.doc, [finished.id], board.localOrigin)
}
