// The student's view of the live quiz, one layout per phase.

import { useState } from 'preact/hooks'
import { getLanguage, t } from '../../../i18n'
import { AnswerForm } from './AnswerForm'
import { draftFromAnswer, emptyDraft, type AnswerDraft } from './answerForm'
import { remainingMs } from '../control/clock'
import { describeAnswer, describeKey } from './distributionView'
import { Countdown, DistributionChart, Leaderboard, Podium, QuestionHeader, QuestionText, useNow } from './QuizParts'
import { canAnswer, questionKey, type QuizViewState } from './quizState'
import { RequestErrorText } from './QuizErrors'
import type { Answer, ClosedBy, MyStanding, RunView, StudentResult } from './types'

interface StudentQuizProps {
  state: QuizViewState
  run: RunView
  onAnswer: (answer: Answer) => void
}

export function StudentQuiz({ state, run, onAnswer }: StudentQuizProps) {
  const selfId = state.self?.participantId
  switch (run.phase) {
    case 'lobby':
      return (
        <div class="quiz-waiting" data-testid="quiz-waiting">
          <p class="quiz-big">{t('quiz.student.lobby', { title: run.title })}</p>
          <p class="meta">{t('quiz.student.lobbyHint')}</p>
        </div>
      )
    case 'question_open':
    case 'question_closed':
      return <StudentQuestionView state={state} run={run} onAnswer={onAnswer} />
    case 'answer_revealed':
      return <StudentReveal run={run} />
    case 'leaderboard':
      return (
        <>
          <MyStandingText standing={run.my_standing} />
          <h3>{t('quiz.leaderboard.title')}</h3>
          <Leaderboard entries={run.leaderboard ?? []} selfId={selfId} />
        </>
      )
    case 'ended':
      return (
        <>
          <p class="quiz-big">{t('quiz.student.ended', { title: run.title })}</p>
          <MyStandingText standing={run.my_standing} />
          <Podium places={run.podium ?? []} unlisted={run.podium_unlisted ?? 0} selfId={selfId} />
          {run.leaderboard && run.leaderboard.length > 0 && (
            <details class="quiz-details">
              <summary>{t('quiz.leaderboard.title')}</summary>
              <Leaderboard entries={run.leaderboard} selfId={selfId} />
            </details>
          )}
        </>
      )
  }
}

function MyStandingText({ standing }: { standing: MyStanding | null }) {
  if (!standing) return null
  return (
    <p class="quiz-my-standing" data-testid="quiz-my-standing" data-rank={standing.rank} data-score={standing.score}>
      {t('quiz.student.standing', { rank: standing.rank, score: standing.score.toLocaleString(getLanguage()) })}
    </p>
  )
}

