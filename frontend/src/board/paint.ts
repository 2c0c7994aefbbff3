/**
 * Canvas painting of board elements.
 */
import { getStroke } from 'perfect-freehand'

import type { BoardElement } from './doc'
import { normalizedBox } from './hit'
import type { ImageState } from './media/imageCache'
import type { Point } from './points'
import type { SceneElement } from './scene'

/** Opacity of a new highlighter stroke. */
export const HIGHLIGHTER_OPACITY = 0.35

/** Pressure stored for pointers that report none (a mouse reports 0.5 while pressed). */
export const DEFAULT_PRESSURE = 0.5

/** Returns the font size in board units of a text element with stroke width `width`. */
export function textFontSize(width: number): number {
  return 12 + width * 3
}

export const TEXT_LINE_HEIGHT = 1.25

export const TEXT_FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'

/**
 * Returns whether a stroke's pressure carries no information: every point
 * has the default pressure, as strokes drawn with a mouse or touch do.
 * Perfect-freehand then simulates pressure from speed.
 */
function hasFlatPressure(points: readonly Point[]): boolean {
  const stored = Math.round(DEFAULT_PRESSURE * 255) / 255
  return points.every((point) => Math.abs(point.pressure - stored) < 1e-6)
}

/** Builds a closed Path2D through an outline, smoothing it with quadratic curves. */
function outlinePath(outline: number[][]): Path2D {
  const path = new Path2D()
  if (outline.length < 3) return path
  path.moveTo(outline[0][0], outline[0][1])
  for (let i = 1; i < outline.length; i++) {
    const [x0, y0] = outline[i]
    const [x1, y1] = outline[(i + 1) % outline.length]
    path.quadraticCurveTo(x0, y0, (x0 + x1) / 2, (y0 + y1) / 2)
  }
  path.closePath()
  return path
}

/** Builds the path of a stroke or highlighter, relative to its origin. */
export function buildPath(element: BoardElement): Path2D {
  const points = element.points
  if (element.kind === 'highlighter') {
    const path = new Path2D()
    if (points.length === 0) return path
    path.moveTo(points[0].x, points[0].y)
    // A single point still needs a segment for the round cap to show.
    if (points.length === 1) path.lineTo(points[0].x + 0.01, points[0].y)
    for (let i = 1; i < points.length; i++) path.lineTo(points[i].x, points[i].y)
    return path
  }

  const outline = getStroke(
    points.map((point) => [point.x, point.y, point.pressure]),
    {
      size: element.width * 1.5,
      thinning: 0.6,
      smoothing: 0.5,
      streamline: 0.4,
      simulatePressure: hasFlatPressure(points),
      last: true,
    },
  )
  return outlinePath(outline)
}

function withRotation(ctx: CanvasRenderingContext2D, element: BoardElement, paint: () => void): void {
  if (element.rotation === 0) {
    paint()
    return
  }
  const box = normalizedBox(element)
  const cx = box.x + box.w / 2
  const cy = box.y + box.h / 2
  ctx.save()
  ctx.translate(cx, cy)
  ctx.rotate(element.rotation)
  ctx.translate(-cx, -cy)
  paint()
  ctx.restore()
}

function paintArrowHead(ctx: CanvasRenderingContext2D, element: BoardElement): void {
  const length = Math.hypot(element.w, element.h)
  if (length === 0) return
  const ux = element.w / length
  const uy = element.h / length
  const tipX = element.x + element.w
  const tipY = element.y + element.h
  const headLength = Math.min(length, element.width * 4 + 6)
  const headWidth = headLength * 0.6
  ctx.beginPath()
  ctx.moveTo(tipX, tipY)
  ctx.lineTo(tipX - ux * headLength - uy * headWidth, tipY - uy * headLength + ux * headWidth)
  ctx.lineTo(tipX - ux * headLength + uy * headWidth, tipY - uy * headLength - ux * headWidth)
  ctx.closePath()
  ctx.fill()
}

/** Looks a picture up by media id; the board's ImageCache. */
export interface ImageLookup {
  get(id: string): ImageState
}

/** The frame a picture or video element shows on the canvas. */
export type MediaFrame = 'image' | 'loading' | 'failed' | 'video'

/**
 * Decides what a media element paints: a video shows a dark frame under its
 * player, and a picture shows itself once loaded, else a neutral frame.
 */
export function mediaFrame(element: BoardElement, images: ImageLookup | null): MediaFrame {
  if (element.kind === 'video') return 'video'
  if (!element.media || !images) return 'failed'
  const state = images.get(element.media)
  if (state.status === 'loaded' && state.image) return 'image'
  return state.status === 'failed' ? 'failed' : 'loading'
}

/**
 * Paints one element in board coordinates; the caller sets the view
 * transform. `images` supplies the pictures of image elements.
 */
