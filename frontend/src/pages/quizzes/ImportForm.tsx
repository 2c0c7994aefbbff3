// Import of a GIFT or Moodle XML file into a new quiz, and the report of
// what the server left out. Each left-out question is listed with the line
// of the file where the importer found the problem.

import { useState } from 'preact/hooks'
import { ApiError } from '../../api'
import { t } from '../../i18n'
import { onLinkClick } from '../router'
import { QuizErrorNotice } from './controls'
import { tCount } from './plural'
import { InvalidQuizError, quizApi } from './quizApi'
import { handleFailure } from './session'
import type { ImportNote, ImportProblem, ImportResult, QuizView, TransferFormat } from './types'

/** Largest file the server accepts, 16 MiB (`MAX_MOODLE_XML_INPUT_BYTES`). */
export const MAX_IMPORT_BYTES = 16 * 1024 * 1024

/**
 * Picks the format from the file name: `.xml` is Moodle XML, `.gift` and
 * `.txt` are GIFT. Other names are read as Moodle XML when the text starts
 * with `<`, else as GIFT.
 */
export function detectFormat(fileName: string, text: string): TransferFormat {
  const name = fileName.toLowerCase()
  if (name.endsWith('.xml')) return 'moodle_xml'
  if (name.endsWith('.gift') || name.endsWith('.txt')) return 'gift'
  return text.trimStart().startsWith('<') ? 'moodle_xml' : 'gift'
}

/** Returns the file name without its extension, as the default title. */
export function titleFromFileName(fileName: string): string {
  return fileName.replace(/\.[^.]*$/, '').trim()
}

/** Reads a file as UTF-8 text. FileReader works in every browser and in jsdom, whose File has no text(). */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result ?? ''))
    reader.onerror = () => reject(reader.error ?? new Error(`reading ${file.name} failed`))
    reader.readAsText(file, 'utf-8')
  })
}

/** One line of an import report, with `line` read from "line N: …" messages that carry it only in the text. */
export interface ReportLine {
  line: number | null
  questionId: string | null
  message: string
}

export function reportLine(item: ImportProblem | ImportNote): ReportLine {
  const questionId = 'question_id' in item && item.question_id ? item.question_id : null
  if (item.line !== undefined) return { line: item.line, questionId, message: item.message.replace(/^line \d+: /, '') }
  const match = /^line (\d+): (.*)$/s.exec(item.message)
  return match ? { line: Number(match[1]), questionId, message: match[2] } : { line: null, questionId, message: item.message }
}

function ReportList({ lines, testId }: { lines: ReportLine[]; testId: string }) {
  return (
    <ul class="import-report" data-testid={testId}>
      {lines.map((line, index) => (
        <li key={index} data-line={line.line ?? undefined}>
          {line.line !== null && <strong class="import-line">{t('authoring.import.line', { line: line.line })}</strong>}
          {line.line === null && line.questionId !== null && (
            <strong class="import-line">{t('authoring.import.question', { id: line.questionId })}</strong>
          )}{' '}
          <span>{line.message}</span>
        </li>
      ))}
    </ul>
  )
}

/** Renders the result of a successful import: the new quiz, the questions left out and the ignored parts. */
export function ImportReport({ result }: { result: ImportResult }) {
  const { quiz, errors, notes } = result
  return (
    <div class="import-result" data-testid="quiz-import-result">
      <p class="notice" role="status">
        {tCount('authoring.import.done', quiz.quiz.questions.length, { title: quiz.quiz.title })}{' '}
        <a href={`/quizzes/${encodeURIComponent(quiz.id)}`} onClick={onLinkClick} data-testid="quiz-import-open">
          {t('authoring.import.open')}
        </a>
      </p>
      {errors.length > 0 && (
        <div class="notice notice-error" role="alert">
          <p>{tCount('authoring.import.leftOut', errors.length)}</p>
          <ReportList lines={errors.map(reportLine)} testId="quiz-import-errors" />
        </div>
      )}
      {notes.length > 0 && (
        <details class="import-notes">
          <summary>{tCount('authoring.import.notes', notes.length)}</summary>
          <ReportList lines={notes.map(reportLine)} testId="quiz-import-notes" />
        </details>
      )}
    </div>
  )
}

