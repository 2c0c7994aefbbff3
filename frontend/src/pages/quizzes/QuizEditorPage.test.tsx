// @vitest-environment jsdom
import { render } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setLanguage } from '../../i18n'
import { QuizEditorPage } from './QuizEditorPage'
import { FakeFetch, allByTestId, apiError, byTestId, choose, click, json, mount, type, unmount, waitFor } from './testSupport'
import { QUESTION_TYPES, type QuizJson, type QuizView } from './types'

const QUIZ: QuizJson = {
  title: 'Planets',
  questions: [
    {
      id: 'q1',
      text: 'Which planet is largest?',
      type: 'single_choice',
      choices: [
        { text: 'Jupiter', weight: 100 },
        { text: 'Mars', weight: 0 },
      ],
      time_limit_secs: 20,
      points: 'standard',
    },
    { id: 'q2', text: 'Is Jupiter a gas giant?', type: 'true_false', answer: true, time_limit_secs: 20, points: 'standard' },
  ],
}

const view = (quiz: QuizJson, version: number): QuizView => ({ id: 'quiz-1', version, created_at: 1, updated_at: 2, quiz })

let fake: FakeFetch
let container: HTMLElement | null = null

beforeEach(() => {
  setLanguage('en')
  history.replaceState(null, '', '/quizzes/quiz-1')
  fake = new FakeFetch()
    .on('GET /api/v1/quizzes/quiz-1', () => json(view(QUIZ, 2)))
    .on('POST /api/v1/quizzes/validate', () => json({ valid: true }))
    .on('PUT /api/v1/quizzes/quiz-1', (request) => json(view(JSON.parse(request.body!), 3)))
    .on('PUT /api/v1/quizzes/quiz-9', (request) => json({ ...view(JSON.parse(request.body!), 2), id: 'quiz-9' }))
  vi.stubGlobal('fetch', fake.fetch)
})

afterEach(() => {
  if (container) unmount(container)
  container = null
  vi.unstubAllGlobals()
})

async function openEditor(id: string | null = 'quiz-1') {
  container = mount(<QuizEditorPage token="tok" id={id} onLogout={() => {}} />)
  await waitFor(() => byTestId(container!, 'quiz-title'))
  return container
}

/** Returns the ids that an element's aria-describedby lists. */
const describedBy = (element: Element) => (element.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean)

