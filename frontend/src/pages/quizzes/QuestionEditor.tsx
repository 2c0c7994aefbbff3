// One question of the quiz editor: its text, the answer editor of its
// type, and the settings every type shares (time limit, points, image,
// feedback, id and title).

import type { ComponentChildren } from 'preact'
import { useContext, useState } from 'preact/hooks'
import { t } from '../../i18n'
import { AnswerEditor } from './AnswerEditors'
import { ProblemContext, RowButtons, TextField, focusSoon } from './controls'
import type { QuestionModel } from './model'
import { fieldDomId } from './problems'
import { POINTS_MODES, type QuestionType } from './types'

/** Returns false for polls and word clouds, which have no correct option, so points and right/wrong feedback do not apply. */
export const isScored = (type: QuestionType) => type !== 'poll' && type !== 'word_cloud'

interface QuestionEditorProps {
  question: QuestionModel
  index: number
  count: number
  onChange: (question: QuestionModel) => void
  onMove: (to: number) => void
  onRemove: () => void
}

export function QuestionEditor({ question, index, count, onChange, onMove, onRemove }: QuestionEditorProps) {
  const [confirming, setConfirming] = useState(false)
  const { key } = question
  const update = (patch: Partial<QuestionModel>) => onChange({ ...question, ...patch })
  const name = t('authoring.question.name', { n: index + 1 })
  const headingId = `question-${key}-heading`
  const rowId = `question-${key}`
  const scored = isScored(question.type)
  // Sections with a problem open, so its message is not hidden.
  const { visible } = useContext(ProblemContext)
  const problemFields = new Set(visible.filter((problem) => problem.questionKey === key).map((problem) => problem.field))
  const feedbackProblem = [...problemFields].some((field) => field.startsWith('feedback.'))
  const moreProblem = problemFields.has('id') || problemFields.has('title')

  return (
    <li class="card question-card" data-testid="question-item" data-question-id={question.id} data-type={question.type} aria-labelledby={headingId}>
      <div class="question-head">
        <h3 id={headingId}>
          {name} <span class="type-tag">{t(`authoring.type.${question.type}`)}</span>
        </h3>
        <div class="question-actions">
          <RowButtons
            rowId={rowId}
            name={name}
            index={index}
            count={count}
            onMove={onMove}
            testPrefix="question"
          />
          {confirming ? (
            <span class="confirm-group">
              <span class="confirm-text">{t('authoring.question.deleteConfirm', { n: index + 1 })}</span>
              <button type="button" class="button small danger" id={`${rowId}-delete-confirm`} data-testid="question-delete-confirm" onClick={onRemove}>
                {t('authoring.question.deleteYes')}
              </button>
              <button
                type="button"
                class="button small"
                onClick={() => {
                  setConfirming(false)
                  focusSoon(`${rowId}-delete`)
                }}
              >
                {t('app.cancel')}
              </button>
            </span>
          ) : (
            <button
              type="button"
              class="button small"
              id={`${rowId}-delete`}
              data-testid="question-delete"
              aria-describedby={headingId}
              onClick={() => {
                setConfirming(true)
                focusSoon(`${rowId}-delete-confirm`)
              }}
            >
              {t('authoring.question.delete')}
            </button>
          )}
        </div>
      </div>

      <TextField
        questionKey={key}
        field="text"
        label={t('authoring.field.text')}
        value={question.text}
        onValue={(text) => update({ text })}
        testId="question-text"
        multiline
        maxLength={2000}
      />

      <AnswerEditor question={question} update={update} />

      <div class="settings-row">
        <TextField
          questionKey={key}
          field="time_limit_secs"
          label={t('authoring.field.timeLimit')}
          value={question.timeLimit}
          onValue={(timeLimit) => update({ timeLimit })}
          testId="question-time-limit"
          kind="whole"
          min={5}
          max={600}
          hint={t('authoring.question.timeLimitHint')}
          class="medium"
        />
        <div class="field medium">
          <label for={fieldDomId(key, 'points')}>{t('authoring.field.points')}</label>
          <select
            id={fieldDomId(key, 'points')}
            data-testid="question-points"
            value={question.points}
            aria-describedby={scored ? undefined : `${fieldDomId(key, 'points')}-hint`}
            onChange={(event) => {
              const value = event.currentTarget.value
              const points = POINTS_MODES.find((mode) => mode === value)
              if (points) update({ points })
            }}
          >
            {POINTS_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {t(`authoring.points.${mode}`)}
              </option>
            ))}
          </select>
          {!scored && (
            <p class="hint" id={`${fieldDomId(key, 'points')}-hint`}>
              {t('authoring.question.unscored')}
            </p>
          )}
        </div>
        <TextField
          questionKey={key}
          field="image"
          label={t('authoring.field.image')}
          value={question.image}
          onValue={(image) => update({ image })}
          testId="question-image"
          kind="url"
          maxLength={2048}
          hint={t('authoring.question.imageHint')}
          class="grow"
        />
      </div>

      <Section summary={t('authoring.question.feedbackHeading')} initiallyOpen={hasFeedback(question)} forceOpen={feedbackProblem}>
        <TextField
          questionKey={key}
          field="feedback.general"
          label={t('authoring.field.feedbackGeneral')}
          value={question.feedback.general}
          onValue={(general) => update({ feedback: { ...question.feedback, general } })}
          testId="question-feedback-general"
          multiline
          maxLength={1000}
        />
        {scored && (
          <>
            <TextField
              questionKey={key}
              field="feedback.correct"
              label={t('authoring.field.feedbackCorrect')}
              value={question.feedback.correct}
              onValue={(correct) => update({ feedback: { ...question.feedback, correct } })}
              testId="question-feedback-correct"
              multiline
              maxLength={1000}
            />
            <TextField
              questionKey={key}
              field="feedback.incorrect"
              label={t('authoring.field.feedbackIncorrect')}
              value={question.feedback.incorrect}
              onValue={(incorrect) => update({ feedback: { ...question.feedback, incorrect } })}
              testId="question-feedback-incorrect"
              multiline
              maxLength={1000}
            />
          </>
        )}
      </Section>

      <Section summary={t('authoring.question.moreHeading')} initiallyOpen={false} forceOpen={moreProblem}>
        <div class="settings-row">
          <TextField
            questionKey={key}
            field="id"
            label={t('authoring.field.id')}
            value={question.id}
            onValue={(id) => update({ id })}
            testId="question-id"
            maxLength={64}
            hint={t('authoring.question.idHint')}
          />
          <TextField
            questionKey={key}
            field="title"
            label={t('authoring.field.questionTitle')}
            value={question.title}
            onValue={(title) => update({ title })}
            testId="question-title"
            maxLength={200}
            hint={t('authoring.question.titleHint')}
            class="grow"
          />
        </div>
      </Section>
    </li>
  )
}

/** Renders a collapsible section that opens while one of its fields has a problem to show. */
function Section(props: { summary: string; initiallyOpen: boolean; forceOpen: boolean; children: ComponentChildren }) {
  const [open, setOpen] = useState(props.initiallyOpen)
  return (
    <details class="question-more" open={open || props.forceOpen} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>{props.summary}</summary>
      {props.children}
    </details>
  )
}

function hasFeedback(question: QuestionModel): boolean {
  const { general, correct, incorrect } = question.feedback
  return [general, correct, incorrect].some((text) => text.trim() !== '')
}
