import { useState } from 'preact/hooks'
import { api, type Room } from '../../api'
import { t } from '../../i18n'
import { ErrorNotice } from '../Layout'
import { ShowQrButton } from '../JoinQrDialog'
import { RoomCode } from '../RoomCode'

interface RoomSettingsProps {
  room: Room
  token: string
  studentsCanDraw: boolean
  roomClosed: boolean
  onRoomChanged: (room: Room) => void
}

/** Renders the lecturer's controls: the allow-everyone toggle and closing the room. */
export function RoomSettings({ room, token, studentsCanDraw, roomClosed, onRoomChanged }: RoomSettingsProps) {
  const [busy, setBusy] = useState(false)
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState<unknown>(null)

  const setAll = async (allowed: boolean) => {
    setBusy(true)
    setError(null)
    try {
      onRoomChanged(await api.setStudentsCanDraw(token, room.code, allowed))
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  const close = async () => {
    setError(null)
    try {
      onRoomChanged(await api.closeRoom(token, room.code))
    } catch (failure) {
      setError(failure)
    } finally {
      setConfirming(false)
    }
  }

  return (
    <section class="panel" aria-labelledby="settings-heading">
      <h2 id="settings-heading">{t('settings.heading')}</h2>
      <label class="toggle">
        <input
          type="checkbox"
          data-testid="allow-draw-all"
          checked={studentsCanDraw}
          disabled={busy || roomClosed}
          onChange={(event) => setAll(event.currentTarget.checked)}
        />
        <span>{t('settings.allowAll')}</span>
      </label>
      <ErrorNotice error={error} />
      {!roomClosed &&
        (confirming ? (
          <div class="actions">
            <span class="confirm-text">{t('room.closeConfirm')}</span>
            <button type="button" class="button danger" data-testid="close-room-confirm" onClick={close}>
              {t('room.closeConfirmYes')}
            </button>
            <button type="button" class="button" onClick={() => setConfirming(false)}>
              {t('app.cancel')}
            </button>
          </div>
        ) : (
          <button type="button" class="button" data-testid="close-room" onClick={() => setConfirming(true)}>
            {t('room.close')}
          </button>
        ))}
    </section>
  )
}

/** Renders what the lecturer shares with students: the code, the join link and the QR code button. */
export function InvitePanel({ room }: { room: Room }) {
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null)

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(room.join_url)
      setCopied('copied')
    } catch (failure) {
      // Clipboard access needs a secure context and permission. The link
      // stays selectable in the field above the button.
      console.warn('copying the join link failed', failure)
      setCopied('failed')
    }
  }

  return (
    <section class="panel invite" aria-labelledby="invite-heading">
      <h2 id="invite-heading">{t('settings.inviteHeading')}</h2>
      <p class="invite-code">
        <span class="invite-label">{t('room.code')}</span>
        <RoomCode code={room.code} large testId="room-code" />
      </p>
      <div class="field">
        <label for="join-link-field">{t('room.joinLink')}</label>
        <input
          id="join-link-field"
          class="link-field"
          data-testid="join-link"
          readOnly
          value={room.join_url}
          onFocus={(event) => event.currentTarget.select()}
        />
        <div class="actions">
          <button type="button" class="button" data-testid="copy-join-link" onClick={copy}>
            {t('settings.copyLink')}
          </button>
          <ShowQrButton room={room} />
        </div>
        <p class="hint" role="status">
          {copied === 'copied' && t('settings.copied')}
          {copied === 'failed' && t('settings.copyFailed')}
        </p>
      </div>
    </section>
  )
}
