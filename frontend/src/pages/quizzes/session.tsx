// Session helpers of the quiz pages: the header links, the sign-out button
// and the way back to the login page.

import { useEffect } from 'preact/hooks'
import { ApiError } from '../../api'
import { t } from '../../i18n'
import { leavePageNotice } from '../pageNotice'
import { navigate, onLinkClick } from '../router'
import { signOut } from '../session'

/** Sends a visitor without a lecturer token to the login page at `/`. */
export function LoginRedirect() {
  useEffect(() => navigate('/', { replace: true }), [])
  return null
}

/**
 * Handles a failed request of a quiz page. A 401 means that the login
 * expired, so the login page opens with a notice. Any other error goes to
 * `show`.
 */
export function handleFailure(error: unknown, show: (error: unknown) => void, onLogout: () => void): void {
  if (error instanceof ApiError && error.status === 401) {
    leavePageNotice('/', 'login.sessionExpired')
    onLogout()
  } else {
    show(error)
  }
}

/** Renders the header links to the rooms and quizzes, and the sign-out button. */
export function QuizHeaderLinks({ token, onLogout, current }: { token: string; onLogout: () => void; current: 'list' | 'editor' }) {
  return (
    <>
      <a href="/" onClick={onLinkClick} data-testid="rooms-link">
        {t('authoring.nav.rooms')}
      </a>
      <a href="/quizzes" onClick={onLinkClick} data-testid="quizzes-link" aria-current={current === 'list' ? 'page' : undefined}>
        {t('authoring.nav.quizzes')}
      </a>
      <button
        type="button"
        class="button"
        data-testid="logout"
        onClick={async () => {
          await signOut(token)
          onLogout()
        }}
      >
        {t('dashboard.logout')}
      </button>
    </>
  )
}
