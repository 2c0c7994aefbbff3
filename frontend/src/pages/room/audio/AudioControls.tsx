// The audio controls of the room bar: join and leave, the connection's
// state with a retry after a failure, the microphone and its selector, and
// the audio elements that play the room.

import { useEffect, useRef } from 'preact/hooks'
import { hasKey, t } from '../../../i18n'
import type { Role } from '../control/types'
import type { AudioSnapshot, RemoteAudio } from './audioSession'

export interface AudioActions {
  join: () => void
  leave: () => void
  retry: () => void
  micOn: () => void
  micOff: () => void
  selectDevice: (deviceId: string | null) => void
}

interface AudioControlsProps {
  state: AudioSnapshot
  role: Role
  /** Whether this student holds the floor; the lecturer may always speak. */
  holdsFloor: boolean
  /** Whether the lecturer muted this participant. */
  muted: boolean
  actions: AudioActions
}

/** Returns the text of a connection failure, falling back to the server's own words for unknown codes. */
function failureText(state: AudioSnapshot): { summary: string; detail: string | null } {
  const key = state.failure ?? 'audio.failure.negotiation'
  if (hasKey(key)) return { summary: t(key), detail: state.failureDetail }
  return { summary: t('audio.failure.negotiation'), detail: state.failureDetail }
}

export function AudioControls({ state, role, holdsFloor, muted, actions }: AudioControlsProps) {
  const mayUseMic = role === 'lecturer' || holdsFloor
  const inAudio = state.status !== 'idle'
  const failure = state.status === 'failed' ? failureText(state) : null

  if (!state.available && !inAudio) {
    return (
      <div class="audio-controls" role="group" aria-label={t('audio.heading')} data-testid="audio-controls">
        <span class="status-tag" data-testid="audio-unavailable">
          {t('audio.unavailable')}
        </span>
      </div>
    )
  }

  return (
    <div class="audio-controls" role="group" aria-label={t('audio.heading')} data-testid="audio-controls">
      {inAudio ? (
        <button type="button" class="button" data-testid="audio-leave" onClick={actions.leave}>
          {t('audio.leave')}
        </button>
      ) : (
        <button type="button" class="button primary" data-testid="audio-join" onClick={actions.join}>
          {t('audio.join')}
        </button>
      )}
      <span class="connection" role="status" data-testid="audio-status" data-status={state.status}>
        <span class={`connection-dot ${statusDot(state.status)}`} aria-hidden="true" />
        {t(`audio.status.${state.status}`)}
      </span>

      {mayUseMic && <MicButton state={state} role={role} actions={actions} />}
      {mayUseMic && state.mic === 'on' && (
        <span class="status-tag mic-live" data-testid="mic-live">
          {t('audio.mic.live')}
        </span>
      )}
      {mayUseMic && state.devices.length > 0 && (
        <label class="field-inline">
          <span>{t('audio.mic.select')}</span>
          <select
            data-testid="mic-select"
            value={state.deviceId ?? ''}
            onChange={(event) => actions.selectDevice(event.currentTarget.value || null)}
          >
            <option value="">{t('audio.mic.default')}</option>
            {state.devices.map((device, index) => (
              <option key={device.deviceId} value={device.deviceId}>
                {device.label || t('audio.mic.unnamed', { n: index + 1 })}
              </option>
            ))}
          </select>
        </label>
      )}

      {failure && (
        <div class="notice notice-error audio-notice" role="alert" data-testid="audio-failure" data-failure={state.failure ?? ''}>
          <p>{failure.summary}</p>
          {failure.detail && <p class="notice-detail">{t('audio.serverSaid', { detail: failure.detail })}</p>}
          <button type="button" class="button small" data-testid="audio-retry" onClick={actions.retry}>
            {t('audio.retry')}
          </button>
        </div>
      )}
      {state.micProblem && (
        <div class="notice notice-error audio-notice" role="alert" data-testid="mic-problem" data-problem={state.micProblem}>
          <p>{t(`audio.mic.problem.${state.micProblem}`)}</p>
          {state.micProblem === 'failed' && state.micProblemDetail && <p class="notice-detail">{state.micProblemDetail}</p>}
        </div>
      )}
      {muted && mayUseMic && state.mic === 'on' && (
        <p class="notice" role="status" data-testid="mic-muted">
          {t('audio.mic.mutedByLecturer')}
        </p>
      )}

      {state.remote.map((remote) => (
        <RemoteAudioElement key={remote.id} remote={remote} />
      ))}
    </div>
  )
}

function statusDot(status: AudioSnapshot['status']): string {
  if (status === 'connected') return 'connected'
  if (status === 'failed' || status === 'idle') return 'disconnected'
  return 'connecting'
}

function MicButton({ state, role, actions }: { state: AudioSnapshot; role: Role; actions: AudioActions }) {
  if (state.mic === 'on') {
    return (
      <button type="button" class="button" data-testid="mic-off" onClick={actions.micOff}>
        {t('audio.mic.off')}
      </button>
    )
  }
  const requesting = state.mic === 'requesting'
  let label = role === 'student' ? t('audio.mic.floorOn') : t('audio.mic.on')
  if (requesting) label = t('audio.mic.requesting')
  return (
    <button type="button" class="button primary" data-testid="mic-on" disabled={requesting} onClick={actions.micOn}>
      {label}
    </button>
  )
}

/** Plays one remote track. Joining audio is a click, so autoplay policies let it start. */
function RemoteAudioElement({ remote }: { remote: RemoteAudio }) {
  const ref = useRef<HTMLAudioElement>(null)
  useEffect(() => {
    const element = ref.current
    if (!element) return
    element.srcObject = remote.stream
    // play() returns no promise in older browsers and in jsdom.
    element.play()?.catch((error: unknown) => console.warn('audio: playing a remote track failed', { id: remote.id, error }))
    return () => {
      element.srcObject = null
    }
  }, [remote.stream, remote.id])
  return <audio ref={ref} autoplay data-testid="remote-audio" data-slot={remote.id} />
}
