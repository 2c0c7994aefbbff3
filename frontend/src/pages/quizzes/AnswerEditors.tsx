// Editors of the answer fields of each question type. Field paths match
// the server's validation paths (crates/lectern-quiz/src/validate.rs), so
// its problems appear next to the right input.

import { useContext } from 'preact/hooks'
import { t } from '../../i18n'
import { Checkbox, ListGroup, ProblemContext, RowButtons, TextField, focusSoon } from './controls'
import {
  MAX_ACCEPTED_TEXTS,
  MAX_DISTRACTORS,
  MAX_NUMERIC_ANSWERS,
  MAX_OPTIONS,
  type QuestionModel,
  type TextItem,
  acceptedText,
  choice,
  isCorrectChoice,
  moveItem,
  numericAnswer,
  pair,
  setChoiceCorrect,
  textItem,
} from './model'
import { fieldDomId } from './problems'

export interface AnswerEditorProps {
  question: QuestionModel
  update: (patch: Partial<QuestionModel>) => void
}

/** Replaces the item at `index` of `list`. */
function replaceAt<T>(list: readonly T[], index: number, item: T): T[] {
  return list.map((current, position) => (position === index ? item : current))
}

function removeAt<T>(list: readonly T[], index: number): T[] {
  return list.filter((_, position) => position !== index)
}

/** Renders a button that adds a row and moves focus to the first input of the new row. */
function AddButton(props: { label: string; testId: string; disabled: boolean; onAdd: () => void; focusId: string }) {
  return (
    <button
      type="button"
      class="button small add-row"
      data-testid={props.testId}
      disabled={props.disabled}
      onClick={() => {
        props.onAdd()
        focusSoon(props.focusId)
      }}
    >
      {props.label}
    </button>
  )
}

export function ChoicesEditor({ question, update }: AnswerEditorProps) {
  const { touch } = useContext(ProblemContext)
  const { key, type, choices } = question
  const multiple = type === 'multiple_choice'
  const setChoices = (next: typeof choices) => {
    update({ choices: next })
    touch(key, 'choices')
  }

  return (
    <>
      <ListGroup
        questionKey={key}
        field="choices"
        legend={t('authoring.choices.legend')}
        hint={t(multiple ? 'authoring.choices.hintMultiple' : 'authoring.choices.hintSingle')}
      >
        <ol class="edit-rows">
          {choices.map((item, index) => {
            const name = t('authoring.choices.name', { n: index + 1 })
            const rowId = fieldDomId(key, `choices[${index}]`)
            const correctId = `${rowId}-correct`
            return (
              <li key={item.key} class="edit-row" data-testid="choice-row">
                <div class="row-fields">
                  <TextField
                    questionKey={key}
                    field={`choices[${index}].text`}
                    label={name}
                    value={item.text}
                    onValue={(text) => update({ choices: replaceAt(choices, index, { ...item, text }) })}
                    testId="choice-text"
                    maxLength={500}
                    class="grow"
                  />
                  <Checkbox
                    id={correctId}
                    label={t('authoring.choices.correct')}
                    checked={isCorrectChoice(type, item.weight)}
                    testId="choice-correct"
                    onChange={(correct) => {
                      update({ choices: setChoiceCorrect(type, choices, index, correct) })
                      touch(key, `choices[${index}].weight`)
                    }}
                  />
                  <TextField
                    questionKey={key}
                    field={`choices[${index}].weight`}
                    label={t('authoring.choices.weight')}
                    value={item.weight}
                    onValue={(weight) => update({ choices: replaceAt(choices, index, { ...item, weight }) })}
                    testId="choice-weight"
                    kind="decimal"
                    class="narrow"
                  />
                  <TextField
                    questionKey={key}
                    field={`choices[${index}].feedback`}
                    label={t('authoring.choices.feedback')}
                    value={item.feedback}
                    onValue={(feedback) => update({ choices: replaceAt(choices, index, { ...item, feedback }) })}
                    testId="choice-feedback"
                    maxLength={1000}
                    class="grow"
                  />
                </div>
                <RowButtons
                  rowId={rowId}
                  name={name}
                  index={index}
                  count={choices.length}
                  minCount={2}
                  onMove={(to) => setChoices(moveItem(choices, index, to))}
                  onRemove={() => setChoices(removeAt(choices, index))}
                  testPrefix="choice"
                />
              </li>
            )
          })}
        </ol>
        <AddButton
          label={t('authoring.choices.add')}
          testId="choice-add"
          disabled={choices.length >= MAX_OPTIONS}
          onAdd={() => setChoices([...choices, choice()])}
          focusId={fieldDomId(key, `choices[${choices.length}].text`)}
        />
      </ListGroup>
      {multiple && (
        <div class="field">
          <Checkbox
            id={fieldDomId(key, 'penalties')}
            label={t('authoring.choices.penalties')}
            checked={question.penalties}
            onChange={(penalties) => update({ penalties })}
            testId="question-penalties"
            describedBy={`${fieldDomId(key, 'penalties')}-hint`}
          />
          <p class="hint" id={`${fieldDomId(key, 'penalties')}-hint`}>
            {t('authoring.choices.penaltiesHint')}
          </p>
        </div>
      )}
    </>
  )
}

