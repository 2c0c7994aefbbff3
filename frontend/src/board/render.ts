/** Painting: the elements on the base canvas, and selection, laser trails and peers' cursors on the overlay. */
import type { BoardContext } from './context'
import { flushScene, publishAwareness, scheduleFrame } from './frame'
import { boundsIntersect } from './hit'
import { backgroundBounds, readPageBackground } from './media/slides'
import { paintElement, paintMediaFrame, TEXT_FONT_FAMILY } from './paint'
import { flushStroke } from './tools/freehand'
import { paintLaserTrails } from './tools/laser'
import { paintSelection } from './tools/select'
import { positionEditor } from './tools/text'
import { boardToScreen, visibleBounds } from './viewport'

export function renderFrame(board: BoardContext): void {
  board.frameHandle = null
  flushScene(board)
  flushStroke(board)
  if (board.baseDirty) paintBase(board)
  // Every frame, because tool and rights changes repaint only the overlay.
  placeMedia(board)
  const now = performance.now()
  const trailsLeft = board.laserTrails.prune(now)
  if (board.overlayDirty || trailsLeft) paintOverlay(board, now)
  if (board.editor) positionEditor(board)
  board.surface.dataset.elementCount = String(board.scene.countOnPage(board.page))
  publishAwareness(board)
  // Keep fading laser trails until they are gone.
  if (trailsLeft) scheduleFrame(board)
}

/** Sets the canvas transform from board units to device pixels. */
function applyView(board: BoardContext, ctx: CanvasRenderingContext2D): void {
  const { devicePixelRatio, viewport, size } = board
  const scale = devicePixelRatio * viewport.zoom
  ctx.setTransform(scale, 0, 0, scale, devicePixelRatio * (size.width / 2 - viewport.x * viewport.zoom), devicePixelRatio * (size.height / 2 - viewport.y * viewport.zoom))
}

function paintBase(board: BoardContext): void {
  const { size, editor } = board
  board.baseDirty = false
  if (!board.baseContext || size.width === 0 || size.height === 0) return
  const ctx = board.baseContext
  ctx.setTransform(1, 0, 0, 1, 0, 0)
  ctx.clearRect(0, 0, board.baseCanvas.width, board.baseCanvas.height)
  applyView(board, ctx)
  const visible = visibleBounds(board.viewport, size)
  paintBackground(board, ctx)
  const images = board.media?.images ?? null
  for (const entry of board.scene.pageElements(board.page)) {
    if (editor && entry.data.id === editor.id) continue
    if (!boundsIntersect(entry.bounds, visible)) continue
    paintElement(ctx, entry, images)
  }
}

/** Paints the page's background picture (a slide) under everything else on the page. */
function paintBackground(board: BoardContext, ctx: CanvasRenderingContext2D): void {
  const background = readPageBackground(board.doc, board.page)
  if (!background) return
  const bounds = backgroundBounds(background)
  const box = { x: bounds.minX, y: bounds.minY, w: background.w, h: background.h }
  const state = board.media?.images.get(background.media)
  if (state?.status === 'loaded' && state.image) ctx.drawImage(state.image, box.x, box.y, box.w, box.h)
  else paintMediaFrame(ctx, box, state?.status === 'loading' ? 'loading' : 'failed')
}

/**
 * Places the video players and upload placeholders over the canvas. Players
 * take clicks only outside the select and eraser tools, which pick elements.
 */
function placeMedia(board: BoardContext): void {
  const media = board.media
  if (!media) return
  const videos = board.scene.pageElements(board.page).filter((entry) => entry.data.kind === 'video')
  const interactive = board.tool !== 'select' && board.tool !== 'eraser'
  media.videos.update(videos, board.viewport, board.size, board.canDraw, interactive)
  media.placeholders.place(board.page, board.viewport, board.size)
}

function paintOverlay(board: BoardContext, now: number): void {
  const { size } = board
  board.overlayDirty = false
  if (!board.overlayContext || size.width === 0 || size.height === 0) return
  const ctx = board.overlayContext
  ctx.setTransform(1, 0, 0, 1, 0, 0)
  ctx.clearRect(0, 0, board.overlayCanvas.width, board.overlayCanvas.height)
  ctx.setTransform(board.devicePixelRatio, 0, 0, board.devicePixelRatio, 0, 0)

  paintSelection(board, ctx)
  paintLaserTrails(board, ctx, now)

  // Remote cursors with name tags.
  if (board.showCursors) {
    ctx.font = `12px ${TEXT_FONT_FAMILY}`
    ctx.textBaseline = 'middle'
    for (const peer of board.peers) {
      if (peer.clientId === board.awareness.clientID || !peer.cursor || peer.page !== board.page) continue
      const at = boardToScreen(board.viewport, size, peer.cursor.x, peer.cursor.y)
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

/** Sizes both canvases to the surface in device pixels. */
export function resizeCanvases(board: BoardContext): void {
  const rect = board.surface.getBoundingClientRect()
  board.devicePixelRatio = globalThis.devicePixelRatio || 1
  board.size = { width: rect.width, height: rect.height }
  for (const canvas of [board.baseCanvas, board.overlayCanvas]) {
    canvas.width = Math.round(rect.width * board.devicePixelRatio)
    canvas.height = Math.round(rect.height * board.devicePixelRatio)
  }
  board.baseDirty = true
  board.overlayDirty = true
  scheduleFrame(board)
}
