// @vitest-environment jsdom
import { render, type ComponentChild } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setLanguage } from '../../../i18n'
import { AudioControls, type AudioActions } from './AudioControls'
import { INITIAL_AUDIO_SNAPSHOT, type AudioSnapshot } from './audioSession'

let container: HTMLElement

beforeEach(() => {
  setLanguage('en')
  container = document.createElement('div')
  document.body.append(container)
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
})

afterEach(() => {
  act(() => render(null, container))
  container.remove()
  vi.restoreAllMocks()
})

function mount(node: ComponentChild) {
  act(() => render(node, container))
}

const byTestId = (id: string) => container.querySelector<HTMLElement>(`[data-testid="${id}"]`)

function click(element: Element | null) {
  if (!element) throw new Error('nothing to click')
  act(() => (element as HTMLElement).click())
}

interface Calls {
  names: string[]
  devices: (string | null)[]
}

function renderControls(
  state: Partial<AudioSnapshot>,
  options: { role?: 'lecturer' | 'student'; holdsFloor?: boolean; muted?: boolean } = {},
): Calls {
  const calls: Calls = { names: [], devices: [] }
  const record = (name: string) => () => calls.names.push(name)
  const actions: AudioActions = {
    join: record('join'),
    leave: record('leave'),
    retry: record('retry'),
    micOn: record('micOn'),
    micOff: record('micOff'),
    selectDevice: (deviceId) => calls.devices.push(deviceId),
  }
  mount(
    <AudioControls
      state={{ ...INITIAL_AUDIO_SNAPSHOT, ...state }}
      role={options.role ?? 'student'}
      holdsFloor={options.holdsFloor ?? false}
      muted={options.muted ?? false}
      actions={actions}
    />,
  )
  return calls
}

describe('AudioControls', () => {
  it('offers to join while idle', () => {
    const calls = renderControls({})
    expect(byTestId('audio-status')?.dataset.status).toBe('idle')
    expect(byTestId('audio-leave')).toBeNull()
    click(byTestId('audio-join'))
    expect(calls.names).toEqual(['join'])
  })

  it('offers to leave once joined', () => {
    const calls = renderControls({ status: 'connected' })
    expect(byTestId('audio-status')?.textContent).toContain('Audio connected')
    expect(byTestId('audio-join')).toBeNull()
    click(byTestId('audio-leave'))
    expect(calls.names).toEqual(['leave'])
  })

  it('explains a failure and retries', () => {
    const calls = renderControls({ status: 'failed', failure: 'audio.failure.code.unsupported_codec', failureDetail: 'offered: PCMU' })
    const failure = byTestId('audio-failure')
    expect(failure?.getAttribute('role')).toBe('alert')
    expect(failure?.textContent).toContain('The browser offered no Opus audio')
    expect(failure?.textContent).toContain('Details: offered: PCMU')
    click(byTestId('audio-retry'))
    expect(calls.names).toEqual(['retry'])
  })

  it('falls back for an unknown failure code', () => {
    renderControls({ status: 'failed', failure: 'audio.failure.code.new_code', failureDetail: 'something new' })
    expect(byTestId('audio-failure')?.textContent).toContain('could not agree')
    expect(byTestId('audio-failure')?.textContent).toContain('something new')
  })

  it('hides the microphone from a student without the floor', () => {
    renderControls({ status: 'connected', devices: [{ deviceId: 'a', label: 'Desk' }] })
    expect(byTestId('mic-on')).toBeNull()
    expect(byTestId('mic-select')).toBeNull()
  })

  it('offers the floor holder the microphone', () => {
    const calls = renderControls({ status: 'connected' }, { holdsFloor: true })
    expect(byTestId('mic-on')?.textContent).toBe('You have the floor — turn on microphone')
    click(byTestId('mic-on'))
    expect(calls.names).toEqual(['micOn'])
  })

  it('turns the microphone off', () => {
    const calls = renderControls({ status: 'connected', mic: 'on' }, { holdsFloor: true })
    expect(byTestId('mic-on')).toBeNull()
    expect(byTestId('mic-live')).not.toBeNull()
    click(byTestId('mic-off'))
    expect(calls.names).toEqual(['micOff'])
  })

  it('disables the button while asking', () => {
    renderControls({ status: 'connected', mic: 'requesting' }, { role: 'lecturer' })
    expect((byTestId('mic-on') as HTMLButtonElement).disabled).toBe(true)
  })

  it('gives the lecturer the microphone always', () => {
    renderControls({ status: 'connected' }, { role: 'lecturer' })
    expect(byTestId('mic-on')?.textContent).toBe('Turn on microphone')
  })

  it('selects a microphone', () => {
    const calls = renderControls({ status: 'connected', devices: [{ deviceId: 'a', label: 'Desk' }, { deviceId: 'b', label: '' }] }, { role: 'lecturer' })
    const select = byTestId('mic-select') as HTMLSelectElement
    expect([...select.options].map((option) => option.textContent)).toEqual(['Default microphone', 'Desk', 'Microphone 2'])
    act(() => {
      select.value = 'b'
      select.dispatchEvent(new Event('change', { bubbles: true }))
    })
    act(() => {
      select.value = ''
      select.dispatchEvent(new Event('change', { bubbles: true }))
    })
    expect(calls.devices).toEqual(['b', null])
  })

  it('explains a denied permission', () => {
    renderControls({ micProblem: 'denied' }, { holdsFloor: true })
    expect(byTestId('mic-problem')?.dataset.problem).toBe('denied')
    expect(byTestId('mic-problem')?.textContent).toContain('Microphone access was denied')
  })

  it('explains a missing microphone', () => {
    renderControls({ micProblem: 'not-found' }, { role: 'lecturer' })
    expect(byTestId('mic-problem')?.textContent).toContain('No microphone was found')
  })

  it('says when the lecturer muted the speaker', () => {
    renderControls({ status: 'connected', mic: 'on' }, { holdsFloor: true, muted: true })
    expect(byTestId('mic-muted')?.textContent).toContain('The lecturer muted you')
  })

  it('says when the server has no audio', () => {
    renderControls({ available: false })
    expect(byTestId('audio-unavailable')?.textContent).toBe('This server runs without audio.')
    expect(byTestId('audio-join')).toBeNull()
  })

  it('renders an audio element per remote track', () => {
    const play = vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(() => Promise.resolve())
    const stream = {} as MediaStream
    renderControls({ status: 'connected', remote: [{ id: '0', stream }, { id: '1', stream }] })
    const elements = [...container.querySelectorAll<HTMLAudioElement>('[data-testid="remote-audio"]')]
    expect(elements.map((element) => element.dataset.slot)).toEqual(['0', '1'])
    expect(elements[0].srcObject).toBe(stream)
    expect(play).toHaveBeenCalledTimes(2)
  })
})
