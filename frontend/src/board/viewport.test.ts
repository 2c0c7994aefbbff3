import { describe, expect, it } from 'vitest'

import { boardToScreen, fitBounds, MAX_ZOOM, screenToBoard, zoomAt } from './viewport'

const size = { width: 800, height: 600 }

describe('viewport', () => {
  it('centres the viewport point on the surface', () => {
    const viewport = { x: 100, y: 50, zoom: 2 }
    expect(boardToScreen(viewport, size, 100, 50)).toEqual({ x: 400, y: 300 })
    expect(screenToBoard(viewport, size, 500, 300)).toEqual({ x: 150, y: 50 })
  })

  it('zooms about the pointer', () => {
    const viewport = { x: 0, y: 0, zoom: 1 }
    const before = screenToBoard(viewport, size, 600, 100)
    const zoomed = zoomAt(viewport, size, 3, 600, 100)
    const after = screenToBoard(zoomed, size, 600, 100)
    expect(zoomed.zoom).toBe(3)
    expect(after.x).toBeCloseTo(before.x)
    expect(after.y).toBeCloseTo(before.y)
  })

  it('clamps zoom', () => {
    expect(zoomAt({ x: 0, y: 0, zoom: 1 }, size, 1000, 0, 0).zoom).toBe(MAX_ZOOM)
  })

  it('fits content with a margin', () => {
    const fitted = fitBounds({ minX: 0, minY: 0, maxX: 1440, maxY: 520 }, size)
    expect(fitted).toEqual({ x: 720, y: 260, zoom: 0.5 })
    expect(fitBounds(null, size)).toEqual({ x: 0, y: 0, zoom: 1 })
  })
})
