// Field validators for control channel messages. Each one returns the value
// with its type narrowed, or throws Invalid with the path of the field, so a
// parser reads like the message's schema.

/** Error thrown by the validators. Its message names the path of the offending field. */
export class Invalid extends Error {}

export type Json = Record<string, unknown>

export function object(value: unknown, path: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Invalid(`${path} is not an object`)
  return value as Json
}

export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new Invalid(`${path} is not a string`)
  return value
}

export function number(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Invalid(`${path} is not a finite number`)
  return value
}

/** Validates a whole number of zero or more, as the crate's usize, u32 and u64 fields are. */
export function count(value: unknown, path: string): number {
  const result = number(value, path)
  if (!Number.isInteger(result) || result < 0) throw new Invalid(`${path} is not a whole number of zero or more`)
  return result
}

export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new Invalid(`${path} is not a boolean`)
  return value
}

export function array<T>(value: unknown, path: string, item: (value: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) throw new Invalid(`${path} is not an array`)
  return value.map((entry, index) => item(entry, `${path}[${index}]`))
}

/** Returns null for a missing or null field, else the validated value. */
export function nullable<T>(value: unknown, path: string, parse: (value: unknown, path: string) => T): T | null {
  return value === undefined || value === null ? null : parse(value, path)
}

export function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : string(value, path)
}

export function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  const text = string(value, path)
  if (!(allowed as readonly string[]).includes(text)) throw new Invalid(`${path} has the unknown value ${JSON.stringify(text)}`)
  return text as T
}
