import { useState } from 'preact/hooks'
import { api, getRoomSeat, normalizeCode, setRoomSeat } from '../api'
import { t } from '../i18n'
import { ErrorNotice, Layout, PageHeading } from './Layout'
import { takePageNotice } from './pageNotice'
import { navigate, onLinkClick } from './router'

export function JoinPage({ code: rawCode }: { code: string }) {
  const code = normalizeCode(rawCode)
  const existing = getRoomSeat(code)
  const [notice] = useState(() => takePageNotice(`/join/${code}`))
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const result = await api.joinRoom(code, name.trim())
      const roomCode = normalizeCode(result.room.code)
      setRoomSeat(roomCode, { token: result.token, participant_id: result.participant_id, name: name.trim() })
      navigate(`/room/${roomCode}`)
    } catch (failure) {
      setError(failure)
      setBusy(false)
    }
  }

  return (
    <Layout title={t('join.title')}>
      <section class="card narrow" aria-labelledby="join-heading">
        <PageHeading>
          <span id="join-heading">{t('join.title')}</span>
        </PageHeading>
        <p>
          {t('join.roomCode')} <code data-testid="join-code">{code}</code>
        </p>
        {notice && (
          <p class="notice" role="status" data-testid="join-notice">
            {t(notice)}
          </p>
        )}
        {existing && (
          <p class="notice">
            {t('join.alreadyJoined', { name: existing.name })}{' '}
            <a href={`/room/${code}`} onClick={onLinkClick} data-testid="join-continue">
              {t('join.continue')}
            </a>
          </p>
        )}
        <form class="form" onSubmit={submit}>
          <div class="field">
            <label for="join-name">{t('join.name')}</label>
            <input
              id="join-name"
              data-testid="join-name"
              required
              maxLength={80}
              autocomplete="nickname"
              aria-describedby="join-name-hint"
              value={name}
              onInput={(event) => setName(event.currentTarget.value)}
            />
            <p id="join-name-hint" class="hint">
              {t('join.nameHint')}
            </p>
          </div>
          <ErrorNotice error={error} context="join" testId="join-error" />
          <button type="submit" class="button primary" data-testid="join-submit" disabled={busy}>
            {busy ? t('join.submitting') : t('join.submit')}
          </button>
        </form>
      </section>
    </Layout>
  )
}