describe('QuizEditorPage', () => {
  it('renders the loaded quiz', async () => {
    const root = await openEditor()
    expect(byTestId<HTMLInputElement>(root, 'quiz-title')!.value).toBe('Planets')
    const questions = allByTestId(root, 'question-item')
    expect(questions.map((item) => item.dataset.type)).toEqual(['single_choice', 'true_false'])
    expect(allByTestId<HTMLInputElement>(questions[0], 'choice-text').map((input) => input.value)).toEqual(['Jupiter', 'Mars'])
    expect(allByTestId<HTMLInputElement>(questions[0], 'choice-correct').map((input) => input.checked)).toEqual([true, false])
    expect(byTestId<HTMLInputElement>(questions[1], 'question-answer-true')!.checked).toBe(true)
    expect(byTestId(root, 'quiz-save-state')?.dataset.state).toBe('saved')
  })

  it('labels every control', async () => {
    const root = await openEditor()
    await choose(byTestId(root, 'question-type'), 'numeric')
    await click(byTestId(root, 'question-add'))
    const controls = [...root.querySelectorAll('input, select, textarea')]
    expect(controls.length).toBeGreaterThan(20)
    for (const control of controls) {
      const labelled = control.closest('label') !== null || (control.id !== '' && root.querySelector(`label[for="${control.id}"]`) !== null)
      expect(labelled, `${control.outerHTML} has no label`).toBe(true)
    }
  })

  it('shows a server problem next to its field', async () => {
    fake.on('POST /api/v1/quizzes/validate', () =>
      apiError(422, 'invalid_quiz', 'the quiz is invalid', {
        errors: [{ scope: 'question', question_index: 1, question_id: 'q2', field: 'text', message: 'must not be empty' }],
      }),
    )
    const root = await openEditor()
    const text = allByTestId<HTMLTextAreaElement>(root, 'question-text')[1]
    await type(text, '')

    const error = await waitFor(() => root.querySelector(`#${text.id}-error`))
    expect(error.textContent).toBe('Question text: must not be empty')
    expect(describedBy(text)).toContain(`${text.id}-error`)
    expect(text.getAttribute('aria-invalid')).toBe('true')
    const summary = byTestId(root, 'quiz-errors')!
    expect(summary.dataset.count).toBe('1')
    expect(summary.textContent).toContain('Question 2, Question text')
    expect(summary.querySelector('a')?.getAttribute('href')).toBe(`#${text.id}`)

    const sent = JSON.parse(fake.to('POST /api/v1/quizzes/validate').at(-1)!.body!)
    expect(sent.questions[1].text).toBe('')
  })

  it('hides problems of untouched fields', async () => {
    fake.on('POST /api/v1/quizzes/validate', () =>
      apiError(422, 'invalid_quiz', 'invalid', {
        errors: [{ scope: 'question', question_index: 0, question_id: 'q1', field: 'choices[1].text', message: 'must not be empty' }],
      }),
    )
    const root = await openEditor()
    await type(byTestId(root, 'quiz-title'), 'Planets 2')
    await waitFor(() => fake.to('POST /api/v1/quizzes/validate').length >= 1)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(byTestId(root, 'quiz-errors')).toBeNull()
    const choice = allByTestId<HTMLInputElement>(root, 'choice-text')[1]
    expect(root.querySelector(`#${choice.id}-error`)).toBeNull()
    expect(choice.getAttribute('aria-invalid')).toBeNull()
  })

  it('reports a weight that is not a number at once', async () => {
    const root = await openEditor()
    const weight = allByTestId<HTMLInputElement>(root, 'choice-weight')[1]
    await type(weight, '1,5')
    const error = root.querySelector(`#${weight.id}-error`)
    expect(error?.textContent).toBe('Choice 2 weight: is not a number; write numbers like 3.5 or -2')
    await click(byTestId(root, 'quiz-save'))
    expect(fake.to('PUT /api/v1/quizzes/quiz-1')).toHaveLength(0)
  })

  it('saves with the version it read', async () => {
    const root = await openEditor()
    await type(byTestId(root, 'quiz-title'), 'Planets, week 3')
    expect(byTestId(root, 'quiz-save-state')?.dataset.state).toBe('dirty')
    await click(byTestId(root, 'quiz-save'))
    await waitFor(() => byTestId(root, 'quiz-save-state')?.dataset.state === 'saved')

    const [first] = fake.to('PUT /api/v1/quizzes/quiz-1')
    expect(first.headers['if-match']).toBe('"2"')
    expect(JSON.parse(first.body!)).toEqual({ ...QUIZ, title: 'Planets, week 3' })

    await type(byTestId(root, 'quiz-title'), 'Planets, week 4')
    await click(byTestId(root, 'quiz-save'))
    await waitFor(() => fake.to('PUT /api/v1/quizzes/quiz-1').length === 2)
    expect(fake.to('PUT /api/v1/quizzes/quiz-1')[1].headers['if-match']).toBe('"3"')
  })

  it('offers a reload after a conflict', async () => {
    fake.on('PUT /api/v1/quizzes/quiz-1', () => apiError(412, 'precondition_failed', 'quiz is at version 3, not 2'))
    const root = await openEditor()
    await type(byTestId(root, 'quiz-title'), 'Mine')
    await click(byTestId(root, 'quiz-save'))
    const conflict = await waitFor(() => byTestId(root, 'quiz-conflict'))
    expect(conflict.getAttribute('role')).toBe('alert')
    expect(conflict.textContent).toContain('changed elsewhere')

    fake.on('GET /api/v1/quizzes/quiz-1', () => json(view({ ...QUIZ, title: 'Theirs' }, 3)))
    await click(byTestId(root, 'quiz-reload'))
    await waitFor(() => byTestId<HTMLInputElement>(root, 'quiz-title')!.value === 'Theirs')
    expect(byTestId(root, 'quiz-conflict')).toBeNull()
    expect(byTestId(root, 'quiz-save-state')?.dataset.state).toBe('saved')
  })

  it('treats 409 as a conflict too', async () => {
    fake.on('PUT /api/v1/quizzes/quiz-1', () => apiError(409, 'conflict', 'changed while this request ran'))
    const root = await openEditor()
    await type(byTestId(root, 'quiz-title'), 'Mine')
    await click(byTestId(root, 'quiz-save'))
    await waitFor(() => byTestId(root, 'quiz-conflict'))
  })

  it('moves and deletes questions', async () => {
    const root = await openEditor()
    const second = allByTestId(root, 'question-item')[1]
    await click(byTestId(second, 'question-up'))
    expect(allByTestId(root, 'question-item').map((item) => item.dataset.questionId)).toEqual(['q2', 'q1'])
    expect(byTestId(root, 'quiz-announcer')?.textContent).toBe('Question 2 moved to position 1.')

    const first = allByTestId(root, 'question-item')[0]
    await click(byTestId(first, 'question-delete'))
    expect(allByTestId(root, 'question-item')).toHaveLength(2)
    await click(byTestId(first, 'question-delete-confirm'))
    expect(allByTestId(root, 'question-item').map((item) => item.dataset.questionId)).toEqual(['q1'])
  })

  it('creates a draft with every question type', async () => {
    history.replaceState(null, '', '/quizzes/new')
    fake.on('POST /api/v1/quizzes', (request) => json({ ...view(JSON.parse(request.body!), 1), id: 'quiz-9' }, 201))
    const root = await openEditor(null)
    expect(fake.to('GET /api/v1/quizzes/quiz-1')).toHaveLength(0)
    await type(byTestId(root, 'quiz-title'), 'Every type')

    for (const questionType of QUESTION_TYPES.slice(1)) {
      await choose(byTestId(root, 'question-type'), questionType)
      await click(byTestId(root, 'question-add'))
    }
    const items = allByTestId(root, 'question-item')
    expect(items.map((item) => item.dataset.type)).toEqual([...QUESTION_TYPES])
    expect(items.map((item) => item.dataset.questionId)).toEqual(QUESTION_TYPES.map((_, index) => `q${index + 1}`))

    const editorOf: Record<string, string> = {
      single_choice: 'choice-text',
      multiple_choice: 'question-penalties',
      true_false: 'question-answer-false',
      numeric: 'numeric-value',
      short_text: 'accepted-text',
      ordering: 'ordering-item',
      matching: 'match-prompt',
      poll: 'poll-option',
      word_cloud: 'word-cloud-max-words',
    }
    items.forEach((item, index) => {
      expect(byTestId(item, editorOf[QUESTION_TYPES[index]]), QUESTION_TYPES[index]).not.toBeNull()
    })

    for (const text of allByTestId(root, 'question-text')) await type(text, 'Question')
    await type(byTestId(root, 'numeric-value'), '42')
    await click(byTestId(root, 'quiz-save'))
    await waitFor(() => fake.to('POST /api/v1/quizzes').length === 1)
    await waitFor(() => location.pathname === '/quizzes/quiz-9')
    const sent = JSON.parse(fake.to('POST /api/v1/quizzes')[0].body!) as QuizJson
    expect(sent.title).toBe('Every type')
    expect(sent.questions.map((question) => question.type)).toEqual([...QUESTION_TYPES])
  })

  it('keeps the draft when the route gets its id', async () => {
    history.replaceState(null, '', '/quizzes/new')
    fake.on('POST /api/v1/quizzes', (request) => json({ ...view(JSON.parse(request.body!), 1), id: 'quiz-9' }, 201))
    const root = await openEditor(null)
    await type(byTestId(root, 'quiz-title'), 'Draft')
    await type(byTestId(root, 'question-text'), 'Question')
    await type(allByTestId(root, 'choice-text')[0], 'Yes')
    await type(allByTestId(root, 'choice-text')[1], 'No')
    const title = byTestId<HTMLInputElement>(root, 'quiz-title')!
    await click(byTestId(root, 'quiz-save'))
    await waitFor(() => location.pathname === '/quizzes/quiz-9')

    // main.tsx renders the editor again with the id from the new URL.
    await act(() => {
      render(<QuizEditorPage token="tok" id="quiz-9" onLogout={() => {}} />, root)
    })
    await waitFor(() => true)
    expect(fake.to('GET /api/v1/quizzes/quiz-9')).toHaveLength(0)
    expect(byTestId(root, 'quiz-title')).toBe(title)
    expect(title.value).toBe('Draft')
    expect(byTestId(root, 'quiz-save-state')?.dataset.state).toBe('saved')

    await type(title, 'Draft 2')
    await click(byTestId(root, 'quiz-save'))
    await waitFor(() => fake.to('PUT /api/v1/quizzes/quiz-9').length === 1)
    expect(fake.to('PUT /api/v1/quizzes/quiz-9')[0].headers['if-match']).toBe('"1"')
  })

  it('shows every problem after a failed save', async () => {
    fake.on('PUT /api/v1/quizzes/quiz-1', () =>
      apiError(422, 'invalid_quiz', 'the quiz has 2 validation errors', {
        errors: [
          { scope: 'quiz', field: 'title', message: 'must not be empty' },
          { scope: 'question', question_index: 0, question_id: 'q1', field: 'choices', message: 'single_choice needs a choice with weight 100 (the correct one)' },
        ],
      }),
    )
    const root = await openEditor()
    await type(byTestId(root, 'quiz-description'), 'Week 3')
    await click(byTestId(root, 'quiz-save'))
    const summary = await waitFor(() => byTestId<HTMLElement>(root, 'quiz-errors'))
    expect(summary.dataset.count).toBe('2')
    expect(summary.textContent).toContain('Quiz title: must not be empty')
    expect(summary.textContent).toContain('Question 1, Choices: mark one choice as correct (weight 100)')
    const titleError = root.querySelector('#field-quiz-title-error')
    expect(titleError?.textContent).toBe('Quiz title: must not be empty')
  })
})
