/** The lecturer's laser pointer: published through awareness, never stored in the document. */
import type { BoardContext } from '../context'
import { setAwareness } from '../frame'
import { LASER_TRAIL_MS } from '../presence'
import { boardToScreen } from '../viewport'

export function startLaser(board: BoardContext, point: { x: number; y: number }, pointerId: number): void {
  board.gesture = { type: 'laser', pointerId }
  publishLaser(board, point)
}

export function publishLaser(board: BoardContext, point: { x: number; y: number }): void {
  setAwareness(board, 'laser', { x: point.x, y: point.y, t: Date.now() })
}

/** Paints the peers' laser trails, fading with age. */
export function paintLaserTrails(board: BoardContext, ctx: CanvasRenderingContext2D, now: number): void {
  const { viewport, size } = board
  for (const [, trail] of board.laserTrails.entries()) {
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
}
