import { useState } from 'preact/hooks'
import { api, setLecturerToken } from '../api'
import { t } from '../i18n'
import { ErrorNotice, Layout, PageHeading } from './Layout'
import { takePageNotice } from './pageNotice'
import { onLinkClick } from './router'

export function LoginPage({ onLogin }: { onLogin: (token: string) => void }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [notice] = useState(() => takePageNotice('/'))

  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const { token } = await api.login(email.trim(), password)
      setLecturerToken(token)
      onLogin(token)
    } catch (failure) {
      setError(failure)
      setBusy(false)
    }
  }

  return (
    <Layout title={t('login.title')}>
      <section class="card narrow" aria-labelledby="login-heading">
        <PageHeading>
          <span id="login-heading">{t('login.title')}</span>
        </PageHeading>
        {notice && (
          <p class="notice" role="status" data-testid="login-notice">
            {t(notice)}
          </p>
        )}
        <p>{t('login.intro')}</p>
        <form onSubmit={submit} class="form">
          <div class="field">
            <label for="login-email">{t('login.email')}</label>
            <input
              id="login-email"
              data-testid="login-email"
              type="email"
              autocomplete="username"
              required
              value={email}
              onInput={(event) => setEmail(event.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="login-password">{t('login.password')}</label>
            <input
              id="login-password"
              data-testid="login-password"
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(event) => setPassword(event.currentTarget.value)}
            />
          </div>
          <ErrorNotice error={error} context="login" testId="login-error" />
          <button type="submit" class="button primary" data-testid="login-submit" disabled={busy}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
      </section>
      <section class="card narrow student-entry" aria-labelledby="student-entry-heading">
        <h2 id="student-entry-heading">{t('login.studentHeading')}</h2>
        <p>{t('login.studentHint')}</p>
        <p>
          <a class="button" href="/join" onClick={onLinkClick} data-testid="login-join-link">
            {t('login.joinLink')}
          </a>
        </p>
      </section>
    </Layout>
  )
}
