// A small router over `location.pathname` using the History API.

import { useEffect, useState } from 'preact/hooks'

export type Route =
  | { name: 'home' }
  /** `code` is null at `/join`, where the student types it. */
  | { name: 'join'; code: string | null }
  | { name: 'room'; code: string }
  | { name: 'quizzes' }
  /** `id` is null at `/quizzes/new`, a draft that the first save creates. */
  | { name: 'quiz'; id: string | null }
  | { name: 'not-found'; path: string }

const NAVIGATE_EVENT = 'lectern:navigate'
let navigated = false

/** Returns whether the route changed since the page loaded (pages then move focus to their heading). */
export function hasNavigated(): boolean {
  return navigated
}

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/'
  if (path === '/') return { name: 'home' }
  if (path === '/join') return { name: 'join', code: null }
  if (path === '/quizzes') return { name: 'quizzes' }
  const quiz = /^\/quizzes\/([^/]+)$/.exec(path)
  if (quiz) {
    let id: string
    try {
      id = decodeURIComponent(quiz[1])
    } catch {
      return { name: 'not-found', path: pathname }
    }
    return { name: 'quiz', id: id === 'new' ? null : id }
  }
  const match = /^\/(join|room)\/([^/]+)$/.exec(path)
  if (match) {
    const code = decodeURIComponent(match[2])
    return match[1] === 'join' ? { name: 'join', code } : { name: 'room', code }
  }
  return { name: 'not-found', path: pathname }
}

/** Changes the URL without reloading and re-renders the app. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  navigated = true
  if (options.replace) history.replaceState(null, '', path)
  else history.pushState(null, '', path)
  window.dispatchEvent(new Event(NAVIGATE_EVENT))
}

/** Returns the current route and re-renders on back/forward and navigate(). */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname))
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname))
    const onPopState = () => {
      navigated = true
      update()
    }
    window.addEventListener('popstate', onPopState)
    window.addEventListener(NAVIGATE_EVENT, update)
    // Child effects run before this one and may already have navigated.
    update()
    return () => {
      window.removeEventListener('popstate', onPopState)
      window.removeEventListener(NAVIGATE_EVENT, update)
    }
  }, [])
  return route
}

/** Handles a click on an in-app link with navigate(), leaving modified clicks to the browser. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement | null
  if (!anchor || event.defaultPrevented || event.button !== 0) return
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  event.preventDefault()
  navigate(anchor.getAttribute('href') ?? '/')
}
