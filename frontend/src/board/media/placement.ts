/**
 * Placement of a new picture or video on the board: its natural size, scaled
 * down to fit the visible part of the board with its aspect ratio, centred
 * on the drop point or the viewport centre.
 */
import { visibleBounds, type SurfaceSize, type Viewport } from '../viewport'

/** Share of the visible width and height that a new picture may cover at most. */
export const FIT_SHARE = 0.8

/** Size of a video whose size is unknown (16:9), in CSS pixels at zoom 1. */
export const DEFAULT_VIDEO_SIZE = { width: 640, height: 360 }

export interface Box {
  x: number
  y: number
  w: number
  h: number
}

/**
 * Returns the board box of a picture of `width` × `height` pixels. One pixel
 * is one board unit at most, so a small picture keeps its size, and a large
 * one shrinks to `FIT_SHARE` of the visible area. The box is centred on
 * `center` (board units), then moved inside the visible area where it fits.
 */
export function fitInViewport(width: number, height: number, viewport: Viewport, size: SurfaceSize, center?: { x: number; y: number }): Box {
  const visible = visibleBounds(viewport, size)
  const visibleWidth = visible.maxX - visible.minX
  const visibleHeight = visible.maxY - visible.minY
  const naturalWidth = width > 0 ? width : DEFAULT_VIDEO_SIZE.width
  const naturalHeight = height > 0 ? height : DEFAULT_VIDEO_SIZE.height

  let scale = 1
  if (visibleWidth > 0 && visibleHeight > 0) {
    scale = Math.min(1, (visibleWidth * FIT_SHARE) / naturalWidth, (visibleHeight * FIT_SHARE) / naturalHeight)
  }
  const w = naturalWidth * scale
  const h = naturalHeight * scale

  const cx = center?.x ?? viewport.x
  const cy = center?.y ?? viewport.y
  const x = clampStart(cx - w / 2, w, visible.minX, visible.maxX)
  const y = clampStart(cy - h / 2, h, visible.minY, visible.maxY)
  return { x, y, w, h }
}

/** Moves a span starting at `start` inside [min, max] when it fits there. */
function clampStart(start: number, length: number, min: number, max: number): number {
  if (max - min < length) return start
  return Math.min(Math.max(start, min), max - length)
}

/** Returns the box shown while a file uploads: a fixed size on screen, centred on `center`. */
export function placeholderBox(viewport: Viewport, center?: { x: number; y: number }): Box {
  const w = 240 / viewport.zoom
  const h = 160 / viewport.zoom
  return { x: (center?.x ?? viewport.x) - w / 2, y: (center?.y ?? viewport.y) - h / 2, w, h }
}
