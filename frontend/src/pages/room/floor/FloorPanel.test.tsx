// @vitest-environment jsdom
import { render, type ComponentChild } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setLanguage } from '../../../i18n'
import { FloorPanel, formatDuration } from './FloorPanel'
import { HandButton } from './HandButton'
import { initialFloorState, type FloorViewState } from './floorState'
import { floorView, queued, speaker } from './testFixtures'
import type { FloorCommand, FloorView } from './types'

let container: HTMLElement

beforeEach(() => {
  setLanguage('en')
  container = document.createElement('div')
  document.body.append(container)
})

afterEach(() => {
  act(() => render(null, container))
  container.remove()
  vi.useRealTimers()
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

function stateFor(role: 'lecturer' | 'student', view: FloorView, overrides: Partial<FloorViewState> = {}): FloorViewState {
  return {
    ...initialFloorState,
    connection: 'connected',
    self: { participantId: role === 'lecturer' ? 'u_lecturer' : 'p_ada', role },
    floor: view,
    ...overrides,
  }
}

function renderPanel(state: FloorViewState): FloorCommand[] {
  const sent: FloorCommand[] = []
  mount(<FloorPanel state={state} onSend={(command) => sent.push(command)} onDismissError={() => undefined} />)
  return sent
}

describe('formatDuration', () => {
  it('writes minutes and seconds', () => {
    expect(formatDuration(0)).toBe('0:00')
    expect(formatDuration(9.7)).toBe('0:09')
    expect(formatDuration(125)).toBe('2:05')
    expect(formatDuration(-3)).toBe('0:00')
  })
})

describe('FloorPanel for the lecturer', () => {
  const now = Date.now()
  const queue = floorView({
    queue: [queued('p_grace', 'Grace', now - 75_000), queued('p_alan', 'Alan', now - 5_000)],
    speakers: [speaker('p_ada', 'Ada', { until: now + 42_000 })],
  })

  it('lists the queue in order with waiting times', () => {
    renderPanel(stateFor('lecturer', queue))
    const items = allByTestId('hand-queue-item')
    expect(items.map((item) => item.dataset.participantId)).toEqual(['p_grace', 'p_alan'])
    expect(items.map((item) => item.dataset.position)).toEqual(['1', '2'])
    expect(items[0].textContent).toContain('Grace')
    expect(items[0].querySelector('[data-testid="hand-waiting"]')?.textContent).toMatch(/^waiting 1:1[45]$/)
  })

  it('grants the floor in three ways', () => {
    const sent = renderPanel(stateFor('lecturer', queue))
    const item = allByTestId('hand-queue-item')[1]
    click(item.querySelector('[data-testid="grant-floor"]'))
    click(item.querySelector('[data-testid="grant-board"]'))
    click(item.querySelector('[data-testid="grant-timed"]'))
    expect(sent).toEqual([
      { type: 'floor.grant', participant_id: 'p_alan' },
      { type: 'floor.grant', participant_id: 'p_alan', to_board: true },
      { type: 'floor.grant', participant_id: 'p_alan', duration_secs: 60 },
    ])
  })

  it('uses the chosen duration', () => {
    const sent = renderPanel(stateFor('lecturer', queue))
    const select = byTestId('grant-duration') as HTMLSelectElement
    expect([...select.options].map((option) => option.value)).toEqual(['30', '60', '120', '300'])
    act(() => {
      select.value = '300'
      select.dispatchEvent(new Event('change', { bubbles: true }))
    })
    click(allByTestId('grant-timed')[0])
    expect(sent).toEqual([{ type: 'floor.grant', participant_id: 'p_grace', duration_secs: 300 }])
  })

  it('lowers one hand or all', () => {
    const sent = renderPanel(stateFor('lecturer', queue))
    click(allByTestId('queue-lower-hand')[0])
    click(byTestId('lower-all-hands'))
    expect(sent).toEqual([{ type: 'hand.lower', participant_id: 'p_grace' }, { type: 'hand.lower_all' }])
  })

  it('names the student in action labels', () => {
    renderPanel(stateFor('lecturer', queue))
    expect(allByTestId('grant-floor')[0].getAttribute('aria-label')).toBe('Give the floor to Grace')
  })

  it('shows speakers with time left and revoke', () => {
    const sent = renderPanel(stateFor('lecturer', queue, { speaking: ['p_ada'] }))
    const speakers = allByTestId('floor-speaker')
    expect(speakers.map((item) => item.dataset.participantId)).toEqual(['p_ada'])
    const seconds = Number(byTestId('floor-remaining')?.dataset.seconds)
    expect(seconds).toBeGreaterThanOrEqual(41)
    expect(seconds).toBeLessThanOrEqual(42)
    expect(speakers[0].querySelector('[data-testid="speaking-indicator"]')?.getAttribute('data-speaking')).toBe('true')
    click(byTestId('revoke-floor'))
    expect(sent).toEqual([{ type: 'floor.revoke', participant_id: 'p_ada' }])
  })

  it('offers to replace when the floor is full', () => {
    const command: FloorCommand = { type: 'floor.grant', participant_id: 'p_grace' }
    const sent = renderPanel(stateFor('lecturer', queue, { error: { code: 'floor_full', message: 'full', command } }))
    expect(byTestId('floor-error')?.textContent).toContain('The floor is full')
    click(byTestId('grant-replace'))
    expect(sent).toEqual([{ type: 'floor.grant', participant_id: 'p_grace', replace: true }])
  })

  it('shows an unknown error in the server words', () => {
    renderPanel(stateFor('lecturer', queue, { error: { code: 'strange', message: 'strange thing', command: { type: 'hand.lower_all' } } }))
    expect(byTestId('floor-error')?.textContent).toContain('The request failed: strange thing')
    expect(byTestId('grant-replace')).toBeNull()
  })

  it('says when nobody is waiting', () => {
    renderPanel(stateFor('lecturer', floorView()))
    expect(byTestId('hand-queue')).toBeNull()
    expect(byTestId('hand-queue-empty')).not.toBeNull()
    expect(byTestId('floor-nobody')).not.toBeNull()
    expect(byTestId('lower-all-hands')).toBeNull()
  })

  it('renders nothing before floor.state', () => {
    renderPanel({ ...initialFloorState, self: { participantId: 'u_lecturer', role: 'lecturer' } })
    expect(byTestId('floor-panel')).toBeNull()
  })
})

describe('FloorPanel for a student', () => {
  it('shows the queue without actions', () => {
    renderPanel(stateFor('student', floorView({ queue: [queued('p_grace', 'Grace'), queued('p_ada', 'Ada')], speakers: [speaker('p_alan', 'Alan')] })))
    expect(allByTestId('hand-queue-item')).toHaveLength(2)
    expect(allByTestId('hand-queue-item')[1].textContent).toContain('you')
    for (const id of ['grant-floor', 'grant-board', 'grant-timed', 'queue-lower-hand', 'lower-all-hands', 'revoke-floor', 'grant-duration']) {
      expect(byTestId(id), id).toBeNull()
    }
  })
})

describe('HandButton', () => {
  function renderButton(state: FloorViewState): FloorCommand[] {
    const sent: FloorCommand[] = []
    mount(<HandButton state={state} onSend={(command) => sent.push(command)} />)
    return sent
  }

  it('raises the hand', () => {
    const sent = renderButton(stateFor('student', floorView()))
    expect(byTestId('raise-hand')?.dataset.hand).toBe('false')
    expect(byTestId('hand-position')).toBeNull()
    click(byTestId('raise-hand'))
    expect(sent).toEqual([{ type: 'hand.raise' }])
  })

  it('lowers the hand and shows the place', () => {
    const sent = renderButton(stateFor('student', floorView({ queue: [queued('p_grace', 'Grace'), queued('p_ada', 'Ada')] })))
    expect(byTestId('raise-hand')).toBeNull()
    expect(byTestId('hand-position')?.dataset.position).toBe('2')
    expect(byTestId('hand-position')?.textContent).toBe('Your hand is up: number 2 in the queue.')
    click(byTestId('lower-hand'))
    expect(sent).toEqual([{ type: 'hand.lower' }])
  })

  it('says next for the first place', () => {
    renderButton(stateFor('student', floorView({ queue: [queued('p_ada', 'Ada')] })))
    expect(byTestId('hand-position')?.textContent).toBe('Your hand is up: you are next.')
  })

  it('keeps one button across the flip', () => {
    const sent: FloorCommand[] = []
    const onSend = (command: FloorCommand) => sent.push(command)
    mount(<HandButton state={stateFor('student', floorView())} onSend={onSend} />)
    const button = byTestId('raise-hand')
    mount(<HandButton state={stateFor('student', floorView({ queue: [queued('p_ada', 'Ada')] }))} onSend={onSend} />)
    expect(byTestId('lower-hand')).toBe(button)
  })

  it('is hidden while holding the floor', () => {
    renderButton(stateFor('student', floorView({ speakers: [speaker('p_ada', 'Ada')] })))
    expect(byTestId('raise-hand')).toBeNull()
    expect(byTestId('lower-hand')).toBeNull()
  })

  it('is disabled while disconnected', () => {
    renderButton(stateFor('student', floorView(), { connection: 'disconnected' }))
    expect((byTestId('raise-hand') as HTMLButtonElement).disabled).toBe(true)
  })
})