/** Renders a failed import. A file rejected whole may name its line in the message. */
export function ImportFailure({ error }: { error: unknown }) {
  if (error instanceof ApiError && (error.code === 'invalid_import' || error instanceof InvalidQuizError)) {
    const key = error.code === 'invalid_import' ? 'authoring.import.rejected' : 'authoring.import.nothingImported'
    const lines = error instanceof InvalidQuizError ? error.problems.map((problem) => ({ message: problem.message })) : [{ message: error.message }]
    return (
      <div class="notice notice-error" role="alert">
        <p>{t(key)}</p>
        <ReportList lines={lines.map(reportLine)} testId="quiz-import-errors" />
      </div>
    )
  }
  return <QuizErrorNotice error={error} testId="quiz-import-error" />
}

interface ImportFormProps {
  token: string
  onImported: (quiz: QuizView) => void
  onLogout: () => void
}

export function ImportForm({ token, onImported, onLogout }: ImportFormProps) {
  const [file, setFile] = useState<File | null>(null)
  const [format, setFormat] = useState<'auto' | TransferFormat>('auto')
  const [title, setTitle] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [result, setResult] = useState<ImportResult | null>(null)
  const [fileProblem, setFileProblem] = useState<string | null>(null)

  const submit = async (event: Event) => {
    event.preventDefault()
    setError(null)
    setResult(null)
    if (!file) {
      setFileProblem('authoring.import.noFile')
      return
    }
    if (file.size > MAX_IMPORT_BYTES) {
      setFileProblem('authoring.import.tooLarge')
      return
    }
    setFileProblem(null)
    setBusy(true)
    try {
      const text = await readText(file)
      const chosen = format === 'auto' ? detectFormat(file.name, text) : format
      const imported = await quizApi.import(token, chosen, text, title.trim() || titleFromFileName(file.name) || undefined)
      setResult(imported)
      onImported(imported.quiz)
    } catch (failure) {
      handleFailure(failure, setError, onLogout)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class="card" aria-labelledby="import-heading">
      <h2 id="import-heading">{t('authoring.import.heading')}</h2>
      <form class="form" onSubmit={submit} noValidate>
        <div class="field">
          <label for="quiz-import-file">{t('authoring.import.file')}</label>
          <input
            id="quiz-import-file"
            type="file"
            data-testid="quiz-import"
            accept=".gift,.txt,.xml,text/plain,application/xml,text/xml"
            aria-describedby={fileProblem ? 'quiz-import-file-hint quiz-import-file-error' : 'quiz-import-file-hint'}
            aria-invalid={fileProblem ? 'true' : undefined}
            onChange={(event) => {
              setFile(event.currentTarget.files?.[0] ?? null)
              setFileProblem(null)
            }}
          />
          <p class="hint" id="quiz-import-file-hint">
            {t('authoring.import.fileHint')}
          </p>
          {fileProblem && (
            <p class="field-error" id="quiz-import-file-error">
              {t(fileProblem)}
            </p>
          )}
        </div>
        <div class="inline-form form import-options">
          <div class="field">
            <label for="quiz-import-format">{t('authoring.import.format')}</label>
            <select
              id="quiz-import-format"
              data-testid="quiz-import-format"
              value={format}
              onChange={(event) => {
                const value = event.currentTarget.value
                setFormat(value === 'gift' || value === 'moodle_xml' ? value : 'auto')
              }}
            >
              <option value="auto">{t('authoring.import.formatAuto')}</option>
              <option value="gift">GIFT</option>
              <option value="moodle_xml">Moodle XML</option>
            </select>
          </div>
          <div class="field">
            <label for="quiz-import-title">{t('authoring.import.title')}</label>
            <input
              id="quiz-import-title"
              data-testid="quiz-import-title"
              maxLength={200}
              value={title}
              aria-describedby="quiz-import-title-hint"
              onInput={(event) => setTitle(event.currentTarget.value)}
            />
            <p class="hint" id="quiz-import-title-hint">
              {t('authoring.import.titleHint')}
            </p>
          </div>
        </div>
        <button type="submit" class="button primary" data-testid="quiz-import-submit" disabled={busy}>
          {busy ? t('authoring.import.importing') : t('authoring.import.submit')}
        </button>
      </form>
      {result && <ImportReport result={result} />}
      {error !== null && <ImportFailure error={error} />}
    </section>
  )
}
