/**
 * The board viewport: which part of the board the surface shows.
 */
import type { Bounds } from './hit'

/**
 * A view of the board, as published in awareness `viewport`. `x`, `y` is the
 * board point shown at the centre of the surface, so a follower with a
 * different window size shows the same centre. `zoom` is CSS pixels per board
 * unit.
 */
export interface Viewport {
  x: number
  y: number
  zoom: number
}

export const MIN_ZOOM = 0.1
export const MAX_ZOOM = 8
export const ZOOM_STEP = 1.25

export const DEFAULT_VIEWPORT: Viewport = { x: 0, y: 0, zoom: 1 }

/** Surface size in CSS pixels. */
export interface SurfaceSize {
  width: number
  height: number
}

export function clampZoom(zoom: number): number {
  if (!Number.isFinite(zoom)) return 1
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom))
}

/** Converts a surface point (CSS pixels from its top-left) to board units. */
export function screenToBoard(viewport: Viewport, size: SurfaceSize, sx: number, sy: number): { x: number; y: number } {
  return {
    x: (sx - size.width / 2) / viewport.zoom + viewport.x,
    y: (sy - size.height / 2) / viewport.zoom + viewport.y,
  }
}

/** Converts a board point to surface CSS pixels. */
export function boardToScreen(viewport: Viewport, size: SurfaceSize, bx: number, by: number): { x: number; y: number } {
  return {
    x: (bx - viewport.x) * viewport.zoom + size.width / 2,
    y: (by - viewport.y) * viewport.zoom + size.height / 2,
  }
}

/** Returns the board area visible on the surface. */
export function visibleBounds(viewport: Viewport, size: SurfaceSize): Bounds {
  const halfWidth = size.width / 2 / viewport.zoom
  const halfHeight = size.height / 2 / viewport.zoom
  return { minX: viewport.x - halfWidth, minY: viewport.y - halfHeight, maxX: viewport.x + halfWidth, maxY: viewport.y + halfHeight }
}

/** Zooms to `zoom`, keeping the board point under surface point (sx, sy) in place. */
export function zoomAt(viewport: Viewport, size: SurfaceSize, zoom: number, sx: number, sy: number): Viewport {
  const next = clampZoom(zoom)
  const anchor = screenToBoard(viewport, size, sx, sy)
  return {
    x: anchor.x - (sx - size.width / 2) / next,
    y: anchor.y - (sy - size.height / 2) / next,
    zoom: next,
  }
}

/** Returns the viewport that fits `bounds` with a margin of `padding` CSS pixels. */
export function fitBounds(bounds: Bounds | null, size: SurfaceSize, padding = 40): Viewport {
  if (!bounds || size.width <= 0 || size.height <= 0) return { ...DEFAULT_VIEWPORT }
  const width = Math.max(bounds.maxX - bounds.minX, 1)
  const height = Math.max(bounds.maxY - bounds.minY, 1)
  const zoom = Math.min((size.width - 2 * padding) / width, (size.height - 2 * padding) / height)
  return {
    x: (bounds.minX + bounds.maxX) / 2,
    y: (bounds.minY + bounds.maxY) / 2,
    zoom: clampZoom(Math.min(zoom, 2)),
  }
}

/** Returns whether a value read from awareness is a usable viewport. */
export function isViewport(value: unknown): value is Viewport {
  if (!value || typeof value !== 'object') return false
  const { x, y, zoom } = value as Record<string, unknown>
  return typeof x === 'number' && typeof y === 'number' && typeof zoom === 'number' && Number.isFinite(x) && Number.isFinite(y) && zoom > 0
}
