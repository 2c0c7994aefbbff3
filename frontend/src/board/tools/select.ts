/**
 * The select tool: click or box selection, moving, resizing by the corner
 * handles, and painting the selection on the overlay.
 */
import type { BoardContext, Gesture } from '../context'
import { moveElements, replacePoints, updateElement, type BoardElement } from '../doc'
import { flushScene, scheduleFrame } from '../frame'
import { pick, selectionBounds } from '../geometry'
import type { Bounds } from '../hit'
import { boardToScreen } from '../viewport'

/** Side of a resize handle, in CSS pixels. */
const HANDLE_SIZE_PX = 8

type Corner = 'nw' | 'ne' | 'se' | 'sw'

/** Returns the selection handle under a surface point, with its opposite corner. */
function pickHandle(board: BoardContext, sx: number, sy: number): { corner: Corner; bounds: Bounds } | null {
  const bounds = selectionBounds(board)
  if (!bounds) return null
  const corners: Array<[Corner, number, number]> = [
    ['nw', bounds.minX, bounds.minY],
    ['ne', bounds.maxX, bounds.minY],
    ['se', bounds.maxX, bounds.maxY],
    ['sw', bounds.minX, bounds.maxY],
  ]
  for (const [corner, x, y] of corners) {
    const at = boardToScreen(board.viewport, board.size, x, y)
    if (Math.abs(at.x - sx) <= HANDLE_SIZE_PX && Math.abs(at.y - sy) <= HANDLE_SIZE_PX) return { corner, bounds }
  }
  return null
}

/**
 * Starts a resize on a handle at surface point (sx, sy), else a move of the
 * element at board point `point`, else a box selection.
 */
export function startSelect(board: BoardContext, event: PointerEvent, sx: number, sy: number, point: { x: number; y: number }, pointerId: number): void {
  const { selection } = board
  const handle = pickHandle(board, sx, sy)
  if (handle) {
    const { bounds, corner } = handle
    const anchorX = corner === 'nw' || corner === 'sw' ? bounds.maxX : bounds.minX
    const anchorY = corner === 'nw' || corner === 'ne' ? bounds.maxY : bounds.minY
    const cornerX = corner === 'nw' || corner === 'sw' ? bounds.minX : bounds.maxX
    const cornerY = corner === 'nw' || corner === 'ne' ? bounds.minY : bounds.maxY
    const originals = [...selection].map((id) => board.scene.elements.get(id)?.data).filter((data): data is BoardElement => data !== undefined)
    board.undoManager.stopCapturing()
    board.gesture = { type: 'resize', pointerId, anchorX, anchorY, cornerX, cornerY, originals }
  } else {
    const hit = pick(board, point.x, point.y)
    if (hit) {
      if (event.shiftKey) {
        if (selection.has(hit.data.id)) selection.delete(hit.data.id)
        else selection.add(hit.data.id)
      } else if (!selection.has(hit.data.id)) {
        selection.clear()
        selection.add(hit.data.id)
      }
      board.undoManager.stopCapturing()
      board.gesture = { type: 'move', pointerId, lastX: point.x, lastY: point.y, moved: false }
    } else {
      if (!event.shiftKey) selection.clear()
      board.gesture = { type: 'box', pointerId, startX: point.x, startY: point.y, endX: point.x, endY: point.y, additive: event.shiftKey }
    }
  }
  board.overlayDirty = true
  scheduleFrame(board)
}

export function moveSelection(board: BoardContext, gesture: Extract<Gesture, { type: 'move' }>, point: { x: number; y: number }): void {
  const dx = point.x - gesture.lastX
  const dy = point.y - gesture.lastY
  gesture.lastX = point.x
  gesture.lastY = point.y
  if (dx !== 0 || dy !== 0) {
    gesture.moved = true
    moveElements(board.doc, board.selection, dx, dy, board.localOrigin)
  }
}