function StudentQuestionView({ state, run, onAnswer }: StudentQuizProps) {
  const question = run.question
  const key = questionKey(run)
  const open = run.phase === 'question_open'
  const now = useNow(open)
  const [local, setLocal] = useState<{ key: string; draft: AnswerDraft } | null>(null)
  if (!question) return <p class="meta">{t('quiz.student.waitNext')}</p>

  const remaining = open ? remainingMs(question.deadline, state.offset, now) : 0
  const mayAnswer = canAnswer(state, remaining)
  const accepted = run.my_answer
  const sending = state.sending

  let draft: AnswerDraft
  if (accepted) draft = draftFromAnswer(question, accepted.answer)
  else if (sending) draft = draftFromAnswer(question, sending.answer)
  else if (local && local.key === key) draft = local.draft
  else draft = emptyDraft(question)

  const timeUp = !open || remaining <= 0

  return (
    <div class="quiz-question" data-testid="quiz-question" data-index={question.index} data-type={question.type}>
      <QuestionHeader question={question} title={run.title} />
      <QuestionText question={question} large />
      {open && <Countdown remaining={remaining} total={question.deadline - question.opened_at} />}
      <AnswerForm
        question={question}
        draft={draft}
        onDraft={(next) => setLocal({ key, draft: next })}
        locked={!mayAnswer}
        submittable={!accepted && !timeUp}
        sending={sending !== null}
        onSubmit={onAnswer}
      />
      <div aria-live="polite" class="live-region">
        {accepted && (
          <p class="notice quiz-accepted" data-testid="quiz-accepted">
            {t('quiz.student.accepted')}
            {state.duplicate && <> {t('quiz.student.duplicate')}</>}
          </p>
        )}
        {!accepted && sending && <p class="meta">{t('quiz.form.sending')}</p>}
        {!accepted && timeUp && (
          <p class="notice" data-testid="quiz-closed-notice">
            {closedNotice(open, run.closed_by)} {t('quiz.student.noAnswer')}
          </p>
        )}
        {accepted && !open && <p class="meta">{t('quiz.student.waitReveal')}</p>}
      </div>
      {state.answerError && !accepted && (
        <div class="notice notice-error" role="alert" data-testid="quiz-answer-error" data-code={state.answerError.code}>
          <p>
            <RequestErrorText failure={state.answerError} />
          </p>
        </div>
      )}
    </div>
  )
}

/**
 * Returns why a student can no longer answer: the time ran out on this page's
 * clock, or the server closed the question (by its deadline or by the
 * lecturer, when the server says which).
 */
function closedNotice(open: boolean, closedBy: ClosedBy | null): string {
  if (open || closedBy === 'deadline') return t('quiz.student.timeUp')
  if (closedBy === 'lecturer') return t('quiz.student.closedByLecturer')
  return t('quiz.student.closed')
}

const RESULT_KEYS: Record<StudentResult['correctness'], string> = {
  correct: 'quiz.result.correct',
  partial: 'quiz.result.partial',
  incorrect: 'quiz.result.incorrect',
  unscored: 'quiz.result.unscored',
}

function StudentReveal({ run }: { run: RunView }) {
  const question = run.question
  const reveal = run.reveal
  const result = run.my_result
  const language = getLanguage()
  const key = reveal ? describeKey(reveal.question, language) : null
  const distribution = reveal?.distribution ?? run.distribution

  return (
    <div class="quiz-reveal">
      {question && <QuestionHeader question={question} title={run.title} />}
      {question && <QuestionText question={question} />}
      {result && (
        <div class={`quiz-result ${result.correctness}`} data-testid="quiz-result" data-correctness={result.correctness} data-points={result.points} data-total={result.total}>
          <p class="quiz-result-title">{result.answer === null && result.correctness !== 'unscored' ? t('quiz.result.missed') : t(RESULT_KEYS[result.correctness])}</p>
          {result.correctness !== 'unscored' && (
            <p>
              {t('quiz.result.points', { points: result.points.toLocaleString(language) })}
              {result.streak_bonus > 0 && <> {t('quiz.result.streakBonus', { bonus: result.streak_bonus.toLocaleString(language) })}</>}
            </p>
          )}
          <p>{t('quiz.result.total', { total: result.total.toLocaleString(language) })}</p>
          {result.streak > 1 && <p>{t('quiz.result.streak', { streak: result.streak })}</p>}
          {result.answer && <p>{t('quiz.result.yourAnswer', { answer: describeAnswer(question, result.answer, language) })}</p>}
        </div>
      )}
      {key && <p class="quiz-key" data-testid="quiz-key">{t('quiz.result.key', { answer: key })}</p>}
      {result && result.feedback.length > 0 && (
        <ul class="quiz-feedback" data-testid="quiz-feedback">
          {result.feedback.map((text, index) => (
            <li key={index}>{text}</li>
          ))}
        </ul>
      )}
      {distribution && <DistributionChart distribution={distribution} question={question} reveal={reveal} answered={reveal?.answered ?? run.answered} />}
    </div>
  )
}
