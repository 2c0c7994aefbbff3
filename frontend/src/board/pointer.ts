/** Pointer input on the surface, dispatched to the current tool. */
import type { BoardContext } from './context'
import { flushScene, scheduleFrame, setAwareness, updateToolbar } from './frame'
import { boardPoint, pick } from './geometry'
import { continuePan } from './navigation'
import { continueErase, startErase } from './tools/eraser'
import { continueStroke, flushStroke, startStroke } from './tools/freehand'
import { publishLaser, startLaser } from './tools/laser'
import { finishBox, moveSelection, resizeSelection, startSelect, updateBox } from './tools/select'
import { finishShape, startShape, updateShape } from './tools/shapes'
import { startText, startTextEdit } from './tools/text'

export function onPointerDown(board: BoardContext, event: PointerEvent): void {
  const { surface, tool } = board
  if (board.gesture) return
  // Picking and erasing must see changes that arrived since the last frame.
  flushScene(board)
  const pointerId = event.pointerId ?? 1
  const rect = surface.getBoundingClientRect()
  const sx = event.clientX - rect.left
  const sy = event.clientY - rect.top
  const point = boardPoint(board, event)
  surface.focus({ preventScroll: true })

  if (event.button === 1 || (event.button === 0 && (board.spaceHeld || tool === 'pan'))) {
    event.preventDefault()
    board.gesture = { type: 'pan', pointerId, lastX: event.clientX, lastY: event.clientY }
  } else if (event.button !== 0) {
    return
  } else if (tool === 'laser') {
    startLaser(board, point, pointerId)
  } else if (!board.canDraw) {
    return
  } else if (tool === 'pen' || tool === 'highlighter') {
    startStroke(board, event, point, pointerId)
  } else if (tool === 'eraser') {
    startErase(board, point, pointerId)
  } else if (tool === 'line' || tool === 'arrow' || tool === 'rectangle' || tool === 'ellipse') {
    startShape(board, tool, point, pointerId)
  } else if (tool === 'text') {
    startText(board, point)
    event.preventDefault()
    return
  } else if (tool === 'select') {
    startSelect(board, event, sx, sy, point, pointerId)
  }

  if (board.gesture) {
    event.preventDefault()
    try {
      surface.setPointerCapture(pointerId)
    } catch {
      // Synthetic events have no active pointer to capture.
    }
  }
}

export function onPointerMove(board: BoardContext, event: PointerEvent): void {
  const point = boardPoint(board, event)
  setAwareness(board, 'cursor', { x: point.x, y: point.y })
  if (board.tool === 'laser' && !board.gesture) publishLaser(board, point)
  const gesture = board.gesture
  if (!gesture || (event.pointerId ?? 1) !== gesture.pointerId) return

  switch (gesture.type) {
    case 'pan':
      continuePan(board, gesture, event)
      break
    case 'laser':
      publishLaser(board, point)
      break
    case 'stroke':
      continueStroke(board, event)
      break
    case 'erase':
      continueErase(board, gesture, point)
      break
    case 'shape':
      updateShape(board, gesture, point.x, point.y)
      break
    case 'move':
      moveSelection(board, gesture, point)
      break
    case 'resize':
      resizeSelection(board, gesture, point.x, point.y)
      break
    case 'box':
      updateBox(board, gesture, point)
      break
  }
}

export function onPointerUp(board: BoardContext, event: PointerEvent): void {
  if (!board.gesture || (event.pointerId ?? 1) !== board.gesture.pointerId) return
  const finished = board.gesture
  if (finished.type === 'stroke') flushStroke(board)
  board.gesture = null

  if (finished.type === 'shape') {
    finishShape(board, finished)
  } else if (finished.type === 'box') {
    finishBox(board, finished)
  } else if (finished.type === 'laser') {
    setAwareness(board, 'laser', null)
  }
  board.undoManager.stopCapturing()
  board.overlayDirty = true
  scheduleFrame(board)
  updateToolbar(board)
}

export function onDoubleClick(board: BoardContext, event: MouseEvent): void {
  if (!board.canDraw || board.tool !== 'select') return
  const point = boardPoint(board, event)
  const hit = pick(board, point.x, point.y)
  if (hit?.data.kind === 'text') startTextEdit(board, hit.data.id)
}

export function onPointerLeave(board: BoardContext): void {
  setAwareness(board, 'cursor', null)
  if (board.tool === 'laser' && board.gesture?.type !== 'laser') setAwareness(board, 'laser', null)
}
