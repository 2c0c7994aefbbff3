// Turns a Distribution into labelled rows for the chart, and an Answer into
// words. Correct options are marked only from a revealed question's key,
// which the server sends after the reveal, so before it nothing is marked.

import { t } from '../../../i18n'
import type { Answer, Distribution, Question, RevealedQuestion, StudentQuestion } from './types'

/** Whether a row is the right answer: `partial` earns some credit. Null when there is no key to compare with. */
export type RowMark = 'correct' | 'partial' | 'incorrect' | null

export interface DistributionRow {
  label: string
  count: number
  /** The count as a text for the row, such as "3 (43%)". */
  value: string
  /** Bar length from 0 to 1. */
  fraction: number
  mark: RowMark
}

export interface DistributionView {
  /** Meaning of the counts: answers per option, or students who got a position or prompt right. */
  caption: string
  rows: DistributionRow[]
}

/** Normalises text like the server's normalize_text: NFKC, trimmed, inner whitespace collapsed, lower case unless case-sensitive. */
export function normalizeText(text: string, caseSensitive: boolean): string {
  const collapsed = text.normalize('NFKC').trim().split(/\s+/).filter(Boolean).join(' ')
  return caseSensitive ? collapsed : collapsed.toLowerCase()
}

function markFromWeight(weight: number | undefined): RowMark {
  if (weight === undefined) return 'incorrect'
  if (weight >= 100) return 'correct'
  return weight > 0 ? 'partial' : 'incorrect'
}

/** Returns the mark of option `index` of a revealed choice question, or null for polls and without a key. */
function optionMark(key: Question | null, index: number): RowMark {
  if (!key) return null
  if (key.type === 'single_choice') return markFromWeight(key.choices[index]?.weight)
  if (key.type === 'multiple_choice') return (key.choices[index]?.weight ?? 0) > 0 ? 'correct' : 'incorrect'
  return null
}

function numberMark(key: Question | null, value: number): RowMark {
  if (!key || key.type !== 'numeric') return null
  let best: number | undefined
  for (const accepted of key.answers) {
    const matches =
      accepted.match === 'exact' ? Math.abs(value - accepted.value) <= accepted.tolerance : accepted.min <= value && value <= accepted.max
    if (matches && (best === undefined || accepted.weight > best)) best = accepted.weight
  }
  return markFromWeight(best)
}

function textMark(key: Question | null, text: string): RowMark {
  if (!key || key.type !== 'short_text') return null
  let best: number | undefined
  for (const accepted of key.accepted) {
    if (normalizeText(accepted.text, key.case_sensitive) === normalizeText(text, key.case_sensitive)) {
      if (best === undefined || accepted.weight > best) best = accepted.weight
    }
  }
  return markFromWeight(best)
}

function optionLabels(question: StudentQuestion | null, key: Question | null): string[] {
  if (key?.type === 'single_choice' || key?.type === 'multiple_choice') return key.choices.map((choice) => choice.text)
  if (key?.type === 'poll') return key.options
  if (question?.type === 'single_choice' || question?.type === 'multiple_choice') return question.choices
  if (question?.type === 'poll') return question.options
  return []
}

/** Formats a number in the page's language without rounding away its digits. */
export function formatNumber(value: number, locale?: string): string {
  return value.toLocaleString(locale, { maximumFractionDigits: 10 })
}

/**
 * Builds the chart rows of `distribution`. `question` gives the option texts
 * while the question runs. `reveal` gives the key, which marks rows once the
 * answer is revealed. `answered` scales the bars of ordering and matching,
 * whose counts are students per position or prompt.
 */
