// Pieces both quiz views share: the question header, countdown, distribution
// chart, leaderboard and podium.

import { useEffect, useState } from 'preact/hooks'
import { getLanguage, t, tCount } from '../../../i18n'
import { countdownSeconds, formatCountdown, spokenCountdown } from '../control/clock'
import { distributionView } from './distributionView'
import type { Distribution, RevealedQuestion, Standing, StudentQuestion } from './types'

/** Interval of the countdown's re-render, in milliseconds; short enough that the shown second never lags visibly. */
const TICK_MS = 250

/** Returns Date.now(), re-rendering every TICK_MS while `running` is true. */
export function useNow(running: boolean): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!running) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), TICK_MS)
    return () => clearInterval(timer)
  }, [running])
  return running ? now : Date.now()
}

export function QuestionHeader({ question, title }: { question: StudentQuestion; title: string }) {
  return (
    <div class="quiz-question-head">
      <p class="quiz-progress-label">
        {t('quiz.questionOf', { n: question.index + 1, count: question.count })}
        <span class="visually-hidden"> · {title}</span>
      </p>
      {question.points === 'double' && <span class="quiz-badge double">{t('quiz.points.double')}</span>}
      {question.points === 'none' && <span class="quiz-badge">{t('quiz.points.none')}</span>}
    </div>
  )
}

