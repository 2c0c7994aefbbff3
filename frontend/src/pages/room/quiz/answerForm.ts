// The student's answer form as data: a draft per question type, and the
// Answer JSON built from it. The limits match the server's checks in
// crates/lectern-quiz/src/answer_check.rs, so the form refuses what the
// server would reject as `invalid_answer`.

import type { Answer, StudentQuestion } from './types'

/** Maximum length of a short-text answer, in characters. */
export const MAX_TEXT_CHARS = 200
/** Maximum length of one word-cloud word, in characters. */
export const MAX_WORD_CHARS = 40

export type AnswerDraft =
  | { type: 'single_choice' | 'poll'; selected: number | null }
  | { type: 'multiple_choice'; selected: number[] }
  | { type: 'true_false'; value: boolean | null }
  | { type: 'numeric'; text: string }
  | { type: 'short_text'; text: string }
  /** `order[p]` is the displayed item index at position `p`. */
  | { type: 'ordering'; order: number[] }
  /** `picks[i]` is the displayed answer index chosen for prompt `i`. */
  | { type: 'matching'; picks: (number | null)[] }
  | { type: 'word_cloud'; words: string[] }

/** Either the answer to send or the locale key of what is missing. */
export type BuildResult = { ok: true; answer: Answer } | { ok: false; problem: string }

const range = (length: number) => Array.from({ length }, (_, index) => index)

/** Returns the untouched form for `question`: nothing picked, ordering items as shown. */
export function emptyDraft(question: StudentQuestion): AnswerDraft {
  switch (question.type) {
    case 'single_choice':
    case 'poll':
      return { type: question.type, selected: null }
    case 'multiple_choice':
      return { type: question.type, selected: [] }
    case 'true_false':
      return { type: question.type, value: null }
    case 'numeric':
    case 'short_text':
      return { type: question.type, text: '' }
    case 'ordering':
      return { type: question.type, order: range(question.items.length) }
    case 'matching':
      return { type: question.type, picks: question.prompts.map(() => null) }
    case 'word_cloud':
      return { type: question.type, words: range(Math.max(1, question.max_words)).map(() => '') }
  }
}

/**
 * Returns the form showing `answer`, the student's accepted answer, so a
 * reloaded page shows what was sent. Falls back to the empty form when the
 * answer does not fit the question.
 */
export function draftFromAnswer(question: StudentQuestion, answer: Answer): AnswerDraft {
  const empty = emptyDraft(question)
  switch (empty.type) {
    case 'single_choice':
      return answer.type === 'choice' ? { ...empty, selected: answer.index } : empty
    case 'poll':
      return answer.type === 'poll' ? { ...empty, selected: answer.index } : empty
    case 'multiple_choice':
      return answer.type === 'choices' ? { ...empty, selected: [...answer.indices] } : empty
    case 'true_false':
      return answer.type === 'boolean' ? { ...empty, value: answer.value } : empty
    case 'numeric':
      return answer.type === 'number' ? { ...empty, text: String(answer.value) } : empty
    case 'short_text':
      return answer.type === 'text' ? { ...empty, text: answer.value } : empty
    case 'ordering':
      return answer.type === 'order' && answer.indices.length === empty.order.length ? { ...empty, order: [...answer.indices] } : empty
    case 'matching':
      return answer.type === 'matching' && answer.answers.length === empty.picks.length ? { ...empty, picks: [...answer.answers] } : empty
    case 'word_cloud': {
      if (answer.type !== 'words') return empty
      const words = empty.words.map((_, index) => answer.words[index] ?? '')
      return { ...empty, words }
    }
  }
}

/**
 * Parses a typed number. Accepts a decimal comma, as Russian writes
 * numbers, and an exponent; rejects empty text, several numbers and values
 * that are not finite.
 */
export function parseNumber(text: string): number | null {
  const normalized = text.trim().replace(/\s+/g, '').replace(',', '.').replace(/^\u2212/, '-')
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(normalized)) return null
  const value = Number(normalized)
  return Number.isFinite(value) ? value : null
}

/** Builds the Answer JSON for `question` from `draft`, or names what the student still has to fill in. */
export function buildAnswer(question: StudentQuestion, draft: AnswerDraft): BuildResult {
  if (draft.type !== question.type) return { ok: false, problem: 'quiz.form.incomplete' }
  switch (draft.type) {
    case 'single_choice':
    case 'poll': {
      if (draft.selected === null) return { ok: false, problem: 'quiz.form.pickOne' }
      return { ok: true, answer: { type: draft.type === 'poll' ? 'poll' : 'choice', index: draft.selected } }
    }
    case 'multiple_choice': {
      if (draft.selected.length === 0) return { ok: false, problem: 'quiz.form.pickAtLeastOne' }
      const indices = [...new Set(draft.selected)].sort((a, b) => a - b)
      return { ok: true, answer: { type: 'choices', indices } }
    }
    case 'true_false':
      if (draft.value === null) return { ok: false, problem: 'quiz.form.pickOne' }
      return { ok: true, answer: { type: 'boolean', value: draft.value } }
    case 'numeric': {
      if (draft.text.trim() === '') return { ok: false, problem: 'quiz.form.enterNumber' }
      const value = parseNumber(draft.text)
      if (value === null) return { ok: false, problem: 'quiz.form.notANumber' }
      return { ok: true, answer: { type: 'number', value } }
    }
    case 'short_text': {
      if (draft.text.trim() === '') return { ok: false, problem: 'quiz.form.enterText' }
      if ([...draft.text].length > MAX_TEXT_CHARS) return { ok: false, problem: 'quiz.form.textTooLong' }
      return { ok: true, answer: { type: 'text', value: draft.text.trim() } }
    }
    case 'ordering':
      return { ok: true, answer: { type: 'order', indices: [...draft.order] } }
    case 'matching': {
      if (draft.picks.some((pick) => pick === null)) return { ok: false, problem: 'quiz.form.matchEvery' }
      return { ok: true, answer: { type: 'matching', answers: draft.picks as number[] } }
    }
    case 'word_cloud': {
      const words = draft.words.map((word) => word.trim()).filter((word) => word !== '')
      if (words.length === 0) return { ok: false, problem: 'quiz.form.enterWord' }
      if (words.some((word) => [...word].length > MAX_WORD_CHARS)) return { ok: false, problem: 'quiz.form.wordTooLong' }
      const max = question.type === 'word_cloud' ? question.max_words : words.length
      if (words.length > max) return { ok: false, problem: 'quiz.form.tooManyWords' }
      return { ok: true, answer: { type: 'words', words } }
    }
  }
}

/** Returns `order` with the entry at position `from` moved to position `to`; out-of-range moves return it unchanged. */
export function moveItem(order: readonly number[], from: number, to: number): number[] {
  const result = [...order]
  if (from < 0 || from >= result.length || to < 0 || to >= result.length || from === to) return result
  const [item] = result.splice(from, 1)
  result.splice(to, 0, item)
  return result
}

/** Returns the multiple-choice selection with `index` added or removed. */
export function toggleChoice(selected: readonly number[], index: number): number[] {
  return selected.includes(index) ? selected.filter((entry) => entry !== index) : [...selected, index].sort((a, b) => a - b)
}
