/**
 * Fractional index keys: strings that sort between any two others, so an
 * item can be placed between two neighbours by writing one key.
 *
 * The algorithm and key format follow David Greenspan's "Implementing
 * Fractional Indexing" as implemented in rocicorp/fractional-indexing on
 * GitHub. A key is an integer part followed by a base-62 fraction without
 * trailing zeros. The integer part's first character encodes its length:
 * `a`..`z` for 2..27 characters and `A`..`Z` for the negative range. Keys
 * compare with plain string comparison (code unit order), which is also byte
 * order in Rust.
 */

export const BASE_62_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

const ZERO = BASE_62_DIGITS[0]
const SMALLEST_INTEGER = 'A' + ZERO.repeat(26)

/** Error raised for a malformed key or for bounds in the wrong order. */
export class FractionalKeyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FractionalKeyError'
  }
}

/** Returns a fraction strictly between fractions `a` and `b` (`null` = 1). */
function midpoint(a: string, b: string | null): string {
  if (b !== null && a >= b) throw new FractionalKeyError(`fraction ${a} is not below ${b}`)
  if (a.endsWith(ZERO) || (b !== null && b.endsWith(ZERO))) {
    throw new FractionalKeyError('fraction has a trailing zero')
  }

  if (b !== null) {
    // Skip the common prefix, treating a missing digit of `a` as zero.
    let n = 0
    while ((a[n] ?? ZERO) === b[n]) n++
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n))
  }

  const digitA = a ? BASE_62_DIGITS.indexOf(a[0]) : 0
  const digitB = b !== null ? BASE_62_DIGITS.indexOf(b[0]) : BASE_62_DIGITS.length
  if (digitB - digitA > 1) {
    return BASE_62_DIGITS[Math.round(0.5 * (digitA + digitB))]
  }
  // The first digits are adjacent.
  if (b !== null && b.length > 1) return b.slice(0, 1)
  return BASE_62_DIGITS[digitA] + midpoint(a.slice(1), null)
}

function integerLength(head: string): number {
  if (head >= 'a' && head <= 'z') return head.charCodeAt(0) - 'a'.charCodeAt(0) + 2
  if (head >= 'A' && head <= 'Z') return 'Z'.charCodeAt(0) - head.charCodeAt(0) + 2
  throw new FractionalKeyError(`invalid key head ${JSON.stringify(head)}`)
}

function integerPart(key: string): string {
  const length = integerLength(key[0])
  if (length > key.length) throw new FractionalKeyError(`key ${key} is shorter than its integer part`)
  return key.slice(0, length)
}

function validateKey(key: string): void {
  if (key === SMALLEST_INTEGER) throw new FractionalKeyError(`key ${key} is reserved`)
  const integer = integerPart(key)
  for (const char of key.slice(1)) {
    if (!BASE_62_DIGITS.includes(char)) throw new FractionalKeyError(`key ${key} has invalid digit ${char}`)
  }
  if (key.slice(integer.length).endsWith(ZERO)) {
    throw new FractionalKeyError(`key ${key} has a trailing zero`)
  }
}

function incrementInteger(integer: string): string | null {
  const [head, ...digits] = integer.split('')
  let carry = true
  for (let i = digits.length - 1; carry && i >= 0; i--) {
    const next = BASE_62_DIGITS.indexOf(digits[i]) + 1
    if (next === BASE_62_DIGITS.length) {
      digits[i] = ZERO
    } else {
      digits[i] = BASE_62_DIGITS[next]
      carry = false
    }
  }
  if (!carry) return head + digits.join('')

  if (head === 'Z') return 'a' + ZERO
  if (head === 'z') return null
  const nextHead = String.fromCharCode(head.charCodeAt(0) + 1)
  if (nextHead > 'a') digits.push(ZERO)
  else digits.pop()
  return nextHead + digits.join('')
}

function decrementInteger(integer: string): string | null {
  const [head, ...digits] = integer.split('')
  const largest = BASE_62_DIGITS[BASE_62_DIGITS.length - 1]
  let borrow = true
  for (let i = digits.length - 1; borrow && i >= 0; i--) {
    const previous = BASE_62_DIGITS.indexOf(digits[i]) - 1
    if (previous === -1) {
      digits[i] = largest
    } else {
      digits[i] = BASE_62_DIGITS[previous]
      borrow = false
    }
  }
  if (!borrow) return head + digits.join('')

  if (head === 'a') return 'Z' + largest
  if (head === 'A') return null
  const previousHead = String.fromCharCode(head.charCodeAt(0) - 1)
  if (previousHead < 'Z') digits.push(largest)
  else digits.pop()
  return previousHead + digits.join('')
}

/**
 * Returns a key that sorts strictly between `a` and `b`. `null` stands for
 * "no bound": `(null, null)` gives the first key `a0`, `(a, null)` a key after
 * `a`, and `(null, b)` a key before `b`.
 *
 * Throws `FractionalKeyError` when a key is malformed or `a >= b`.
 */
export function generateKeyBetween(a: string | null, b: string | null): string {
  if (a !== null) validateKey(a)
  if (b !== null) validateKey(b)
  if (a !== null && b !== null && a >= b) throw new FractionalKeyError(`key ${a} is not below ${b}`)

  if (a === null) {
    if (b === null) return 'a' + ZERO
    const integerB = integerPart(b)
    const fractionB = b.slice(integerB.length)
    if (integerB === SMALLEST_INTEGER) return integerB + midpoint('', fractionB)
    if (integerB < b) return integerB
    const decremented = decrementInteger(integerB)
    if (decremented === null) throw new FractionalKeyError('cannot create a key below the smallest key')
    return decremented
  }

  if (b === null) {
    const integerA = integerPart(a)
    const fractionA = a.slice(integerA.length)
    const incremented = incrementInteger(integerA)
    return incremented === null ? integerA + midpoint(fractionA, null) : incremented
  }

  const integerA = integerPart(a)
  const fractionA = a.slice(integerA.length)
  const integerB = integerPart(b)
  const fractionB = b.slice(integerB.length)
  if (integerA === integerB) return integerA + midpoint(fractionA, fractionB)
  const incremented = incrementInteger(integerA)
  if (incremented === null) throw new FractionalKeyError('cannot create a key above the largest key')
  if (incremented < b) return incremented
  return integerA + midpoint(fractionA, null)
}

/** Compares two keys, then ids to break the tie of keys created concurrently. */
export function compareKeys(keyA: string, idA: string, keyB: string, idB: string): number {
  if (keyA !== keyB) return keyA < keyB ? -1 : 1
  if (idA !== idB) return idA < idB ? -1 : 1
  return 0
}
