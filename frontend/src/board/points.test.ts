import { describe, expect, it } from 'vitest'

import { decodeChunks, decodePoints, encodePoints, PointsDecodeError, type Point } from './points'

function handDrawnStroke(count: number): Point[] {
  return Array.from({ length: count }, (_, i) => ({
    x: 3.1 * i + Math.sin(i * 0.7) * 4,
    y: 2.4 * i + Math.cos(i * 0.3) * 6,
    pressure: 0.4 + Math.abs(Math.sin(i * 0.2)) * 0.5,
  }))
}

describe('encodePoints', () => {
  it('matches a hand-computed vector', () => {
    // (1, 2) is (10, 20) tenths: zigzag 20, 40. Pressure 1 is 255.
    // (1.5, 2) is a delta of (5, 0) tenths: zigzag 10, 0. Pressure
    // 0.5 * 255 = 127.5 rounds half away from zero to 128, as Rust's round().
    const bytes = encodePoints([
      { x: 1, y: 2, pressure: 1 },
      { x: 1.5, y: 2, pressure: 0.5 },
    ])
    expect(Array.from(bytes)).toEqual([1, 20, 40, 255, 10, 0, 128])
  })

  it('encodes negative deltas as odd zigzag values', () => {
    // -0.1 is -1 tenth: zigzag 1. -0.25 is -2.5 tenths, rounded away from
    // zero to -3: zigzag 5.
    const bytes = encodePoints([{ x: -0.1, y: -0.25, pressure: 0 }])
    expect(Array.from(bytes)).toEqual([1, 1, 5, 0])
  })

  it('rounds negative halves away from zero', () => {
    // -0.05 is -0.5 tenths: Rust rounds to -1 (zigzag 1), Math.round to -0.
    expect(Array.from(encodePoints([{ x: -0.05, y: 0.05, pressure: 0 }]))).toEqual([1, 1, 2, 0])
  })

  it('writes multi-byte varints', () => {
    // 12.8 is 128 tenths: zigzag 256 = 0x100, LEB128 [0x80, 0x02].
    const bytes = encodePoints([{ x: 12.8, y: 0, pressure: 0 }])
    expect(Array.from(bytes)).toEqual([1, 0x80, 0x02, 0, 0])
  })

  it('clamps pressure to 0..1', () => {
    const bytes = encodePoints([
      { x: 0, y: 0, pressure: 2 },
      { x: 0, y: 0, pressure: -1 },
      { x: 0, y: 0, pressure: Number.NaN },
    ])
    expect(Array.from(bytes)).toEqual([1, 0, 0, 255, 0, 0, 0, 0, 0, 0])
  })

  // Bytes printed by the Rust `encode_points` (crates/lectern-board) for the
  // same input.
  it('matches Rust for negative and large coordinates', () => {
    const bytes = encodePoints([
      { x: -120.5, y: 33.3, pressure: 1 },
      { x: -121, y: -40, pressure: 0 },
      { x: 1_000_000.7, y: -2_500_000.1, pressure: 1 },
    ])
    expect(Array.from(bytes)).toEqual([1, 233, 18, 154, 5, 255, 9, 185, 11, 0, 130, 237, 196, 9, 225, 218, 235, 23, 255])
  })

  it('matches Rust for a hand-drawn stroke', () => {
    const expected = [
      1, 0, 120, 102, 114, 42, 127, 88, 34, 152, 54, 22, 174, 18, 18, 193, 8, 12, 209, 20, 12, 221, 54, 16, 228, 90, 20, 229,
      114, 28, 226, 112, 38, 218, 90, 48, 205, 50, 58, 188, 20, 68, 168, 6, 78, 145, 22, 80, 120, 54, 84, 109, 90, 84, 135,
      114, 78, 158, 114, 72, 180, 88, 64, 198, 50, 52, 213, 18, 42, 223, 8, 32, 229, 20, 24, 229, 56, 16, 224, 92, 12, 215,
      114, 12, 201, 112, 16, 182, 88, 20, 161, 48, 28, 138, 18, 38, 113, 8, 50, 117, 22, 60, 142, 56, 68, 165, 92, 76, 186,
      116, 82, 203, 112, 84, 217, 86, 84, 225, 48, 78, 229, 18, 72, 228, 6, 62, 222, 24, 52, 211, 56, 42, 196, 94, 30, 177,
      114, 24, 155, 112, 16, 130, 86, 12, 105, 48, 12, 124, 16, 16, 149,
    ]
    expect(Array.from(encodePoints(handDrawnStroke(50)))).toEqual(expected)
  })

  it('encodes no points as the format byte', () => {
    expect(Array.from(encodePoints([]))).toEqual([1])
  })
})

describe('decodePoints', () => {
  it('round-trips to a tenth', () => {
    const points = handDrawnStroke(50)
    const decoded = decodePoints(encodePoints(points))
    expect(decoded).toHaveLength(points.length)
    for (let i = 0; i < points.length; i++) {
      expect(Math.abs(decoded[i].x - points[i].x)).toBeLessThanOrEqual(0.05 + 1e-9)
      expect(Math.abs(decoded[i].y - points[i].y)).toBeLessThanOrEqual(0.05 + 1e-9)
      expect(Math.abs(decoded[i].pressure - points[i].pressure)).toBeLessThanOrEqual(0.002)
    }
  })

  it('round-trips negative and large coordinates exactly', () => {
    const points: Point[] = [
      { x: -120.5, y: 33.3, pressure: 1 },
      { x: -121, y: -40, pressure: 0 },
      { x: 1_000_000.7, y: -2_500_000.1, pressure: 1 },
    ]
    expect(decodePoints(encodePoints(points))).toEqual(points)
  })

  it('decodes the hand-computed vector', () => {
    const decoded = decodePoints(Uint8Array.from([1, 20, 40, 255, 10, 0, 128]))
    expect(decoded).toEqual([
      { x: 1, y: 2, pressure: 1 },
      { x: 1.5, y: 2, pressure: 128 / 255 },
    ])
  })

  it('rejects a truncated chunk', () => {
    const chunk = encodePoints(handDrawnStroke(3))
    expect(() => decodePoints(chunk.slice(0, -1))).toThrow(PointsDecodeError)
  })

  it('rejects a chunk ending inside a varint', () => {
    expect(() => decodePoints(Uint8Array.from([1, 0x80]))).toThrow(/truncated/)
  })

  it('rejects an unknown format', () => {
    expect(() => decodePoints(Uint8Array.from([9, 0, 0, 0]))).toThrow(/format 9/)
  })

  it('rejects an empty chunk', () => {
    expect(() => decodePoints(new Uint8Array())).toThrow(/empty/)
  })
})

describe('decodeChunks', () => {
  it('concatenates chunks relative to the origin', () => {
    const points = handDrawnStroke(25)
    const chunks = [encodePoints(points.slice(0, 10)), encodePoints(points.slice(10, 20)), encodePoints(points.slice(20))]
    expect(decodeChunks(chunks)).toEqual(decodePoints(encodePoints(points)))
  })

  it('skips a corrupt chunk', () => {
    const good = encodePoints([{ x: 1, y: 1, pressure: 1 }])
    const decoded = decodeChunks([Uint8Array.from([7]), good, 'not bytes'])
    expect(decoded).toEqual([{ x: 1, y: 1, pressure: 1 }])
  })
})