export function paintElement(ctx: CanvasRenderingContext2D, entry: SceneElement, images: ImageLookup | null = null): void {
  const element = entry.data
  ctx.globalAlpha = Math.min(1, Math.max(0, element.opacity))
  ctx.fillStyle = element.color
  ctx.strokeStyle = element.color
  ctx.lineWidth = element.width
  ctx.lineCap = 'round'
  ctx.lineJoin = 'round'

  switch (element.kind) {
    case 'stroke':
    case 'highlighter': {
      if (!entry.path) entry.path = buildPath(element)
      ctx.save()
      ctx.translate(element.x, element.y)
      if (element.kind === 'stroke') ctx.fill(entry.path)
      else ctx.stroke(entry.path)
      ctx.restore()
      break
    }
    case 'line':
    case 'arrow':
      ctx.beginPath()
      ctx.moveTo(element.x, element.y)
      ctx.lineTo(element.x + element.w, element.y + element.h)
      ctx.stroke()
      if (element.kind === 'arrow') paintArrowHead(ctx, element)
      break
    case 'rectangle':
      withRotation(ctx, element, () => {
        const box = normalizedBox(element)
        if (element.fill) {
          ctx.fillStyle = element.fill
          ctx.fillRect(box.x, box.y, box.w, box.h)
        }
        if (element.width > 0) ctx.strokeRect(box.x, box.y, box.w, box.h)
      })
      break
    case 'ellipse':
      withRotation(ctx, element, () => {
        const box = normalizedBox(element)
        ctx.beginPath()
        ctx.ellipse(box.x + box.w / 2, box.y + box.h / 2, box.w / 2, box.h / 2, 0, 0, Math.PI * 2)
        if (element.fill) {
          ctx.fillStyle = element.fill
          ctx.fill()
        }
        if (element.width > 0) ctx.stroke()
      })
      break
    case 'text':
      withRotation(ctx, element, () => paintText(ctx, element))
      break
    case 'image':
    case 'video':
      withRotation(ctx, element, () => paintMedia(ctx, element, images))
      break
  }
  ctx.globalAlpha = 1
}

function paintText(ctx: CanvasRenderingContext2D, element: BoardElement): void {
  const size = textFontSize(element.width)
  ctx.font = `${size}px ${TEXT_FONT_FAMILY}`
  ctx.textBaseline = 'top'
  const box = normalizedBox(element)
  const lines = element.text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    ctx.fillText(lines[i], box.x, box.y + i * size * TEXT_LINE_HEIGHT)
  }
}

function paintMedia(ctx: CanvasRenderingContext2D, element: BoardElement, images: ImageLookup | null): void {
  const box = normalizedBox(element)
  const frame = mediaFrame(element, images)
  if (frame === 'image' && element.media && images) {
    const image = images.get(element.media).image
    if (image) {
      ctx.drawImage(image, box.x, box.y, box.w, box.h)
      return
    }
  }
  paintMediaFrame(ctx, box, frame)
}

/**
 * Paints the neutral frame of media that is not shown: grey while a
 * picture loads, crossed out when it failed, dark under a video player.
 */
export function paintMediaFrame(ctx: CanvasRenderingContext2D, box: { x: number; y: number; w: number; h: number }, frame: MediaFrame): void {
  ctx.globalAlpha = 1
  ctx.fillStyle = frame === 'video' ? '#111827' : '#f3f4f6'
  ctx.fillRect(box.x, box.y, box.w, box.h)
  ctx.strokeStyle = '#6b7280'
  ctx.lineWidth = 1
  ctx.strokeRect(box.x, box.y, box.w, box.h)
  if (frame !== 'failed') return
  ctx.beginPath()
  ctx.moveTo(box.x, box.y)
  ctx.lineTo(box.x + box.w, box.y + box.h)
  ctx.moveTo(box.x + box.w, box.y)
  ctx.lineTo(box.x, box.y + box.h)
  ctx.stroke()
}

/** Measures the box of a text in board units, using `ctx` when there is one. */
export function measureText(ctx: CanvasRenderingContext2D | null, text: string, width: number): { w: number; h: number } {
  const size = textFontSize(width)
  const lines = text.split('\n')
  let widest = 0
  if (ctx) {
    ctx.save()
    ctx.font = `${size}px ${TEXT_FONT_FAMILY}`
    for (const line of lines) widest = Math.max(widest, ctx.measureText(line).width)
    ctx.restore()
  } else {
    // Without a canvas, estimate an average glyph at 0.6 em.
    for (const line of lines) widest = Math.max(widest, line.length * size * 0.6)
  }
  return { w: Math.max(widest, size), h: lines.length * size * TEXT_LINE_HEIGHT }
}
