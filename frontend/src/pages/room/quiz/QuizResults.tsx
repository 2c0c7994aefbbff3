// The results of an ended run, loaded over REST: per-question summaries,
// per-student totals and the CSV export.

import { useEffect, useState } from 'preact/hooks'
import { api, request } from '../../../api'
import { getLanguage, t } from '../../../i18n'
import { ErrorNotice } from '../../Layout'
import { parseQuestion } from './protocol'
import { quizApi, resultsCsvUrl, type QuestionReport, type RunResults } from './quizApi'
import { DistributionChart } from './QuizParts'
import type { Question } from './types'

interface QuizResultsProps {
  token: string
  code: string
  runId: string
}

interface Loaded {
  results: RunResults
  /** Display names by participant id. */
  names: Map<string, string>
  /** The questions as the run played them, by id, to label the reports. */
  questions: Map<string, Question>
}

/** Number of question requests the results view sends at once. */
const QUESTION_REQUESTS_AT_ONCE = 8

/**
 * Reads the questions as the run played them, with their keys, to label the
 * reports. A question that fails to load keeps its id as its label.
 */
async function loadRunQuestions(token: string, runId: string, count: number): Promise<Map<string, Question>> {
  const questions = new Map<string, Question>()
  for (let start = 0; start < count; start += QUESTION_REQUESTS_AT_ONCE) {
    const indices = Array.from({ length: Math.min(QUESTION_REQUESTS_AT_ONCE, count - start) }, (_, offset) => start + offset)
    await Promise.all(
      indices.map(async (index) => {
        try {
          const body = await request<{ question?: unknown }>('GET', `/quiz-runs/${encodeURIComponent(runId)}/questions/${index}`, { token })
          const question = parseQuestion(body?.question)
          questions.set(question.id, question)
        } catch (error) {
          console.info('reading a played question for the results failed', { runId, index, error })
        }
      }),
    )
  }
  return questions
}

async function loadNames(token: string, code: string): Promise<Map<string, string>> {
  try {
    const participants = await api.listParticipants(token, code)
    return new Map(participants.map((participant) => [participant.id, participant.name]))
  } catch (error) {
    console.info('listing participants for the results failed', { code, error })
    return new Map()
  }
}

export function QuizResults({ token, code, runId }: QuizResultsProps) {
  const [loaded, setLoaded] = useState<Loaded | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [attempt, setAttempt] = useState(0)
  const [csvError, setCsvError] = useState<unknown>(null)

  useEffect(() => {
    let current = true
    setError(null)
    const load = async (): Promise<Loaded> => {
      const [results, names] = await Promise.all([quizApi.getRunResults(token, runId), loadNames(token, code)])
      const questions = await loadRunQuestions(token, runId, results.questions.length)
      return { results, names, questions }
    }
    load().then(
      (value) => current && setLoaded(value),
      (failure: unknown) => {
        console.warn('loading the quiz results failed', { runId, failure })
        if (current) setError(failure)
      },
    )
    return () => {
      current = false
    }
  }, [token, code, runId, attempt])

  const downloadCsv = async (event: Event) => {
    event.preventDefault()
    setCsvError(null)
    try {
      const blob = await quizApi.getResultsCsv(token, runId)
      const url = URL.createObjectURL(blob)
      const link = document.createElement('a')
      link.href = url
      link.download = `quiz-results-${runId}.csv`
      document.body.append(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(url), 0)
    } catch (failure) {
      console.warn('downloading the quiz results failed', { runId, failure })
      setCsvError(failure)
    }
  }

  return (
    <section class="quiz-results" data-testid="quiz-results" aria-labelledby="quiz-results-title" data-loaded={String(loaded !== null)}>
      <h3 id="quiz-results-title">{t('quiz.results.title')}</h3>
      <p class="actions">
        <a class="button" href={resultsCsvUrl(runId)} download={`quiz-results-${runId}.csv`} data-testid="quiz-results-csv" onClick={downloadCsv}>
          {t('quiz.results.csv')}
        </a>
      </p>
      <ErrorNotice error={csvError} testId="quiz-results-csv-error" />
      {error ? (
        <>
          <ErrorNotice error={error} testId="quiz-results-error" />
          <button type="button" class="button small" onClick={() => setAttempt((value) => value + 1)}>
            {t('quiz.results.retry')}
          </button>
        </>
      ) : loaded === null ? (
        <p role="status">{t('quiz.results.loading')}</p>
      ) : (
        <ResultTables loaded={loaded} />
      )}
    </section>
  )
}

