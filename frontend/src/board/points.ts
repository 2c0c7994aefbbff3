/**
 * Stroke point codec, byte-compatible with `encode_points` and
 * `decode_points` in crates/lectern-board/src/schema.rs.
 *
 * A chunk is one format byte (1), then three fields per point. The x and y
 * deltas from the previous point are zigzag LEB128 varints in tenths of a
 * board unit, and the first point's delta is from the element origin. The
 * pressure follows as one byte (0 to 255).
 */

/** The first byte of every point chunk. */
export const POINTS_FORMAT = 1

/** Coordinates are stored in tenths of a board unit. */
const SCALE = 10

/** One sampled point of a stroke, relative to the element's origin. */
export interface Point {
  x: number
  y: number
  /** Pen pressure from 0 to 1. */
  pressure: number
}

/**
 * Rounds half away from zero, like Rust's `f64::round`, unlike `Math.round`
 * which rounds -0.5 up to -0.
 */
function roundHalfAwayFromZero(value: number): number {
  return value < 0 ? -Math.round(-value) : Math.round(value)
}

/**
 * Converts a float to an integer the way Rust's `as i64` does: NaN becomes
 * 0 and out-of-range values saturate. The bound here is the largest safe
 * integer instead of the i64 range, since larger deltas lose precision in
 * JavaScript numbers.
 */
function toInteger(value: number): number {
  if (Number.isNaN(value)) return 0
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, value))
}

function quantize(value: number): number {
  return toInteger(roundHalfAwayFromZero(value * SCALE))
}

function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1
}

function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2
}

function writeVarUint(out: number[], value: number): void {
  // Arithmetic instead of bit operators, which truncate to 32 bits.
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80)
    value = Math.floor(value / 0x80)
  }
  out.push(value)
}

function encodePressure(pressure: number): number {
  if (Number.isNaN(pressure)) return 0
  const clamped = Math.min(1, Math.max(0, pressure))
  return roundHalfAwayFromZero(clamped * 255)
}

/** Encodes points as one chunk, relative to the element origin. */
export function encodePoints(points: readonly Point[]): Uint8Array {
  const out: number[] = [POINTS_FORMAT]
  let lastX = 0
  let lastY = 0
  for (const point of points) {
    const x = quantize(point.x)
    const y = quantize(point.y)
    writeVarUint(out, zigzag(x - lastX))
    writeVarUint(out, zigzag(y - lastY))
    out.push(encodePressure(point.pressure))
    lastX = x
    lastY = y
  }
  return Uint8Array.from(out)
}

/** Error raised for a chunk that `decodePoints` cannot read. */
export class PointsDecodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PointsDecodeError'
  }
}

/**
 * Decodes one chunk made by `encodePoints`.
 *
 * Throws `PointsDecodeError` when the chunk is empty, has another format byte
 * or ends inside a point.
 */
export function decodePoints(chunk: Uint8Array): Point[] {
  if (chunk.length === 0) throw new PointsDecodeError('point chunk is empty')
  if (chunk[0] !== POINTS_FORMAT) {
    throw new PointsDecodeError(`point chunk has format ${chunk[0]}, expected ${POINTS_FORMAT}`)
  }

  let offset = 1
  const readVarUint = (field: string): number => {
    let value = 0
    let multiplier = 1
    for (;;) {
      if (offset >= chunk.length) {
        throw new PointsDecodeError(`point chunk is truncated in ${field} at byte ${offset}`)
      }
      const byte = chunk[offset++]
      value += (byte & 0x7f) * multiplier
      if (byte < 0x80) return value
      multiplier *= 0x80
    }
  }

  const points: Point[] = []
  let x = 0
  let y = 0
  while (offset < chunk.length) {
    x += unzigzag(readVarUint('point x'))
    y += unzigzag(readVarUint('point y'))
    if (offset >= chunk.length) {
      throw new PointsDecodeError(`point chunk is truncated in point pressure at byte ${offset}`)
    }
    const pressure = chunk[offset++]
    points.push({ x: x / SCALE, y: y / SCALE, pressure: pressure / 255 })
  }
  return points
}

/**
 * Decodes every chunk of a stroke in order. Each chunk starts from the
 * element origin, so a chunk that fails to decode is skipped without shifting
 * the points of the chunks after it.
 */
export function decodeChunks(chunks: Iterable<unknown>): Point[] {
  const points: Point[] = []
  for (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) continue
    try {
      for (const point of decodePoints(chunk)) points.push(point)
    } catch (error) {
      console.warn('board: skipping undecodable point chunk', error)
    }
  }
  return points
}
