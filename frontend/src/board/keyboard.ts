/** Keyboard shortcuts, listened for on the window. */
import { cancelGesture, edit, runUndo, selectTool } from './commands'
import type { BoardContext } from './context'
import { deleteElements } from './doc'
import { scheduleFrame } from './frame'
import { fitToContent, zoomBy } from './navigation'
import { TOOL_SHORTCUTS, type ToolName } from './toolbar'
import { ZOOM_STEP } from './viewport'

/** Returns whether keyboard input aimed at `target` is typing, which shortcuts must not steal. */
function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement
}

/** Returns whether `target` is inside a dialog, whose keys (Escape closes it) belong to the dialog. */
function isInDialog(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('dialog') !== null
}

export function onKeyDown(board: BoardContext, event: KeyboardEvent): void {
  if (isTypingTarget(event.target) || isInDialog(event.target) || event.defaultPrevented || event.altKey) return
  const key = event.key.toLowerCase()
  const command = event.ctrlKey || event.metaKey
  const { selection } = board

  if (command) {
    if (key === 'z' && !event.shiftKey) runUndo(board, false)
    else if ((key === 'z' && event.shiftKey) || key === 'y') runUndo(board, true)
    else return
    event.preventDefault()
    return
  }

  if (event.key === ' ') {
    // A focused button handles Space itself.
    if (event.target instanceof HTMLButtonElement) return
    board.spaceHeld = true
    event.preventDefault()
    return
  }
  if (event.key === '+' || event.key === '=') zoomBy(board, ZOOM_STEP)
  else if (event.key === '-' || event.key === '_') zoomBy(board, 1 / ZOOM_STEP)
  else if (event.key === '0') fitToContent(board)
  else if ((event.key === 'Delete' || event.key === 'Backspace') && selection.size > 0 && board.canDraw) {
    const ids = [...selection]
    selection.clear()
    edit(board, () => deleteElements(board.doc, ids, board.localOrigin))
    board.overlayDirty = true
    scheduleFrame(board)
  } else if (event.key === 'Escape') {
    selection.clear()
    cancelGesture(board)
  } else {
    const shortcut = (Object.entries(TOOL_SHORTCUTS) as Array<[ToolName, string]>).find(([, letter]) => letter.toLowerCase() === key)
    if (!shortcut || event.shiftKey) return
    selectTool(board, shortcut[0])
  }
  event.preventDefault()
}

export function onKeyUp(board: BoardContext, event: KeyboardEvent): void {
  if (event.key === ' ') board.spaceHeld = false
}
