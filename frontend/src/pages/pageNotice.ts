// A notice that one page leaves for the page it navigates to, such as "your
// session expired" for the login page. It lives in memory only, so it
// survives in-app navigation but not a reload.

let pending: { path: string; key: string } | null = null

/** Stores the locale key of a notice for the next page rendered at `path`, replacing any earlier one. */
export function leavePageNotice(path: string, key: string): void {
  pending = { path, key }
}

/** Returns the notice left for `path` and clears it, or returns null when there is none. */
export function takePageNotice(path: string): string | null {
  if (pending === null || pending.path !== path) return null
  const { key } = pending
  pending = null
  return key
}