export function TrueFalseEditor({ question, update }: AnswerEditorProps) {
  const name = `answer-${question.key}`
  return (
    <fieldset class="list-group" data-testid="true-false">
      <legend>{t('authoring.trueFalse.legend')}</legend>
      <div class="radio-row">
        {([true, false] as const).map((value) => (
          <label class="toggle" key={String(value)}>
            <input
              type="radio"
              name={name}
              data-testid={`question-answer-${value}`}
              checked={question.answer === value}
              onChange={() => update({ answer: value })}
            />
            {t(value ? 'authoring.trueFalse.true' : 'authoring.trueFalse.false')}
          </label>
        ))}
      </div>
    </fieldset>
  )
}

export function NumericEditor({ question, update }: AnswerEditorProps) {
  const { touch } = useContext(ProblemContext)
  const { key, numericAnswers: answers } = question
  const setAnswers = (next: typeof answers) => {
    update({ numericAnswers: next })
    touch(key, 'answers')
  }

  return (
    <ListGroup questionKey={key} field="answers" legend={t('authoring.numeric.legend')} hint={t('authoring.numeric.hint')}>
      <ol class="edit-rows">
        {answers.map((item, index) => {
          const name = t('authoring.numeric.name', { n: index + 1 })
          const field = `answers[${index}]`
          const rowId = fieldDomId(key, field)
          const set = (patch: Partial<typeof item>) => update({ numericAnswers: replaceAt(answers, index, { ...item, ...patch }) })
          return (
            <li key={item.key} class="edit-row" data-testid="numeric-row">
              <ListGroup questionKey={key} field={field} legend={name}>
                <div class="row-fields">
                  <div class="field narrow">
                    <label for={`${rowId}-match`}>{t('authoring.numeric.match')}</label>
                    <select
                      id={`${rowId}-match`}
                      data-testid="numeric-match"
                      value={item.match}
                      onChange={(event) => set({ match: event.currentTarget.value === 'range' ? 'range' : 'exact' })}
                    >
                      <option value="exact">{t('authoring.numeric.exact')}</option>
                      <option value="range">{t('authoring.numeric.range')}</option>
                    </select>
                  </div>
                  {item.match === 'exact' ? (
                    <>
                      <TextField questionKey={key} field={`${field}.value`} label={t('authoring.numeric.value')} value={item.value}
                        onValue={(value) => set({ value })} testId="numeric-value" kind="decimal" class="narrow" />
                      <TextField questionKey={key} field={`${field}.tolerance`} label={t('authoring.numeric.tolerance')} value={item.tolerance}
                        onValue={(tolerance) => set({ tolerance })} testId="numeric-tolerance" kind="decimal" class="narrow" />
                    </>
                  ) : (
                    <>
                      <TextField questionKey={key} field={`${field}.min`} label={t('authoring.numeric.min')} value={item.min}
                        onValue={(min) => set({ min })} testId="numeric-min" kind="decimal" class="narrow" />
                      <TextField questionKey={key} field={`${field}.max`} label={t('authoring.numeric.max')} value={item.max}
                        onValue={(max) => set({ max })} testId="numeric-max" kind="decimal" class="narrow" />
                    </>
                  )}
                  <TextField questionKey={key} field={`${field}.weight`} label={t('authoring.numeric.weight')} value={item.weight}
                    onValue={(weight) => set({ weight })} testId="numeric-weight" kind="decimal" class="narrow" />
                  <TextField questionKey={key} field={`${field}.feedback`} label={t('authoring.numeric.feedback')} value={item.feedback}
                    onValue={(feedback) => set({ feedback })} testId="numeric-feedback" maxLength={1000} class="grow" />
                </div>
                <RowButtons rowId={rowId} name={name} index={index} count={answers.length} minCount={1}
                  onMove={(to) => setAnswers(moveItem(answers, index, to))}
                  onRemove={() => setAnswers(removeAt(answers, index))} testPrefix="numeric" />
              </ListGroup>
            </li>
          )
        })}
      </ol>
      <AddButton label={t('authoring.numeric.add')} testId="numeric-add" disabled={answers.length >= MAX_NUMERIC_ANSWERS}
        onAdd={() => setAnswers([...answers, { ...numericAnswer(), weight: answers.length === 0 ? '100' : '0' }])}
        focusId={`${fieldDomId(key, `answers[${answers.length}]`)}-match`} />
    </ListGroup>
  )
}

