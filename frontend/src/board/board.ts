/**
 * `mountBoard`: the whiteboard engine behind the interface described under
 * "The whiteboard interface" in frontend/README.md. It renders its own toolbar and a drawing surface into the container, syncs
 * through the given Y.Doc and awareness, and paints one frame per animation
 * frame after changes.
 */
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'

import {
  addElement,
  appendPoints,
  createPage,
  deleteElements,
  elementsMap,
  listPages,
  moveElements,
  movePage,
  pagesMap,
  replacePoints,
  setText,
  updateElement,
  type BoardElement,
  type ElementKind,
  type PageInfo,
} from './doc'
import { boundsIntersect, hitTest, hitTestSegment, unionBounds, type Bounds } from './hit'
import { DEFAULT_PRESSURE, HIGHLIGHTER_OPACITY, measureText, paintElement, textFontSize, TEXT_FONT_FAMILY } from './paint'
import type { Point } from './points'
import { colorForId, findLecturer, LASER_TRAIL_MS, LaserTrails, readPeers, type PeerState, type Role } from './presence'
import { Scene, type SceneElement } from './scene'
import { BOARD_CSS, COLORS, createToolbar, EDITING_TOOLS, TOOL_SHORTCUTS, WIDTHS, type ToolName, type Translate } from './toolbar'
import {
  boardToScreen,
  clampZoom,
  DEFAULT_VIEWPORT,
  fitBounds,
  screenToBoard,
  visibleBounds,
  zoomAt,
  ZOOM_STEP,
  type SurfaceSize,
  type Viewport,
} from './viewport'

export interface BoardOptions {
  doc: Y.Doc
  /** The provider's awareness. */
  awareness: Awareness
  participantId: string
  name: string
  role: Role
  t: Translate
}

export interface BoardController {
  /** Switches read-only mode: when false, only pan, zoom and follow remain. */
  setCanDraw(allowed: boolean): void
  /** Makes a student follow the lecturer's page and viewport. */
  setFollow(follow: boolean): void
  /** Calls `listener` whenever following starts or stops; returns the unsubscribe function. */
  onFollowChange(listener: (follow: boolean) => void): () => void
  /** Replaces the translation function and relabels the toolbar, surface and text box, for a language switch. */
  setTranslator(t: Translate): void
  destroy(): void
}

/** Eraser radius and pick tolerance, in CSS pixels. */
const ERASER_RADIUS_PX = 8
const PICK_TOLERANCE_PX = 4
const HANDLE_SIZE_PX = 8

/** Minimum distance between stored stroke points, in CSS pixels. */
const MIN_POINT_DISTANCE_PX = 1

const SURFACE_CURSORS: Partial<Record<ToolName, string>> = { pan: 'grab', select: 'default', text: 'text' }

type Corner = 'nw' | 'ne' | 'se' | 'sw'

type Gesture =
  | { type: 'pan'; pointerId: number; lastX: number; lastY: number }
  | { type: 'stroke'; pointerId: number; id: string; originX: number; originY: number; pending: Point[]; last: Point }
  | { type: 'shape'; pointerId: number; id: string; kind: ElementKind; startX: number; startY: number }
  | { type: 'erase'; pointerId: number; lastX: number; lastY: number; erased: Set<string> }
  | { type: 'move'; pointerId: number; lastX: number; lastY: number; moved: boolean }
  | { type: 'resize'; pointerId: number; anchorX: number; anchorY: number; cornerX: number; cornerY: number; originals: BoardElement[] }
  | { type: 'box'; pointerId: number; startX: number; startY: number; endX: number; endY: number; additive: boolean }
  | { type: 'laser'; pointerId: number }

interface TextEditor {
  id: string
  textarea: HTMLTextAreaElement
}

/** Returns whether keyboard input aimed at `target` is typing, which shortcuts must not steal. */
function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement
}

function requestFrame(callback: () => void): number {
  if (typeof requestAnimationFrame === 'function') return requestAnimationFrame(callback)
  return setTimeout(callback, 16) as unknown as number
}

function cancelFrame(handle: number): void {
  if (typeof cancelAnimationFrame === 'function') cancelAnimationFrame(handle)
  else clearTimeout(handle)
}

