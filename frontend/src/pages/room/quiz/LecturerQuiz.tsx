// The lecturer's view of the live quiz: launching a quiz, then the controls
// and live results of each phase, then the podium and the results.

import { useEffect, useState } from 'preact/hooks'
import { getLanguage, t, tCount } from '../../../i18n'
import { ErrorNotice } from '../../Layout'
import { remainingMs } from '../control/clock'
import { describeKey } from './distributionView'
import { quizApi, type QuizSummary } from './quizApi'
import { AnswerCount, Countdown, DistributionChart, Leaderboard, Podium, QuestionHeader, QuestionText, useNow } from './QuizParts'
import { QuizResults } from './QuizResults'
import type { QuizViewState } from './quizState'
import type { LecturerCommand, RunView, StudentQuestion } from './types'

interface LecturerQuizProps {
  state: QuizViewState
  token: string
  code: string
  onCommand: (command: LecturerCommand) => void
}

export function LecturerQuiz({ state, token, code, onCommand }: LecturerQuizProps) {
  const run = state.run
  const busy = state.pendingCommand !== null || state.connection !== 'connected'

  if (!run || run.phase === 'ended') {
    return (
      <>
        {run && (
          <>
            <p class="quiz-big">{t('quiz.lecturer.ended', { title: run.title })}</p>
            <Podium places={run.podium ?? []} unlisted={run.podium_unlisted ?? 0} />
            {run.leaderboard && run.leaderboard.length > 0 && (
              <>
                <h3>{t('quiz.leaderboard.title')}</h3>
                <Leaderboard entries={run.leaderboard} />
              </>
            )}
            <QuizResults key={run.run_id} token={token} code={code} runId={run.run_id} />
          </>
        )}
        <LaunchForm token={token} busy={busy} again={run !== null} onLaunch={(quizId, streakBonus) => onCommand({ type: 'quiz.launch', quiz_id: quizId, streak_bonus: streakBonus })} />
      </>
    )
  }

  return <RunControls run={run} state={state} busy={busy} onCommand={onCommand} />
}

interface LaunchFormProps {
  token: string
  busy: boolean
  /** True after a run ended, so the form offers another quiz. */
  again: boolean
  onLaunch: (quizId: string, streakBonus: boolean) => void
}

