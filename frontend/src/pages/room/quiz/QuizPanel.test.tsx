// @vitest-environment jsdom
import { render, type ComponentChild } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setLanguage } from '../../../i18n'
import { QuizPanelView } from './QuizPanel'
import { initialQuizState, type QuizViewState } from './quizState'
import { questionOf, run, singleChoice } from './testFixtures'
import type { Answer, LecturerCommand, RevealedQuestion, RunView, Standing, StudentQuestion } from './types'

let container: HTMLElement

beforeEach(() => {
  setLanguage('en')
  container = document.createElement('div')
  document.body.append(container)
  vi.spyOn(console, 'info').mockImplementation(() => undefined)
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
})

afterEach(() => {
  act(() => render(null, container))
  container.remove()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

function mount(node: ComponentChild) {
  act(() => render(node, container))
}

const byTestId = (id: string) => container.querySelector<HTMLElement>(`[data-testid="${id}"]`)
const allByTestId = (id: string) => [...container.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)]

function click(element: Element | null) {
  if (!element) throw new Error('nothing to click')
  act(() => (element as HTMLElement).click())
}

function type(element: Element | null, value: string) {
  if (!element) throw new Error('no input')
  act(() => {
    ;(element as HTMLInputElement).value = value
    element.dispatchEvent(new Event('input', { bubbles: true }))
  })
}

function choose(element: Element | null, value: string) {
  if (!element) throw new Error('no select')
  act(() => {
    ;(element as HTMLSelectElement).value = value
    element.dispatchEvent(new Event('change', { bubbles: true }))
  })
}

function stateWith(runView: RunView | null, overrides: Partial<QuizViewState> = {}): QuizViewState {
  return {
    ...initialQuizState,
    connection: 'connected',
    loaded: true,
    self: { participantId: 'p_ada', role: 'student', name: 'Ada' },
    run: runView,
    ...overrides,
  }
}

/** Returns `question` running on the local clock, with `secondsLeft` to go. */
function liveQuestion(question: StudentQuestion = singleChoice(), secondsLeft = 20): StudentQuestion {
  const now = Date.now()
  return { ...question, opened_at: now - (question.time_limit_secs - secondsLeft) * 1000, deadline: now + secondsLeft * 1000 }
}

interface Rendered {
  commands: LecturerCommand[]
  answers: Answer[]
}

function renderPanel(state: QuizViewState, role: 'lecturer' | 'student'): Rendered {
  const rendered: Rendered = { commands: [], answers: [] }
  mount(
    <QuizPanelView
      state={state}
      role={role}
      token="token"
      code="abcdefghjk"
      onCommand={(command) => rendered.commands.push(command)}
      onAnswer={(answer) => rendered.answers.push(answer)}
      onDismiss={() => undefined}
    />,
  )
  return rendered
}

const standings: Standing[] = [
  { rank: 1, participant_id: 'p_bob', name: 'Bob', score: 1800, correct: 2, streak: 2 },
  { rank: 2, participant_id: 'p_ada', name: 'Ada', score: 900, correct: 1, streak: 0 },
  { rank: 2, participant_id: 'p_cy', name: 'Cy', score: 900, correct: 1, streak: 1 },
]

const reveal: RevealedQuestion = {
  index: 0,
  question: {
    id: 'q1',
    text: 'Largest planet?',
    time_limit_secs: 20,
    points: 'standard',
    feedback: { general: 'Gas giants are large.' },
    type: 'single_choice',
    choices: [{ text: 'Mars', weight: 0 }, { text: 'Jupiter', weight: 100 }],
  },
  display_order: [],
  answered: 3,
  distribution: { type: 'options', counts: [1, 2] },
}

/** Stubs fetch() to return the JSON body listed for each API path, and 404 for any other path. */
function stubFetch(routes: Record<string, unknown>) {
  const requests: string[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      requests.push(url)
      const path = url.replace(/^\/api\/v1/, '')
      if (path in routes) return new Response(JSON.stringify(routes[path]), { status: 200 })
      return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no such thing' } }), { status: 404 })
    }),
  )
  return requests
}

/** Lets pending promises and the renders they cause finish. */
async function settle() {
  for (let round = 0; round < 3; round++) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0))
    })
  }
}