/** Mounts the whiteboard into `container` and returns its controller. */
export function mountBoard(container: HTMLElement, options: BoardOptions): BoardController {
  const { doc, awareness, participantId, role } = options
  let t = options.t
  const localOrigin = { board: participantId }
  const undoManager = new Y.UndoManager([pagesMap(doc), elementsMap(doc)], {
    trackedOrigins: new Set([localOrigin]),
    // Gestures are grouped by stopCapturing() at their start and end
    // instead of by time, so a slow stroke stays one undo step.
    captureTimeout: Number.MAX_SAFE_INTEGER,
  })
  const scene = new Scene(doc)

  // State.
  let canDraw = role === 'lecturer'
  let tool: ToolName = canDraw ? 'pen' : 'pan'
  let color = COLORS[0]
  let width = WIDTHS[1].value
  let pages: PageInfo[] = listPages(doc)
  let page = pages[0].id
  let viewport: Viewport = { ...DEFAULT_VIEWPORT }
  let size: SurfaceSize = { width: 0, height: 0 }
  let devicePixelRatio = 1
  let follow = role === 'student'
  let showCursors = true
  let spaceHeld = false
  let gesture: Gesture | null = null
  let editor: TextEditor | null = null
  const selection = new Set<string>()
  const followListeners = new Set<(follow: boolean) => void>()
  const laserTrails = new LaserTrails()
  let peers: PeerState[] = readPeers(awareness)

  // DOM.
  const root = document.createElement('div')
  root.className = 'lectern-board'
  const style = document.createElement('style')
  style.textContent = BOARD_CSS
  const toolbar = createToolbar(t, role, {
    selectTool: (next) => selectTool(next),
    undo: () => runUndo(false),
    redo: () => runUndo(true),
    addPage: () => addPage(),
    previousPage: () => switchPage(pageIndex() - 1, true),
    nextPage: () => switchPage(pageIndex() + 1, true),
    movePage: (offset) => moveCurrentPage(offset),
    zoomIn: () => zoomBy(ZOOM_STEP),
    zoomOut: () => zoomBy(1 / ZOOM_STEP),
    zoomFit: () => fitToContent(),
    toggleFollow: () => setFollow(!follow),
    toggleCursors: () => {
      showCursors = !showCursors
      overlayDirty = true
      scheduleFrame()
      updateToolbar()
    },
    setColor: (value) => setColor(value),
    setWidth: (value) => setWidth(value),
  })
  const surface = document.createElement('div')
  surface.className = 'lectern-board-surface'
  surface.dataset.testid = 'board'
  surface.dataset.elementCount = '0'
  surface.setAttribute('role', 'application')
  surface.setAttribute('aria-label', t('board.surface'))
  surface.tabIndex = 0
  const baseCanvas = document.createElement('canvas')
  const overlayCanvas = document.createElement('canvas')
  baseCanvas.setAttribute('aria-hidden', 'true')
  overlayCanvas.setAttribute('aria-hidden', 'true')
  surface.append(baseCanvas, overlayCanvas)
  root.append(style, toolbar.element, surface)
  container.append(root)
  const baseContext = baseCanvas.getContext('2d')
  const overlayContext = overlayCanvas.getContext('2d')

  // Frame scheduling: every change sets a flag and requests one frame.
  let frameHandle: number | null = null
  let baseDirty = true
  let overlayDirty = true
  const pendingAwareness: Record<string, unknown> = {}

  function scheduleFrame(): void {
    if (frameHandle !== null) return
    frameHandle = requestFrame(renderFrame)
  }

  /** Applies pending document changes to the scene and marks what to repaint. */
  function flushScene(): void {
    if (!scene.pending) return
    const changedPages = scene.flush()
    if (changedPages.has(page)) {
      baseDirty = true
      overlayDirty = true
    }
    pruneSelection()
  }

  function renderFrame(): void {
    frameHandle = null
    flushScene()
    flushStroke()
    if (baseDirty) paintBase()
    const now = performance.now()
    const trailsLeft = laserTrails.prune(now)
    if (overlayDirty || trailsLeft) paintOverlay(now)
    if (editor) positionEditor()
    surface.dataset.elementCount = String(scene.countOnPage(page))
    publishAwareness()
    // Keep fading laser trails until they are gone.
    if (trailsLeft) scheduleFrame()
  }

  function publishAwareness(): void {
    const keys = Object.keys(pendingAwareness)
    if (keys.length === 0) return
    const state = awareness.getLocalState() ?? {}
    awareness.setLocalState({ ...state, ...pendingAwareness })
    for (const key of keys) delete pendingAwareness[key]
  }

  function setAwareness(field: string, value: unknown): void {
    pendingAwareness[field] = value
    scheduleFrame()
  }

  // Painting.
  function applyView(ctx: CanvasRenderingContext2D): void {
    const scale = devicePixelRatio * viewport.zoom
    ctx.setTransform(scale, 0, 0, scale, devicePixelRatio * (size.width / 2 - viewport.x * viewport.zoom), devicePixelRatio * (size.height / 2 - viewport.y * viewport.zoom))
  }

  function paintBase(): void {
    baseDirty = false
    if (!baseContext || size.width === 0 || size.height === 0) return
    const ctx = baseContext
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.clearRect(0, 0, baseCanvas.width, baseCanvas.height)
    applyView(ctx)
    const visible = visibleBounds(viewport, size)
    for (const entry of scene.pageElements(page)) {
      if (editor && entry.data.id === editor.id) continue
      if (!boundsIntersect(entry.bounds, visible)) continue
      paintElement(ctx, entry)
    }
  }

  function paintOverlay(now: number): void {
    overlayDirty = false
    if (!overlayContext || size.width === 0 || size.height === 0) return
    const ctx = overlayContext
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.clearRect(0, 0, overlayCanvas.width, overlayCanvas.height)
    ctx.setTransform(devicePixelRatio, 0, 0, devicePixelRatio, 0, 0)

    // Selection box and resize handles.
    const selected = selectionBounds()
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

    // Laser trails, fading with age.
    for (const [, trail] of laserTrails.entries()) {
      ctx.strokeStyle = '#ef4444'
      ctx.lineCap = 'round'
      for (let i = 1; i < trail.points.length; i++) {
        const a = trail.points[i - 1]
        const b = trail.points[i]
        const age = (now - b.at) / LASER_TRAIL_MS
        ctx.globalAlpha = Math.max(0, 1 - age)
        ctx.lineWidth = 4
        const from = boardToScreen(viewport, size, a.x, a.y)
        const to = boardToScreen(viewport, size, b.x, b.y)
        ctx.beginPath()
        ctx.moveTo(from.x, from.y)
        ctx.lineTo(to.x, to.y)
        ctx.stroke()
      }
      const head = trail.points[trail.points.length - 1]
      if (head) {
        const at = boardToScreen(viewport, size, head.x, head.y)
        ctx.globalAlpha = Math.max(0, 1 - (now - head.at) / LASER_TRAIL_MS)
        ctx.fillStyle = '#ef4444'
        ctx.beginPath()
        ctx.arc(at.x, at.y, 5, 0, Math.PI * 2)
        ctx.fill()
      }
    }
    ctx.globalAlpha = 1

    // Remote cursors with name tags.
    if (showCursors) {
      ctx.font = `12px ${TEXT_FONT_FAMILY}`
      ctx.textBaseline = 'middle'
      for (const peer of peers) {
        if (peer.clientId === awareness.clientID || !peer.cursor || peer.page !== page) continue
        const at = boardToScreen(viewport, size, peer.cursor.x, peer.cursor.y)
        ctx.fillStyle = peer.color
        ctx.beginPath()
        ctx.moveTo(at.x, at.y)
        ctx.lineTo(at.x + 4, at.y + 14)
        ctx.lineTo(at.x + 10, at.y + 9)
        ctx.closePath()
        ctx.fill()
        const label = peer.name || '?'
        const labelWidth = ctx.measureText(label).width + 8
        ctx.fillRect(at.x + 10, at.y + 12, labelWidth, 16)
        ctx.fillStyle = '#ffffff'
        ctx.fillText(label, at.x + 14, at.y + 20)
      }
    }
  }

  // Geometry helpers.
  function boardPoint(event: MouseEvent): { x: number; y: number } {
    const rect = surface.getBoundingClientRect()
    return screenToBoard(viewport, size, event.clientX - rect.left, event.clientY - rect.top)
  }

  function selectionBounds(): Bounds | null {
    const bounds: Bounds[] = []
    for (const id of selection) {
      const entry = scene.elements.get(id)
      if (entry) bounds.push(entry.bounds)
    }
    return unionBounds(bounds)
  }

  function pruneSelection(): void {
    for (const id of selection) {
      const entry = scene.elements.get(id)
      if (!entry || entry.data.page !== page) selection.delete(id)
    }
  }

  /** Returns the topmost element under a board point, or null. */
  function pick(x: number, y: number): SceneElement | null {
    const tolerance = PICK_TOLERANCE_PX / viewport.zoom
    const elements = scene.pageElements(page)
    for (let i = elements.length - 1; i >= 0; i--) {
      if (hitTest(elements[i].data, x, y, tolerance)) return elements[i]
    }
    return null
  }

  /** Returns the selection handle under a surface point, with its opposite corner. */
  function pickHandle(sx: number, sy: number): { corner: Corner; bounds: Bounds } | null {
    const bounds = selectionBounds()
    if (!bounds) return null
    const corners: Array<[Corner, number, number]> = [
      ['nw', bounds.minX, bounds.minY],
      ['ne', bounds.maxX, bounds.minY],
      ['se', bounds.maxX, bounds.maxY],
      ['sw', bounds.minX, bounds.maxY],
    ]
    for (const [corner, x, y] of corners) {
      const at = boardToScreen(viewport, size, x, y)
      if (Math.abs(at.x - sx) <= HANDLE_SIZE_PX && Math.abs(at.y - sy) <= HANDLE_SIZE_PX) return { corner, bounds }
    }
    return null
  }

  // Toolbar state.
  function pageIndex(): number {
    return Math.max(0, pages.findIndex((entry) => entry.id === page))
  }

  function updateToolbar(): void {
    toolbar.update({
      tool,
      canDraw,
      canUndo: undoManager.canUndo(),
      canRedo: undoManager.canRedo(),
      pageIndex: pageIndex(),
      pageCount: pages.length,
      follow,
      cursors: showCursors,
      color,
      width,
      zoom: viewport.zoom,
    })
    surface.dataset.tool = tool
    surface.style.cursor = SURFACE_CURSORS[tool] ?? 'crosshair'
  }

  // Edits. Each user action is its own undo step.
  function edit(action: () => void): void {
    undoManager.stopCapturing()
    action()
    undoManager.stopCapturing()
  }

  function runUndo(redo: boolean): void {
    if (!canDraw) return
    finishTextEdit()
    cancelGesture()
    if (redo) undoManager.redo()
    else undoManager.undo()
    updateToolbar()
  }

  function selectTool(next: ToolName): void {
    if (next !== 'pan' && !canDraw) return
    if (next === 'laser' && role !== 'lecturer') return
    finishTextEdit()
    cancelGesture()
    if (tool === 'laser' && next !== 'laser') setAwareness('laser', null)
    tool = next
    if (tool !== 'select') selection.clear()
    overlayDirty = true
    scheduleFrame()
    updateToolbar()
  }

  function setColor(value: string): void {
    color = value
    if (selection.size > 0 && canDraw) {
      edit(() => doc.transact(() => {
        for (const id of selection) updateElement(doc, id, { color: value }, localOrigin)
      }, localOrigin))
    }
    updateToolbar()
  }

  function setWidth(value: number): void {
    width = value
    if (selection.size > 0 && canDraw) {
      edit(() => doc.transact(() => {
        for (const id of selection) {
          const entry = scene.elements.get(id)
          if (entry?.data.kind === 'highlighter') updateElement(doc, id, { width: highlighterWidth(value) }, localOrigin)
          else updateElement(doc, id, { width: value }, localOrigin)
        }
      }, localOrigin))
    }
    updateToolbar()
  }

  function highlighterWidth(base: number): number {
    return Math.max(12, base * 4)
  }

  // Pages and viewport.
  function refreshPages(): void {
    pages = listPages(doc)
    // A page removed by undo, or never synced, falls back to the first page.
    // A follower keeps the lecturer's page even before it syncs.
    if (!follow && !pages.some((entry) => entry.id === page)) showPage(pages[0].id)
    updateToolbar()
  }

  function showPage(id: string): void {
    if (id === page) return
    finishTextEdit()
    cancelGesture()
    page = id
    selection.clear()
    laserTrails.clear()
    baseDirty = true
    overlayDirty = true
    setAwareness('page', page)
    scheduleFrame()
    updateToolbar()
  }

  function switchPage(index: number, byUser: boolean): void {
    if (index < 0 || index >= pages.length) return
    if (byUser) stopFollowing()
    showPage(pages[index].id)
  }

  function addPage(): void {
    if (!canDraw) return
    let id = ''
    edit(() => {
      id = createPage(doc, localOrigin, page)
    })
    refreshPages()
    stopFollowing()
    showPage(id)
  }

  function moveCurrentPage(offset: -1 | 1): void {
    if (!canDraw) return
    edit(() => movePage(doc, page, offset, localOrigin))
    refreshPages()
  }

  function setViewport(next: Viewport, byUser: boolean): void {
    if (byUser) stopFollowing()
    viewport = { x: next.x, y: next.y, zoom: clampZoom(next.zoom) }
    baseDirty = true
    overlayDirty = true
    setAwareness('viewport', viewport)
    scheduleFrame()
    updateToolbar()
  }

  function zoomBy(factor: number): void {
    setViewport(zoomAt(viewport, size, viewport.zoom * factor, size.width / 2, size.height / 2), true)
  }

  function fitToContent(): void {
    flushScene()
    const bounds = unionBounds(scene.pageElements(page).map((entry) => entry.bounds))
    setViewport(fitBounds(bounds, size), true)
  }

  // Following.
  function notifyFollow(): void {
    updateToolbar()
    for (const listener of followListeners) listener(follow)
  }

  function setFollow(next: boolean): void {
    if (role !== 'student') next = false
    if (follow === next) return
    follow = next
    if (follow) applyFollow()
    notifyFollow()
  }

  function stopFollowing(): void {
    if (follow) setFollow(false)
  }

  function applyFollow(): void {
    if (!follow) return
    const lecturer = findLecturer(peers, awareness.clientID)
    if (!lecturer) return
    if (lecturer.page && lecturer.page !== page) showPage(lecturer.page)
    const target = lecturer.viewport
    if (target && (target.x !== viewport.x || target.y !== viewport.y || target.zoom !== viewport.zoom)) {
      setViewport(target, false)
    }
  }

  // Strokes stream: points gathered during a frame go out as one chunk.
  function flushStroke(): void {
    if (gesture?.type !== 'stroke' || gesture.pending.length === 0) return
    const points = gesture.pending
    gesture.pending = []
    appendPoints(doc, gesture.id, points, localOrigin)
  }

  function pressureOf(event: PointerEvent): number {
    return event.pointerType === 'pen' && event.pressure > 0 ? event.pressure : DEFAULT_PRESSURE
  }

  // Text editing through a textarea laid over the element.
  /**
   * Opens the text editor on a text element. For an element the same
   * gesture just created, creating and typing form one undo step.
   */
  function startTextEdit(id: string, created = false): void {
    finishTextEdit()
    const entry = scene.elements.get(id)
    const yElement = elementsMap(doc).get(id)
    const yText = yElement?.get('text')
    if (!entry || !(yText instanceof Y.Text)) return

    const textarea = document.createElement('textarea')
    textarea.className = 'lectern-board-text-editor'
    textarea.dataset.testid = 'text-editor'
    textarea.setAttribute('aria-label', t('board.textEditor'))
    // NOTE: the textarea keeps its own value while open, so a peer's edit
    // to the same text shows only after the editor closes, and the next
    // local keystroke writes the textarea's value over it.
    textarea.value = yText.toString()
    textarea.spellcheck = false
    editor = { id, textarea }
    if (!created) undoManager.stopCapturing()

    textarea.addEventListener('input', () => {
      if (!editor || editor.id !== id) return
      const current = scene.elements.get(id)?.data
      const box = measureText(baseContext, textarea.value, current?.width ?? width)
      doc.transact(() => {
        setText(yText, textarea.value, localOrigin)
        updateElement(doc, id, box, localOrigin)
      }, localOrigin)
      positionEditor()
    })
    textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault()
        finishTextEdit()
      }
    })
    textarea.addEventListener('blur', () => finishTextEdit())

    surface.append(textarea)
    positionEditor()
    baseDirty = true
    scheduleFrame()
    textarea.focus()
  }

  function positionEditor(): void {
    if (!editor) return
    const entry = scene.elements.get(editor.id)
    if (!entry) {
      finishTextEdit()
      return
    }
    const element = entry.data
    const at = boardToScreen(viewport, size, Math.min(element.x, element.x + element.w), Math.min(element.y, element.y + element.h))
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

  function finishTextEdit(): void {
    if (!editor) return
    const { id, textarea } = editor
    editor = null
    textarea.remove()
    // An element left empty is removed, as part of the same undo step.
    if (textarea.value.trim() === '' && canDraw) deleteElements(doc, [id], localOrigin)
    undoManager.stopCapturing()
    baseDirty = true
    scheduleFrame()
    updateToolbar()
  }

  // Pointer input.
  function cancelGesture(): void {
    if (!gesture) return
    if (gesture.type === 'stroke') flushStroke()
    if (gesture.type === 'laser') setAwareness('laser', null)
    gesture = null
    undoManager.stopCapturing()
    overlayDirty = true
    scheduleFrame()
  }

  function onPointerDown(event: PointerEvent): void {
    if (gesture) return
    // Picking and erasing must see changes that arrived since the last frame.
    flushScene()
    const pointerId = event.pointerId ?? 1
    const rect = surface.getBoundingClientRect()
    const sx = event.clientX - rect.left
    const sy = event.clientY - rect.top
    const point = boardPoint(event)
    surface.focus({ preventScroll: true })

    if (event.button === 1 || (event.button === 0 && (spaceHeld || tool === 'pan'))) {
      event.preventDefault()
      gesture = { type: 'pan', pointerId, lastX: event.clientX, lastY: event.clientY }
    } else if (event.button !== 0) {
      return
    } else if (tool === 'laser') {
      gesture = { type: 'laser', pointerId }
      publishLaser(point)
    } else if (!canDraw) {
      return
    } else if (tool === 'pen' || tool === 'highlighter') {
      const first: Point = { x: 0, y: 0, pressure: pressureOf(event) }
      undoManager.stopCapturing()
      const highlighter = tool === 'highlighter'
      const id = addElement(
        doc,
        {
          kind: highlighter ? 'highlighter' : 'stroke',
          page,
          x: point.x,
          y: point.y,
          color,
          width: highlighter ? highlighterWidth(width) : width,
          opacity: highlighter ? HIGHLIGHTER_OPACITY : 1,
          points: [first],
        },
        participantId,
        localOrigin,
      )
      gesture = { type: 'stroke', pointerId, id, originX: point.x, originY: point.y, pending: [], last: first }
    } else if (tool === 'eraser') {
      undoManager.stopCapturing()
      gesture = { type: 'erase', pointerId, lastX: point.x, lastY: point.y, erased: new Set() }
      eraseAlong(point.x, point.y, point.x, point.y)
    } else if (tool === 'line' || tool === 'arrow' || tool === 'rectangle' || tool === 'ellipse') {
      undoManager.stopCapturing()
      const id = addElement(doc, { kind: tool, page, x: point.x, y: point.y, w: 0, h: 0, color, width }, participantId, localOrigin)
      gesture = { type: 'shape', pointerId, id, kind: tool, startX: point.x, startY: point.y }
    } else if (tool === 'text') {
      const hit = pick(point.x, point.y)
      if (hit?.data.kind === 'text') {
        startTextEdit(hit.data.id)
      } else {
        undoManager.stopCapturing()
        const box = measureText(baseContext, '', width)
        const id = addElement(doc, { kind: 'text', page, x: point.x, y: point.y, w: box.w, h: box.h, color, width, text: '' }, participantId, localOrigin)
        flushScene()
        startTextEdit(id, true)
      }
      event.preventDefault()
      return
    } else if (tool === 'select') {
      const handle = pickHandle(sx, sy)
      if (handle) {
        const { bounds, corner } = handle
        const anchorX = corner === 'nw' || corner === 'sw' ? bounds.maxX : bounds.minX
        const anchorY = corner === 'nw' || corner === 'ne' ? bounds.maxY : bounds.minY
        const cornerX = corner === 'nw' || corner === 'sw' ? bounds.minX : bounds.maxX
        const cornerY = corner === 'nw' || corner === 'ne' ? bounds.minY : bounds.maxY
        const originals = [...selection].map((id) => scene.elements.get(id)?.data).filter((data): data is BoardElement => data !== undefined)
        undoManager.stopCapturing()
        gesture = { type: 'resize', pointerId, anchorX, anchorY, cornerX, cornerY, originals }
      } else {
        const hit = pick(point.x, point.y)
        if (hit) {
          if (event.shiftKey) {
            if (selection.has(hit.data.id)) selection.delete(hit.data.id)
            else selection.add(hit.data.id)
          } else if (!selection.has(hit.data.id)) {
            selection.clear()
            selection.add(hit.data.id)
          }
          undoManager.stopCapturing()
          gesture = { type: 'move', pointerId, lastX: point.x, lastY: point.y, moved: false }
        } else {
          if (!event.shiftKey) selection.clear()
          gesture = { type: 'box', pointerId, startX: point.x, startY: point.y, endX: point.x, endY: point.y, additive: event.shiftKey }
        }
      }
      overlayDirty = true
      scheduleFrame()
    }

    if (gesture) {
      event.preventDefault()
      try {
        surface.setPointerCapture(pointerId)
      } catch {
        // Synthetic events have no active pointer to capture.
      }
    }
  }

  function publishLaser(point: { x: number; y: number }): void {
    setAwareness('laser', { x: point.x, y: point.y, t: Date.now() })
  }

  function eraseAlong(ax: number, ay: number, bx: number, by: number): void {
    if (gesture?.type !== 'erase') return
    const radius = ERASER_RADIUS_PX / viewport.zoom
    const sweep: Bounds = { minX: Math.min(ax, bx) - radius, minY: Math.min(ay, by) - radius, maxX: Math.max(ax, bx) + radius, maxY: Math.max(ay, by) + radius }
    const hits: string[] = []
    for (const entry of scene.pageElements(page)) {
      if (gesture.erased.has(entry.data.id) || !boundsIntersect(entry.bounds, sweep)) continue
      if (hitTestSegment(entry.data, ax, ay, bx, by, radius)) hits.push(entry.data.id)
    }
    if (hits.length === 0) return
    for (const id of hits) gesture.erased.add(id)
    deleteElements(doc, hits, localOrigin)
  }

  function onPointerMove(event: PointerEvent): void {
    const point = boardPoint(event)
    setAwareness('cursor', { x: point.x, y: point.y })
    if (tool === 'laser' && !gesture) publishLaser(point)
    if (!gesture || (event.pointerId ?? 1) !== gesture.pointerId) return

    switch (gesture.type) {
      case 'pan': {
        const dx = event.clientX - gesture.lastX
        const dy = event.clientY - gesture.lastY
        gesture.lastX = event.clientX
        gesture.lastY = event.clientY
        setViewport({ x: viewport.x - dx / viewport.zoom, y: viewport.y - dy / viewport.zoom, zoom: viewport.zoom }, true)
        break
      }
      case 'laser':
        publishLaser(point)
        break
      case 'stroke': {
        const samples = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : []
        for (const sample of samples.length > 0 ? samples : [event]) addStrokePoint(boardPoint(sample), pressureOf(sample))
        scheduleFrame()
        break
      }
      case 'erase':
        eraseAlong(gesture.lastX, gesture.lastY, point.x, point.y)
        gesture.lastX = point.x
        gesture.lastY = point.y
        break
      case 'shape':
        updateShape(gesture, point.x, point.y)
        break
      case 'move': {
        const dx = point.x - gesture.lastX
        const dy = point.y - gesture.lastY
        gesture.lastX = point.x
        gesture.lastY = point.y
        if (dx !== 0 || dy !== 0) {
          gesture.moved = true
          moveElements(doc, selection, dx, dy, localOrigin)
        }
        break
      }
      case 'resize':
        resizeSelection(gesture, point.x, point.y)
        break
      case 'box':
        gesture.endX = point.x
        gesture.endY = point.y
        overlayDirty = true
        scheduleFrame()
        break
    }
  }

  function addStrokePoint(point: { x: number; y: number }, pressure: number): void {
    if (gesture?.type !== 'stroke') return
    const relative: Point = { x: point.x - gesture.originX, y: point.y - gesture.originY, pressure }
    const minimum = MIN_POINT_DISTANCE_PX / viewport.zoom
    if (Math.hypot(relative.x - gesture.last.x, relative.y - gesture.last.y) < minimum) return
    gesture.pending.push(relative)
    gesture.last = relative
  }

  function updateShape(shape: Extract<Gesture, { type: 'shape' }>, x: number, y: number): void {
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

  function resizeSelection(resize: Extract<Gesture, { type: 'resize' }>, x: number, y: number): void {
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

  function onPointerUp(event: PointerEvent): void {
    if (!gesture || (event.pointerId ?? 1) !== gesture.pointerId) return
    const finished = gesture
    if (finished.type === 'stroke') flushStroke()
    gesture = null

    if (finished.type === 'shape') {
      const entry = elementsMap(doc).get(finished.id)
      const w = Number(entry?.get('w') ?? 0)
      const h = Number(entry?.get('h') ?? 0)
      // A click without a drag leaves no zero-size shape behind.
      if (Math.hypot(w, h) * viewport.zoom < 2) deleteElements(doc, [finished.id], localOrigin)
    } else if (finished.type === 'box') {
      flushScene()
      const box: Bounds = {
        minX: Math.min(finished.startX, finished.endX),
        minY: Math.min(finished.startY, finished.endY),
        maxX: Math.max(finished.startX, finished.endX),
        maxY: Math.max(finished.startY, finished.endY),
      }
      for (const entry of scene.pageElements(page)) {
        const bounds = entry.bounds
        if (bounds.minX >= box.minX && bounds.maxX <= box.maxX && bounds.minY >= box.minY && bounds.maxY <= box.maxY) selection.add(entry.data.id)
      }
    } else if (finished.type === 'laser') {
      setAwareness('laser', null)
    }
    undoManager.stopCapturing()
    overlayDirty = true
    scheduleFrame()
    updateToolbar()
  }

  function onDoubleClick(event: MouseEvent): void {
    if (!canDraw || tool !== 'select') return
    const point = boardPoint(event)
    const hit = pick(point.x, point.y)
    if (hit?.data.kind === 'text') startTextEdit(hit.data.id)
  }

  function onPointerLeave(): void {
    setAwareness('cursor', null)
    if (tool === 'laser' && gesture?.type !== 'laser') setAwareness('laser', null)
  }

  function onWheel(event: WheelEvent): void {
    event.preventDefault()
    const rect = surface.getBoundingClientRect()
    // deltaMode 1 counts lines; treat a line as 16 pixels.
    const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY
    const factor = Math.exp(-delta * 0.0015)
    setViewport(zoomAt(viewport, size, viewport.zoom * factor, event.clientX - rect.left, event.clientY - rect.top), true)
  }

  // Keyboard.
  function onKeyDown(event: KeyboardEvent): void {
    if (isTypingTarget(event.target) || event.defaultPrevented || event.altKey) return
    const key = event.key.toLowerCase()
    const command = event.ctrlKey || event.metaKey

    if (command) {
      if (key === 'z' && !event.shiftKey) runUndo(false)
      else if ((key === 'z' && event.shiftKey) || key === 'y') runUndo(true)
      else return
      event.preventDefault()
      return
    }

    if (event.key === ' ') {
      // A focused button handles Space itself.
      if (event.target instanceof HTMLButtonElement) return
      spaceHeld = true
      event.preventDefault()
      return
    }
    if (event.key === '+' || event.key === '=') zoomBy(ZOOM_STEP)
    else if (event.key === '-' || event.key === '_') zoomBy(1 / ZOOM_STEP)
    else if (event.key === '0') fitToContent()
    else if ((event.key === 'Delete' || event.key === 'Backspace') && selection.size > 0 && canDraw) {
      const ids = [...selection]
      selection.clear()
      edit(() => deleteElements(doc, ids, localOrigin))
      overlayDirty = true
      scheduleFrame()
    } else if (event.key === 'Escape') {
      selection.clear()
      cancelGesture()
    } else {
      const shortcut = (Object.entries(TOOL_SHORTCUTS) as Array<[ToolName, string]>).find(([, letter]) => letter.toLowerCase() === key)
      if (!shortcut || event.shiftKey) return
      selectTool(shortcut[0])
    }
    event.preventDefault()
  }

  function onKeyUp(event: KeyboardEvent): void {
    if (event.key === ' ') spaceHeld = false
  }

  // Size tracking.
  function resize(): void {
    const rect = surface.getBoundingClientRect()
    devicePixelRatio = globalThis.devicePixelRatio || 1
    size = { width: rect.width, height: rect.height }
    for (const canvas of [baseCanvas, overlayCanvas]) {
      canvas.width = Math.round(rect.width * devicePixelRatio)
      canvas.height = Math.round(rect.height * devicePixelRatio)
    }
    baseDirty = true
    overlayDirty = true
    scheduleFrame()
  }

  // Wiring.
  const onSceneChange = (): void => scheduleFrame()
  const unsubscribeScene = scene.onChange(onSceneChange)
  const pagesObserver = (): void => refreshPages()
  pagesMap(doc).observeDeep(pagesObserver)
  const onUndoStack = (): void => updateToolbar()
  undoManager.on('stack-item-added', onUndoStack)
  undoManager.on('stack-item-popped', onUndoStack)
  undoManager.on('stack-cleared', onUndoStack)

  const onAwarenessChange = (): void => {
    peers = readPeers(awareness)
    laserTrails.record(peers, page, performance.now())
    applyFollow()
    overlayDirty = true
    scheduleFrame()
  }
  awareness.on('change', onAwarenessChange)

  surface.addEventListener('pointerdown', onPointerDown)
  surface.addEventListener('pointermove', onPointerMove)
  surface.addEventListener('pointerup', onPointerUp)
  surface.addEventListener('pointercancel', onPointerUp)
  surface.addEventListener('pointerleave', onPointerLeave)
  surface.addEventListener('dblclick', onDoubleClick)
  surface.addEventListener('wheel', onWheel, { passive: false })
  surface.addEventListener('contextmenu', (event) => event.preventDefault())
  window.addEventListener('keydown', onKeyDown)
  window.addEventListener('keyup', onKeyUp)
  const resizeObserver = typeof ResizeObserver === 'function' ? new ResizeObserver(resize) : null
  resizeObserver?.observe(surface)
  resize()

  // Publish this client's part of the awareness state. The room page may
  // have set `user` already, and its fields win.
  const localState = awareness.getLocalState() ?? {}
  if (!localState.user) {
    pendingAwareness.user = { id: participantId, name: options.name, role, color: colorForId(participantId) }
  }
  pendingAwareness.page = page
  pendingAwareness.viewport = viewport
  pendingAwareness.cursor = null
  pendingAwareness.laser = null
  publishAwareness()
  applyFollow()
  updateToolbar()
  scheduleFrame()

  let destroyed = false
  return {
    setCanDraw(allowed: boolean): void {
      if (destroyed || canDraw === allowed) return
      canDraw = allowed
      if (!allowed) {
        finishTextEdit()
        cancelGesture()
        selection.clear()
        if (EDITING_TOOLS.includes(tool) || tool === 'laser') {
          if (tool === 'laser') setAwareness('laser', null)
          tool = 'pan'
        }
      } else if (tool === 'pan') {
        tool = 'pen'
      }
      overlayDirty = true
      scheduleFrame()
      updateToolbar()
    },
    setFollow(next: boolean): void {
      if (!destroyed) setFollow(next)
    },
    onFollowChange(listener: (follow: boolean) => void): () => void {
      followListeners.add(listener)
      return () => followListeners.delete(listener)
    },
    setTranslator(next: Translate): void {
      if (destroyed) return
      t = next
      toolbar.setTranslator(next)
      surface.setAttribute('aria-label', t('board.surface'))
      editor?.textarea.setAttribute('aria-label', t('board.textEditor'))
    },
    destroy(): void {
      if (destroyed) return
      destroyed = true
      finishTextEdit()
      if (frameHandle !== null) cancelFrame(frameHandle)
      frameHandle = null
      unsubscribeScene()
      scene.destroy()
      pagesMap(doc).unobserveDeep(pagesObserver)
      undoManager.destroy()
      awareness.off('change', onAwarenessChange)
      window.removeEventListener('keydown', onKeyDown)
      window.removeEventListener('keyup', onKeyUp)
      resizeObserver?.disconnect()
      followListeners.clear()
      if (awareness.getLocalState() !== null) {
        awareness.setLocalStateField('cursor', null)
        awareness.setLocalStateField('laser', null)
      }
      root.remove()
    },
  }
}
