// The floor panel of the side panel: who speaks, with the time left of a
// timed grant, and the queue of raised hands in order. Everyone sees both.
// The lecturer also gets the actions: grant (plain, with the board, timed),
// revoke, lower one hand and lower all.

import { useEffect, useState } from 'preact/hooks'
import { hasKey, t } from '../../../i18n'
import { HandIcon } from '../../HandIcon'
import { remainingMs } from '../control/clock'
import { SpeakingIndicator } from './SpeakingIndicator'
import type { FloorViewState } from './floorState'
import type { FloorCommand, QueueEntry, Speaker } from './types'

/** Time limits the lecturer picks from for a timed grant, in seconds. */
export const GRANT_DURATIONS_SECS: readonly number[] = [30, 60, 120, 300]

const DEFAULT_DURATION_SECS = 60

/** Formats whole seconds as `m:ss`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds))
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`
}

function durationLabel(seconds: number): string {
  return seconds < 60 ? t('audio.floor.seconds', { n: seconds }) : t('audio.floor.minutes', { n: seconds / 60 })
}

/** Returns the current time, updated every second while `ticking` is true. */
export function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!ticking) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [ticking])
  return now
}

/** Returns the translated text of a failed floor request. */
export function floorErrorText(error: { code: string; message: string }): string {
  const key = `audio.errors.${error.code}`
  return hasKey(key) ? t(key, { message: error.message }) : t('audio.errors.other', { message: error.message || error.code })
}

interface FloorPanelProps {
  state: FloorViewState
  onSend: (command: FloorCommand) => void
  onDismissError: () => void
}

