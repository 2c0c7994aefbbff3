// The quiz editor at /quizzes/{id}, and at /quizzes/new for a draft that
// the first save creates. Edits stay in the page until "Save" replaces the
// whole quiz with If-Match set to the version it read, so a change made
// elsewhere in the meantime is reported as a conflict instead of lost.
// While the lecturer types, the quiz is checked with POST /quizzes/validate
// after a pause, and every problem is shown next to its field.

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { t } from '../../i18n'
import { Layout, PageHeading } from '../Layout'
import { navigate } from '../router'
import { FieldProblems, ProblemContext, type ProblemContextValue, QuizErrorNotice, TextField, focusSoon } from './controls'
import { ExportLinks } from './ExportLinks'
import { MAX_QUESTIONS, type QuizModel, moveItem, newQuestion, newQuiz, nextQuestionId, quizFromJson, quizToJson } from './model'
import {
  type EditorProblem,
  fieldDomId,
  fieldLabel,
  isProblemVisible,
  mapServerProblems,
  mergeProblems,
  problemId,
  problemText,
  problemsOf,
} from './problems'
import { tCount } from './plural'
import { QuestionEditor } from './QuestionEditor'
import { InvalidQuizError, isConflict, quizApi } from './quizApi'
import { QuizHeaderLinks, handleFailure } from './session'
import { QUESTION_TYPES, type QuestionType, type QuizView } from './types'

/** Pause after the last edit before the quiz is validated on the server. */
export const VALIDATE_DELAY_MS = 400

interface StoredState {
  id: string
  version: number
}

interface QuizEditorPageProps {
  token: string
  /** Null for a new quiz that is not stored yet. */
  id: string | null
  onLogout: () => void
}

