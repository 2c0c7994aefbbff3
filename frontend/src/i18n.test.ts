import { afterEach, describe, expect, it } from 'vitest'
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
import { flatten, getLanguage, interpolate, setLanguage, t } from './i18n'

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort()

describe('interpolate', () => {
  it('fills named placeholders', () => {
    expect(interpolate('Hello, {name}! {count} new', { name: 'Ada', count: 3 })).toBe('Hello, Ada! 3 new')
  })

  it('repeats a placeholder used twice', () => {
    expect(interpolate('{x} and {x}', { x: 'y' })).toBe('y and y')
  })

  it('leaves unknown placeholders as written', () => {
    expect(interpolate('Hi {name}', { other: 1 })).toBe('Hi {name}')
    expect(interpolate('Hi {name}')).toBe('Hi {name}')
  })

  it('does not read inherited properties', () => {
    expect(interpolate('{toString}', {})).toBe('{toString}')
  })
})

describe('t', () => {
  const initial = getLanguage()
  afterEach(() => setLanguage(initial))

  it('translates into the chosen language', () => {
    setLanguage('en')
    expect(t('login.submit')).toBe('Sign in')
    setLanguage('ru')
    expect(t('login.submit')).toBe('Войти')
  })

  it('interpolates variables', () => {
    setLanguage('en')
    expect(t('dashboard.signedInAs', { name: 'Ada' })).toBe('Signed in as Ada')
  })

  it('returns the key when no language has it', () => {
    setLanguage('ru')
    expect(t('no.such.key')).toBe('no.such.key')
  })
})

describe('fallback to English', () => {
  it('uses English for a key missing in Russian', async () => {
    // Load a fresh copy of the module with a Russian table lacking one key.
    const { vi } = await import('vitest')
    vi.resetModules()
    vi.doMock('./locales/ru/app.json', () => ({ default: { login: {} } }))
    const fresh = await import('./i18n')
    fresh.setLanguage('ru')
    expect(fresh.t('login.submit')).toBe('Sign in')
    vi.doUnmock('./locales/ru/app.json')
    vi.resetModules()
  })
})

describe('locale files', () => {
  const pairs = [
    ['app.json', flatten(enApp), flatten(ruApp)],
    ['board.json', flatten(enBoard), flatten(ruBoard)],
    ['quiz.json', flatten(enQuiz), flatten(ruQuiz)],
    ['authoring.json', flatten(enAuthoring), flatten(ruAuthoring)],
    ['audio.json', flatten(enAudio), flatten(ruAudio)],
  ] as const

  for (const [file, en, ru] of pairs) {
    it(`${file} has every English key in Russian`, () => {
      const missing = [...en.keys()].filter((key) => !ru.has(key))
      expect(missing).toEqual([])
    })

    it(`${file} has no Russian key absent in English`, () => {
      const extra = [...ru.keys()].filter((key) => !en.has(key))
      expect(extra).toEqual([])
    })

    it(`${file} uses the same placeholders in both languages`, () => {
      const mismatched = [...en.entries()]
        .filter(([key, text]) => ru.has(key) && placeholders(text).join() !== placeholders(ru.get(key)!).join())
        .map(([key]) => key)
      expect(mismatched).toEqual([])
    })

    it(`${file} has no empty texts`, () => {
      const empty = [...en.entries(), ...ru.entries()].filter(([, text]) => text.trim() === '').map(([key]) => key)
      expect(empty).toEqual([])
    })
  }

  it('locale files share no key', () => {
    const files = [flatten(enApp), flatten(enBoard), flatten(enQuiz), flatten(enAuthoring), flatten(enAudio)]
    const seen = new Set<string>()
    const shared: string[] = []
    for (const file of files) {
      for (const key of file.keys()) {
        if (seen.has(key)) shared.push(key)
        seen.add(key)
      }
    }
    expect(shared).toEqual([])
  })
})
