// The lecturer's quizzes at /quizzes: the list with export links and
// deletion, a link to a new quiz, and the import form.

import { useCallback, useEffect, useState } from 'preact/hooks'
import { getLanguage, t } from '../../i18n'
import { Layout, PageHeading } from '../Layout'
import { onLinkClick } from '../router'
import { QuizErrorNotice, focusSoon } from './controls'
import { ExportLinks } from './ExportLinks'
import { ImportForm } from './ImportForm'
import { tCount } from './plural'
import { quizApi } from './quizApi'
import { QuizHeaderLinks, handleFailure } from './session'
import type { QuizListItem, QuizView } from './types'

interface QuizListPageProps {
  token: string
  onLogout: () => void
}

export function QuizListPage({ token, onLogout }: QuizListPageProps) {
  const [quizzes, setQuizzes] = useState<QuizListItem[] | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [status, setStatus] = useState('')

  const load = useCallback(async () => {
    try {
      setQuizzes(await quizApi.list(token))
      setLoadError(null)
    } catch (error) {
      handleFailure(error, setLoadError, onLogout)
    }
  }, [token, onLogout])

  useEffect(() => {
    void load()
  }, [load])

  const imported = (view: QuizView) => {
    const item: QuizListItem = {
      id: view.id,
      title: view.quiz.title,
      question_count: view.quiz.questions.length,
      version: view.version,
      updated_at: view.updated_at,
    }
    setQuizzes((list) => [item, ...(list ?? []).filter((entry) => entry.id !== item.id)])
  }

  const deleted = (item: QuizListItem) => {
    setQuizzes((list) => (list ?? []).filter((entry) => entry.id !== item.id))
    setStatus(t('authoring.list.deleted', { title: item.title }))
    focusSoon('quizzes-heading')
  }

  return (
    <Layout title={t('authoring.list.title')} headerEnd={<QuizHeaderLinks token={token} onLogout={onLogout} current="list" />}>
      <PageHeading>{t('authoring.list.title')}</PageHeading>
      <p>
        <a class="button primary" href="/quizzes/new" onClick={onLinkClick} data-testid="quiz-new">
          {t('authoring.list.new')}
        </a>
      </p>
      <section aria-labelledby="quizzes-heading">
        <h2 id="quizzes-heading" tabIndex={-1}>
          {t('authoring.list.heading')}
        </h2>
        <p class="visually-hidden" role="status">
          {status}
        </p>
        <QuizErrorNotice error={loadError} />
        {quizzes === null && !loadError && <p role="status">{t('app.loading')}</p>}
        {quizzes !== null && quizzes.length === 0 && <p data-testid="quiz-list-empty">{t('authoring.list.empty')}</p>}
        {quizzes !== null && quizzes.length > 0 && (
          <ul class="quiz-list" data-testid="quiz-list">
            {quizzes.map((item) => (
              <QuizCard key={item.id} item={item} token={token} onDeleted={deleted} onLogout={onLogout} />
            ))}
          </ul>
        )}
      </section>
      <ImportForm token={token} onImported={imported} onLogout={onLogout} />
    </Layout>
  )
}

interface QuizCardProps {
  item: QuizListItem
  token: string
  onDeleted: (item: QuizListItem) => void
  onLogout: () => void
}

function QuizCard({ item, token, onDeleted, onLogout }: QuizCardProps) {
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const headingId = `quiz-${item.id}-title`
  const updated = new Date(item.updated_at).toLocaleString(getLanguage())

  const remove = async () => {
    setBusy(true)
    setError(null)
    try {
      await quizApi.remove(token, item.id)
      onDeleted(item)
    } catch (failure) {
      handleFailure(failure, setError, onLogout)
      setBusy(false)
      setConfirming(false)
    }
  }

  return (
    <li class="card quiz-card" data-testid="quiz-item" data-id={item.id}>
      <h3 id={headingId}>
        <a href={`/quizzes/${encodeURIComponent(item.id)}`} onClick={onLinkClick} data-testid="quiz-open">
          {item.title}
        </a>
      </h3>
      <p class="meta">
        <span data-testid="quiz-question-count">{tCount('authoring.list.questionCount', item.question_count)}</span>
        {' · '}
        <span>{t('authoring.list.updated', { date: updated })}</span>
      </p>
      <div class="actions">
        <ExportLinks token={token} quizId={item.id} describedBy={headingId} onLogout={onLogout} />
        {confirming ? (
          <span class="confirm-group">
            <span class="confirm-text">{t('authoring.list.deleteConfirm', { title: item.title })}</span>
            <button type="button" class="button danger" id={`${headingId}-confirm`} data-testid="quiz-delete-confirm" disabled={busy} onClick={remove}>
              {t('authoring.list.deleteYes')}
            </button>
            <button
              type="button"
              class="button"
              onClick={() => {
                setConfirming(false)
                focusSoon(`${headingId}-delete`)
              }}
            >
              {t('app.cancel')}
            </button>
          </span>
        ) : (
          <button
            type="button"
            class="button"
            id={`${headingId}-delete`}
            data-testid="quiz-delete"
            aria-describedby={headingId}
            onClick={() => {
              setConfirming(true)
              focusSoon(`${headingId}-confirm`)
            }}
          >
            {t('authoring.list.delete')}
          </button>
        )}
      </div>
      <QuizErrorNotice error={error} />
    </li>
  )
}