export function ShortTextEditor({ question, update }: AnswerEditorProps) {
  const { touch } = useContext(ProblemContext)
  const { key, accepted } = question
  const setAccepted = (next: typeof accepted) => {
    update({ accepted: next })
    touch(key, 'accepted')
  }

  return (
    <>
      <ListGroup questionKey={key} field="accepted" legend={t('authoring.shortText.legend')} hint={t('authoring.shortText.hint')}>
        <ol class="edit-rows">
          {accepted.map((item, index) => {
            const name = t('authoring.shortText.name', { n: index + 1 })
            const field = `accepted[${index}]`
            const set = (patch: Partial<typeof item>) => update({ accepted: replaceAt(accepted, index, { ...item, ...patch }) })
            return (
              <li key={item.key} class="edit-row" data-testid="accepted-row">
                <div class="row-fields">
                  <TextField questionKey={key} field={`${field}.text`} label={name} value={item.text}
                    onValue={(text) => set({ text })} testId="accepted-text" maxLength={500} class="grow" />
                  <TextField questionKey={key} field={`${field}.weight`} label={t('authoring.shortText.weight')} value={item.weight}
                    onValue={(weight) => set({ weight })} testId="accepted-weight" kind="decimal" class="narrow" />
                  <TextField questionKey={key} field={`${field}.feedback`} label={t('authoring.shortText.feedback')} value={item.feedback}
                    onValue={(feedback) => set({ feedback })} testId="accepted-feedback" maxLength={1000} class="grow" />
                </div>
                <RowButtons rowId={fieldDomId(key, field)} name={name} index={index} count={accepted.length} minCount={1}
                  onMove={(to) => setAccepted(moveItem(accepted, index, to))}
                  onRemove={() => setAccepted(removeAt(accepted, index))} testPrefix="accepted" />
              </li>
            )
          })}
        </ol>
        <AddButton label={t('authoring.shortText.add')} testId="accepted-add" disabled={accepted.length >= MAX_ACCEPTED_TEXTS}
          onAdd={() => setAccepted([...accepted, acceptedText()])}
          focusId={fieldDomId(key, `accepted[${accepted.length}].text`)} />
      </ListGroup>
      <Checkbox id={fieldDomId(key, 'case_sensitive')} label={t('authoring.shortText.caseSensitive')} checked={question.caseSensitive}
        onChange={(caseSensitive) => update({ caseSensitive })} testId="question-case-sensitive" />
    </>
  )
}

interface TextListProps {
  questionKey: string
  /** Server path of the list: `items`, `options` or `distractors`. */
  field: 'items' | 'options' | 'distractors'
  items: TextItem[]
  onItems: (items: TextItem[]) => void
  legend: string
  hint?: string
  /** Locale key of a row's name, with `{n}`. */
  nameKey: string
  addLabel: string
  testId: string
  minCount: number
  maxCount: number
  reorderable: boolean
}

/** Renders a list of one-line texts: ordering items, poll options, matching distractors. */
export function TextListEditor(props: TextListProps) {
  const { touch } = useContext(ProblemContext)
  const { questionKey: key, field, items } = props
  const setItems = (next: TextItem[]) => {
    props.onItems(next)
    touch(key, field)
  }
  return (
    <ListGroup questionKey={key} field={field} legend={props.legend} hint={props.hint}>
      <ol class="edit-rows">
        {items.map((item, index) => {
          const name = t(props.nameKey, { n: index + 1 })
          const path = `${field}[${index}]`
          return (
            <li key={item.key} class="edit-row" data-testid={`${props.testId}-row`}>
              <div class="row-fields">
                <TextField questionKey={key} field={path} label={name} value={item.text}
                  onValue={(text) => props.onItems(replaceAt(items, index, { ...item, text }))}
                  testId={props.testId} maxLength={500} class="grow" />
              </div>
              <RowButtons rowId={`${fieldDomId(key, path)}-row`} name={name} index={index} count={items.length} minCount={props.minCount}
                onMove={props.reorderable ? (to) => setItems(moveItem(items, index, to)) : undefined}
                onRemove={() => setItems(removeAt(items, index))} testPrefix={props.testId} />
            </li>
          )
        })}
      </ol>
      <AddButton label={props.addLabel} testId={`${props.testId}-add`} disabled={items.length >= props.maxCount}
        onAdd={() => setItems([...items, textItem()])} focusId={fieldDomId(key, `${field}[${items.length}]`)} />
    </ListGroup>
  )
}

