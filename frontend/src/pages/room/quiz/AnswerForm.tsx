// The student's answer form, one layout per question type. The draft lives
// in the parent, so a locked form can show an accepted answer restored from
// the server.

import { useEffect, useRef, useState } from 'preact/hooks'
import { t } from '../../../i18n'
import { buildAnswer, MAX_TEXT_CHARS, MAX_WORD_CHARS, moveItem, toggleChoice, type AnswerDraft } from './answerForm'
import type { Answer, StudentQuestion } from './types'

interface AnswerFormProps {
  question: StudentQuestion
  draft: AnswerDraft
  onDraft: (draft: AnswerDraft) => void
  /** True after the answer was accepted, while it is on its way, and once time is up. */
  locked: boolean
  /** Whether to show the submit button: false once an answer was accepted. */
  submittable: boolean
  sending: boolean
  onSubmit: (answer: Answer) => void
}

const LETTERS = 'ABCDEFGHIJ'

/** Returns the limit a form problem names: characters of a text or a word, or the number of words. */
function problemLimit(problem: string, question: StudentQuestion): number {
  if (problem === 'quiz.form.wordTooLong') return MAX_WORD_CHARS
  if (problem === 'quiz.form.tooManyWords' && question.type === 'word_cloud') return question.max_words
  return MAX_TEXT_CHARS
}

export function AnswerForm({ question, draft, onDraft, locked, submittable, sending, onSubmit }: AnswerFormProps) {
  const [problem, setProblem] = useState<string | null>(null)
  const baseId = `quiz-q${question.index}`

  // A new question starts without the previous question's complaint.
  useEffect(() => setProblem(null), [question.id, question.index])

  const update = (next: AnswerDraft) => {
    setProblem(null)
    onDraft(next)
  }

  const submit = (event: Event) => {
    event.preventDefault()
    if (locked) return
    const result = buildAnswer(question, draft)
    if (!result.ok) {
      setProblem(result.problem)
      return
    }
    onSubmit(result.answer)
  }

  return (
    <form class="quiz-form" onSubmit={submit} noValidate aria-describedby={problem ? `${baseId}-problem` : undefined}>
      <fieldset disabled={locked} class="quiz-fieldset">
        <legend class="visually-hidden">{t('quiz.form.legend', { text: question.text })}</legend>
        <Fields question={question} draft={draft} update={update} baseId={baseId} />
      </fieldset>
      {problem && (
        <p class="field-error" id={`${baseId}-problem`} role="alert" data-testid="quiz-form-problem">
          {t(problem, { max: problemLimit(problem, question) })}
        </p>
      )}
      {submittable && (
        <button type="submit" class="button primary quiz-submit" data-testid="quiz-submit" disabled={locked}>
          {sending ? t('quiz.form.sending') : t('quiz.form.submit')}
        </button>
      )}
    </form>
  )
}

interface FieldsProps {
  question: StudentQuestion
  draft: AnswerDraft
  update: (draft: AnswerDraft) => void
  baseId: string
}

function Fields({ question, draft, update, baseId }: FieldsProps) {
  if (question.type === 'single_choice' && draft.type === 'single_choice') {
    return <OptionList kind="radio" name={baseId} texts={question.choices} isSelected={(i) => draft.selected === i} onPick={(i) => update({ ...draft, selected: i })} />
  }
  if (question.type === 'poll' && draft.type === 'poll') {
    return <OptionList kind="radio" name={baseId} texts={question.options} isSelected={(i) => draft.selected === i} onPick={(i) => update({ ...draft, selected: i })} />
  }
  if (question.type === 'true_false' && draft.type === 'true_false') {
    const values = [true, false]
    return (
      <OptionList
        kind="radio"
        name={baseId}
        texts={[t('quiz.answer.true'), t('quiz.answer.false')]}
        isSelected={(i) => draft.value === values[i]}
        onPick={(i) => update({ ...draft, value: values[i] })}
      />
    )
  }
  if (question.type === 'multiple_choice' && draft.type === 'multiple_choice') {
    return (
      <>
        <p class="hint">{t('quiz.form.pickAll')}</p>
        <OptionList
          kind="checkbox"
          name={baseId}
          texts={question.choices}
          isSelected={(i) => draft.selected.includes(i)}
          onPick={(i) => update({ ...draft, selected: toggleChoice(draft.selected, i) })}
        />
      </>
    )
  }
  if (draft.type === 'numeric') {
    return (
      <div class="field">
        <label for={`${baseId}-number`}>{t('quiz.form.numberLabel')}</label>
        <input
          id={`${baseId}-number`}
          class="quiz-input"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          data-testid="quiz-number-input"
          value={draft.text}
          onInput={(event) => update({ ...draft, text: event.currentTarget.value })}
        />
      </div>
    )
  }
  if (draft.type === 'short_text') {
    return (
      <div class="field">
        <label for={`${baseId}-text`}>{t('quiz.form.textLabel')}</label>
        <input
          id={`${baseId}-text`}
          class="quiz-input"
          type="text"
          autoComplete="off"
          maxLength={MAX_TEXT_CHARS}
          data-testid="quiz-text-input"
          value={draft.text}
          onInput={(event) => update({ ...draft, text: event.currentTarget.value })}
        />
      </div>
    )
  }
  if (question.type === 'ordering' && draft.type === 'ordering') {
    return <OrderingField items={question.items} order={draft.order} onOrder={(order) => update({ ...draft, order })} />
  }
  if (question.type === 'matching' && draft.type === 'matching') {
    return (
      <div class="quiz-matching">
        {question.prompts.map((prompt, index) => (
          <div class="field quiz-match-row" key={index}>
            <label for={`${baseId}-match-${index}`}>{prompt}</label>
            <select
              id={`${baseId}-match-${index}`}
              data-testid="quiz-match-select"
              data-index={index}
              value={draft.picks[index] === null ? '' : String(draft.picks[index])}
              onChange={(event) => {
                const value = event.currentTarget.value
                const picks = [...draft.picks]
                picks[index] = value === '' ? null : Number(value)
                update({ ...draft, picks })
              }}
            >
              <option value="">{t('quiz.form.choose')}</option>
              {question.answers.map((answer, answerIndex) => (
                <option key={answerIndex} value={String(answerIndex)}>
                  {answer}
                </option>
              ))}
            </select>
          </div>
        ))}
      </div>
    )
  }
  if (question.type === 'word_cloud' && draft.type === 'word_cloud') {
    return (
      <>
        <p class="hint">{t('quiz.form.wordsHint', { max: question.max_words })}</p>
        <div class="quiz-words">
          {draft.words.map((word, index) => (
            <div class="field" key={index}>
              <label for={`${baseId}-word-${index}`}>{t('quiz.form.wordLabel', { n: index + 1 })}</label>
              <input
                id={`${baseId}-word-${index}`}
                class="quiz-input"
                type="text"
                autoComplete="off"
                maxLength={MAX_WORD_CHARS}
                data-testid="quiz-word-input"
                value={word}
                onInput={(event) => {
                  const words = [...draft.words]
                  words[index] = event.currentTarget.value
                  update({ ...draft, words })
                }}
              />
            </div>
          ))}
        </div>
      </>
    )
  }
  return <p class="meta">{t('quiz.form.unsupported')}</p>
}

