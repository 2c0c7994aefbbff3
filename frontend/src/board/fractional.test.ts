import { describe, expect, it } from 'vitest'

import { compareKeys, FractionalKeyError, generateKeyBetween } from './fractional'

describe('generateKeyBetween', () => {
  it('starts at a0', () => {
    expect(generateKeyBetween(null, null)).toBe('a0')
  })

  it('matches known keys', () => {
    expect(generateKeyBetween('a0', null)).toBe('a1')
    expect(generateKeyBetween(null, 'a0')).toBe('Zz')
    expect(generateKeyBetween('a0', 'a1')).toBe('a0V')
    expect(generateKeyBetween('az', null)).toBe('b00')
    expect(generateKeyBetween('a0', 'a0V')).toBe('a0G')
  })

  it('returns keys strictly between its bounds', () => {
    const cases: Array<[string | null, string | null]> = [
      ['a0', 'a1'],
      ['a0', 'b00'],
      ['Zz', 'a0'],
      ['a0V', 'a1'],
      ['a1', 'a1V'],
      [null, 'a0V'],
      ['b00', null],
    ]
    for (const [low, high] of cases) {
      const key = generateKeyBetween(low, high)
      if (low !== null) expect(key > low, `${key} > ${low}`).toBe(true)
      if (high !== null) expect(key < high, `${key} < ${high}`).toBe(true)
    }
  })

  it('stays ordered over many appends', () => {
    const keys: string[] = []
    let last: string | null = null
    for (let i = 0; i < 5000; i++) {
      last = generateKeyBetween(last, null)
      keys.push(last)
    }
    expect([...keys].sort()).toEqual(keys)
    expect(new Set(keys).size).toBe(keys.length)
    expect(keys[keys.length - 1].length).toBeLessThanOrEqual(4)
  })

  it('stays ordered over many prepends', () => {
    const keys: string[] = []
    let first: string | null = null
    for (let i = 0; i < 2000; i++) {
      first = generateKeyBetween(null, first)
      keys.unshift(first)
    }
    expect([...keys].sort()).toEqual(keys)
  })

  it('stays ordered over repeated inserts between two keys', () => {
    const keys = ['a0', 'a1']
    // Always insert right after the first key, the worst case for length.
    for (let i = 0; i < 200; i++) {
      keys.splice(1, 0, generateKeyBetween(keys[0], keys[1]))
    }
    expect([...keys].sort()).toEqual(keys)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('stays ordered over random inserts', () => {
    let seed = 42
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const keys: string[] = []
    for (let i = 0; i < 1000; i++) {
      const index = Math.floor(random() * (keys.length + 1))
      const key = generateKeyBetween(keys[index - 1] ?? null, keys[index] ?? null)
      keys.splice(index, 0, key)
    }
    expect([...keys].sort()).toEqual(keys)
  })

  it('rejects bounds in the wrong order', () => {
    expect(() => generateKeyBetween('a1', 'a0')).toThrow(FractionalKeyError)
    expect(() => generateKeyBetween('a1', 'a1')).toThrow(FractionalKeyError)
  })

  it('rejects malformed keys', () => {
    expect(() => generateKeyBetween('a00', null)).toThrow(/trailing zero/)
    expect(() => generateKeyBetween('!', null)).toThrow(FractionalKeyError)
    expect(() => generateKeyBetween('b0', null)).toThrow(/shorter/)
  })
})

describe('compareKeys', () => {
  it('breaks ties by id', () => {
    expect(compareKeys('a0', 'x', 'a1', 'a')).toBeLessThan(0)
    expect(compareKeys('a1', 'a', 'a1', 'b')).toBeLessThan(0)
    expect(compareKeys('a1', 'b', 'a1', 'b')).toBe(0)
  })
})