function questionLabel(report: QuestionReport, question: Question | undefined): string {
  return report.text ?? question?.text ?? report.id
}

function ResultTables({ loaded }: { loaded: Loaded }) {
  const { results, names, questions } = loaded
  const language = getLanguage()
  const seconds = (ms: number) => (ms / 1000).toLocaleString(language, { maximumFractionDigits: 1 })
  // Polls and word clouds have no right answer, so they do not count towards "right answers of N".
  const scoredCount = results.questions.filter((report) => report.type !== 'poll' && report.type !== 'word_cloud').length

  return (
    <>
      <div class="table-scroll">
        <table class="quiz-table">
          <caption>{t('quiz.results.questionsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('quiz.results.number')}</th>
              <th scope="col">{t('quiz.results.question')}</th>
              <th scope="col">{t('quiz.results.answered')}</th>
              <th scope="col">{t('quiz.results.correct')}</th>
              <th scope="col">{t('quiz.results.partial')}</th>
              <th scope="col">{t('quiz.results.incorrect')}</th>
              <th scope="col">{t('quiz.results.averagePoints')}</th>
              <th scope="col">{t('quiz.results.averageTime')}</th>
            </tr>
          </thead>
          <tbody>
            {results.questions.map((report) => {
              const question = questions.get(report.id)
              return (
                <tr key={report.index} data-testid="quiz-results-question" data-index={report.index}>
                  <td>{report.index + 1}</td>
                  <th scope="row">{report.opened ? questionLabel(report, question) : t('quiz.results.notAsked', { question: questionLabel(report, question) })}</th>
                  <td>{report.answered}</td>
                  <td>{report.correct}</td>
                  <td>{report.partial}</td>
                  <td>{report.incorrect}</td>
                  <td>{Math.round(report.average_points).toLocaleString(language)}</td>
                  <td>{t('quiz.results.seconds', { seconds: seconds(report.average_response_ms) })}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>

      {results.questions.some((report) => report.distribution && report.answered > 0) && (
        <details class="quiz-details">
          <summary>{t('quiz.results.distributions')}</summary>
          {results.questions.map((report) => {
            if (!report.distribution || report.answered === 0) return null
            const question = questions.get(report.id)
            const key = question && question.type === report.type ? question : null
            const reveal = key ? { index: report.index, question: key, display_order: [], answered: report.answered, distribution: report.distribution } : null
            return (
              <div key={report.index} class="quiz-results-chart">
                <h4>{t('quiz.results.chartTitle', { n: report.index + 1, question: questionLabel(report, question) })}</h4>
                <DistributionChart distribution={report.distribution} question={null} reveal={reveal} answered={report.answered} />
              </div>
            )
          })}
        </details>
      )}

      <div class="table-scroll">
        <table class="quiz-table">
          <caption>{t('quiz.results.studentsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('quiz.results.rank')}</th>
              <th scope="col">{t('quiz.results.student')}</th>
              <th scope="col">{t('quiz.results.total')}</th>
              <th scope="col">{t('quiz.results.correctCount')}</th>
            </tr>
          </thead>
          <tbody>
            {results.participants.length === 0 && (
              <tr>
                <td colSpan={4}>{t('quiz.results.noStudents')}</td>
              </tr>
            )}
            {results.participants.map((entry) => (
              <tr key={entry.participant_id} data-testid="quiz-results-student" data-participant-id={entry.participant_id}>
                <td>{entry.rank}</td>
                <th scope="row">{entry.name ?? names.get(entry.participant_id) ?? entry.participant_id}</th>
                <td>{entry.total.toLocaleString(language)}</td>
                <td>{t('quiz.results.correctOf', { correct: entry.correct, count: scoredCount })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}
