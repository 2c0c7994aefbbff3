/**
 * Geometry of board elements: bounds and hit testing for the eraser and the
 * select tool. All coordinates are board units.
 */
import type { BoardElement } from './doc'

/** An axis-aligned box. */
export interface Bounds {
  minX: number
  minY: number
  maxX: number
  maxY: number
}

const EMPTY_BOUNDS: Bounds = { minX: 0, minY: 0, maxX: 0, maxY: 0 }

/** Returns the distance from point p to the segment a-b. */
export function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax
  const dy = by - ay
  const lengthSquared = dx * dx + dy * dy
  let t = lengthSquared === 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / lengthSquared
  t = Math.max(0, Math.min(1, t))
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy))
}

/** Returns whether a box is the x, y, w, h kind: shapes, text and media. */
function isBoxKind(element: BoardElement): boolean {
  return element.kind === 'rectangle' || element.kind === 'ellipse' || element.kind === 'text' || element.kind === 'image' || element.kind === 'video'
}

/** Returns the box of a box-kind element with non-negative size, unrotated. */
export function normalizedBox(element: BoardElement): { x: number; y: number; w: number; h: number } {
  return {
    x: Math.min(element.x, element.x + element.w),
    y: Math.min(element.y, element.y + element.h),
    w: Math.abs(element.w),
    h: Math.abs(element.h),
  }
}

/** Rotates point p about (cx, cy) by `angle` radians. */
function rotate(px: number, py: number, cx: number, cy: number, angle: number): [number, number] {
  const cos = Math.cos(angle)
  const sin = Math.sin(angle)
  const dx = px - cx
  const dy = py - cy
  return [cx + dx * cos - dy * sin, cy + dx * sin + dy * cos]
}

/**
 * Returns the bounds of an element, including half its stroke width. A
 * rotated box gets the bounds of its rotated corners.
 */
export function elementBounds(element: BoardElement): Bounds {
  const pad = element.width / 2
  if (element.kind === 'stroke' || element.kind === 'highlighter') {
    if (element.points.length === 0) return { ...EMPTY_BOUNDS, minX: element.x, maxX: element.x, minY: element.y, maxY: element.y }
    let minX = Infinity
    let minY = Infinity
    let maxX = -Infinity
    let maxY = -Infinity
    for (const point of element.points) {
      if (point.x < minX) minX = point.x
      if (point.x > maxX) maxX = point.x
      if (point.y < minY) minY = point.y
      if (point.y > maxY) maxY = point.y
    }
    return { minX: element.x + minX - pad, minY: element.y + minY - pad, maxX: element.x + maxX + pad, maxY: element.y + maxY + pad }
  }

  if (element.kind === 'line' || element.kind === 'arrow') {
    // An arrow head reaches about three widths beyond the line.
    const headPad = element.kind === 'arrow' ? pad + element.width * 3 : pad
    return {
      minX: Math.min(element.x, element.x + element.w) - headPad,
      minY: Math.min(element.y, element.y + element.h) - headPad,
      maxX: Math.max(element.x, element.x + element.w) + headPad,
      maxY: Math.max(element.y, element.y + element.h) + headPad,
    }
  }

  const box = normalizedBox(element)
  if (element.rotation === 0) {
    return { minX: box.x - pad, minY: box.y - pad, maxX: box.x + box.w + pad, maxY: box.y + box.h + pad }
  }
  const cx = box.x + box.w / 2
  const cy = box.y + box.h / 2
  const corners = [
    rotate(box.x, box.y, cx, cy, element.rotation),
    rotate(box.x + box.w, box.y, cx, cy, element.rotation),
    rotate(box.x + box.w, box.y + box.h, cx, cy, element.rotation),
    rotate(box.x, box.y + box.h, cx, cy, element.rotation),
  ]
  const xs = corners.map((corner) => corner[0])
  const ys = corners.map((corner) => corner[1])
  return { minX: Math.min(...xs) - pad, minY: Math.min(...ys) - pad, maxX: Math.max(...xs) + pad, maxY: Math.max(...ys) + pad }
}

/** Returns the union of bounds, or null for none. */
export function unionBounds(all: Iterable<Bounds>): Bounds | null {
  let result: Bounds | null = null
  for (const bounds of all) {
    if (result === null) result = { ...bounds }
    else {
      result.minX = Math.min(result.minX, bounds.minX)
      result.minY = Math.min(result.minY, bounds.minY)
      result.maxX = Math.max(result.maxX, bounds.maxX)
      result.maxY = Math.max(result.maxY, bounds.maxY)
    }
  }
  return result
}

