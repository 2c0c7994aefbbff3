/** Text elements, edited through a textarea laid over the element. */
import * as Y from 'yjs'

import type { BoardContext } from '../context'
import { addElement, deleteElements, elementsMap, setText, updateElement } from '../doc'
import { flushScene, scheduleFrame, updateToolbar } from '../frame'
import { pick } from '../geometry'
import { measureText, textFontSize, TEXT_FONT_FAMILY } from '../paint'
import { boardToScreen } from '../viewport'

/** Opens the editor on the text element at board point `point`, or creates one there. */
export function startText(board: BoardContext, point: { x: number; y: number }): void {
  const hit = pick(board, point.x, point.y)
  if (hit?.data.kind === 'text') {
    startTextEdit(board, hit.data.id)
  } else {
    const { color, width } = board
    board.undoManager.stopCapturing()
    const box = measureText(board.baseContext, '', width)
    const id = addElement(
      board.doc,
      { kind: 'text', page: board.page, x: point.x, y: point.y, w: box.w, h: box.h, color, width, text: '' },
      board.participantId,
      board.localOrigin,
    )
    flushScene(board)
    startTextEdit(board, id, true)
  }
}

/**
 * Opens the text editor on a text element. For an element the same
 * gesture just created, creating and typing form one undo step.
 */
export function startTextEdit(board: BoardContext, id: string, created = false): void {
  finishTextEdit(board)
  const { doc, localOrigin } = board
  const entry = board.scene.elements.get(id)
  const yElement = elementsMap(doc).get(id)
  const yText = yElement?.get('text')
  if (!entry || !(yText instanceof Y.Text)) return

  const textarea = document.createElement('textarea')
  textarea.className = 'lectern-board-text-editor'
  textarea.dataset.testid = 'text-editor'
  textarea.setAttribute('aria-label', board.t('board.textEditor'))
  // NOTE: the textarea keeps its own value while open, so a peer's edit
  // to the same text shows only after the editor closes, and the next
  // local keystroke writes the textarea's value over it.
  textarea.value = yText.toString()
  textarea.spellcheck = false
  board.editor = { id, textarea }
  if (!created) board.undoManager.stopCapturing()

  textarea.addEventListener('input', () => {
    if (!board.editor || board.editor.id !== id) return
    const current = board.scene.elements.get(id)?.data
    const box = measureText(board.baseContext, textarea.value, current?.width ?? board.width)
    doc.transact(() => {
      setText(yText, textarea.value, localOrigin)
      updateElement(doc, id, box, localOrigin)
    }, localOrigin)
    positionEditor(board)
  })
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      finishTextEdit(board)
    }
  })
  textarea.addEventListener('blur', () => finishTextEdit(board))

  board.surface.append(textarea)
  positionEditor(board)
  board.baseDirty = true
  scheduleFrame(board)
  textarea.focus()
}

export function positionEditor(board: BoardContext): void {
  const { editor, viewport } = board
  if (!editor) return
  const entry = board.scene.elements.get(editor.id)
  if (!entry) {
    finishTextEdit(board)
    return
  }
  const element = entry.data
  const at = boardToScreen(viewport, board.size, Math.min(element.x, element.x + element.w), Math.min(element.y, element.y + element.h))
  const fontSize = textFontSize(element.width) * viewport.zoom
  const style = editor.textarea.style
  style.left = `${at.x}px`
  style.top = `${at.y}px`
  style.fontSize = `${fontSize}px`
  style.fontFamily = TEXT_FONT_FAMILY
  style.color = element.color
  style.width = `${Math.max(Math.abs(element.w) * viewport.zoom, fontSize) + fontSize}px`
  style.height = `${Math.max(Math.abs(element.h) * viewport.zoom, fontSize * 1.25)}px`
}

export function finishTextEdit(board: BoardContext): void {
  if (!board.editor) return
  const { id, textarea } = board.editor
  board.editor = null
  textarea.remove()
  // An element left empty is removed, as part of the same undo step.
  if (textarea.value.trim() === '' && board.canDraw) deleteElements(board.doc, [id], board.localOrigin)
  board.undoManager.stopCapturing()
  board.baseDirty = true
  scheduleFrame(board)
  updateToolbar(board)
}
