// Server clock and countdown arithmetic. Deadlines are server times in
// milliseconds since the Unix epoch, and the browser's clock may be off by
// seconds, so the page keeps the difference measured when `welcome` or
// `quiz.state` arrived.

/** Returns `server_time - local time`, the amount to add to Date.now() to read the server's clock. */
export function clockOffset(serverTime: number, receivedAt: number): number {
  return serverTime - receivedAt
}

/** Returns the milliseconds left before `deadline`, never below zero. */
export function remainingMs(deadline: number, offset: number, now: number = Date.now()): number {
  return Math.max(0, deadline - (now + offset))
}

/** Returns the whole seconds to show on a countdown: 0.2 s left shows 1, and 0 shows only once time is up. */
export function countdownSeconds(remaining: number): number {
  return Math.max(0, Math.ceil(remaining / 1000))
}

/** Seconds left at which screen readers hear the countdown. Announcing every second would drown out everything else. */
export const SPOKEN_COUNTDOWN_SECONDS: readonly number[] = [60, 30, 10, 5, 0]

/** Returns `seconds` when a screen reader should hear it, else null. */
export function spokenCountdown(seconds: number): number | null {
  return SPOKEN_COUNTDOWN_SECONDS.includes(seconds) ? seconds : null
}

/** Formats seconds as `m:ss`, or as plain seconds under a minute. */
export function formatCountdown(seconds: number): string {
  if (seconds < 60) return String(seconds)
  const minutes = Math.floor(seconds / 60)
  const rest = seconds % 60
  return `${minutes}:${String(rest).padStart(2, '0')}`
}
