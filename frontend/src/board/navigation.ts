/**
 * Navigation: the current page, the viewport (pan, zoom, fit) and a student
 * following the lecturer's page and viewport. These three call each other,
 * so they share this module.
 */
import { cancelGesture, edit } from './commands'
import type { BoardContext, Gesture } from './context'
import { createPage, listPages, movePage } from './doc'
import { flushScene, scheduleFrame, setAwareness, updateToolbar } from './frame'
import { unionBounds } from './hit'
import { backgroundBounds, readPageBackground } from './media/slides'
import { findLecturer } from './presence'
import { finishTextEdit } from './tools/text'
import { clampZoom, fitBounds, zoomAt, type Viewport } from './viewport'

// Pages.
export function refreshPages(board: BoardContext): void {
  board.pages = listPages(board.doc)
  board.media?.releaseUnused()
  // A page's background may have changed.
  board.baseDirty = true
  scheduleFrame(board)
  // A page removed by undo, or never synced, falls back to the first page.
  // A follower keeps the lecturer's page even before it syncs.
  if (!board.follow && !board.pages.some((entry) => entry.id === board.page)) showPage(board, board.pages[0].id)
  updateToolbar(board)
}

function showPage(board: BoardContext, id: string): void {
  if (id === board.page) return
  finishTextEdit(board)
  cancelGesture(board)
  board.page = id
  board.selection.clear()
  board.laserTrails.clear()
  board.baseDirty = true
  board.overlayDirty = true
  setAwareness(board, 'page', board.page)
  scheduleFrame(board)
  updateToolbar(board)
}

export function switchPage(board: BoardContext, index: number, byUser: boolean): void {
  if (index < 0 || index >= board.pages.length) return
  if (byUser) stopFollowing(board)
  showPage(board, board.pages[index].id)
}

export function addPage(board: BoardContext): void {
  if (!board.canDraw) return
  let id = ''
  edit(board, () => {
    id = createPage(board.doc, board.localOrigin, board.page)
  })
  refreshPages(board)
  stopFollowing(board)
  showPage(board, id)
}

export function moveCurrentPage(board: BoardContext, offset: -1 | 1): void {
  if (!board.canDraw) return
  edit(board, () => movePage(board.doc, board.page, offset, board.localOrigin))
  refreshPages(board)
}

// Viewport.
function setViewport(board: BoardContext, next: Viewport, byUser: boolean): void {
  if (byUser) stopFollowing(board)
  board.viewport = { x: next.x, y: next.y, zoom: clampZoom(next.zoom) }
  board.baseDirty = true
  board.overlayDirty = true
  setAwareness(board, 'viewport', board.viewport)
  scheduleFrame(board)
  updateToolbar(board)
}

/** Zooms by `factor` about the centre of the surface. */
export function zoomBy(board: BoardContext, factor: number): void {
  const { viewport, size } = board
  setViewport(board, zoomAt(viewport, size, viewport.zoom * factor, size.width / 2, size.height / 2), true)
}

export function fitToContent(board: BoardContext): void {
  flushScene(board)
  const all = board.scene.pageElements(board.page).map((entry) => entry.bounds)
  const background = readPageBackground(board.doc, board.page)
  if (background) all.push(backgroundBounds(background))
  const bounds = unionBounds(all)
  setViewport(board, fitBounds(bounds, board.size), true)
}

/** Pans the view by the pointer's movement since the last event. */
export function continuePan(board: BoardContext, gesture: Extract<Gesture, { type: 'pan' }>, event: PointerEvent): void {
  const { viewport } = board
  const dx = event.clientX - gesture.lastX
  const dy = event.clientY - gesture.lastY
  gesture.lastX = event.clientX
  gesture.lastY = event.clientY
  setViewport(board, { x: viewport.x - dx / viewport.zoom, y: viewport.y - dy / viewport.zoom, zoom: viewport.zoom }, true)
}

/** Zooms about the pointer. */
export function onWheel(board: BoardContext, event: WheelEvent): void {
  event.preventDefault()
  const { viewport, size } = board
  const rect = board.surface.getBoundingClientRect()
  // deltaMode 1 counts lines; treat a line as 16 pixels.
  const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY
  const factor = Math.exp(-delta * 0.0015)
  setViewport(board, zoomAt(viewport, size, viewport.zoom * factor, event.clientX - rect.left, event.clientY - rect.top), true)
}

// Following.
function notifyFollow(board: BoardContext): void {
  updateToolbar(board)
  for (const listener of board.followListeners) listener(board.follow)
}

export function setFollow(board: BoardContext, next: boolean): void {
  if (board.role !== 'student') next = false
  if (board.follow === next) return
  board.follow = next
  if (board.follow) applyFollow(board)
  notifyFollow(board)
}

function stopFollowing(board: BoardContext): void {
  if (board.follow) setFollow(board, false)
}

/** Shows the lecturer's page and viewport while following. */
export function applyFollow(board: BoardContext): void {
  if (!board.follow) return
  const lecturer = findLecturer(board.peers, board.awareness.clientID)
  if (!lecturer) return
  if (lecturer.page && lecturer.page !== board.page) showPage(board, lecturer.page)
  const target = lecturer.viewport
  const { viewport } = board
  if (target && (target.x !== viewport.x || target.y !== viewport.y || target.zoom !== viewport.zoom)) {
    setViewport(board, target, false)
  }
}
