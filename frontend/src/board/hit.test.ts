import { describe, expect, it } from 'vitest'

import type { BoardElement } from './doc'
import { distanceToSegment, elementBounds, hitTest, hitTestSegment } from './hit'

function make(overrides: Partial<BoardElement>): BoardElement {
  return {
    id: 'e',
    kind: 'stroke',
    page: 'p',
    z: 'a0',
    author: 'me',
    created: 0,
    color: '#000000',
    width: 4,
    opacity: 1,
    fill: null,
    x: 0,
    y: 0,
    w: 0,
    h: 0,
    rotation: 0,
    media: null,
    points: [],
    text: '',
    ...overrides,
  }
}

describe('distanceToSegment', () => {
  it('measures to the nearest point of the segment', () => {
    expect(distanceToSegment(5, 3, 0, 0, 10, 0)).toBe(3)
    expect(distanceToSegment(-4, 3, 0, 0, 10, 0)).toBe(5)
    expect(distanceToSegment(3, 4, 0, 0, 0, 0)).toBe(5)
  })
})

describe('hitTest for the eraser', () => {
  const stroke = make({
    kind: 'stroke',
    x: 100,
    y: 100,
    width: 4,
    points: [
      { x: 0, y: 0, pressure: 0.5 },
      { x: 50, y: 0, pressure: 0.5 },
      { x: 50, y: 50, pressure: 0.5 },
    ],
  })

  it('hits a stroke within half its width plus tolerance', () => {
    expect(hitTest(stroke, 125, 104, 2)).toBe(true)
    expect(hitTest(stroke, 152, 125, 0)).toBe(true)
  })

  it('misses a stroke beyond its width', () => {
    expect(hitTest(stroke, 125, 107, 2)).toBe(false)
    // Inside the stroke's corner, but far from the ink.
    expect(hitTest(stroke, 125, 125, 2)).toBe(false)
  })

  it('hits a one-point stroke as a dot', () => {
    const dot = make({ kind: 'stroke', x: 10, y: 10, points: [{ x: 0, y: 0, pressure: 1 }] })
    expect(hitTest(dot, 12, 10, 1)).toBe(true)
    expect(hitTest(dot, 14, 10, 1)).toBe(false)
  })

  it('hits the outline of an unfilled rectangle only', () => {
    const rectangle = make({ kind: 'rectangle', x: 0, y: 0, w: 100, h: 50, width: 2 })
    expect(hitTest(rectangle, 50, 1, 1)).toBe(true)
    expect(hitTest(rectangle, 50, 25, 1)).toBe(false)
    expect(hitTest({ ...rectangle, fill: '#ffffff' }, 50, 25, 1)).toBe(true)
  })

  it('handles rectangles drawn with negative size', () => {
    const rectangle = make({ kind: 'rectangle', x: 100, y: 50, w: -100, h: -50, width: 2 })
    expect(hitTest(rectangle, 0, 25, 1)).toBe(true)
    expect(elementBounds(rectangle)).toEqual({ minX: -1, minY: -1, maxX: 101, maxY: 51 })
  })

  it('hits a rotated rectangle in its own frame', () => {
    const rectangle = make({ kind: 'rectangle', x: 0, y: 40, w: 100, h: 20, width: 2, rotation: Math.PI / 2 })
    // Rotated a quarter turn about (50, 50), its long sides run vertically at x = 40 and 60.
    expect(hitTest(rectangle, 40, 50, 1)).toBe(true)
    expect(hitTest(rectangle, 50, 41, 1)).toBe(false)
  })

  it('hits the outline of an ellipse', () => {
    const ellipse = make({ kind: 'ellipse', x: 0, y: 0, w: 100, h: 50, width: 2 })
    expect(hitTest(ellipse, 100, 25, 1)).toBe(true)
    expect(hitTest(ellipse, 50, 0, 1)).toBe(true)
    expect(hitTest(ellipse, 50, 25, 1)).toBe(false)
    expect(hitTest(ellipse, 2, 2, 1)).toBe(false)
    expect(hitTest({ ...ellipse, fill: '#ffffff' }, 50, 25, 1)).toBe(true)
  })

  it('hits lines and arrows by distance to the segment', () => {
    const line = make({ kind: 'line', x: 0, y: 0, w: 100, h: 100, width: 2 })
    expect(hitTest(line, 50, 52, 2)).toBe(true)
    expect(hitTest(line, 50, 60, 2)).toBe(false)
    expect(hitTest(line, 110, 110, 2)).toBe(false)
    expect(hitTest({ ...line, kind: 'arrow' }, 50, 53, 2)).toBe(true)
  })

  it('hits text and media by their box', () => {
    const text = make({ kind: 'text', x: 10, y: 10, w: 80, h: 20, text: 'hello' })
    expect(hitTest(text, 50, 20, 0)).toBe(true)
    expect(hitTest(text, 50, 40, 0)).toBe(false)
    const image = make({ kind: 'image', x: 0, y: 0, w: 10, h: 10, media: 'm1' })
    expect(hitTest(image, 5, 5, 0)).toBe(true)
  })

  it('catches a stroke crossed by a fast eraser drag', () => {
    const vertical = make({ kind: 'stroke', x: 50, y: 0, width: 1, points: [{ x: 0, y: 0, pressure: 1 }, { x: 0, y: 100, pressure: 1 }] })
    // Neither end of the drag is near the stroke, but the path crosses it.
    expect(hitTest(vertical, 0, 50, 3)).toBe(false)
    expect(hitTest(vertical, 100, 50, 3)).toBe(false)
    expect(hitTestSegment(vertical, 0, 50, 100, 50, 3)).toBe(true)
    expect(hitTestSegment(vertical, 0, 150, 100, 150, 3)).toBe(false)
  })
})

describe('elementBounds', () => {
  it('includes half the stroke width', () => {
    const stroke = make({ x: 10, y: 20, width: 4, points: [{ x: 0, y: 0, pressure: 1 }, { x: 30, y: -10, pressure: 1 }] })
    expect(elementBounds(stroke)).toEqual({ minX: 8, minY: 8, maxX: 42, maxY: 22 })
  })
})