describe('lecturer panel', () => {
  it('counts questions with plural forms', async () => {
    const quizzes = [1, 3, 5].map((count) => ({ id: `qz${count}`, title: 'Quiz', question_count: count, version: 1, updated_at: 0 }))
    stubFetch({ '/quizzes': quizzes })
    renderPanel(stateWith(null), 'lecturer')
    await settle()
    const options = () => [...(byTestId('quiz-select') as HTMLSelectElement).options].map((option) => option.textContent)
    expect(options()).toEqual(['Quiz (1 question)', 'Quiz (3 questions)', 'Quiz (5 questions)'])

    act(() => setLanguage('ru'))
    renderPanel(stateWith(null), 'lecturer')
    await settle()
    expect(options()).toEqual(['Quiz (1 вопрос)', 'Quiz (3 вопроса)', 'Quiz (5 вопросов)'])
  })

  it('lists quizzes and launches one', async () => {
    stubFetch({ '/quizzes': [{ id: 'qz1', title: 'Planets', question_count: 2, version: 1, updated_at: 0 }, { id: 'qz2', title: 'Moons', question_count: 5, version: 1, updated_at: 0 }] })
    const rendered = renderPanel(stateWith(null), 'lecturer')
    await settle()

    expect(byTestId('quiz-panel')?.dataset.phase).toBe('none')
    const select = byTestId('quiz-select') as HTMLSelectElement
    expect([...select.options].map((option) => option.textContent)).toEqual(['Planets (2 questions)', 'Moons (5 questions)'])
    choose(select, 'qz2')
    click(byTestId('quiz-streak-bonus'))
    click(byTestId('quiz-launch'))
    expect(rendered.commands).toEqual([{ type: 'quiz.launch', quiz_id: 'qz2', streak_bonus: true }])
  })

  it('says when there is no quiz', async () => {
    stubFetch({ '/quizzes': [] })
    renderPanel(stateWith(null), 'lecturer')
    await settle()
    expect(byTestId('quiz-none')).not.toBeNull()
    expect(byTestId('quiz-launch')).toBeNull()
  })

  it('opens the first question from the lobby', () => {
    const rendered = renderPanel(stateWith(run({ participants: 4 })), 'lecturer')
    expect(byTestId('quiz-joined')?.textContent).toBe('Students in the quiz: 4')
    click(byTestId('quiz-next'))
    expect(rendered.commands).toEqual([{ type: 'quiz.next' }])
  })

  it('asks before ending with questions left', () => {
    const rendered = renderPanel(stateWith(run()), 'lecturer')
    click(byTestId('quiz-end'))
    expect(rendered.commands).toEqual([])
    click(byTestId('quiz-end-confirm'))
    expect(rendered.commands).toEqual([{ type: 'quiz.end' }])
  })

  it('ends at once after the last question', () => {
    const question = singleChoice({ index: 1 })
    const rendered = renderPanel(stateWith(run({ phase: 'leaderboard', question, leaderboard: standings })), 'lecturer')
    expect(byTestId('quiz-next')).toBeNull()
    click(byTestId('quiz-end'))
    expect(rendered.commands).toEqual([{ type: 'quiz.end' }])
  })

  it('shows the open question live', () => {
    const question = liveQuestion()
    const rendered = renderPanel(
      stateWith(run({ phase: 'question_open', question, answered: 3, participants: 25, distribution: { type: 'options', counts: [1, 2] } })),
      'lecturer',
    )
    expect(byTestId('quiz-question-text')?.textContent).toBe('Largest planet?')
    expect(byTestId('quiz-countdown')?.dataset.seconds).toBe('20')
    const count = byTestId('quiz-answer-count')
    expect(count?.textContent).toBe('3 of 25 answered')
    expect(count?.getAttribute('aria-live')).toBe('polite')
    const bars = allByTestId('quiz-distribution-bar')
    expect(bars.map((bar) => bar.textContent)).toEqual(['Mars1 (33%)', 'Jupiter2 (67%)'])
    expect(bars.every((bar) => bar.dataset.mark === undefined)).toBe(true)
    click(byTestId('quiz-close'))
    expect(rendered.commands).toEqual([{ type: 'quiz.close' }])
  })

  it('shows empty bars before the first answer', () => {
    renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion() })), 'lecturer')
    expect(allByTestId('quiz-distribution-bar').map((bar) => bar.dataset.count)).toEqual(['0', '0'])
  })

  it('hides live answers on request', () => {
    renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion(), distribution: { type: 'options', counts: [1, 2] } })), 'lecturer')
    click(byTestId('quiz-hide-live'))
    expect(byTestId('quiz-distribution')).toBeNull()
  })

  it('reveals a closed question', () => {
    const rendered = renderPanel(stateWith(run({ phase: 'question_closed', question: singleChoice(), distribution: { type: 'options', counts: [1, 2] } })), 'lecturer')
    expect(byTestId('quiz-countdown')).toBeNull()
    click(byTestId('quiz-reveal'))
    expect(rendered.commands).toEqual([{ type: 'quiz.reveal' }])
  })

  it('marks the correct option after the reveal', () => {
    const rendered = renderPanel(stateWith(run({ phase: 'answer_revealed', question: singleChoice(), reveal })), 'lecturer')
    const bars = allByTestId('quiz-distribution-bar')
    expect(bars.map((bar) => bar.dataset.mark)).toEqual(['incorrect', 'correct'])
    expect(bars[1].textContent).toContain('correct answer')
    expect(byTestId('quiz-key')?.textContent).toBe('Correct answer: Jupiter')
    click(byTestId('quiz-leaderboard-show'))
    click(byTestId('quiz-next'))
    expect(rendered.commands).toEqual([{ type: 'quiz.leaderboard' }, { type: 'quiz.next' }])
  })

  it('lists the leaderboard', () => {
    renderPanel(stateWith(run({ phase: 'leaderboard', question: singleChoice(), leaderboard: standings })), 'lecturer')
    const rows = allByTestId('leaderboard-row')
    expect(rows.map((row) => row.querySelector('.leaderboard-name')?.textContent)).toEqual(['Bob', 'Ada', 'Cy'])
    expect(rows.map((row) => row.dataset.score)).toEqual(['1800', '900', '900'])
    expect(rows.map((row) => row.dataset.rank)).toEqual(['1', '2', '2'])
  })

  it('disables the controls while a command is pending', () => {
    renderPanel(stateWith(run(), { pendingCommand: 'quiz.next' }), 'lecturer')
    expect((byTestId('quiz-next') as HTMLButtonElement).disabled).toBe(true)
  })

  it('shows a refused command in words', () => {
    renderPanel(stateWith(run(), { commandError: { command: 'quiz.next', code: 'illegal_transition', message: 'x' } }), 'lecturer')
    expect(byTestId('quiz-error')?.textContent).toContain('That step does not fit')
  })

  it('shows the podium and results at the end', async () => {
    const requests = stubFetch({
      '/quizzes': [],
      '/quiz-runs/r_1/results': {
        run: { id: 'r_1', quiz_id: 'q_1', title: 'Planets', started_by: 'u_1', started_at: 0, ended_at: 1, phase: 'ended' },
        questions: [
          {
            index: 0, id: 'q1', type: 'single_choice', points: 'standard', opened: true, answered: 3, correct: 2, partial: 0,
            incorrect: 1, average_points: 612.4, average_response_ms: 4200, distribution: { type: 'options', counts: [1, 2] },
          },
          {
            index: 1, id: 'q2', type: 'true_false', points: 'standard', opened: false, answered: 0, correct: 0, partial: 0,
            incorrect: 0, average_points: 0, average_response_ms: 0, distribution: { type: 'true_false', true_count: 0, false_count: 0 },
          },
        ],
        participants: [
          { participant_id: 'p_cy', name: 'Cy', rank: 1, total: 1800, correct: 2, answers: [] },
          { participant_id: 'p_bob', rank: 2, total: 900, correct: 1, answers: [] },
        ],
      },
      // A name missing from the results comes from the participant list.
      '/rooms/abcdefghjk/participants': [{ id: 'p_bob', name: 'Bob', role: 'student', can_draw: false }],
      // Question 1 is missing, so its row keeps the question id.
      '/quiz-runs/r_1/questions/0': { run_id: 'r_1', question: reveal.question, report: {} },
    })
    renderPanel(stateWith(run({ phase: 'ended', podium: standings, leaderboard: standings })), 'lecturer')
    await settle()

    expect(allByTestId('quiz-podium-place').map((place) => place.dataset.rank)).toEqual(['1', '2', '2'])
    expect(byTestId('quiz-podium-unlisted')).toBeNull()
    expect(requests).toContain('/api/v1/quiz-runs/r_1/results')
    expect(requests).toContain('/api/v1/quiz-runs/r_1/questions/1')
    const results = byTestId('quiz-results')
    expect(results?.dataset.loaded).toBe('true')
    const rows = allByTestId('quiz-results-question')
    expect(rows[0].textContent).toContain('Largest planet?')
    expect(rows[1].textContent).toContain('q2 (not asked)')
    expect(allByTestId('quiz-results-student').map((row) => row.querySelector('th')?.textContent)).toEqual(['Cy', 'Bob'])
    expect(byTestId('quiz-results-csv')?.getAttribute('href')).toBe('/api/v1/quiz-runs/r_1/results.csv')
    // Another quiz can start after the end.
    expect(container.textContent).toContain('Start another quiz')
  })

  it('counts the podium places left unlisted', async () => {
    stubFetch({ '/quizzes': [] })
    renderPanel(stateWith(run({ phase: 'ended', podium: standings, podium_unlisted: 42, leaderboard: standings })), 'lecturer')
    await settle()

    expect(allByTestId('quiz-podium-place')).toHaveLength(3)
    expect(byTestId('quiz-podium-unlisted')?.textContent).toBe('And 42 more participants share these places.')
  })

  it('collapses and expands', () => {
    renderPanel(stateWith(run()), 'lecturer')
    const toggle = byTestId('quiz-toggle')
    expect(toggle?.getAttribute('aria-expanded')).toBe('true')
    click(toggle)
    expect(byTestId('quiz-toggle')?.getAttribute('aria-expanded')).toBe('false')
    expect(container.querySelector('#quiz-panel-body')?.hasAttribute('hidden')).toBe(true)
  })

  it('shows a lost connection', () => {
    renderPanel(stateWith(run(), { connection: 'disconnected' }), 'lecturer')
    expect(byTestId('quiz-connection')?.dataset.state).toBe('disconnected')
  })
})

