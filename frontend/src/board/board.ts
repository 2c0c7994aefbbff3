/**
 * `mountBoard`: the whiteboard engine behind the interface described under
 * "The whiteboard interface" in frontend/README.md. It renders its own toolbar and a drawing surface into the container, syncs
 * through the given Y.Doc and awareness, and paints one frame per animation
 * frame after changes.
 *
 * This module builds the shared `BoardContext` and wires the DOM, document
 * and awareness events to the modules that implement the board.
 */
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'

import { cancelGesture, runUndo, selectTool, setColor, setWidth } from './commands'
import type { BoardContext } from './context'
import { elementsMap, listPages, pagesMap } from './doc'
import { cancelFrame, pageIndex, publishAwareness, scheduleFrame, setAwareness, updateToolbar } from './frame'
import { onKeyDown, onKeyUp } from './keyboard'
import { addPage, applyFollow, fitToContent, moveCurrentPage, onWheel, refreshPages, setFollow, switchPage, zoomBy } from './navigation'
import { onDoubleClick, onPointerDown, onPointerLeave, onPointerMove, onPointerUp } from './pointer'
import { colorForId, LaserTrails, readPeers, type Role } from './presence'
import { renderFrame, resizeCanvases } from './render'
import { Scene } from './scene'
import { BOARD_CSS, COLORS, createToolbar, EDITING_TOOLS, WIDTHS, type Translate } from './toolbar'
import { BoardMedia, type MediaOptions } from './media/boardMedia'
import { insertFiles, onDragOver, onDrop, onPaste } from './media/insert'
import { finishTextEdit } from './tools/text'
import { DEFAULT_VIEWPORT, ZOOM_STEP } from './viewport'

export interface BoardOptions {
  doc: Y.Doc
  /** The provider's awareness. */
  awareness: Awareness
  participantId: string
  name: string
  role: Role
  t: Translate
  /** Whether the toolbar shows its own "view only" notice while drawing is not allowed; true by default. */
  readOnlyNotice?: boolean
  /** The room's code and token for uploading and loading media; without it, media elements show as frames and nothing can be inserted. */
  media?: MediaOptions
}

export interface BoardController {
  /** Switches read-only mode: when false, only pan, page navigation, zoom, cursors and follow remain. */
  setCanDraw(allowed: boolean): void
  /** Makes a student follow the lecturer's page and viewport. */
  setFollow(follow: boolean): void
  /** Calls `listener` whenever following starts or stops; returns the unsubscribe function. */
  onFollowChange(listener: (follow: boolean) => void): () => void
  /** Replaces the translation function and relabels the toolbar, surface and text box, for a language switch. */
  setTranslator(t: Translate): void
  /** Returns the id of the page on screen, or null while the board has no page. */
  currentPageId(): string | null
  destroy(): void
}

