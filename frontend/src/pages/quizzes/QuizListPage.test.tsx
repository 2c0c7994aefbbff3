// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setLanguage } from '../../i18n'
import { detectFormat, ImportReport, reportLine, titleFromFileName } from './ImportForm'
import { QuizListPage } from './QuizListPage'
import { FakeFetch, allByTestId, apiError, byTestId, click, json, mount, type, unmount, waitFor } from './testSupport'
import type { ImportResult, QuizListItem } from './types'

const LIST: QuizListItem[] = [
  { id: 'quiz-1', title: 'Planets', question_count: 3, version: 2, updated_at: Date.UTC(2025, 0, 2, 10, 0) },
  { id: 'quiz-2', title: 'Moons', question_count: 1, version: 1, updated_at: Date.UTC(2025, 0, 1, 9, 0) },
]

const IMPORTED: ImportResult = {
  quiz: {
    id: 'quiz-3',
    version: 1,
    created_at: 1,
    updated_at: Date.UTC(2025, 0, 3),
    quiz: { title: 'bank', questions: [{ id: 'q1', text: 'T', type: 'true_false', answer: true, time_limit_secs: 20, points: 'standard' }] },
  },
  errors: [
    { line: 7, message: 'answer block `{` is missing its closing `}`: escape a literal brace as `\\{`' },
    { question_id: 'q9', message: 'question 2 (q9): choices: single_choice needs 2 to 10 choices, found 1' },
  ],
  notes: [{ line: 1, message: 'category ignored' }],
}

let fake: FakeFetch
let container: HTMLElement | null = null

beforeEach(() => {
  setLanguage('en')
  fake = new FakeFetch().on('GET /api/v1/quizzes', () => json(LIST))
  vi.stubGlobal('fetch', fake.fetch)
})

afterEach(() => {
  if (container) unmount(container)
  container = null
  vi.unstubAllGlobals()
})

/** Selects `file` in the import file input, as the file picker would. */
async function pickFile(root: HTMLElement, file: File) {
  const input = byTestId<HTMLInputElement>(root, 'quiz-import')!
  Object.defineProperty(input, 'files', { value: [file], configurable: true })
  input.dispatchEvent(new Event('change', { bubbles: true }))
  await waitFor(() => true)
}