export function FloorPanel({ state, onSend, onDismissError }: FloorPanelProps) {
  const floor = state.floor
  const isLecturer = state.self?.role === 'lecturer'
  const selfId = state.self?.participantId
  const [durationSecs, setDurationSecs] = useState(DEFAULT_DURATION_SECS)
  const now = useNow(floor !== null && (floor.queue.length > 0 || floor.speakers.some((speaker) => speaker.until !== null)))
  if (!floor) return null

  const speakingSet = new Set(state.speaking)
  const error = state.error

  return (
    <section class="panel floor-panel" aria-labelledby="floor-heading" data-testid="floor-panel">
      <h2 id="floor-heading">{t('audio.floor.heading')}</h2>

      <h3 class="floor-subheading">{t('audio.floor.speakers')}</h3>
      {floor.speakers.length === 0 ? (
        <p class="hint" data-testid="floor-nobody">
          {t('audio.floor.nobody')}
        </p>
      ) : (
        <ul class="floor-list" data-testid="floor-speakers">
          {floor.speakers.map((speaker) => (
            <SpeakerItem
              key={speaker.participant_id}
              speaker={speaker}
              speaking={speakingSet.has(speaker.participant_id)}
              isSelf={speaker.participant_id === selfId}
              secondsLeft={speaker.until === null ? null : Math.ceil(remainingMs(speaker.until, state.offset, now) / 1000)}
              onRevoke={isLecturer ? () => onSend({ type: 'floor.revoke', participant_id: speaker.participant_id }) : undefined}
            />
          ))}
        </ul>
      )}

      <h3 class="floor-subheading">
        {t('audio.floor.queue')} <span class="count">{t('audio.floor.queueCount', { count: floor.queue.length })}</span>
      </h3>
      {isLecturer && floor.queue.length > 0 && (
        <div class="floor-queue-tools">
          <label class="field-inline">
            <span>{t('audio.floor.duration')}</span>
            <select
              data-testid="grant-duration"
              value={String(durationSecs)}
              onChange={(event) => setDurationSecs(Number(event.currentTarget.value))}
            >
              {GRANT_DURATIONS_SECS.map((seconds) => (
                <option key={seconds} value={String(seconds)}>
                  {durationLabel(seconds)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="button small" data-testid="lower-all-hands" onClick={() => onSend({ type: 'hand.lower_all' })}>
            {t('audio.floor.lowerAll')}
          </button>
        </div>
      )}
      {floor.queue.length === 0 ? (
        <p class="hint" data-testid="hand-queue-empty">
          {t('audio.floor.queueEmpty')}
        </p>
      ) : (
        <ol class="floor-list" data-testid="hand-queue">
          {floor.queue.map((entry, index) => (
            <QueueItem
              key={entry.participant_id}
              entry={entry}
              position={index + 1}
              isSelf={entry.participant_id === selfId}
              waitedSecs={Math.max(0, (now + state.offset - entry.raised_at) / 1000)}
              actions={isLecturer ? { onSend, durationSecs } : undefined}
            />
          ))}
        </ol>
      )}

      {error && (
        <div class="notice notice-error" role="alert" data-testid="floor-error" data-code={error.code}>
          <p>{floorErrorText(error)}</p>
          {error.code === 'floor_full' && error.command.type === 'floor.grant' && (
            <button
              type="button"
              class="button small"
              data-testid="grant-replace"
              onClick={() => onSend({ ...(error.command as Extract<FloorCommand, { type: 'floor.grant' }>), replace: true })}
            >
              {t('audio.floor.replace')}
            </button>
          )}
          <button type="button" class="button small" onClick={onDismissError}>
            {t('app.dismiss')}
          </button>
        </div>
      )}
    </section>
  )
}

interface SpeakerItemProps {
  speaker: Speaker
  speaking: boolean
  isSelf: boolean
  /** Whole seconds until the server revokes the floor, or null for a grant without a limit. */
  secondsLeft: number | null
  onRevoke?: () => void
}

function SpeakerItem({ speaker, speaking, isSelf, secondsLeft, onRevoke }: SpeakerItemProps) {
  return (
    <li class="floor-item" data-testid="floor-speaker" data-participant-id={speaker.participant_id} data-to-board={String(speaker.to_board)}>
      <span class="floor-name">
        <SpeakingIndicator speaking={speaking} />
        {speaker.name}
        {isSelf && <span class="tag">{t('audio.floor.you')}</span>}
        {speaker.to_board && <span class="tag">{t('audio.floor.toBoard')}</span>}
      </span>
      {secondsLeft !== null && (
        <span class="status-tag" data-testid="floor-remaining" data-seconds={String(secondsLeft)}>
          {t('audio.floor.remaining', { time: formatDuration(secondsLeft) })}
        </span>
      )}
      {onRevoke && (
        <button
          type="button"
          class="button small"
          data-testid="revoke-floor"
          data-participant-id={speaker.participant_id}
          aria-label={t('audio.floor.revokeLabel', { name: speaker.name })}
          onClick={onRevoke}
        >
          {t('audio.floor.revoke')}
        </button>
      )}
    </li>
  )
}

interface QueueItemProps {
  entry: QueueEntry
  position: number
  isSelf: boolean
  waitedSecs: number
  actions?: { onSend: (command: FloorCommand) => void; durationSecs: number }
}

function QueueItem({ entry, position, isSelf, waitedSecs, actions }: QueueItemProps) {
  const id = entry.participant_id
  const name = entry.name
  return (
    <li class="floor-item" data-testid="hand-queue-item" data-participant-id={id} data-position={String(position)}>
      <span class="floor-name">
        <HandIcon /> {name}
        {isSelf && <span class="tag">{t('audio.floor.you')}</span>}
      </span>
      <span class="status-tag" data-testid="hand-waiting">
        {t('audio.floor.waiting', { time: formatDuration(waitedSecs) })}
      </span>
      {actions && (
        <span class="floor-actions">
          <button
            type="button"
            class="button small primary"
            data-testid="grant-floor"
            data-participant-id={id}
            aria-label={t('audio.floor.grantLabel', { name })}
            onClick={() => actions.onSend({ type: 'floor.grant', participant_id: id })}
          >
            {t('audio.floor.grant')}
          </button>
          <button
            type="button"
            class="button small"
            data-testid="grant-board"
            data-participant-id={id}
            aria-label={t('audio.floor.grantBoardLabel', { name })}
            onClick={() => actions.onSend({ type: 'floor.grant', participant_id: id, to_board: true })}
          >
            {t('audio.floor.grantBoard')}
          </button>
          <button
            type="button"
            class="button small"
            data-testid="grant-timed"
            data-participant-id={id}
            aria-label={t('audio.floor.grantTimedLabel', { name })}
            onClick={() => actions.onSend({ type: 'floor.grant', participant_id: id, duration_secs: actions.durationSecs })}
          >
            {t('audio.floor.grantTimed')} ({durationLabel(actions.durationSecs)})
          </button>
          <button
            type="button"
            class="button small"
            data-testid="queue-lower-hand"
            data-participant-id={id}
            aria-label={t('audio.floor.lowerHandLabel', { name })}
            onClick={() => actions.onSend({ type: 'hand.lower', participant_id: id })}
          >
            {t('audio.floor.lowerHand')}
          </button>
        </span>
      )}
    </li>
  )
}
