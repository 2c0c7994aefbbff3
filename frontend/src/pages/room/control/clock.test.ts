import { describe, expect, it } from 'vitest'
import { clockOffset, countdownSeconds, formatCountdown, remainingMs, spokenCountdown } from './clock'

describe('clockOffset', () => {
  it('is server time minus local arrival time', () => {
    expect(clockOffset(10_000, 7_000)).toBe(3_000)
    expect(clockOffset(7_000, 10_000)).toBe(-3_000)
  })
})

describe('remainingMs', () => {
  it('reads the deadline on the server clock', () => {
    // The browser's clock is 3 s behind the server's.
    const offset = clockOffset(100_000, 97_000)
    expect(remainingMs(120_000, offset, 97_000)).toBe(20_000)
    expect(remainingMs(120_000, offset, 107_000)).toBe(10_000)
  })

  it('gives the same countdown on clocks that disagree', () => {
    const fast = clockOffset(100_000, 160_000)
    const slow = clockOffset(100_000, 40_000)
    expect(remainingMs(120_000, fast, 165_000)).toBe(15_000)
    expect(remainingMs(120_000, slow, 45_000)).toBe(15_000)
  })

  it('never goes below zero', () => {
    expect(remainingMs(120_000, 0, 130_000)).toBe(0)
  })
})

describe('countdownSeconds', () => {
  it('rounds up, so zero shows only at the deadline', () => {
    expect(countdownSeconds(20_000)).toBe(20)
    expect(countdownSeconds(19_001)).toBe(20)
    expect(countdownSeconds(200)).toBe(1)
    expect(countdownSeconds(0)).toBe(0)
    expect(countdownSeconds(-5)).toBe(0)
  })
})

describe('spokenCountdown', () => {
  it('speaks at the coarse steps only', () => {
    const spoken = Array.from({ length: 61 }, (_, seconds) => spokenCountdown(seconds)).filter((value) => value !== null)
    expect(spoken).toEqual([0, 5, 10, 30, 60])
  })
})

describe('formatCountdown', () => {
  it('shows seconds under a minute and m:ss above', () => {
    expect(formatCountdown(9)).toBe('9')
    expect(formatCountdown(59)).toBe('59')
    expect(formatCountdown(60)).toBe('1:00')
    expect(formatCountdown(125)).toBe('2:05')
  })
})