function LaunchForm({ token, busy, again, onLaunch }: LaunchFormProps) {
  const [quizzes, setQuizzes] = useState<QuizSummary[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [selected, setSelected] = useState('')
  const [streakBonus, setStreakBonus] = useState(false)

  useEffect(() => {
    let current = true
    quizApi.listQuizzes(token).then(
      (list) => {
        if (!current) return
        setQuizzes(list)
        setSelected((previous) => (previous && list.some((quiz) => quiz.id === previous) ? previous : (list[0]?.id ?? '')))
      },
      (failure: unknown) => {
        console.warn('listing quizzes failed', failure)
        if (current) setError(failure)
      },
    )
    return () => {
      current = false
    }
  }, [token])

  const submit = (event: Event) => {
    event.preventDefault()
    if (selected) onLaunch(selected, streakBonus)
  }

  return (
    <form class="form quiz-launch-form" onSubmit={submit}>
      <h3>{again ? t('quiz.lecturer.launchAnother') : t('quiz.lecturer.launchTitle')}</h3>
      <ErrorNotice error={error} testId="quiz-list-error" />
      {quizzes === null && !error && <p role="status">{t('quiz.lecturer.loadingQuizzes')}</p>}
      {quizzes !== null && quizzes.length === 0 && <p class="meta" data-testid="quiz-none">{t('quiz.lecturer.noQuizzes')}</p>}
      {quizzes !== null && quizzes.length > 0 && (
        <>
          <div class="field">
            <label for="quiz-select">{t('quiz.lecturer.pickQuiz')}</label>
            <select id="quiz-select" data-testid="quiz-select" value={selected} onChange={(event) => setSelected(event.currentTarget.value)}>
              {quizzes.map((quiz) => (
                <option key={quiz.id} value={quiz.id}>
                  {tCount('quiz.lecturer.quizOption', quiz.question_count, { title: quiz.title })}
                </option>
              ))}
            </select>
          </div>
          <label class="toggle">
            <input type="checkbox" data-testid="quiz-streak-bonus" checked={streakBonus} onChange={(event) => setStreakBonus(event.currentTarget.checked)} />
            {t('quiz.lecturer.streakBonus')}
          </label>
          <button type="submit" class="button primary" data-testid="quiz-launch" disabled={busy || !selected}>
            {t('quiz.lecturer.launch')}
          </button>
        </>
      )}
    </form>
  )
}

interface RunControlsProps {
  run: RunView
  state: QuizViewState
  busy: boolean
  onCommand: (command: LecturerCommand) => void
}

function RunControls({ run, state, busy, onCommand }: RunControlsProps) {
  const [hideLive, setHideLive] = useState(false)
  const [confirmEnd, setConfirmEnd] = useState(false)
  const question = run.question

  // A confirmation left open belongs to the phase it was asked in.
  useEffect(() => setConfirmEnd(false), [run.phase, question?.index])
  const hasNext = (question ? question.index + 1 : 0) < run.question_count
  const send = (type: Exclude<LecturerCommand['type'], 'quiz.launch'>) => () => {
    setConfirmEnd(false)
    onCommand({ type })
  }

  // Ending while questions remain unasked drops them, so it asks first.
  const endEarly = hasNext
  const endButton = confirmEnd ? (
    <span class="quiz-confirm" role="group" aria-label={t('quiz.lecturer.endConfirmLabel')}>
      <span class="confirm-text">{t('quiz.lecturer.endConfirmText')}</span>
      <button type="button" class="button danger" data-testid="quiz-end-confirm" disabled={busy} onClick={send('quiz.end')}>
        {t('quiz.lecturer.endConfirm')}
      </button>
      <button type="button" class="button" onClick={() => setConfirmEnd(false)}>
        {t('quiz.lecturer.cancel')}
      </button>
    </span>
  ) : (
    <button type="button" class="button" data-testid="quiz-end" disabled={busy} onClick={endEarly ? () => setConfirmEnd(true) : send('quiz.end')}>
      {t('quiz.lecturer.end')}
    </button>
  )

  const nextButton = hasNext && (
    <button type="button" class="button primary" data-testid="quiz-next" disabled={busy} onClick={send('quiz.next')}>
      {question ? t('quiz.lecturer.next') : t('quiz.lecturer.first')}
    </button>
  )

  let body
  let actions
  switch (run.phase) {
    case 'lobby':
      body = (
        <>
          <p class="quiz-big">{t('quiz.lecturer.lobby', { title: run.title, count: run.question_count })}</p>
          <p class="meta" data-testid="quiz-joined" aria-live="polite">
            {t('quiz.lecturer.joined', { count: run.participants })}
          </p>
        </>
      )
      actions = nextButton
      break
    case 'question_open':
      body = question && <OpenQuestion run={run} question={question} offset={state.offset} hideLive={hideLive} />
      actions = (
        <button type="button" class="button primary" data-testid="quiz-close" disabled={busy} onClick={send('quiz.close')}>
          {t('quiz.lecturer.close')}
        </button>
      )
      break
    case 'question_closed':
      body = question && (
        <>
          <QuestionHeader question={question} title={run.title} />
          <QuestionText question={question} />
          <p class="meta">{t('quiz.lecturer.closed')}</p>
          <AnswerCount answered={run.answered} participants={run.participants} />
          {run.distribution && !hideLive && <DistributionChart distribution={run.distribution} question={question} reveal={null} answered={run.answered} />}
        </>
      )
      actions = (
        <button type="button" class="button primary" data-testid="quiz-reveal" disabled={busy} onClick={send('quiz.reveal')}>
          {t('quiz.lecturer.reveal')}
        </button>
      )
      break
    case 'answer_revealed': {
      const key = run.reveal ? describeKey(run.reveal.question, getLanguage()) : null
      const distribution = run.reveal?.distribution ?? run.distribution
      body = (
        <>
          {question && <QuestionHeader question={question} title={run.title} />}
          {question && <QuestionText question={question} />}
          {key && <p class="quiz-key" data-testid="quiz-key">{t('quiz.result.key', { answer: key })}</p>}
          <AnswerCount answered={run.reveal?.answered ?? run.answered} participants={run.participants} />
          {distribution && <DistributionChart distribution={distribution} question={question} reveal={run.reveal} answered={run.reveal?.answered ?? run.answered} />}
        </>
      )
      actions = (
        <>
          <button type="button" class={hasNext ? 'button' : 'button primary'} data-testid="quiz-leaderboard-show" disabled={busy} onClick={send('quiz.leaderboard')}>
            {t('quiz.lecturer.showLeaderboard')}
          </button>
          {nextButton}
        </>
      )
      break
    }
    case 'leaderboard':
      body = (
        <>
          <h3>{t('quiz.leaderboard.title')}</h3>
          <Leaderboard entries={run.leaderboard ?? []} />
          {!hasNext && <p class="meta">{t('quiz.lecturer.lastDone')}</p>}
        </>
      )
      actions = nextButton
      break
    case 'ended':
      body = null
  }

  return (
    <div class="quiz-run" data-testid="quiz-run">
      {body}
      <div class="actions quiz-actions">
        {actions}
        {endButton}
      </div>
      {(run.phase === 'question_open' || run.phase === 'question_closed') && (
        <label class="toggle">
          <input type="checkbox" data-testid="quiz-hide-live" checked={hideLive} onChange={(event) => setHideLive(event.currentTarget.checked)} />
          {t('quiz.lecturer.hideLive')}
        </label>
      )}
    </div>
  )
}

interface OpenQuestionProps {
  run: RunView
  question: StudentQuestion
  offset: number
  hideLive: boolean
}

function OpenQuestion({ run, question, offset, hideLive }: OpenQuestionProps) {
  const now = useNow(true)
  const remaining = remainingMs(question.deadline, offset, now)
  return (
    <>
      <QuestionHeader question={question} title={run.title} />
      <QuestionText question={question} />
      <Countdown remaining={remaining} total={question.deadline - question.opened_at} />
      <AnswerCount answered={run.answered} participants={run.participants} />
      {hideLive ? (
        <p class="meta">{t('quiz.lecturer.liveHidden')}</p>
      ) : (
        <DistributionChart
          distribution={run.distribution ?? emptyDistribution(question)}
          question={question}
          reveal={null}
          answered={run.answered}
        />
      )}
    </>
  )
}

/** Returns a distribution of no answers, shown until the first `quiz.progress` arrives. */
function emptyDistribution(question: StudentQuestion): NonNullable<RunView['distribution']> {
  switch (question.type) {
    case 'single_choice':
    case 'multiple_choice':
      return { type: 'options', counts: question.choices.map(() => 0) }
    case 'poll':
      return { type: 'options', counts: question.options.map(() => 0) }
    case 'true_false':
      return { type: 'true_false', true_count: 0, false_count: 0 }
    case 'numeric':
      return { type: 'numbers', values: [] }
    case 'short_text':
      return { type: 'texts', values: [] }
    case 'ordering':
      return { type: 'ordering', correct_per_position: question.items.map(() => 0) }
    case 'matching':
      return { type: 'matching', correct_per_prompt: question.prompts.map(() => 0) }
    case 'word_cloud':
      return { type: 'words', words: [] }
  }
}
