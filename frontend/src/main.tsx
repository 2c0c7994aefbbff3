import { render } from 'preact'
import { useCallback, useEffect, useState } from 'preact/hooks'
import { getLecturerToken, setLecturerToken } from './api'
import { applyDocumentLanguage, getLanguage, onLanguageChange } from './i18n'
import { t } from './i18n'
import { DashboardPage } from './pages/Dashboard'
import { JoinPage } from './pages/Join'
import { Layout, PageHeading } from './pages/Layout'
import { LoginPage } from './pages/Login'
import { QuizEditorPage } from './pages/quizzes/QuizEditorPage'
import { QuizListPage } from './pages/quizzes/QuizListPage'
import { LoginRedirect } from './pages/quizzes/session'
import { RoomPage } from './pages/room/RoomPage'
import { onLinkClick, useRoute } from './pages/router'
import './styles.css'

function App() {
  const route = useRoute()
  const [, setLanguage] = useState(getLanguage())
  const [token, setToken] = useState(getLecturerToken)

  // Pages call t() while rendering, so re-rendering from the root is enough
  // to switch language.
  useEffect(() => onLanguageChange(setLanguage), [])

  const logout = useCallback(() => {
    setLecturerToken(null)
    setToken(null)
  }, [])

  switch (route.name) {
    case 'home':
      return token ? <DashboardPage token={token} onLogout={logout} /> : <LoginPage onLogin={setToken} />
    case 'join':
      return <JoinPage key={route.code ?? ''} code={route.code} />
    case 'room':
      return <RoomPage code={route.code} onLogout={logout} />
    case 'quizzes':
      return token ? <QuizListPage token={token} onLogout={logout} /> : <LoginRedirect />
    case 'quiz':
      // Not keyed by id: the first save of a draft changes the URL to the new
      // id, and the editor stays as it is.
      return token ? <QuizEditorPage token={token} id={route.id} onLogout={logout} /> : <LoginRedirect />
    case 'not-found':
      return (
        <Layout title={t('notFound.title')}>
          <PageHeading>{t('notFound.title')}</PageHeading>
          <p>{t('notFound.text', { path: route.path })}</p>
          <ul class="link-list">
            <li>
              <a href="/join" onClick={onLinkClick}>
                {t('notFound.join')}
              </a>
            </li>
            <li>
              <a href="/" onClick={onLinkClick}>
                {t('app.home')}
              </a>
            </li>
          </ul>
        </Layout>
      )
  }
}

applyDocumentLanguage()
render(<App />, document.getElementById('app')!)