describe('lecturer distribution chart', () => {
  const revealedOf = (question: RevealedQuestion['question'], distribution: RevealedQuestion['distribution']): RevealedQuestion => ({
    index: 0, question, display_order: [], answered: 4, distribution,
  })
  const base = { id: 'q1', text: 'Q', time_limit_secs: 20, points: 'standard' as const, feedback: {} }

  const cases: { name: string; question: StudentQuestion; reveal: RevealedQuestion; texts: string[]; marks: (string | undefined)[] }[] = [
    {
      name: 'true or false',
      question: questionOf({ type: 'true_false' }),
      reveal: revealedOf({ ...base, type: 'true_false', answer: false }, { type: 'true_false', true_count: 1, false_count: 3 }),
      texts: ['True1 (25%)', '✓ False (correct answer)3 (75%)'],
      marks: ['incorrect', 'correct'],
    },
    {
      name: 'numbers',
      question: questionOf({ type: 'numeric' }),
      reveal: revealedOf(
        { ...base, type: 'numeric', answers: [{ match: 'exact', value: 3.14, tolerance: 0.01, weight: 100 }, { match: 'range', min: 3, max: 4, weight: 50 }] },
        { type: 'numbers', values: [{ value: 3, count: 1 }, { value: 3.14, count: 2 }, { value: 7, count: 1 }] },
      ),
      texts: ['3 partial credit1 (25%)', '✓ 3.14 (correct answer)2 (50%)', '71 (25%)'],
      marks: ['partial', 'correct', 'incorrect'],
    },
    {
      name: 'texts',
      question: questionOf({ type: 'short_text' }),
      reveal: revealedOf(
        { ...base, type: 'short_text', accepted: [{ text: 'Paris', weight: 100 }], case_sensitive: false },
        { type: 'texts', values: [{ text: 'paris', count: 3 }, { text: 'lyon', count: 1 }] },
      ),
      texts: ['✓ paris (correct answer)3 (75%)', 'lyon1 (25%)'],
      marks: ['correct', 'incorrect'],
    },
    {
      name: 'words',
      question: questionOf({ type: 'word_cloud', max_words: 3 }),
      reveal: revealedOf({ ...base, type: 'word_cloud', max_words: 3 }, { type: 'words', words: [{ text: 'rust', count: 3 }, { text: 'fast', count: 1 }] }),
      texts: ['rust3×', 'fast1×'],
      marks: [undefined, undefined],
    },
    {
      name: 'ordering',
      question: questionOf({ type: 'ordering', items: ['Earth', 'Mercury', 'Venus'] }),
      reveal: revealedOf({ ...base, type: 'ordering', items: ['Mercury', 'Venus', 'Earth'] }, { type: 'ordering', correct_per_position: [4, 2, 2] }),
      texts: ['1. Mercury4 right (100%)', '2. Venus2 right (50%)', '3. Earth2 right (50%)'],
      marks: [undefined, undefined, undefined],
    },
    {
      name: 'matching',
      question: questionOf({ type: 'matching', prompts: ['France', 'Spain'], answers: ['Madrid', 'Paris'] }),
      reveal: revealedOf(
        { ...base, type: 'matching', pairs: [{ prompt: 'France', answer: 'Paris' }, { prompt: 'Spain', answer: 'Madrid' }], distractors: [] },
        { type: 'matching', correct_per_prompt: [3, 1] },
      ),
      texts: ['France → Paris3 right (75%)', 'Spain → Madrid1 right (25%)'],
      marks: [undefined, undefined],
    },
    {
      name: 'multiple choice',
      question: questionOf({ type: 'multiple_choice', choices: ['2', '3', '4'] }),
      reveal: revealedOf(
        { ...base, type: 'multiple_choice', penalties: false, choices: [{ text: '2', weight: 50 }, { text: '3', weight: 50 }, { text: '4', weight: -100 }] },
        { type: 'options', counts: [4, 3, 1] },
      ),
      texts: ['✓ 2 (correct answer)4 (100%)', '✓ 3 (correct answer)3 (75%)', '41 (25%)'],
      marks: ['correct', 'correct', 'incorrect'],
    },
    {
      name: 'poll',
      question: questionOf({ type: 'poll', options: ['Tea', 'Coffee'] }),
      reveal: revealedOf({ ...base, type: 'poll', options: ['Tea', 'Coffee'] }, { type: 'options', counts: [1, 3] }),
      texts: ['Tea1 (25%)', 'Coffee3 (75%)'],
      marks: [undefined, undefined],
    },
  ]

  for (const { name, question, reveal: revealed, texts, marks } of cases) {
    it(`labels ${name} bars in text`, () => {
      renderPanel(stateWith(run({ phase: 'answer_revealed', question, reveal: revealed, answered: 4 })), 'lecturer')
      const bars = allByTestId('quiz-distribution-bar')
      expect(bars.map((bar) => bar.textContent)).toEqual(texts)
      expect(bars.map((bar) => bar.dataset.mark)).toEqual(marks)
    })
  }

  it('labels ordering positions without the key before the reveal', () => {
    const question = liveQuestion(questionOf({ type: 'ordering', items: ['Earth', 'Mercury', 'Venus'] }))
    renderPanel(stateWith(run({ phase: 'question_open', question, answered: 2, distribution: { type: 'ordering', correct_per_position: [1, 0, 2] } })), 'lecturer')
    const bars = allByTestId('quiz-distribution-bar')
    expect(bars.map((bar) => bar.textContent)).toEqual(['Position 11 right (50%)', 'Position 20 right (0%)', 'Position 32 right (100%)'])
  })
})