/** Returns `src` when it is an http(s) URL or a path on this site, the forms of question images the page shows. */
function safeImageSource(src: string | undefined): string | null {
  if (!src) return null
  if (/^https?:\/\//i.test(src) || (src.startsWith('/') && !src.startsWith('//'))) return src
  return null
}

export function QuestionText({ question, large }: { question: StudentQuestion; large?: boolean }) {
  const image = safeImageSource(question.image)
  return (
    <>
      <h3 class={large ? 'quiz-question-text large' : 'quiz-question-text'} data-testid="quiz-question-text">
        {question.text}
      </h3>
      {image && <img class="quiz-image" src={image} alt={t('quiz.imageAlt')} />}
    </>
  )
}

/**
 * Renders the question's countdown. Sighted users see every second. Screen readers
 * hear only the seconds in SPOKEN_COUNTDOWN_SECONDS, through a separate
 * polite live region, because the timer itself is not live.
 */
export function Countdown({ remaining, total }: { remaining: number; total: number }) {
  const seconds = countdownSeconds(remaining)
  const [spoken, setSpoken] = useState('')
  useEffect(() => {
    const milestone = spokenCountdown(seconds)
    if (milestone === null) return
    setSpoken(milestone === 0 ? t('quiz.countdown.timeUp') : t('quiz.countdown.secondsLeft', { seconds: milestone }))
  }, [seconds])
  const fraction = total > 0 ? Math.min(1, remaining / total) : 0
  const urgent = seconds <= 5

  return (
    <div class="quiz-countdown-box">
      <p class={urgent ? 'quiz-countdown urgent' : 'quiz-countdown'} role="timer" data-testid="quiz-countdown" data-seconds={seconds}>
        <span class="visually-hidden">{t('quiz.countdown.label')} </span>
        {seconds === 0 ? t('quiz.countdown.timeUpShort') : formatCountdown(seconds)}
      </p>
      <div class="quiz-timebar" aria-hidden="true">
        <span style={{ width: `${fraction * 100}%` }} />
      </div>
      <p class="visually-hidden" aria-live="polite">
        {spoken}
      </p>
    </div>
  )
}

interface ChartProps {
  distribution: Distribution
  question: StudentQuestion | null
  reveal: RevealedQuestion | null
  answered: number
}

/** Renders a distribution as a bar chart in a list, where each bar has its label and its count in text. */
export function DistributionChart({ distribution, question, reveal, answered }: ChartProps) {
  const view = distributionView(distribution, question, reveal, answered, getLanguage())
  const revealed = reveal !== null

  return (
    <figure class="quiz-chart" data-testid="quiz-distribution" data-type={distribution.type} data-revealed={String(revealed)}>
      <figcaption>{view.caption}</figcaption>
      {view.rows.length === 0 ? (
        <p class="meta">{t('quiz.chart.empty')}</p>
      ) : (
        <ul class="quiz-bars">
          {view.rows.map((row, index) => (
            <li
              key={index}
              class={row.mark ? `quiz-bar ${row.mark}` : 'quiz-bar'}
              data-testid="quiz-distribution-bar"
              data-count={row.count}
              data-mark={row.mark ?? undefined}
            >
              <span class="quiz-bar-label">
                {row.mark === 'correct' && <span class="quiz-mark" aria-hidden="true">✓ </span>}
                {row.label}
                {row.mark === 'correct' && <span class="visually-hidden"> ({t('quiz.chart.correct')})</span>}
                {row.mark === 'partial' && <span class="quiz-tag"> {t('quiz.chart.partial')}</span>}
              </span>
              <span class="quiz-bar-track" aria-hidden="true">
                <span class="quiz-bar-fill" style={{ width: `${row.fraction * 100}%` }} />
              </span>
              <span class="quiz-bar-value">{row.value}</span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  )
}

export function Leaderboard({ entries, selfId }: { entries: Standing[]; selfId?: string }) {
  if (entries.length === 0) return <p class="meta">{t('quiz.leaderboard.empty')}</p>
  return (
    <ol class="quiz-leaderboard" data-testid="leaderboard" aria-label={t('quiz.leaderboard.title')}>
      {entries.map((entry) => {
        const self = entry.participant_id === selfId
        return (
          <li
            key={entry.participant_id}
            class={self ? 'leaderboard-row self' : 'leaderboard-row'}
            data-testid="leaderboard-row"
            data-participant-id={entry.participant_id}
            data-rank={entry.rank}
            data-score={entry.score}
            aria-current={self ? 'true' : undefined}
          >
            <span class="leaderboard-rank">{t('quiz.leaderboard.rank', { rank: entry.rank })}</span>
            <span class="leaderboard-name">
              {entry.name}
              {self && <span class="quiz-tag"> {t('quiz.leaderboard.you')}</span>}
            </span>
            <span class="leaderboard-score">{t('quiz.leaderboard.points', { score: entry.score.toLocaleString(getLanguage()) })}</span>
          </li>
        )
      })}
    </ol>
  )
}

const PLACE_CLASSES = ['first', 'second', 'third']

interface PodiumProps {
  places: Standing[]
  /** Number of participants ranked 1 to 3 whom the server left out of `places`. */
  unlisted: number
  selfId?: string
}

/** Places 1 to 3; shared ranks stand on the same step. */
export function Podium({ places, unlisted, selfId }: PodiumProps) {
  if (places.length === 0) return <p class="meta">{t('quiz.podium.empty')}</p>
  return (
    <section class="quiz-podium" data-testid="quiz-podium" aria-label={t('quiz.podium.title')}>
      <h3>{t('quiz.podium.title')}</h3>
      <ol class="podium-steps">
        {places.map((place) => (
          <li
            key={place.participant_id}
            class={`podium-place ${PLACE_CLASSES[place.rank - 1] ?? ''}`}
            data-testid="quiz-podium-place"
            data-rank={place.rank}
            data-participant-id={place.participant_id}
          >
            <span class="podium-rank">{t('quiz.podium.place', { rank: place.rank })}</span>
            <span class="podium-name">
              {place.name}
              {place.participant_id === selfId && <span class="quiz-tag"> {t('quiz.leaderboard.you')}</span>}
            </span>
            <span class="podium-score">{t('quiz.leaderboard.points', { score: place.score.toLocaleString(getLanguage()) })}</span>
          </li>
        ))}
      </ol>
      {unlisted > 0 && (
        <p class="meta" data-testid="quiz-podium-unlisted" data-unlisted={unlisted}>
          {tCount('quiz.podium.unlisted', unlisted, { others: unlisted.toLocaleString(getLanguage()) })}
        </p>
      )}
    </section>
  )
}

/** The live answer count, a polite live region. */
export function AnswerCount({ answered, participants }: { answered: number; participants: number }) {
  return (
    <p class="quiz-answer-count" data-testid="quiz-answer-count" aria-live="polite" aria-atomic="true" data-answered={answered} data-participants={participants}>
      {t('quiz.answeredOf', { answered, participants })}
    </p>
  )
}