export function distributionView(
  distribution: Distribution,
  question: StudentQuestion | null,
  reveal: RevealedQuestion | null,
  answered: number,
  locale?: string,
): DistributionView {
  const key = reveal?.question ?? null
  const percent = (count: number) => (answered > 0 ? Math.round((count / answered) * 100) : 0)
  const answersValue = (count: number) => t('quiz.chart.answers', { count, percent: percent(count) })

  const scaled = (entries: { label: string; count: number; mark: RowMark }[], value: (count: number) => string, total?: number) => {
    const max = total ?? Math.max(1, ...entries.map((entry) => entry.count))
    return entries.map((entry) => ({ ...entry, value: value(entry.count), fraction: max > 0 ? Math.min(1, entry.count / max) : 0 }))
  }

  switch (distribution.type) {
    case 'options': {
      const labels = optionLabels(question, key)
      const entries = distribution.counts.map((count, index) => ({
        label: labels[index] ?? t('quiz.chart.option', { n: index + 1 }),
        count,
        mark: optionMark(key, index),
      }))
      return { caption: t('quiz.chart.captionAnswers'), rows: scaled(entries, answersValue) }
    }
    case 'true_false': {
      const truth = key?.type === 'true_false' ? key.answer : null
      const mark = (value: boolean): RowMark => {
        if (truth === null) return null
        return truth === value ? 'correct' : 'incorrect'
      }
      const entries = [
        { label: t('quiz.answer.true'), count: distribution.true_count, mark: mark(true) },
        { label: t('quiz.answer.false'), count: distribution.false_count, mark: mark(false) },
      ]
      return { caption: t('quiz.chart.captionAnswers'), rows: scaled(entries, answersValue) }
    }
    case 'numbers': {
      const entries = distribution.values.map((entry) => ({
        label: formatNumber(entry.value, locale),
        count: entry.count,
        mark: numberMark(key, entry.value),
      }))
      return { caption: t('quiz.chart.captionAnswers'), rows: scaled(entries, answersValue) }
    }
    case 'texts': {
      const entries = distribution.values.map((entry) => ({ label: entry.text, count: entry.count, mark: textMark(key, entry.text) }))
      return { caption: t('quiz.chart.captionAnswers'), rows: scaled(entries, answersValue) }
    }
    case 'words': {
      const entries = distribution.words.map((entry) => ({ label: entry.text, count: entry.count, mark: null }))
      return { caption: t('quiz.chart.captionWords'), rows: scaled(entries, (count) => t('quiz.chart.times', { count })) }
    }
    case 'ordering': {
      const correctItems = key?.type === 'ordering' ? key.items : null
      const entries = distribution.correct_per_position.map((count, position) => ({
        label: correctItems?.[position] !== undefined
          ? t('quiz.chart.positionItem', { n: position + 1, item: correctItems[position] })
          : t('quiz.chart.position', { n: position + 1 }),
        count,
        mark: null,
      }))
      const value = (count: number) => t('quiz.chart.placedRight', { count, percent: percent(count) })
      return { caption: t('quiz.chart.captionOrdering'), rows: scaled(entries, value, answered) }
    }
    case 'matching': {
      const pairs = key?.type === 'matching' ? key.pairs : null
      const prompts = question?.type === 'matching' ? question.prompts : []
      const entries = distribution.correct_per_prompt.map((count, index) => {
        const prompt = pairs?.[index]?.prompt ?? prompts[index] ?? t('quiz.chart.prompt', { n: index + 1 })
        const answer = pairs?.[index]?.answer
        return {
          label: answer === undefined ? prompt : t('quiz.chart.pair', { prompt, answer }),
          count,
          mark: null,
        }
      })
      const value = (count: number) => t('quiz.chart.matchedRight', { count, percent: percent(count) })
      return { caption: t('quiz.chart.captionMatching'), rows: scaled(entries, value, answered) }
    }
  }
}

/** Describes `answer` in words, with the texts the student saw. */
export function describeAnswer(question: StudentQuestion | null, answer: Answer, locale?: string): string {
  switch (answer.type) {
    case 'choice':
      return question?.type === 'single_choice' ? (question.choices[answer.index] ?? String(answer.index + 1)) : String(answer.index + 1)
    case 'poll':
      return question?.type === 'poll' ? (question.options[answer.index] ?? String(answer.index + 1)) : String(answer.index + 1)
    case 'choices':
      return answer.indices
        .map((index) => (question?.type === 'multiple_choice' ? (question.choices[index] ?? String(index + 1)) : String(index + 1)))
        .join(', ')
    case 'boolean':
      return answer.value ? t('quiz.answer.true') : t('quiz.answer.false')
    case 'number':
      return formatNumber(answer.value, locale)
    case 'text':
      return answer.value
    case 'words':
      return answer.words.join(', ')
    case 'order':
      return answer.indices
        .map((index) => (question?.type === 'ordering' ? (question.items[index] ?? String(index + 1)) : String(index + 1)))
        .join(' → ')
    case 'matching':
      return answer.answers
        .map((pick, prompt) => {
          if (question?.type !== 'matching') return String(pick + 1)
          return t('quiz.chart.pair', { prompt: question.prompts[prompt] ?? String(prompt + 1), answer: question.answers[pick] ?? String(pick + 1) })
        })
        .join('; ')
  }
}

/** Describes the key of a revealed question in words, or returns null for polls and word clouds, which have none. */
export function describeKey(key: Question, locale?: string): string | null {
  switch (key.type) {
    case 'single_choice':
    case 'multiple_choice': {
      const correct = key.choices.filter((choice) => (key.type === 'single_choice' ? choice.weight >= 100 : choice.weight > 0))
      return correct.map((choice) => choice.text).join(', ')
    }
    case 'true_false':
      return key.answer ? t('quiz.answer.true') : t('quiz.answer.false')
    case 'numeric':
      return key.answers
        .filter((accepted) => accepted.weight >= 100)
        .map((accepted) =>
          accepted.match === 'range'
            ? t('quiz.key.range', { min: formatNumber(accepted.min, locale), max: formatNumber(accepted.max, locale) })
            : accepted.tolerance > 0
              ? t('quiz.key.tolerance', { value: formatNumber(accepted.value, locale), tolerance: formatNumber(accepted.tolerance, locale) })
              : formatNumber(accepted.value, locale),
        )
        .join(', ')
    case 'short_text':
      return key.accepted
        .filter((accepted) => accepted.weight >= 100)
        .map((accepted) => accepted.text)
        .join(', ')
    case 'ordering':
      return key.items.join(' → ')
    case 'matching':
      return key.pairs.map((pair) => t('quiz.chart.pair', { prompt: pair.prompt, answer: pair.answer })).join('; ')
    case 'poll':
    case 'word_cloud':
      return null
  }
}
