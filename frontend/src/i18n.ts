// Translations for the pages (locales/*/app.json), the whiteboard
// (locales/*/board.json), the live quiz in a room (locales/*/quiz.json), the
// quiz authoring pages (locales/*/authoring.json) and the room's audio, hands
// and floor (locales/*/audio.json). The files of a
// language are flattened into one table of dotted keys, so `t('login.title')`
// reads `{"login": {"title": …}}`.

import enApp from './locales/en/app.json'
import enAudio from './locales/en/audio.json'
import enAuthoring from './locales/en/authoring.json'
import enBoard from './locales/en/board.json'
import enQuiz from './locales/en/quiz.json'
import ruApp from './locales/ru/app.json'
import ruAudio from './locales/ru/audio.json'
import ruAuthoring from './locales/ru/authoring.json'
import ruBoard from './locales/ru/board.json'
import ruQuiz from './locales/ru/quiz.json'

export type Language = 'en' | 'ru'
export type Vars = Record<string, string | number>

export const LANGUAGES: readonly Language[] = ['en', 'ru']
export const LANGUAGE_STORAGE_KEY = 'lectern.lang'
const FALLBACK: Language = 'en'

type Catalog = Map<string, string>

/** Flattens nested JSON objects into dotted keys, skipping leaves that are not strings. */
export function flatten(tree: unknown, prefix = '', out: Catalog = new Map()): Catalog {
  if (typeof tree === 'string') {
    if (prefix) out.set(prefix, tree)
    return out
  }
  if (tree && typeof tree === 'object' && !Array.isArray(tree)) {
    for (const [key, value] of Object.entries(tree)) {
      flatten(value, prefix ? `${prefix}.${key}` : key, out)
    }
  }
  return out
}

function buildCatalog(...files: unknown[]): Catalog {
  const catalog: Catalog = new Map()
  for (const file of files) flatten(file, '', catalog)
  return catalog
}

const catalogs: Record<Language, Catalog> = {
  en: buildCatalog(enApp, enBoard, enQuiz, enAuthoring, enAudio),
  ru: buildCatalog(ruApp, ruBoard, ruQuiz, ruAuthoring, ruAudio),
}

/** Replaces each `{name}` in `template` with `vars.name`, leaving unknown names as written. */
export function interpolate(template: string, vars?: Vars): string {
  if (!vars) return template
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole,
  )
}

function readStoredLanguage(): Language | null {
  try {
    const stored = globalThis.localStorage?.getItem(LANGUAGE_STORAGE_KEY)
    return isLanguage(stored) ? stored : null
  } catch {
    // Storage may be blocked (private mode, sandboxed frames).
    return null
  }
}

function browserLanguage(): Language {
  const preferred = globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? '']
  for (const tag of preferred) {
    const base = tag?.toLowerCase().split('-')[0]
    if (isLanguage(base)) return base
  }
  return FALLBACK
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value)
}

let current: Language = readStoredLanguage() ?? browserLanguage()
const listeners = new Set<(language: Language) => void>()

export function getLanguage(): Language {
  return current
}

/**
 * Translates `key` into the current language, falling back to English and
 * then to the key itself, and fills in `{name}` placeholders from `vars`.
 */
export function t(key: string, vars?: Vars): string {
  const template = catalogs[current].get(key) ?? catalogs[FALLBACK].get(key) ?? key
  return interpolate(template, vars)
}

/** Returns whether `key` has a text in the current language or in English. */
export function hasKey(key: string): boolean {
  return catalogs[current].has(key) || catalogs[FALLBACK].has(key)
}

/**
 * Translates a text that depends on a count. `key` names an object with
 * one entry per plural category of Intl.PluralRules (`one`, `few`, `many`,
 * `other`), so Russian can write "1 вопрос", "2 вопроса", "5 вопросов".
 * A category the language lacks falls back to `other`.
 */
export function tCount(key: string, count: number, vars: Vars = {}): string {
  const category = new Intl.PluralRules(getLanguage()).select(count)
  const chosen = hasKey(`${key}.${category}`) ? `${key}.${category}` : `${key}.other`
  return t(chosen, { ...vars, count })
}

/** Switches the language, remembers it in localStorage and updates `<html lang>`. */
export function setLanguage(language: Language): void {
  current = language
  try {
    globalThis.localStorage?.setItem(LANGUAGE_STORAGE_KEY, language)
  } catch {
    // The choice then lasts for this page load only.
  }
  applyDocumentLanguage()
  for (const listener of listeners) listener(language)
}

/** Sets `<html lang>` to the current language. */
export function applyDocumentLanguage(): void {
  if (typeof document !== 'undefined') document.documentElement.lang = current
}

/** Calls `listener` after every language change and returns the unsubscribe function. */
export function onLanguageChange(listener: (language: Language) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