/** Mounts the whiteboard into `container` and returns its controller. */
export function mountBoard(container: HTMLElement, options: BoardOptions): BoardController {
  const { doc, awareness, participantId, role } = options
  const localOrigin = { board: participantId }
  const undoManager = new Y.UndoManager([pagesMap(doc), elementsMap(doc)], {
    trackedOrigins: new Set([localOrigin]),
    // Gestures are grouped by stopCapturing() at their start and end
    // instead of by time, so a slow stroke stays one undo step.
    captureTimeout: Number.MAX_SAFE_INTEGER,
  })
  const canDraw = role === 'lecturer'
  const pages = listPages(doc)

  // DOM.
  const root = document.createElement('div')
  root.className = 'lectern-board'
  const style = document.createElement('style')
  style.textContent = BOARD_CSS
  const toolbar = createToolbar(options.t, role, {
    selectTool: (next) => selectTool(board, next),
    undo: () => runUndo(board, false),
    redo: () => runUndo(board, true),
    addPage: () => addPage(board),
    previousPage: () => switchPage(board, pageIndex(board) - 1, true),
    nextPage: () => switchPage(board, pageIndex(board) + 1, true),
    movePage: (offset) => moveCurrentPage(board, offset),
    zoomIn: () => zoomBy(board, ZOOM_STEP),
    zoomOut: () => zoomBy(board, 1 / ZOOM_STEP),
    zoomFit: () => fitToContent(board),
    toggleFollow: () => setFollow(board, !board.follow),
    toggleCursors: () => {
      board.showCursors = !board.showCursors
      board.overlayDirty = true
      scheduleFrame(board)
      updateToolbar(board)
    },
    setColor: (value) => setColor(board, value),
    setWidth: (value) => setWidth(board, value),
    insertFiles: (files) => void insertFiles(board, files),
  }, { readOnlyNotice: options.readOnlyNotice ?? true })
  const surface = document.createElement('div')
  surface.className = 'lectern-board-surface'
  surface.dataset.testid = 'board'
  surface.dataset.elementCount = '0'
  surface.setAttribute('role', 'application')
  surface.setAttribute('aria-label', options.t('board.surface'))
  surface.tabIndex = 0
  const baseCanvas = document.createElement('canvas')
  const overlayCanvas = document.createElement('canvas')
  baseCanvas.setAttribute('aria-hidden', 'true')
  overlayCanvas.setAttribute('aria-hidden', 'true')
  // Playback writes use their own origin, so that undo never replays a pause or a seek.
  const playbackOrigin = { board: participantId, playback: true }
  const media = options.media
    ? new BoardMedia(options.media, doc, options.t, playbackOrigin, () => {
        board.baseDirty = true
        scheduleFrame(board)
      })
    : null
  // Video players sit between the two canvases, so selection handles and cursors stay visible on top.
  if (media) surface.append(baseCanvas, media.layer, overlayCanvas)
  else surface.append(baseCanvas, overlayCanvas)
  root.append(style, toolbar.element)
  if (media) root.append(media.errors.element)
  root.append(surface)
  container.append(root)

  const board: BoardContext = {
    doc,
    awareness,
    participantId,
    role,
    localOrigin,
    undoManager,
    scene: new Scene(doc),
    toolbar,
    surface,
    baseCanvas,
    overlayCanvas,
    baseContext: baseCanvas.getContext('2d'),
    overlayContext: overlayCanvas.getContext('2d'),
    renderFrame: () => renderFrame(board),
    media,

    t: options.t,
    canDraw,
    tool: canDraw ? 'pen' : 'pan',
    color: COLORS[0],
    width: WIDTHS[1].value,
    pages,
    page: pages[0].id,
    viewport: { ...DEFAULT_VIEWPORT },
    size: { width: 0, height: 0 },
    devicePixelRatio: 1,
    follow: role === 'student',
    showCursors: true,
    spaceHeld: false,
    gesture: null,
    editor: null,
    selection: new Set<string>(),
    followListeners: new Set<(follow: boolean) => void>(),
    laserTrails: new LaserTrails(),
    peers: readPeers(awareness),

    frameHandle: null,
    baseDirty: true,
    overlayDirty: true,
    pendingAwareness: {},
  }
  const { scene, pendingAwareness } = board

  // Wiring.
  const onSceneChange = (): void => scheduleFrame(board)
  const unsubscribeScene = scene.onChange(onSceneChange)
  const pagesObserver = (): void => refreshPages(board)
  pagesMap(doc).observeDeep(pagesObserver)
  const onUndoStack = (): void => updateToolbar(board)
  undoManager.on('stack-item-added', onUndoStack)
  undoManager.on('stack-item-popped', onUndoStack)
  undoManager.on('stack-cleared', onUndoStack)

  const onAwarenessChange = (): void => {
    board.peers = readPeers(awareness)
    board.laserTrails.record(board.peers, board.page, performance.now())
    applyFollow(board)
    board.overlayDirty = true
    scheduleFrame(board)
  }
  awareness.on('change', onAwarenessChange)

  const onKeyDownEvent = (event: KeyboardEvent): void => onKeyDown(board, event)
  const onKeyUpEvent = (event: KeyboardEvent): void => onKeyUp(board, event)
  surface.addEventListener('pointerdown', (event) => onPointerDown(board, event))
  surface.addEventListener('pointermove', (event) => onPointerMove(board, event))
  surface.addEventListener('pointerup', (event) => onPointerUp(board, event))
  surface.addEventListener('pointercancel', (event) => onPointerUp(board, event))
  surface.addEventListener('pointerleave', () => onPointerLeave(board))
  surface.addEventListener('dblclick', (event) => onDoubleClick(board, event))
  surface.addEventListener('wheel', (event) => onWheel(board, event), { passive: false })
  surface.addEventListener('contextmenu', (event) => event.preventDefault())
  surface.addEventListener('dragover', (event) => onDragOver(board, event))
  surface.addEventListener('drop', (event) => onDrop(board, event))
  const onPasteEvent = (event: ClipboardEvent): void => onPaste(board, event)
  window.addEventListener('keydown', onKeyDownEvent)
  window.addEventListener('keyup', onKeyUpEvent)
  window.addEventListener('paste', onPasteEvent)
  const resize = (): void => resizeCanvases(board)
  const resizeObserver = typeof ResizeObserver === 'function' ? new ResizeObserver(resize) : null
  resizeObserver?.observe(surface)
  resize()

  // Publish this client's part of the awareness state. The room page may
  // have set `user` already, and its fields win.
  const localState = awareness.getLocalState() ?? {}
  if (!localState.user) {
    pendingAwareness.user = { id: participantId, name: options.name, role, color: colorForId(participantId) }
  }
  pendingAwareness.page = board.page
  pendingAwareness.viewport = board.viewport
  pendingAwareness.cursor = null
  pendingAwareness.laser = null
  publishAwareness(board)
  applyFollow(board)
  updateToolbar(board)
  scheduleFrame(board)

  let destroyed = false
  return {
    setCanDraw(allowed: boolean): void {
      if (destroyed || board.canDraw === allowed) return
      board.canDraw = allowed
      if (!allowed) {
        finishTextEdit(board)
        cancelGesture(board)
        board.selection.clear()
        if (EDITING_TOOLS.includes(board.tool) || board.tool === 'laser') {
          if (board.tool === 'laser') setAwareness(board, 'laser', null)
          board.tool = 'pan'
        }
      } else if (board.tool === 'pan') {
        board.tool = 'pen'
      }
      board.overlayDirty = true
      scheduleFrame(board)
      updateToolbar(board)
    },
    setFollow(next: boolean): void {
      if (!destroyed) setFollow(board, next)
    },
    onFollowChange(listener: (follow: boolean) => void): () => void {
      board.followListeners.add(listener)
      return () => board.followListeners.delete(listener)
    },
    setTranslator(next: Translate): void {
      if (destroyed) return
      board.t = next
      toolbar.setTranslator(next)
      surface.setAttribute('aria-label', board.t('board.surface'))
      board.editor?.textarea.setAttribute('aria-label', board.t('board.textEditor'))
      media?.setTranslator(next)
    },
    currentPageId(): string | null {
      return board.page || null
    },
    destroy(): void {
      if (destroyed) return
      destroyed = true
      finishTextEdit(board)
      if (board.frameHandle !== null) cancelFrame(board.frameHandle)
      board.frameHandle = null
      unsubscribeScene()
      scene.destroy()
      pagesMap(doc).unobserveDeep(pagesObserver)
      undoManager.destroy()
      awareness.off('change', onAwarenessChange)
      window.removeEventListener('keydown', onKeyDownEvent)
      window.removeEventListener('keyup', onKeyUpEvent)
      window.removeEventListener('paste', onPasteEvent)
      media?.destroy()
      resizeObserver?.disconnect()
      board.followListeners.clear()
      if (awareness.getLocalState() !== null) {
        awareness.setLocalStateField('cursor', null)
        awareness.setLocalStateField('laser', null)
      }
      root.remove()
    },
  }
}