describe('QuizListPage', () => {
  it('lists the quizzes', async () => {
    container = mount(<QuizListPage token="tok" onLogout={() => {}} />)
    const items = await waitFor(() => allByTestId(container!, 'quiz-item').length === 2 && allByTestId(container!, 'quiz-item'))
    expect(items[0].dataset.id).toBe('quiz-1')
    expect(byTestId(items[0], 'quiz-open')?.textContent).toBe('Planets')
    expect(byTestId(items[0], 'quiz-open')?.getAttribute('href')).toBe('/quizzes/quiz-1')
    expect(byTestId(items[0], 'quiz-question-count')?.textContent).toBe('3 questions')
    expect(byTestId(items[1], 'quiz-question-count')?.textContent).toBe('1 question')
    expect(byTestId(container, 'quiz-new')?.getAttribute('href')).toBe('/quizzes/new')
    expect(fake.requests[0].headers.authorization).toBe('Bearer tok')
  })

  it('links both export formats', async () => {
    container = mount(<QuizListPage token="tok" onLogout={() => {}} />)
    const item = await waitFor(() => allByTestId(container!, 'quiz-item')[0])
    expect(byTestId(item, 'quiz-export-gift')?.getAttribute('href')).toBe('/api/v1/quizzes/quiz-1/export?format=gift')
    expect(byTestId(item, 'quiz-export-moodle')?.getAttribute('href')).toBe('/api/v1/quizzes/quiz-1/export?format=moodle_xml')
  })

  it('reports skipped questions of an export', async () => {
    fake.on('GET /api/v1/quizzes/quiz-1/export', () =>
      new Response('::q1:: T {TRUE}\n', { headers: { 'Content-Type': 'text/plain', 'X-Lectern-Skipped': 'q2,q3' } }),
    )
    URL.createObjectURL = vi.fn(() => 'blob:fake')
    URL.revokeObjectURL = vi.fn()
    // jsdom cannot navigate, so the download link's click is only recorded.
    const downloads: string[] = []
    const recordDownload = (event: Event) => {
      const anchor = event.target as HTMLAnchorElement
      if (!anchor.href?.startsWith('blob:')) return
      event.preventDefault()
      downloads.push(anchor.download)
    }
    document.addEventListener('click', recordDownload)
    container = mount(<QuizListPage token="tok" onLogout={() => {}} />)
    const item = await waitFor(() => allByTestId(container!, 'quiz-item')[0])
    await click(byTestId(item, 'quiz-export-gift'))
    const skipped = await waitFor(() => byTestId(item, 'quiz-export-skipped'))
    document.removeEventListener('click', recordDownload)
    expect(skipped.textContent).toContain('q2, q3')
    expect(URL.createObjectURL).toHaveBeenCalledTimes(1)
    expect(downloads).toEqual(['quiz-quiz-1.gift.txt'])
  })

  it('deletes only after confirmation', async () => {
    fake.on('DELETE /api/v1/quizzes/quiz-2', () => new Response(null, { status: 204 }))
    container = mount(<QuizListPage token="tok" onLogout={() => {}} />)
    const item = await waitFor(() => allByTestId(container!, 'quiz-item')[1])
    await click(byTestId(item, 'quiz-delete'))
    expect(fake.to('DELETE /api/v1/quizzes/quiz-2')).toHaveLength(0)
    await click(byTestId(item, 'quiz-delete-confirm'))
    await waitFor(() => allByTestId(container!, 'quiz-item').length === 1)
    expect(fake.to('DELETE /api/v1/quizzes/quiz-2')).toHaveLength(1)
  })

  it('imports a file and shows line numbers', async () => {
    fake.on('POST /api/v1/quizzes/import', () => json(IMPORTED, 201))
    container = mount(<QuizListPage token="tok" onLogout={() => {}} />)
    await waitFor(() => byTestId(container!, 'quiz-list'))
    await pickFile(container, new File(['::q1:: T {TRUE}\n'], 'bank.gift', { type: 'text/plain' }))
    await click(byTestId(container, 'quiz-import-submit'))

    const errors = await waitFor(() => byTestId(container!, 'quiz-import-errors'))
    const request = fake.to('POST /api/v1/quizzes/import')[0]
    expect(request.url).toBe('/api/v1/quizzes/import?format=gift&title=bank')
    expect(request.body).toBe('::q1:: T {TRUE}\n')
    expect(request.headers['content-type']).toContain('text/plain')

    const rows = [...errors.querySelectorAll('li')]
    expect(rows).toHaveLength(2)
    expect(rows[0].dataset.line).toBe('7')
    expect(rows[0].textContent).toContain('Line 7:')
    expect(rows[1].textContent).toContain('Question q9:')
    expect(byTestId(container, 'quiz-import-result')?.textContent).toContain('Imported 1 question into “bank”.')
    expect(allByTestId(container, 'quiz-item')[0].dataset.id).toBe('quiz-3')
  })

  it('sends Moodle XML with its format', async () => {
    fake.on('POST /api/v1/quizzes/import', () => json({ ...IMPORTED, errors: [], notes: [] }, 201))
    container = mount(<QuizListPage token="tok" onLogout={() => {}} />)
    await waitFor(() => byTestId(container!, 'quiz-list'))
    await pickFile(container, new File(['<quiz></quiz>'], 'Week 3.xml', { type: 'text/xml' }))
    await type(byTestId(container, 'quiz-import-title'), 'Week three')
    await click(byTestId(container, 'quiz-import-submit'))
    await waitFor(() => byTestId(container!, 'quiz-import-result'))
    expect(fake.to('POST /api/v1/quizzes/import')[0].url).toBe('/api/v1/quizzes/import?format=moodle_xml&title=Week+three')
    expect(byTestId(container, 'quiz-import-errors')).toBeNull()
  })

  it('shows the line of a file rejected whole', async () => {
    fake.on('POST /api/v1/quizzes/import', () => apiError(400, 'invalid_import', 'line 3: invalid XML: unexpected end'))
    container = mount(<QuizListPage token="tok" onLogout={() => {}} />)
    await waitFor(() => byTestId(container!, 'quiz-list'))
    await pickFile(container, new File(['<quiz>'], 'broken.xml'))
    await click(byTestId(container, 'quiz-import-submit'))
    const errors = await waitFor(() => byTestId(container!, 'quiz-import-errors'))
    expect(errors.querySelector('li')?.dataset.line).toBe('3')
    expect(errors.textContent).toContain('Line 3:')
    expect(errors.textContent).toContain('invalid XML: unexpected end')
  })

  it('asks for a file before importing', async () => {
    container = mount(<QuizListPage token="tok" onLogout={() => {}} />)
    await waitFor(() => byTestId(container!, 'quiz-list'))
    await click(byTestId(container, 'quiz-import-submit'))
    expect(container.querySelector('#quiz-import-file-error')?.textContent).toBe('Choose a file to import.')
    expect(byTestId(container, 'quiz-import')?.getAttribute('aria-describedby')).toContain('quiz-import-file-error')
    expect(fake.to('POST /api/v1/quizzes/import')).toHaveLength(0)
  })

  it('signs out on 401', async () => {
    fake.on('GET /api/v1/quizzes', () => apiError(401, 'unauthorized', 'expired'))
    const onLogout = vi.fn()
    container = mount(<QuizListPage token="tok" onLogout={onLogout} />)
    await waitFor(() => onLogout.mock.calls.length > 0)
    expect(onLogout).toHaveBeenCalledTimes(1)
  })
})

describe('import helpers', () => {
  it('detects the format', () => {
    expect(detectFormat('a.XML', '')).toBe('moodle_xml')
    expect(detectFormat('a.gift', '<')).toBe('gift')
    expect(detectFormat('a.txt', '')).toBe('gift')
    expect(detectFormat('export', '  <?xml version="1.0"?>')).toBe('moodle_xml')
    expect(detectFormat('export', '::q1:: T {T}')).toBe('gift')
  })

  it('builds a title from the file name', () => {
    expect(titleFromFileName('Week 3.gift.txt')).toBe('Week 3.gift')
    expect(titleFromFileName('bank')).toBe('bank')
  })

  it('reads lines from messages', () => {
    expect(reportLine({ message: 'line 12: no closing brace' })).toEqual({ line: 12, questionId: null, message: 'no closing brace' })
    expect(reportLine({ line: 4, message: 'bad weight' })).toEqual({ line: 4, questionId: null, message: 'bad weight' })
    expect(reportLine({ question_id: 'q2', message: 'empty' })).toEqual({ line: null, questionId: 'q2', message: 'empty' })
  })

  it('renders notes in Russian', async () => {
    setLanguage('ru')
    container = mount(<ImportReport result={IMPORTED} />)
    expect(container.textContent).toContain('Импортирован 1 вопрос в тест «bank».')
    expect(container.textContent).toContain('Строка 7:')
    expect(byTestId(container, 'quiz-import-notes')?.textContent).toContain('Строка 1:')
  })
})