export function boundsIntersect(a: Bounds, b: Bounds): boolean {
  return a.minX <= b.maxX && a.maxX >= b.minX && a.minY <= b.maxY && a.maxY >= b.minY
}

/** Returns the distance from p to the polyline of a stroke, in board units. */
function distanceToStroke(element: BoardElement, px: number, py: number): number {
  const points = element.points
  if (points.length === 0) return Infinity
  const x = px - element.x
  const y = py - element.y
  if (points.length === 1) return Math.hypot(x - points[0].x, y - points[0].y)
  let best = Infinity
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]
    const b = points[i]
    const distance = distanceToSegment(x, y, a.x, a.y, b.x, b.y)
    if (distance < best) best = distance
  }
  return best
}

/** Returns the distance from p to the outline of an axis-aligned box. */
function distanceToBoxOutline(px: number, py: number, x: number, y: number, w: number, h: number): number {
  return Math.min(
    distanceToSegment(px, py, x, y, x + w, y),
    distanceToSegment(px, py, x + w, y, x + w, y + h),
    distanceToSegment(px, py, x + w, y + h, x, y + h),
    distanceToSegment(px, py, x, y + h, x, y),
  )
}

/**
 * Returns the distance from p to the outline of an ellipse with radii rx, ry
 * centred at the origin. It measures along the ray from the centre, which is
 * exact on the axes and close enough elsewhere for picking.
 */
function distanceToEllipseOutline(px: number, py: number, rx: number, ry: number): number {
  if (rx === 0 || ry === 0) return distanceToSegment(px, py, -rx, -ry, rx, ry)
  const r = Math.hypot(px / rx, py / ry)
  if (r === 0) return Math.min(rx, ry)
  return Math.abs(1 - 1 / r) * Math.hypot(px, py)
}

/**
 * Returns whether point p is within `tolerance` board units of what the
 * element paints: the ink of a stroke or line, the outline of an unfilled
 * shape, the area of a filled shape, text box or media.
 */
export function hitTest(element: BoardElement, px: number, py: number, tolerance: number): boolean {
  const reach = element.width / 2 + tolerance
  switch (element.kind) {
    case 'stroke':
    case 'highlighter':
      return distanceToStroke(element, px, py) <= reach
    case 'line':
      return distanceToSegment(px, py, element.x, element.y, element.x + element.w, element.y + element.h) <= reach
    case 'arrow':
      return distanceToSegment(px, py, element.x, element.y, element.x + element.w, element.y + element.h) <= reach + element.width
    default:
      break
  }

  if (!isBoxKind(element)) return false
  const box = normalizedBox(element)
  const cx = box.x + box.w / 2
  const cy = box.y + box.h / 2
  // Test in the element's own unrotated frame.
  const [x, y] = element.rotation === 0 ? [px, py] : rotate(px, py, cx, cy, -element.rotation)
  const inside = x >= box.x - tolerance && x <= box.x + box.w + tolerance && y >= box.y - tolerance && y <= box.y + box.h + tolerance

  switch (element.kind) {
    case 'rectangle':
      if (element.fill && inside) return true
      return distanceToBoxOutline(x, y, box.x, box.y, box.w, box.h) <= reach
    case 'ellipse': {
      const rx = box.w / 2
      const ry = box.h / 2
      const localX = x - cx
      const localY = y - cy
      if (element.fill && rx > 0 && ry > 0 && (localX / rx) ** 2 + (localY / ry) ** 2 <= 1) return true
      return distanceToEllipseOutline(localX, localY, rx, ry) <= reach
    }
    default:
      return inside
  }
}

/**
 * Returns whether an element is touched by the segment a-b swept with radius
 * `tolerance`, as an eraser dragged from a to b touches it. The segment is
 * sampled every half tolerance, so a fast drag does not skip thin strokes.
 */
export function hitTestSegment(element: BoardElement, ax: number, ay: number, bx: number, by: number, tolerance: number): boolean {
  const length = Math.hypot(bx - ax, by - ay)
  const steps = Math.max(1, Math.ceil(length / Math.max(tolerance / 2, 0.5)))
  for (let i = 0; i <= steps; i++) {
    const t = i / steps
    if (hitTest(element, ax + (bx - ax) * t, ay + (by - ay) * t, tolerance)) return true
  }
  return false
}