export function QuizEditorPage({ token, id, onLogout }: QuizEditorPageProps) {
  const [quiz, setQuiz] = useState<QuizModel | null>(() => (id === null ? newQuiz() : null))
  const [stored, setStored] = useState<StoredState | null>(null)
  /** JSON of the quiz as last loaded or saved, to tell whether there are unsaved changes. */
  const [savedJson, setSavedJson] = useState<string | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [serverProblems, setServerProblems] = useState<EditorProblem[]>([])
  const [validateError, setValidateError] = useState<unknown>(null)
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set())
  const [showAll, setShowAll] = useState(false)
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<unknown>(null)
  const [conflict, setConflict] = useState(false)
  const [announcement, setAnnouncement] = useState('')
  const [newType, setNewType] = useState<QuestionType>('single_choice')
  const validation = useRef(0)

  const fail = useCallback((show: (error: unknown) => void) => (error: unknown) => handleFailure(error, show, onLogout), [onLogout])

  const applyView = useCallback((view: QuizView, replaceModel: boolean) => {
    setStored({ id: view.id, version: view.version })
    const model = quizFromJson(view.quiz)
    setSavedJson(JSON.stringify(quizToJson(model).json))
    if (replaceModel) {
      setQuiz(model)
      setTouched(new Set())
      setShowAll(false)
      setServerProblems([])
    }
  }, [])

  const load = useCallback(async () => {
    if (id === null) return
    try {
      applyView(await quizApi.get(token, id), true)
      setLoadError(null)
      setConflict(false)
    } catch (error) {
      fail(setLoadError)(error)
    }
  }, [token, id, applyView, fail])

  // Runs only when the route's id changes. After the first save of a draft
  // the route changes to the new id, and the page already contains that quiz.
  useEffect(() => {
    if (id === null) {
      // Back at /quizzes/new after editing a stored quiz: start a new draft.
      if (stored) {
        setStored(null)
        setSavedJson(null)
        setQuiz(newQuiz())
        setTouched(new Set())
        setShowAll(false)
        setServerProblems([])
      }
      return
    }
    if (id === stored?.id) return
    void load()
  }, [id])

  const converted = useMemo(() => (quiz ? quizToJson(quiz) : null), [quiz])
  const questionKeys = useMemo(() => quiz?.questions.map((question) => question.key) ?? [], [quiz])
  const dirty = converted !== null && JSON.stringify(converted.json) !== savedJson

  // Runs after each edit; a newer edit cancels the pending check, and a
  // response that arrives after a newer request started is dropped.
  useEffect(() => {
    if (!converted) return
    const keys = questionKeys
    const sequence = ++validation.current
    const timer = setTimeout(async () => {
      try {
        await quizApi.validate(token, converted.json)
        if (sequence !== validation.current) return
        setServerProblems([])
        setValidateError(null)
      } catch (error) {
        if (sequence !== validation.current) return
        if (error instanceof InvalidQuizError) {
          setServerProblems(mapServerProblems(error.problems, keys))
          setValidateError(null)
        } else {
          fail(setValidateError)(error)
        }
      }
    }, VALIDATE_DELAY_MS)
    return () => clearTimeout(timer)
  }, [converted])

  useEffect(() => {
    if (!dirty) return
    const warn = (event: BeforeUnloadEvent) => event.preventDefault()
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [dirty])

  const problems = useMemo(
    () => (converted ? mergeProblems(converted.problems, serverProblems, questionKeys) : []),
    [converted, serverProblems, questionKeys],
  )
  const visible = useMemo(() => problems.filter((problem) => isProblemVisible(problem, touched, showAll)), [problems, touched, showAll])

  const context = useMemo<ProblemContextValue>(
    () => ({
      visible,
      touch: (questionKey, field) =>
        setTouched((current) => {
          const id = problemId(questionKey, field)
          return current.has(id) ? current : new Set(current).add(id)
        }),
      announce: (text) => setAnnouncement((current) => (current === text ? `${text}\u00a0` : text)),
    }),
    [visible],
  )

  const save = async () => {
    if (!quiz || !converted || saving) return
    setShowAll(true)
    setSaveError(null)
    setConflict(false)
    if (converted.problems.length > 0) {
      focusSoon('quiz-errors')
      return
    }
    const keys = questionKeys
    const sentJson = JSON.stringify(converted.json)
    setSaving(true)
    try {
      const view = stored
        ? await quizApi.update(token, stored.id, stored.version, converted.json)
        : await quizApi.create(token, converted.json)
      setStored({ id: view.id, version: view.version })
      setSavedJson(sentJson)
      setServerProblems([])
      setShowAll(false)
      context.announce(t('authoring.editor.saved'))
      if (!stored) navigate(`/quizzes/${encodeURIComponent(view.id)}`, { replace: true })
    } catch (error) {
      if (error instanceof InvalidQuizError) {
        setServerProblems(mapServerProblems(error.problems, keys))
        focusSoon('quiz-errors')
      } else if (isConflict(error)) {
        setConflict(true)
        focusSoon('quiz-conflict')
      } else {
        fail(setSaveError)(error)
      }
    } finally {
      setSaving(false)
    }
  }

  /** Saves over the other change: reads the current version and writes this page's quiz on top of it. */
  const overwrite = async () => {
    if (!stored || !converted) return
    try {
      const current = await quizApi.get(token, stored.id)
      setStored({ id: stored.id, version: current.version })
      const view = await quizApi.update(token, stored.id, current.version, converted.json)
      setStored({ id: view.id, version: view.version })
      setSavedJson(JSON.stringify(converted.json))
      setConflict(false)
      context.announce(t('authoring.editor.saved'))
    } catch (error) {
      if (isConflict(error)) setConflict(true)
      else fail(setSaveError)(error)
    }
  }

  const change = (next: QuizModel) => setQuiz(next)

  const addQuestion = () => {
    if (!quiz) return
    const question = newQuestion(newType, nextQuestionId(quiz.questions))
    change({ ...quiz, questions: [...quiz.questions, question] })
    context.touch(null, 'questions')
    context.announce(t('authoring.editor.added', { n: quiz.questions.length + 1, type: t(`authoring.type.${newType}`) }))
    focusSoon(fieldDomId(question.key, 'text'))
  }

  const removeQuestion = (index: number) => {
    if (!quiz) return
    change({ ...quiz, questions: quiz.questions.filter((_, position) => position !== index) })
    context.touch(null, 'questions')
    context.announce(t('authoring.editor.removed', { n: index + 1 }))
    focusSoon('questions-heading')
  }

  const title = id === null && !stored ? t('authoring.editor.newTitle') : t('authoring.editor.title')
  let saveState: 'saving' | 'dirty' | 'saved' = 'saved'
  if (saving) saveState = 'saving'
  else if (dirty) saveState = 'dirty'
  const saveStateText = { saving: 'authoring.editor.saving', dirty: 'authoring.editor.unsaved', saved: 'authoring.editor.allSaved' }[saveState]
  const quizProblems = problemsOf(visible, null, 'questions')

  return (
    <Layout title={title} headerEnd={<QuizHeaderLinks token={token} onLogout={onLogout} current="editor" />} mainClass="page quiz-page">
      <PageHeading>{title}</PageHeading>
      <p class="visually-hidden" aria-live="polite" data-testid="quiz-announcer">
        {announcement}
      </p>
      <QuizErrorNotice error={loadError} testId="quiz-load-error" />
      {quiz === null && !loadError && <p role="status">{t('app.loading')}</p>}
      {quiz !== null && (
        <ProblemContext.Provider value={context}>
          <div
            class="quiz-editor"
            onKeyDown={(event) => {
              if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
                event.preventDefault()
                void save()
              }
            }}
          >
            <section class="card" aria-labelledby="quiz-details-heading">
              <h2 id="quiz-details-heading">{t('authoring.editor.details')}</h2>
              <TextField questionKey={null} field="title" label={t('authoring.field.quizTitle')} value={quiz.title}
                onValue={(value) => change({ ...quiz, title: value })} testId="quiz-title" maxLength={200} />
              <TextField questionKey={null} field="description" label={t('authoring.field.description')} value={quiz.description}
                onValue={(value) => change({ ...quiz, description: value })} testId="quiz-description" multiline maxLength={2000}
                hint={t('authoring.editor.descriptionHint')} />
            </section>

            <ErrorSummary problems={visible} total={problems.length} />

            <section aria-labelledby="questions-heading" id={fieldDomId(null, 'questions')}>
              <h2 id="questions-heading" tabIndex={-1}>
                {t('authoring.editor.questions')} <span class="count">({quiz.questions.length})</span>
              </h2>
              <FieldProblems id={`${fieldDomId(null, 'questions')}-error`} problems={quizProblems} />
              <ol class="question-list" data-testid="question-list">
                {quiz.questions.map((question, index) => (
                  <QuestionEditor
                    key={question.key}
                    question={question}
                    index={index}
                    count={quiz.questions.length}
                    onChange={(next) => change({ ...quiz, questions: quiz.questions.map((item) => (item.key === next.key ? next : item)) })}
                    onMove={(to) => change({ ...quiz, questions: moveItem(quiz.questions, index, to) })}
                    onRemove={() => removeQuestion(index)}
                  />
                ))}
              </ol>
              <div class="card add-question">
                <div class="field">
                  <label for="question-type">{t('authoring.editor.newType')}</label>
                  <select
                    id="question-type"
                    data-testid="question-type"
                    value={newType}
                    onChange={(event) => {
                      const value = QUESTION_TYPES.find((type) => type === event.currentTarget.value)
                      if (value) setNewType(value)
                    }}
                  >
                    {QUESTION_TYPES.map((type) => (
                      <option key={type} value={type}>
                        {t(`authoring.type.${type}`)}
                      </option>
                    ))}
                  </select>
                </div>
                <button type="button" class="button" data-testid="question-add" disabled={quiz.questions.length >= MAX_QUESTIONS}
                  onClick={addQuestion}>
                  {t('authoring.editor.add')}
                </button>
              </div>
            </section>

            <div class="save-bar">
              <button type="button" class="button primary" data-testid="quiz-save" disabled={saving} onClick={() => void save()}>
                {saving ? t('authoring.editor.saving') : t('authoring.editor.save')}
              </button>
              <span class="save-state" data-testid="quiz-save-state" data-state={saveState} role="status">
                {t(saveStateText)}
              </span>
              {stored && <ExportLinks token={token} quizId={stored.id} onLogout={onLogout} />}
              {conflict && (
                <div class="notice notice-error conflict" role="alert" id="quiz-conflict" tabIndex={-1} data-testid="quiz-conflict">
                  <p>{t('authoring.editor.conflict')}</p>
                  <div class="actions">
                    <button type="button" class="button" data-testid="quiz-reload" onClick={() => void load()}>
                      {t('authoring.editor.reload')}
                    </button>
                    <button type="button" class="button danger" data-testid="quiz-overwrite" onClick={() => void overwrite()}>
                      {t('authoring.editor.overwrite')}
                    </button>
                  </div>
                </div>
              )}
              <QuizErrorNotice error={saveError} testId="quiz-save-error" />
            </div>
            <QuizErrorNotice error={validateError} testId="quiz-validate-error" />
          </div>
        </ProblemContext.Provider>
      )}
    </Layout>
  )
}

