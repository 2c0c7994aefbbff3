import { getLanguage, hasKey, t } from '../../i18n'

/**
 * Translates a text that depends on a count. `key` names an object with
 * one entry per plural category of Intl.PluralRules (`one`, `few`, `many`,
 * `other`), so Russian can write "1 вопрос", "2 вопроса", "5 вопросов".
 * A category the language lacks falls back to `other`.
 */
export function tCount(key: string, count: number, vars: Record<string, string | number> = {}): string {
  const category = new Intl.PluralRules(getLanguage()).select(count)
  const chosen = hasKey(`${key}.${category}`) ? `${key}.${category}` : `${key}.other`
  return t(chosen, { ...vars, count })
}
