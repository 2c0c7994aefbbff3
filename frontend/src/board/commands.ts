/**
 * Commands from the toolbar and keyboard: undo and redo, tool choice,
 * colour and width, and abandoning the gesture in progress.
 */
import type { BoardContext } from './context'
import { updateElement } from './doc'
import { scheduleFrame, setAwareness, updateToolbar } from './frame'
import type { ToolName } from './toolbar'
import { flushStroke, highlighterWidth } from './tools/freehand'
import { finishTextEdit } from './tools/text'

/** Runs `action` as its own undo step. */
export function edit(board: BoardContext, action: () => void): void {
  board.undoManager.stopCapturing()
  action()
  board.undoManager.stopCapturing()
}

export function runUndo(board: BoardContext, redo: boolean): void {
  if (!board.canDraw) return
  finishTextEdit(board)
  cancelGesture(board)
  if (redo) board.undoManager.redo()
  else board.undoManager.undo()
  updateToolbar(board)
}

export function selectTool(board: BoardContext, next: ToolName): void {
  if (next !== 'pan' && !board.canDraw) return
  if (next === 'laser' && board.role !== 'lecturer') return
  finishTextEdit(board)
  cancelGesture(board)
  if (board.tool === 'laser' && next !== 'laser') setAwareness(board, 'laser', null)
  board.tool = next
  if (board.tool !== 'select') board.selection.clear()
  board.overlayDirty = true
  scheduleFrame(board)
  updateToolbar(board)
}

/** Sets the colour of new elements and recolours the selection. */
export function setColor(board: BoardContext, value: string): void {
  const { doc, localOrigin, selection } = board
  board.color = value
  if (selection.size > 0 && board.canDraw) {
    edit(board, () => doc.transact(() => {
      for (const id of selection) updateElement(doc, id, { color: value }, localOrigin)
    }, localOrigin))
  }
  updateToolbar(board)
}

/** Sets the line width of new elements and applies it to the selection. */
export function setWidth(board: BoardContext, value: number): void {
  const { doc, localOrigin, selection } = board
  board.width = value
  if (selection.size > 0 && board.canDraw) {
    edit(board, () => doc.transact(() => {
      for (const id of selection) {
        const entry = board.scene.elements.get(id)
        if (entry?.data.kind === 'highlighter') updateElement(doc, id, { width: highlighterWidth(value) }, localOrigin)
        else updateElement(doc, id, { width: value }, localOrigin)
      }
    }, localOrigin))
  }
  updateToolbar(board)
}

export function cancelGesture(board: BoardContext): void {
  const gesture = board.gesture
  if (!gesture) return
  if (gesture.type === 'stroke') flushStroke(board)
  if (gesture.type === 'laser') setAwareness(board, 'laser', null)
  board.gesture = null
  board.undoManager.stopCapturing()
  board.overlayDirty = true
  scheduleFrame(board)
}
