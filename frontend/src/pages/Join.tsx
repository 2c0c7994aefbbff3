import { useRef, useState } from 'preact/hooks'
import { api, getRoomSeat, isPlausibleCode, normalizeCode, setRoomSeat } from '../api'
import { t } from '../i18n'
import { ErrorNotice, Layout, PageHeading } from './Layout'
import { takePageNotice } from './pageNotice'
import { RoomCode } from './RoomCode'
import { navigate, onLinkClick } from './router'

/**
 * Renders the students' join form. At `/join/<code>` (the join link) the
 * code is fixed and shown, and at `/join` the student types it.
 */
export function JoinPage({ code: rawCode }: { code: string | null }) {
  const fixedCode = rawCode === null ? null : normalizeCode(rawCode)
  const existing = fixedCode === null ? null : getRoomSeat(fixedCode)
  const [notice] = useState(() => takePageNotice(fixedCode === null ? '/join' : `/join/${fixedCode}`))
  const [typedCode, setTypedCode] = useState('')
  const [codeInvalid, setCodeInvalid] = useState(false)
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const codeField = useRef<HTMLInputElement>(null)

  const submit = async (event: Event) => {
    event.preventDefault()
    const code = fixedCode ?? normalizeCode(typedCode)
    if (!isPlausibleCode(code)) {
      setCodeInvalid(true)
      codeField.current?.focus()
      return
    }
    setCodeInvalid(false)
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
        {fixedCode !== null && (
          <p class="join-code-line">
            <span>{t('join.roomCode')}</span> <RoomCode code={fixedCode} large testId="join-code" />
          </p>
        )}
        {notice && (
          <p class="notice" role="status" data-testid="join-notice">
            {t(notice)}
          </p>
        )}
        {existing && fixedCode !== null && (
          <p class="notice">
            {t('join.alreadyJoined', { name: existing.name })}{' '}
            <a href={`/room/${fixedCode}`} onClick={onLinkClick} data-testid="join-continue">
              {t('join.continue')}
            </a>
          </p>
        )}
        <form class="form" onSubmit={submit}>
          {fixedCode === null && (
            <div class="field">
              <label for="join-code">{t('join.codeLabel')}</label>
              <input
                id="join-code"
                ref={codeField}
                class="code-input"
                data-testid="join-code"
                required
                maxLength={40}
                autocomplete="off"
                autocapitalize="off"
                spellcheck={false}
                aria-invalid={codeInvalid}
                aria-describedby={codeInvalid ? 'join-code-hint join-code-error' : 'join-code-hint'}
                value={typedCode}
                onInput={(event) => {
                  setTypedCode(event.currentTarget.value)
                  setCodeInvalid(false)
                }}
              />
              <p id="join-code-hint" class="hint">
                {t('join.codeHint')}
              </p>
              {codeInvalid && (
                <p id="join-code-error" class="field-error">
                  {t('join.codeInvalid')}
                </p>
              )}
            </div>
          )}
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
        {fixedCode !== null && (
          <p class="join-other">
            <a href="/join" onClick={onLinkClick} data-testid="join-other-code">
              {t('join.otherCode')}
            </a>
          </p>
        )}
      </section>
    </Layout>
  )
}
