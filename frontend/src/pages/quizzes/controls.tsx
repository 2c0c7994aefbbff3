// Form controls of the quiz editor. Each field finds its problems and
// reports edits through ProblemContext, so the editors need not pass them
// down by hand. A field's problems are linked to its input with
// aria-describedby and aria-invalid.

import type { ComponentChildren } from 'preact'
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { hasKey, t } from '../../i18n'
import { ApiError } from '../../api'
import { ErrorNotice } from '../Layout'
import { type EditorProblem, fieldDomId, fieldLabel, problemsOf, problemText } from './problems'

export interface ProblemContextValue {
  /** Problems to show now. */
  visible: readonly EditorProblem[]
  /** Records that the lecturer changed or left a field. */
  touch: (questionKey: string | null, field: string) => void
  /** Reads a text to screen readers through the page's live region. */
  announce: (text: string) => void
}

export const ProblemContext = createContext<ProblemContextValue>({
  visible: [],
  touch: () => {},
  announce: () => {},
})

/** Lists the problems of one field, each prefixed with the field's name. */
export function FieldProblems({ id, problems }: { id: string; problems: readonly EditorProblem[] }) {
  if (problems.length === 0) return null
  return (
    <ul id={id} class="field-problems" data-testid="field-error">
      {problems.map((problem, index) => (
        <li key={index} class="field-error">
          <strong>{fieldLabel(problem.field, problem.questionKey === null ? 'quiz' : 'question')}:</strong>{' '}
          {problemText(problem)}
        </li>
      ))}
    </ul>
  )
}

/** Returns the DOM id, the visible problems and the aria attributes of a field. */
export function useField(questionKey: string | null, field: string, hintId?: string) {
  const context = useContext(ProblemContext)
  const id = fieldDomId(questionKey, field)
  const problems = problemsOf(context.visible, questionKey, field)
  const errorId = `${id}-error`
  const describedBy = [hintId, problems.length > 0 ? errorId : undefined].filter(Boolean).join(' ') || undefined
  return {
    id,
    errorId,
    problems,
    touch: () => context.touch(questionKey, field),
    aria: { 'aria-describedby': describedBy, 'aria-invalid': problems.length > 0 ? ('true' as const) : undefined },
  }
}

interface TextFieldProps {
  questionKey: string | null
  /** The server's path of the field, such as `choices[1].text`. */
  field: string
  label: string
  value: string
  onValue: (value: string) => void
  testId: string
  hint?: string
  multiline?: boolean
  /** `decimal` shows a numeric keyboard on phones but accepts any text, so the editor can explain a value that is not a number. */
  kind?: 'text' | 'decimal' | 'whole' | 'url'
  min?: number
  max?: number
  maxLength?: number
  class?: string
}

export function TextField(props: TextFieldProps) {
  const hintId = props.hint ? `${fieldDomId(props.questionKey, props.field)}-hint` : undefined
  const field = useField(props.questionKey, props.field, hintId)
  const onInput = (event: Event) => {
    props.onValue((event.currentTarget as HTMLInputElement | HTMLTextAreaElement).value)
    field.touch()
  }
  const common = {
    id: field.id,
    'data-testid': props.testId,
    value: props.value,
    onInput,
    onBlur: field.touch,
    maxLength: props.maxLength,
    ...field.aria,
  }
  let control
  if (props.multiline) {
    control = <textarea rows={2} {...common} />
  } else if (props.kind === 'whole') {
    control = <input type="number" inputMode="numeric" step={1} min={props.min} max={props.max} {...common} />
  } else if (props.kind === 'decimal') {
    control = <input type="text" inputMode="decimal" autoComplete="off" spellcheck={false} {...common} />
  } else if (props.kind === 'url') {
    control = <input type="text" inputMode="url" autoComplete="off" spellcheck={false} {...common} />
  } else {
    control = <input type="text" {...common} />
  }
  return (
    <div class={props.class ? `field ${props.class}` : 'field'}>
      <label for={field.id}>{props.label}</label>
      {control}
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      <FieldProblems id={field.errorId} problems={field.problems} />
    </div>
  )
}

interface CheckboxProps {
  id: string
  label: string
  checked: boolean
  onChange: (checked: boolean) => void
  testId: string
  describedBy?: string
}

export function Checkbox({ id, label, checked, onChange, testId, describedBy }: CheckboxProps) {
  return (
    <label class="toggle" for={id}>
      <input
        type="checkbox"
        id={id}
        data-testid={testId}
        checked={checked}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.currentTarget.checked)}
      />
      {label}
    </label>
  )
}