export function resizeSelection(board: BoardContext, resize: Extract<Gesture, { type: 'resize' }>, x: number, y: number): void {
  const { doc, localOrigin } = board
  const spanX = resize.cornerX - resize.anchorX
  const spanY = resize.cornerY - resize.anchorY
  const scaleX = spanX === 0 ? 1 : nonZero((x - resize.anchorX) / spanX)
  const scaleY = spanY === 0 ? 1 : nonZero((y - resize.anchorY) / spanY)
  const mapX = (value: number): number => resize.anchorX + (value - resize.anchorX) * scaleX
  const mapY = (value: number): number => resize.anchorY + (value - resize.anchorY) * scaleY

  doc.transact(() => {
    for (const original of resize.originals) {
      if (original.kind === 'stroke' || original.kind === 'highlighter') {
        updateElement(doc, original.id, { x: mapX(original.x), y: mapY(original.y) }, localOrigin)
        const scaled = original.points.map((p) => ({ x: p.x * scaleX, y: p.y * scaleY, pressure: p.pressure }))
        replacePoints(doc, original.id, scaled, localOrigin)
      } else {
        updateElement(doc, original.id, { x: mapX(original.x), y: mapY(original.y), w: original.w * scaleX, h: original.h * scaleY }, localOrigin)
      }
    }
  }, localOrigin)
}

function nonZero(scale: number): number {
  if (Math.abs(scale) >= 0.01) return scale
  return scale < 0 ? -0.01 : 0.01
}

export function updateBox(board: BoardContext, gesture: Extract<Gesture, { type: 'box' }>, point: { x: number; y: number }): void {
  gesture.endX = point.x
  gesture.endY = point.y
  board.overlayDirty = true
  scheduleFrame(board)
}

/** Adds every element inside the finished box to the selection. */
export function finishBox(board: BoardContext, finished: Extract<Gesture, { type: 'box' }>): void {
  flushScene(board)
  const box: Bounds = {
    minX: Math.min(finished.startX, finished.endX),
    minY: Math.min(finished.startY, finished.endY),
    maxX: Math.max(finished.startX, finished.endX),
    maxY: Math.max(finished.startY, finished.endY),
  }
  for (const entry of board.scene.pageElements(board.page)) {
    const bounds = entry.bounds
    if (bounds.minX >= box.minX && bounds.maxX <= box.maxX && bounds.minY >= box.minY && bounds.maxY <= box.maxY) board.selection.add(entry.data.id)
  }
}

/** Paints the selection box with its resize handles, and the rubber band of a box selection. */
export function paintSelection(board: BoardContext, ctx: CanvasRenderingContext2D): void {
  const { viewport, size, gesture } = board

  // Selection box and resize handles.
  const selected = selectionBounds(board)
  if (selected) {
    const topLeft = boardToScreen(viewport, size, selected.minX, selected.minY)
    const bottomRight = boardToScreen(viewport, size, selected.maxX, selected.maxY)
    ctx.strokeStyle = '#1d4ed8'
    ctx.lineWidth = 1
    ctx.setLineDash([4, 3])
    ctx.strokeRect(topLeft.x, topLeft.y, bottomRight.x - topLeft.x, bottomRight.y - topLeft.y)
    ctx.setLineDash([])
    ctx.fillStyle = '#ffffff'
    for (const [x, y] of [
      [topLeft.x, topLeft.y],
      [bottomRight.x, topLeft.y],
      [bottomRight.x, bottomRight.y],
      [topLeft.x, bottomRight.y],
    ]) {
      ctx.fillRect(x - HANDLE_SIZE_PX / 2, y - HANDLE_SIZE_PX / 2, HANDLE_SIZE_PX, HANDLE_SIZE_PX)
      ctx.strokeRect(x - HANDLE_SIZE_PX / 2, y - HANDLE_SIZE_PX / 2, HANDLE_SIZE_PX, HANDLE_SIZE_PX)
    }
  }

  // Rubber band of a box selection.
  if (gesture?.type === 'box') {
    const start = boardToScreen(viewport, size, gesture.startX, gesture.startY)
    const end = boardToScreen(viewport, size, gesture.endX, gesture.endY)
    ctx.fillStyle = 'rgba(29, 78, 216, 0.08)'
    ctx.strokeStyle = '#1d4ed8'
    ctx.fillRect(start.x, start.y, end.x - start.x, end.y - start.y)
    ctx.strokeRect(start.x, start.y, end.x - start.x, end.y - start.y)
  }
}
