// The live quiz panel of the room page, above the whiteboard. The lecturer
// always has it and may collapse it. A student sees it while a run exists,
// and it opens by itself on each new phase so the question is never hidden.

import { useEffect, useState } from 'preact/hooks'
import { t } from '../../../i18n'
import type { ControlChannel } from '../control/channel'
import type { Identity } from '../useBoardSession'
import { LecturerQuiz } from './LecturerQuiz'
import { RequestErrorText } from './QuizErrors'
import { questionKey, type QuizViewState } from './quizState'
import { StudentQuiz } from './StudentQuiz'
import { useQuizSession } from './useQuizSession'
import type { Answer, LecturerCommand, RunView } from './types'

interface QuizPanelProps {
  code: string
  identity: Identity
  /** The room's control channel; null once the room closed or the token was rejected. */
  channel: ControlChannel | null
}

export function QuizPanel({ code, identity, channel }: QuizPanelProps) {
  const session = useQuizSession(channel)
  return (
    <QuizPanelView
      state={session.state}
      role={identity.role}
      token={identity.token}
      code={code}
      onCommand={session.command}
      onAnswer={session.answer}
      onDismiss={session.dismissNotice}
    />
  )
}

/**
 * Returns what a screen reader hears when the run moves on. Focus stays
 * where the student left it, on the whiteboard for example, so the live
 * region is what tells them that a question opened.
 */
export function studentAnnouncement(run: RunView | null): string {
  if (!run) return ''
  const question = run.question
  switch (run.phase) {
    case 'lobby':
      return t('quiz.announce.lobby', { title: run.title })
    case 'question_open':
      return question ? t('quiz.announce.open', { n: question.index + 1, count: question.count, text: question.text }) : ''
    case 'question_closed':
      return t('quiz.announce.closed')
    case 'answer_revealed':
      return t('quiz.announce.revealed')
    case 'leaderboard':
      return t('quiz.announce.leaderboard')
    case 'ended':
      return t('quiz.announce.ended')
  }
}

interface QuizPanelViewProps {
  state: QuizViewState
  role: Identity['role']
  token: string
  code: string
  onCommand: (command: LecturerCommand) => void
  onAnswer: (answer: Answer) => void
  onDismiss: () => void
}

/** Renders the panel for a given state, apart from the connection, so tests can render every phase. */
export function QuizPanelView({ state, role, token, code, onCommand, onAnswer, onDismiss }: QuizPanelViewProps) {
  const [expanded, setExpanded] = useState(true)
  const run = state.run
  const isLecturer = role === 'lecturer'
  const phase = run?.phase ?? 'none'

  // A student's panel opens again whenever something new happens in the run.
  const stepKey = `${questionKey(run)}:${phase}`
  useEffect(() => {
    if (!isLecturer) setExpanded(true)
  }, [stepKey, isLecturer])

  const announcement = isLecturer ? '' : studentAnnouncement(run)

  if (!isLecturer && !run) return null
  if (state.stopped) return null

  const questionOpen = phase === 'question_open'
  // The lecturer's panel scrolls within part of the window while a run
  // goes on, so the whiteboard stays in view. The podium and results after
  // the end, and everything a student sees, take the room they need.
  const capped = isLecturer && phase !== 'none' && phase !== 'ended'
  const classes = ['quiz-panel']
  if (capped) classes.push('capped')
  if (questionOpen && !isLecturer) classes.push('prominent')
  const bodyId = 'quiz-panel-body'
  const error = state.commandError ?? state.notice

  return (
    <section
      class={classes.join(' ')}
      data-testid="quiz-panel"
      data-phase={phase}
      data-role={role}
      aria-labelledby="quiz-panel-title"
    >
      <div class="quiz-panel-head">
        <h2 id="quiz-panel-title">{run ? t('quiz.panelTitleRun', { title: run.title }) : t('quiz.panelTitle')}</h2>
        {state.connection !== 'connected' && (
          <span class="quiz-connection" data-testid="quiz-connection" data-state={state.connection} role="status">
            {t(`quiz.connection.${state.connection}`)}
          </span>
        )}
        <button
          type="button"
          class="button small"
          data-testid="quiz-toggle"
          aria-expanded={expanded}
          aria-controls={bodyId}
          onClick={() => setExpanded((value) => !value)}
        >
          {expanded ? t('quiz.collapse') : t('quiz.expand')}
        </button>
      </div>
      <p class="visually-hidden" aria-live="polite" data-testid="quiz-announcement">
        {announcement}
      </p>
      <div id={bodyId} class="quiz-panel-body" hidden={!expanded}>
        {error && (
          <div class="notice notice-error quiz-error" role="alert" data-testid="quiz-error" data-code={error.code}>
            <p>
              <RequestErrorText failure={error} />
            </p>
            <button type="button" class="button small" onClick={onDismiss}>
              {t('app.dismiss')}
            </button>
          </div>
        )}
        {isLecturer ? (
          <LecturerQuiz state={state} token={token} code={code} onCommand={onCommand} />
        ) : (
          run && <StudentQuiz state={state} run={run} onAnswer={onAnswer} />
        )}
      </div>
    </section>
  )
}