/**
 * Renders a group of list rows with a legend and the problems of the list itself,
 * such as "needs 2 to 10 choices". The fieldset takes the list field's DOM
 * id, so the error summary can move focus to it.
 */
export function ListGroup(props: {
  questionKey: string
  field: string
  legend: string
  hint?: string
  testId?: string
  children: ComponentChildren
}) {
  const hintId = props.hint ? `${fieldDomId(props.questionKey, props.field)}-hint` : undefined
  const field = useField(props.questionKey, props.field, hintId)
  return (
    <fieldset class="list-group" id={field.id} tabIndex={-1} aria-describedby={field.aria['aria-describedby']} data-testid={props.testId}>
      <legend>{props.legend}</legend>
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.children}
      <FieldProblems id={field.errorId} problems={field.problems} />
    </fieldset>
  )
}

/** Moves focus to the element with `id` after the next render, or to `fallbackId` when that element is missing or disabled. */
export function focusSoon(id: string, fallbackId?: string): void {
  setTimeout(() => {
    const target = document.getElementById(id) as HTMLButtonElement | null
    if (target && !target.disabled) target.focus()
    else if (fallbackId) document.getElementById(fallbackId)?.focus()
  })
}

interface RowButtonsProps {
  /** DOM id prefix of the row; the buttons get `<prefix>-up`, `-down` and `-remove`. */
  rowId: string
  /** Name of the row for screen readers, such as "Choice 2". */
  name: string
  index: number
  count: number
  /** Rows may not drop below this count. */
  minCount?: number
  /** Without it, the row has no move buttons. */
  onMove?: (to: number) => void
  /** Without it, the row has no remove button. */
  onRemove?: () => void
  testPrefix: string
}

/** Move up, move down and remove buttons of a list row; focus follows the moved row. */
export function RowButtons({ rowId, name, index, count, minCount = 0, onMove, onRemove, testPrefix }: RowButtonsProps) {
  const { announce } = useContext(ProblemContext)
  const move = (to: number, direction: 'up' | 'down') => {
    onMove?.(to)
    announce(t('authoring.list.moved', { name, position: to + 1 }))
    const other = direction === 'up' ? 'down' : 'up'
    focusSoon(`${rowId}-${direction}`, `${rowId}-${other}`)
  }
  return (
    <div class="row-buttons">
      {onMove && (
        <>
          <button
            type="button"
            class="button small"
            id={`${rowId}-up`}
            data-testid={`${testPrefix}-up`}
            aria-label={t('authoring.list.moveUp', { name })}
            title={t('authoring.list.moveUp', { name })}
            disabled={index === 0}
            onClick={() => move(index - 1, 'up')}
          >
            <span aria-hidden="true">↑</span>
          </button>
          <button
            type="button"
            class="button small"
            id={`${rowId}-down`}
            data-testid={`${testPrefix}-down`}
            aria-label={t('authoring.list.moveDown', { name })}
            title={t('authoring.list.moveDown', { name })}
            disabled={index === count - 1}
            onClick={() => move(index + 1, 'down')}
          >
            <span aria-hidden="true">↓</span>
          </button>
        </>
      )}
      {onRemove && (
      <button
        type="button"
        class="button small"
        id={`${rowId}-remove`}
        data-testid={`${testPrefix}-remove`}
        aria-label={t('authoring.list.remove', { name })}
        title={t('authoring.list.remove', { name })}
        disabled={count <= minCount}
        onClick={() => {
          onRemove()
          announce(t('authoring.list.removed', { name }))
        }}
      >
        <span aria-hidden="true">×</span>
      </button>
      )}
    </div>
  )
}

/** Error codes whose server message names what to fix (a line, a field), so the notice shows it too. */
const DETAILED_CODES = new Set(['invalid_import', 'invalid_body', 'invalid_json', 'invalid_quiz', 'invalid_field'])

/**
 * Renders an error notice that prefers the texts under `authoring.errors.` and
 * otherwise behaves as the site's ErrorNotice.
 */
export function QuizErrorNotice({ error, testId }: { error: unknown; testId?: string }) {
  if (!error) return null
  if (error instanceof ApiError && hasKey(`authoring.errors.${error.code}`)) {
    return (
      <div class="notice notice-error" role="alert" data-testid={testId ?? 'error'}>
        <p>{t(`authoring.errors.${error.code}`)}</p>
        {DETAILED_CODES.has(error.code) && <p class="notice-detail">{error.message}</p>}
      </div>
    )
  }
  return <ErrorNotice error={error} testId={testId} />
}
