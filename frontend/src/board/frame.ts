/**
 * Frame scheduling, the awareness fields published once per frame, and the
 * toolbar and surface attributes that mirror the board state.
 */
import type { BoardContext } from './context'
import { pruneSelection } from './geometry'
import type { ToolName } from './toolbar'

const SURFACE_CURSORS: Partial<Record<ToolName, string>> = { pan: 'grab', select: 'default', text: 'text' }

function requestFrame(callback: () => void): number {
  if (typeof requestAnimationFrame === 'function') return requestAnimationFrame(callback)
  return setTimeout(callback, 16) as unknown as number
}

export function cancelFrame(handle: number): void {
  if (typeof cancelAnimationFrame === 'function') cancelAnimationFrame(handle)
  else clearTimeout(handle)
}

export function scheduleFrame(board: BoardContext): void {
  if (board.frameHandle !== null) return
  board.frameHandle = requestFrame(board.renderFrame)
}

/** Applies pending document changes to the scene and marks what to repaint. */
export function flushScene(board: BoardContext): void {
  if (!board.scene.pending) return
  const changedPages = board.scene.flush()
  board.media?.releaseUnused()
  if (changedPages.has(board.page)) {
    board.baseDirty = true
    board.overlayDirty = true
  }
  pruneSelection(board)
}

export function publishAwareness(board: BoardContext): void {
  const keys = Object.keys(board.pendingAwareness)
  if (keys.length === 0) return
  const state = board.awareness.getLocalState() ?? {}
  board.awareness.setLocalState({ ...state, ...board.pendingAwareness })
  for (const key of keys) delete board.pendingAwareness[key]
}

export function setAwareness(board: BoardContext, field: string, value: unknown): void {
  board.pendingAwareness[field] = value
  scheduleFrame(board)
}

// Toolbar state.
export function pageIndex(board: BoardContext): number {
  return Math.max(0, board.pages.findIndex((entry) => entry.id === board.page))
}

export function updateToolbar(board: BoardContext): void {
  board.toolbar.update({
    tool: board.tool,
    canDraw: board.canDraw,
    canUndo: board.undoManager.canUndo(),
    canRedo: board.undoManager.canRedo(),
    pageIndex: pageIndex(board),
    pageCount: board.pages.length,
    pageTitle: board.pages[pageIndex(board)]?.title ?? '',
    canInsert: board.canDraw && board.media !== null,
    follow: board.follow,
    cursors: board.showCursors,
    color: board.color,
    width: board.width,
    zoom: board.viewport.zoom,
  })
  board.surface.dataset.tool = board.tool
  board.surface.style.cursor = SURFACE_CURSORS[board.tool] ?? 'crosshair'
}