/**
 * Lists every problem shown on the page, each a link to its field. After a
 * save attempt it takes focus, so screen readers read it.
 */
function ErrorSummary({ problems, total }: { problems: readonly EditorProblem[]; total: number }) {
  if (problems.length === 0) return null
  const hidden = total - problems.length
  return (
    <section class="notice notice-error error-summary" id="quiz-errors" tabIndex={-1} aria-labelledby="quiz-errors-heading"
      data-testid="quiz-errors" data-count={problems.length}>
      <h2 id="quiz-errors-heading">{tCount('authoring.editor.problems', problems.length)}</h2>
      <ul>
        {problems.map((problem, index) => {
          const scope = problem.questionKey === null ? 'quiz' : 'question'
          const where =
            problem.questionIndex === null
              ? fieldLabel(problem.field, scope)
              : t('authoring.editor.problemWhere', { n: problem.questionIndex + 1, field: fieldLabel(problem.field, scope) })
          const target = fieldDomId(problem.questionKey, problem.field)
          return (
            <li key={index}>
              <a
                href={`#${target}`}
                onClick={(event) => {
                  const element = document.getElementById(target)
                  if (!element) return
                  event.preventDefault()
                  element.focus()
                  element.scrollIntoView({ block: 'center' })
                }}
              >
                {where}
              </a>
              : {problemText(problem)}
            </li>
          )
        })}
      </ul>
      {hidden > 0 && <p class="notice-detail">{tCount('authoring.editor.hiddenProblems', hidden)}</p>}
    </section>
  )
}
