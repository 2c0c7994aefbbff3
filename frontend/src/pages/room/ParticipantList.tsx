import { useState } from 'preact/hooks'
import { api } from '../../api'
import { t } from '../../i18n'
import { ErrorNotice } from '../Layout'
import type { ParticipantRow } from './presence'
import { HandIcon } from '../HandIcon'
import { SpeakingIndicator } from './floor/SpeakingIndicator'

/** Audio state of the participants, from `speaking` and `floor.state`. */
export interface ParticipantAudio {
  speaking: ReadonlySet<string>
  muted: ReadonlySet<string>
  /** The lecturer's mute toggle: `muted` true sends `audio.mute`. Absent for students. */
  onMute?: (participantId: string, muted: boolean) => void
}

interface ParticipantListProps {
  rows: ParticipantRow[]
  /** The lecturer's token and room code; absent for students, who get no toggles. */
  manage?: { token: string; code: string; onChanged: (id: string, canDraw: boolean) => void }
  audio?: ParticipantAudio
}

export function ParticipantList({ rows, manage, audio }: ParticipantListProps) {
  const [pending, setPending] = useState<Set<string>>(new Set())
  const [error, setError] = useState<unknown>(null)
  const online = rows.filter((row) => row.online).length

  const toggle = async (row: ParticipantRow, allowed: boolean) => {
    if (!manage) return
    setError(null)
    setPending((set) => new Set(set).add(row.id))
    try {
      const result = await api.setParticipantCanDraw(manage.token, manage.code, row.id, allowed)
      manage.onChanged(result.id, result.can_draw)
    } catch (failure) {
      setError(failure)
    } finally {
      setPending((set) => {
        const next = new Set(set)
        next.delete(row.id)
        return next
      })
    }
  }

  return (
    <section class="panel" aria-labelledby="participants-heading">
      <h2 id="participants-heading">
        {t('participants.heading')} <span class="count">{t('participants.onlineCount', { online, total: rows.length })}</span>
      </h2>
      <ErrorNotice error={error} />
      {rows.length === 0 ? (
        <p>{t('participants.empty')}</p>
      ) : (
        <ul class="participant-list" data-testid="participant-list">
          {rows.map((row) => (
            <li
              key={row.id}
              class={row.online ? 'participant online' : 'participant'}
              data-testid="participant"
              data-participant-id={row.id}
              data-online={String(row.online)}
              data-can-draw={String(row.canDraw)}
              data-hand={String(row.hand)}
              data-awareness-hand={String(row.awarenessHand)}
              data-muted={String(audio?.muted.has(row.id) ?? false)}
            >
              <span class="participant-name">
                <span class={row.online ? 'presence-dot online' : 'presence-dot'} aria-hidden="true" />
                {row.name}
                {audio && <SpeakingIndicator speaking={audio.speaking.has(row.id)} />}
                {row.isSelf && <span class="tag">{t('participants.you')}</span>}
                {row.role === 'lecturer' && <span class="tag">{t('participants.lecturer')}</span>}
              </span>
              <span class="participant-status">
                <span class="visually-hidden">{row.online ? t('participants.online') : t('participants.offline')}. </span>
                {row.hand && (
                  <span class="status-tag hand" data-testid="hand-raised">
                    <HandIcon />{' '}
                    {t('participants.handRaised')}
                  </span>
                )}
                {audio?.onMute && row.role === 'student' ? (
                  <label class="toggle">
                    <input
                      type="checkbox"
                      data-testid="mute-participant"
                      data-participant-id={row.id}
                      checked={audio.muted.has(row.id)}
                      aria-label={t('audio.participant.muteLabel', { name: row.name })}
                      onChange={(event) => audio.onMute?.(row.id, event.currentTarget.checked)}
                    />
                    <span aria-hidden="true">{t('audio.participant.mute')}</span>
                  </label>
                ) : (
                  audio?.muted.has(row.id) && <span class="status-tag">{t('audio.participant.muted')}</span>
                )}
                {manage && row.role === 'student' ? (
                  <label class="toggle">
                    <input
                      type="checkbox"
                      data-testid="participant-draw-toggle"
                      data-participant-id={row.id}
                      checked={row.canDraw}
                      disabled={pending.has(row.id)}
                      aria-label={t('participants.mayDrawLabel', { name: row.name })}
                      onChange={(event) => toggle(row, event.currentTarget.checked)}
                    />
                    <span aria-hidden="true">{t('participants.mayDraw')}</span>
                  </label>
                ) : (
                  // Viewing only is the default, so only the exceptions are
                  // marked. The lecturer always draws, and a student's own
                  // state is shown in the room bar.
                  row.role === 'student' &&
                  !row.isSelf &&
                  row.canDraw && <span class="status-tag">{t('participants.canDraw')}</span>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