interface OptionListProps {
  kind: 'radio' | 'checkbox'
  name: string
  texts: string[]
  isSelected: (index: number) => boolean
  onPick: (index: number) => void
}

/** Options as large tiles around native radio buttons or checkboxes, so arrow keys and screen readers work as usual. */
function OptionList({ kind, name, texts, isSelected, onPick }: OptionListProps) {
  return (
    <div class="quiz-options">
      {texts.map((text, index) => {
        const selected = isSelected(index)
        return (
          <label key={index} class={selected ? `quiz-option tone-${index % 4} selected` : `quiz-option tone-${index % 4}`} data-testid="quiz-option" data-index={index} data-selected={String(selected)}>
            <input type={kind} name={name} value={String(index)} checked={selected} onChange={() => onPick(index)} />
            <span class="quiz-option-letter" aria-hidden="true">
              {LETTERS[index] ?? index + 1}
            </span>
            <span class="quiz-option-text">{text}</span>
          </label>
        )
      })}
    </div>
  )
}

interface OrderingFieldProps {
  items: string[]
  order: number[]
  onOrder: (order: number[]) => void
}

/** A list with move-up and move-down buttons. Focus follows the moved item, and a live region says where it went. */
function OrderingField({ items, order, onOrder }: OrderingFieldProps) {
  const [announcement, setAnnouncement] = useState('')
  const buttons = useRef(new Map<string, HTMLButtonElement>())
  const focusAfterMove = useRef<string | null>(null)

  useEffect(() => {
    const key = focusAfterMove.current
    if (key === null) return
    focusAfterMove.current = null
    buttons.current.get(key)?.focus()
  }, [order])

  const move = (position: number, direction: -1 | 1) => {
    const target = position + direction
    if (target < 0 || target >= order.length) return
    const item = order[position]
    const next = moveItem(order, position, target)
    // At the ends the pressed button is disabled, so focus moves to its twin.
    const atEdge = target === 0 || target === order.length - 1
    const directionName = direction < 0 ? 'up' : 'down'
    const otherName = direction < 0 ? 'down' : 'up'
    focusAfterMove.current = `${item}-${atEdge ? otherName : directionName}`
    setAnnouncement(t('quiz.form.moved', { item: items[item] ?? '', position: target + 1, count: order.length }))
    onOrder(next)
  }

  return (
    <>
      <p class="hint">{t('quiz.form.orderHint')}</p>
      <ol class="quiz-order">
        {order.map((item, position) => (
          <li key={item} class="quiz-order-item" data-testid="quiz-order-item" data-index={item}>
            <span class="quiz-order-position" aria-hidden="true">
              {position + 1}
            </span>
            <span class="quiz-order-text">{items[item]}</span>
            <span class="quiz-order-buttons">
              <button
                type="button"
                class="button small"
                data-testid="quiz-order-up"
                ref={(element) => {
                  if (element) buttons.current.set(`${item}-up`, element)
                  else buttons.current.delete(`${item}-up`)
                }}
                disabled={position === 0}
                aria-label={t('quiz.form.moveUp', { item: items[item] ?? '' })}
                onClick={() => move(position, -1)}
              >
                ↑
              </button>
              <button
                type="button"
                class="button small"
                data-testid="quiz-order-down"
                ref={(element) => {
                  if (element) buttons.current.set(`${item}-down`, element)
                  else buttons.current.delete(`${item}-down`)
                }}
                disabled={position === order.length - 1}
                aria-label={t('quiz.form.moveDown', { item: items[item] ?? '' })}
                onClick={() => move(position, 1)}
              >
                ↓
              </button>
            </span>
          </li>
        ))}
      </ol>
      <p class="visually-hidden" aria-live="polite">
        {announcement}
      </p>
    </>
  )
}