describe('student panel', () => {
  it('shows nothing without a run', () => {
    renderPanel(stateWith(null), 'student')
    expect(byTestId('quiz-panel')).toBeNull()
  })

  it('waits in the lobby', () => {
    renderPanel(stateWith(run()), 'student')
    expect(byTestId('quiz-waiting')?.textContent).toContain('The quiz “Planets” is about to start.')
  })

  it('shows the question prominently with a countdown', () => {
    renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion(singleChoice(), 12) })), 'student')
    expect(byTestId('quiz-panel')?.classList.contains('prominent')).toBe(true)
    expect(byTestId('quiz-question-text')?.textContent).toBe('Largest planet?')
    expect(byTestId('quiz-countdown')?.dataset.seconds).toBe('12')
    expect(byTestId('quiz-countdown')?.getAttribute('aria-live')).toBeNull()
  })

  it('counts down on the server clock', () => {
    // The server's clock is 5 s ahead, so 5 s of the 20 have passed there.
    renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion(singleChoice(), 20) }), { offset: 5_000 }), 'student')
    expect(byTestId('quiz-countdown')?.dataset.seconds).toBe('15')
  })

  it('sends a single choice', () => {
    const rendered = renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion() })), 'student')
    const options = allByTestId('quiz-option')
    expect(options.map((option) => option.textContent)).toEqual(['AMars', 'BJupiter'])
    click(options[1].querySelector('input'))
    expect(allByTestId('quiz-option')[1].dataset.selected).toBe('true')
    click(byTestId('quiz-submit'))
    expect(rendered.answers).toEqual([{ type: 'choice', index: 1 }])
  })

  it('names a missing pick instead of sending', () => {
    const rendered = renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion() })), 'student')
    click(byTestId('quiz-submit'))
    expect(rendered.answers).toEqual([])
    expect(byTestId('quiz-form-problem')?.textContent).toBe('Pick an answer first.')
  })

  it('sends true or false', () => {
    const rendered = renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion(questionOf({ type: 'true_false' })) })), 'student')
    expect(allByTestId('quiz-option').map((option) => option.textContent)).toEqual(['ATrue', 'BFalse'])
    click(allByTestId('quiz-option')[1].querySelector('input'))
    click(byTestId('quiz-submit'))
    expect(rendered.answers).toEqual([{ type: 'boolean', value: false }])
  })

  it('sends a poll vote', () => {
    const rendered = renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion(questionOf({ type: 'poll', options: ['Tea', 'Coffee'] })) })), 'student')
    click(allByTestId('quiz-option')[0].querySelector('input'))
    click(byTestId('quiz-submit'))
    expect(rendered.answers).toEqual([{ type: 'poll', index: 0 }])
  })

  it('sends several choices', () => {
    const question = liveQuestion(questionOf({ type: 'multiple_choice', choices: ['2', '3', '4'] }))
    const rendered = renderPanel(stateWith(run({ phase: 'question_open', question })), 'student')
    const inputs = allByTestId('quiz-option').map((option) => option.querySelector('input'))
    expect(inputs.every((input) => input?.type === 'checkbox')).toBe(true)
    click(inputs[2])
    click(inputs[0])
    click(byTestId('quiz-submit'))
    expect(rendered.answers).toEqual([{ type: 'choices', indices: [0, 2] }])
  })

  it('sends a number', () => {
    const rendered = renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion(questionOf({ type: 'numeric' })) })), 'student')
    type(byTestId('quiz-number-input'), '2,5')
    click(byTestId('quiz-submit'))
    expect(rendered.answers).toEqual([{ type: 'number', value: 2.5 }])
  })

  it('sends a short text', () => {
    const rendered = renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion(questionOf({ type: 'short_text' })) })), 'student')
    type(byTestId('quiz-text-input'), 'Paris')
    click(byTestId('quiz-submit'))
    expect(rendered.answers).toEqual([{ type: 'text', value: 'Paris' }])
  })

  it('sends an order changed with the buttons', () => {
    const question = liveQuestion(questionOf({ type: 'ordering', items: ['Earth', 'Mercury', 'Venus'] }))
    const rendered = renderPanel(stateWith(run({ phase: 'question_open', question })), 'student')
    // Move Mercury to the top, then Venus above Earth.
    click(allByTestId('quiz-order-up')[1])
    expect(document.activeElement?.getAttribute('data-testid')).toBe('quiz-order-down')
    click(allByTestId('quiz-order-up')[2])
    expect(allByTestId('quiz-order-item').map((item) => item.querySelector('.quiz-order-text')?.textContent)).toEqual(['Mercury', 'Venus', 'Earth'])
    expect(container.textContent).toContain('“Venus” is now at position 2 of 3.')
    expect(allByTestId('quiz-order-up')[0].getAttribute('aria-label')).toBe('Move “Mercury” up')
    click(byTestId('quiz-submit'))
    expect(rendered.answers).toEqual([{ type: 'order', indices: [1, 2, 0] }])
  })

  it('sends a match for every prompt', () => {
    const question = liveQuestion(questionOf({ type: 'matching', prompts: ['France', 'Spain'], answers: ['Madrid', 'Rome', 'Paris'] }))
    const rendered = renderPanel(stateWith(run({ phase: 'question_open', question })), 'student')
    const selects = allByTestId('quiz-match-select')
    expect(selects.map((select) => container.querySelector(`label[for="${select.id}"]`)?.textContent)).toEqual(['France', 'Spain'])
    choose(selects[0], '2')
    click(byTestId('quiz-submit'))
    expect(rendered.answers).toEqual([])
    expect(byTestId('quiz-form-problem')?.textContent).toBe('Choose a match for every item.')
    choose(allByTestId('quiz-match-select')[1], '0')
    click(byTestId('quiz-submit'))
    expect(rendered.answers).toEqual([{ type: 'matching', answers: [2, 0] }])
  })

  it('sends up to max_words words', () => {
    const question = liveQuestion(questionOf({ type: 'word_cloud', max_words: 2 }))
    const rendered = renderPanel(stateWith(run({ phase: 'question_open', question })), 'student')
    const inputs = allByTestId('quiz-word-input')
    expect(inputs).toHaveLength(2)
    type(inputs[1], 'rust')
    click(byTestId('quiz-submit'))
    expect(rendered.answers).toEqual([{ type: 'words', words: ['rust'] }])
  })

  it('locks the form with the accepted answer', () => {
    const myAnswer = { answer: { type: 'choice' as const, index: 1 }, received_at: Date.now(), response_ms: 3000 }
    renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion(), my_answer: myAnswer })), 'student')
    expect(byTestId('quiz-accepted')?.textContent).toBe('Answer received.')
    expect(byTestId('quiz-submit')).toBeNull()
    expect(container.querySelector('fieldset')?.disabled).toBe(true)
    expect(allByTestId('quiz-option').map((option) => option.dataset.selected)).toEqual(['false', 'true'])
  })

  it('says when a repeat was ignored', () => {
    const myAnswer = { answer: { type: 'choice' as const, index: 0 }, received_at: Date.now(), response_ms: 3000 }
    renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion(), my_answer: myAnswer }), { duplicate: true }), 'student')
    expect(byTestId('quiz-accepted')?.textContent).toBe('Answer received. Your first answer counts.')
  })

  it('locks the form while the answer is on its way', () => {
    renderPanel(
      stateWith(run({ phase: 'question_open', question: liveQuestion() }), { sending: { runId: 'r_1', questionIndex: 0, answer: { type: 'choice', index: 0 } } }),
      'student',
    )
    expect(container.querySelector('fieldset')?.disabled).toBe(true)
    expect(byTestId('quiz-submit')?.textContent).toBe('Sending…')
  })

  it('explains a late answer', () => {
    renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion() }), { answerError: { code: 'late', message: 'late by 120 ms' } }), 'student')
    const error = byTestId('quiz-answer-error')
    expect(error?.dataset.code).toBe('late')
    expect(error?.textContent).toBe('Your answer arrived after the time ran out.')
  })

  it('shows an unknown error with the server message', () => {
    renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion() }), { answerError: { code: 'brand_new', message: 'something new' } }), 'student')
    expect(byTestId('quiz-answer-error')?.textContent).toBe('The quiz request failed (brand_new). something new')
  })

  it('locks the form once time is up', () => {
    renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion(singleChoice(), 0) })), 'student')
    expect(container.querySelector('fieldset')?.disabled).toBe(true)
    expect(byTestId('quiz-submit')).toBeNull()
    expect(byTestId('quiz-closed-notice')?.textContent).toContain('Time is up.')
  })

  it('says the question closed without an answer', () => {
    // A server that does not send closed_by leaves the cause unknown, so the
    // notice names neither.
    renderPanel(stateWith(run({ phase: 'question_closed', question: singleChoice() })), 'student')
    expect(byTestId('quiz-closed-notice')?.textContent).toBe('The question is closed. You did not answer this question.')
  })

  it('names the lecturer who closed the question early', () => {
    renderPanel(stateWith(run({ phase: 'question_closed', question: singleChoice(), closed_by: 'lecturer' })), 'student')
    expect(byTestId('quiz-closed-notice')?.textContent).toBe('The lecturer closed the question. You did not answer this question.')
  })

  it('says time is up when the deadline closed the question', () => {
    renderPanel(stateWith(run({ phase: 'question_closed', question: singleChoice(), closed_by: 'deadline' })), 'student')
    expect(byTestId('quiz-closed-notice')?.textContent).toBe('Time is up. You did not answer this question.')
  })

  it('shows the result, feedback and class answers after the reveal', () => {
    const result = {
      index: 0, question_id: 'q1', answer: { type: 'choice' as const, index: 1 }, correctness: 'correct' as const,
      points: 850, streak_bonus: 100, streak: 2, total: 1750, feedback: ['Gas giants are large.'],
    }
    renderPanel(stateWith(run({ phase: 'answer_revealed', question: singleChoice(), reveal, my_result: result, distribution: reveal.distribution })), 'student')
    const shown = byTestId('quiz-result')
    expect(shown?.dataset.correctness).toBe('correct')
    expect(shown?.textContent).toContain('Correct!')
    expect(shown?.textContent).toContain('+850 points (+100 streak bonus)')
    expect(shown?.textContent).toContain('Your total: 1,750 points')
    expect(shown?.textContent).toContain('Your answer: Jupiter')
    expect(byTestId('quiz-feedback')?.textContent).toBe('Gas giants are large.')
    expect(allByTestId('quiz-distribution-bar').map((bar) => bar.dataset.mark)).toEqual(['incorrect', 'correct'])
  })

  it('shows a missed question as no answer', () => {
    const result = {
      index: 0, question_id: 'q1', answer: null, correctness: 'incorrect' as const,
      points: 0, streak_bonus: 0, streak: 0, total: 0, feedback: [],
    }
    renderPanel(stateWith(run({ phase: 'answer_revealed', question: singleChoice(), reveal, my_result: result })), 'student')
    expect(byTestId('quiz-result')?.querySelector('.quiz-result-title')?.textContent).toBe('No answer')
  })

  it('never marks options before the reveal', () => {
    // Even a distribution sent too early is drawn without a key.
    renderPanel(stateWith(run({ phase: 'question_closed', question: singleChoice(), distribution: { type: 'options', counts: [1, 2] } })), 'student')
    expect(byTestId('quiz-distribution')).toBeNull()
  })

  it('shows the student standing with the leaderboard', () => {
    renderPanel(stateWith(run({ phase: 'leaderboard', question: singleChoice(), leaderboard: standings, my_standing: { rank: 2, score: 900 } })), 'student')
    expect(byTestId('quiz-my-standing')?.textContent).toBe('You are in place 2 with 900 points.')
    const self = allByTestId('leaderboard-row').find((row) => row.dataset.participantId === 'p_ada')
    expect(self?.getAttribute('aria-current')).toBe('true')
  })

  it('shows the podium at the end', () => {
    renderPanel(stateWith(run({ phase: 'ended', podium: standings, leaderboard: standings, my_standing: { rank: 2, score: 900 } })), 'student')
    expect(byTestId('quiz-podium')).not.toBeNull()
    expect(allByTestId('quiz-podium-place')).toHaveLength(3)
    expect(byTestId('quiz-my-standing')).not.toBeNull()
  })

  it('ranks a student left off the podium', () => {
    renderPanel(stateWith(run({ phase: 'ended', podium: standings.slice(0, 1), podium_unlisted: 2, my_standing: { rank: 1, score: 1800 } })), 'student')
    expect(allByTestId('quiz-podium-place').map((place) => place.dataset.participantId)).toEqual(['p_bob'])
    expect(byTestId('quiz-my-standing')?.dataset.rank).toBe('1')
    expect(byTestId('quiz-podium-unlisted')?.dataset.unlisted).toBe('2')
  })

  it('counts unlisted podium places in English', () => {
    const cases: [number, string][] = [
      [1, 'And 1 more participant shares these places.'],
      [2, 'And 2 more participants share these places.'],
      [4990, 'And 4,990 more participants share these places.'],
    ]
    for (const [unlisted, text] of cases) {
      renderPanel(stateWith(run({ phase: 'ended', podium: standings, podium_unlisted: unlisted })), 'student')
      expect(byTestId('quiz-podium-unlisted')?.textContent).toBe(text)
    }
  })

  it('counts unlisted podium places in Russian', () => {
    setLanguage('ru')
    const cases: [number, string][] = [
      [1, 'Эти места делит ещё 1 участник.'],
      [3, 'Эти места делят ещё 3 участника.'],
      [5, 'Эти места делят ещё 5 участников.'],
      [21, 'Эти места делит ещё 21 участник.'],
      [4990, 'Эти места делят ещё 4\u00a0990 участников.'],
    ]
    for (const [unlisted, text] of cases) {
      renderPanel(stateWith(run({ phase: 'ended', podium: standings, podium_unlisted: unlisted })), 'student')
      expect(byTestId('quiz-podium-unlisted')?.textContent).toBe(text)
    }
  })

  it('announces an opened question', () => {
    renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion() })), 'student')
    const announcement = byTestId('quiz-announcement')
    expect(announcement?.getAttribute('aria-live')).toBe('polite')
    expect(announcement?.textContent).toBe('Question 1 of 2 is open: Largest planet?')
  })

  it('renders in Russian', () => {
    setLanguage('ru')
    renderPanel(stateWith(run({ phase: 'question_open', question: liveQuestion() })), 'student')
    expect(byTestId('quiz-submit')?.textContent).toBe('Отправить ответ')
  })
})