export function MatchingEditor({ question, update }: AnswerEditorProps) {
  const { touch } = useContext(ProblemContext)
  const { key, pairs } = question
  const setPairs = (next: typeof pairs) => {
    update({ pairs: next })
    touch(key, 'pairs')
  }

  return (
    <>
      <ListGroup questionKey={key} field="pairs" legend={t('authoring.matching.legend')} hint={t('authoring.matching.hint')}>
        <ol class="edit-rows">
          {pairs.map((item, index) => {
            const name = t('authoring.matching.name', { n: index + 1 })
            const field = `pairs[${index}]`
            const set = (patch: Partial<typeof item>) => update({ pairs: replaceAt(pairs, index, { ...item, ...patch }) })
            return (
              <li key={item.key} class="edit-row" data-testid="match-row">
                <div class="row-fields">
                  <TextField questionKey={key} field={`${field}.prompt`} label={t('authoring.matching.prompt', { n: index + 1 })}
                    value={item.prompt} onValue={(prompt) => set({ prompt })} testId="match-prompt" maxLength={500} class="grow" />
                  <TextField questionKey={key} field={`${field}.answer`} label={t('authoring.matching.answer', { n: index + 1 })}
                    value={item.answer} onValue={(answer) => set({ answer })} testId="match-answer" maxLength={500} class="grow" />
                </div>
                <RowButtons rowId={fieldDomId(key, field)} name={name} index={index} count={pairs.length} minCount={2}
                  onMove={(to) => setPairs(moveItem(pairs, index, to))}
                  onRemove={() => setPairs(removeAt(pairs, index))} testPrefix="match" />
              </li>
            )
          })}
        </ol>
        <AddButton label={t('authoring.matching.add')} testId="match-add" disabled={pairs.length >= MAX_OPTIONS}
          onAdd={() => setPairs([...pairs, pair()])} focusId={fieldDomId(key, `pairs[${pairs.length}].prompt`)} />
      </ListGroup>
      <TextListEditor questionKey={key} field="distractors" items={question.distractors}
        onItems={(distractors) => update({ distractors })} legend={t('authoring.matching.distractors')}
        hint={t('authoring.matching.distractorsHint')} nameKey="authoring.matching.distractorName"
        addLabel={t('authoring.matching.addDistractor')} testId="match-distractor" minCount={0} maxCount={MAX_DISTRACTORS}
        reorderable={false} />
    </>
  )
}

export function WordCloudEditor({ question, update }: AnswerEditorProps) {
  return (
    <TextField questionKey={question.key} field="max_words" label={t('authoring.wordCloud.maxWords')} value={question.maxWords}
      onValue={(maxWords) => update({ maxWords })} testId="word-cloud-max-words" kind="whole" min={1} max={10}
      hint={t('authoring.wordCloud.hint')} class="narrow" />
  )
}

/** Renders the answer editor of the question's type. */
export function AnswerEditor(props: AnswerEditorProps) {
  const { question, update } = props
  switch (question.type) {
    case 'single_choice':
    case 'multiple_choice':
      return <ChoicesEditor {...props} />
    case 'true_false':
      return <TrueFalseEditor {...props} />
    case 'numeric':
      return <NumericEditor {...props} />
    case 'short_text':
      return <ShortTextEditor {...props} />
    case 'ordering':
      return (
        <TextListEditor questionKey={question.key} field="items" items={question.items} onItems={(items) => update({ items })}
          legend={t('authoring.ordering.legend')} hint={t('authoring.ordering.hint')} nameKey="authoring.ordering.name"
          addLabel={t('authoring.ordering.add')} testId="ordering-item" minCount={2} maxCount={MAX_OPTIONS} reorderable />
      )
    case 'matching':
      return <MatchingEditor {...props} />
    case 'poll':
      return (
        <TextListEditor questionKey={question.key} field="options" items={question.options} onItems={(options) => update({ options })}
          legend={t('authoring.poll.legend')} hint={t('authoring.poll.hint')} nameKey="authoring.poll.name"
          addLabel={t('authoring.poll.add')} testId="poll-option" minCount={2} maxCount={MAX_OPTIONS} reorderable />
      )
    case 'word_cloud':
      return <WordCloudEditor {...props} />
  }
}
