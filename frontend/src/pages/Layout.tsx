// The frame every page shares: skip link, header with the site name and the
// language switch, and the main landmark.

import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { getLanguage, hasKey, isLanguage, LANGUAGES, setLanguage, t } from '../i18n'
import { hasNavigated, onLinkClick } from './router'
import { ApiError } from '../api'

const LANGUAGE_NAMES: Record<string, string> = { en: 'English', ru: 'Русский' }

export function LanguageSwitch() {
  return (
    <div class="language-switch">
      <label for="language-select">{t('app.language')}</label>
      <select
        id="language-select"
        data-testid="language-select"
        value={getLanguage()}
        onChange={(event) => {
          const value = event.currentTarget.value
          if (isLanguage(value)) setLanguage(value)
        }}
      >
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {LANGUAGE_NAMES[language]}
          </option>
        ))}
      </select>
    </div>
  )
}

interface LayoutProps {
  /** Page heading; also sets the document title. */
  title: string
  /** Extra header content, such as the signed-in user and a logout button. */
  headerEnd?: ComponentChildren
  /** Class of <main>, by default the centred single-column page. */
  mainClass?: string
  /** Complementary content shown beside <main>, as a top-level <aside>. */
  aside?: ComponentChildren
  /** Accessible name of the aside. */
  asideLabel?: string
  children: ComponentChildren
}

export function Layout({ title, headerEnd, mainClass, aside, asideLabel, children }: LayoutProps) {
  useEffect(() => {
    document.title = `${title} · Lectern`
  }, [title])

  return (
    <>
      <a class="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header class="site-header">
        <a class="brand" href="/" onClick={onLinkClick}>
          Lectern
        </a>
        <nav class="header-nav" aria-label={t('app.navLabel')}>
          {headerEnd}
          <LanguageSwitch />
        </nav>
      </header>
      <div class={aside ? 'layout-body with-aside' : 'layout-body'}>
        <main id="main" class={mainClass ?? 'page'} tabIndex={-1}>
          {children}
        </main>
        {aside && (
          <aside class="side-panel" aria-label={asideLabel}>
            {aside}
          </aside>
        )}
      </div>
    </>
  )
}

/** Renders the page's <h1>, which takes focus after in-app navigation so screen readers announce the new page. */
export function PageHeading({ children, class: className }: { children: ComponentChildren; class?: string }) {
  const ref = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    // Only after in-app navigation: on the first load the first Tab should
    // still reach the skip link.
    if (hasNavigated()) ref.current?.focus()
  }, [])
  return (
    <h1 ref={ref} tabIndex={-1} class={className}>
      {children}
    </h1>
  )
}

/** Error codes that stand for each HTTP status, for responses whose own code has no translation. */
const STATUS_CODES: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  429: 'rate_limited',
}

/**
 * Returns the locale key describing a failed request: its code in
 * `context`, then its code alone, then the same two for its HTTP status.
 * Returns null when none of them has a text.
 */
export function errorKey(error: ApiError, context?: string): string | null {
  const statusCode = STATUS_CODES[error.status] ?? (error.status >= 500 ? 'internal' : null)
  const codes = statusCode ? [error.code, statusCode] : [error.code]
  for (const code of codes) {
    if (context && hasKey(`errors.${context}.${code}`)) return `errors.${context}.${code}`
    if (hasKey(`errors.${code}`)) return `errors.${code}`
  }
  return null
}

/**
 * Renders an error notice. A request failure with a known code or status
 * shows only its translation. Otherwise the notice states that the request
 * failed and adds the server's own message, which is in English.
 */
export function ErrorNotice({ error, context, testId }: { error: unknown; context?: string; testId?: string }) {
  if (!error) return null
  let summary: string
  let detail: string | null = null
  if (error instanceof ApiError) {
    // The server's rate limits count per minute, so without Retry-After a
    // minute is the longest wait.
    const key = errorKey(error, context)
    summary = key ? t(key, { seconds: error.retryAfter ?? 60 }) : t('errors.unknown', { status: error.status })
    if (!key) detail = error.message
  } else {
    summary = error instanceof Error ? error.message : String(error)
  }
  return (
    <div class="notice notice-error" role="alert" data-testid={testId ?? 'error'}>
      <p>{summary}</p>
      {detail && <p class="notice-detail">{detail}</p>}
    </div>
  )
}
