// The lecturer's board export: the page on screen or the whole board as PNG,
// and the whole lecture as PDF, each rendered by the server.

import { useState } from 'preact/hooks'
import { ApiError, parseError } from '../../api'
import { t } from '../../i18n'
import { ErrorNotice } from '../Layout'

export type ExportKind = 'page' | 'board' | 'pdf'

/** Returns the export URL of `kind` for room `code`; `pageId` is used for `page` only. */
export function exportUrl(code: string, kind: ExportKind, pageId: string | null): string {
  const room = `/api/v1/rooms/${encodeURIComponent(code)}`
  switch (kind) {
    case 'page':
      return `${room}/export.png?page=${encodeURIComponent(pageId ?? '')}`
    case 'board':
      return `${room}/export.png`
    case 'pdf':
      return `${room}/export.pdf`
  }
}

/** Returns the file name the server suggests in Content-Disposition, or `fallback`. */
export function attachmentName(disposition: string | null, fallback: string): string {
  const match = disposition ? /filename="([^"]+)"/.exec(disposition) : null
  return match ? match[1] : fallback
}

/**
 * Fetches an export with the bearer token and saves it through a temporary
 * link, so the download works without the login cookie.
 */
async function download(url: string, token: string, fallbackName: string): Promise<void> {
  let response: Response
  try {
    response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, credentials: 'same-origin' })
  } catch (error) {
    throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error))
  }
  if (!response.ok) throw await parseError(response)

  const blob = await response.blob()
  const objectUrl = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = objectUrl
  link.download = attachmentName(response.headers.get('content-disposition'), fallbackName)
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(objectUrl), 0)
}

interface ExportPanelProps {
  code: string
  token: string
  /** Returns the id of the page on screen, or null before the board mounts. */
  currentPageId: () => string | null
}

export function ExportPanel({ code, token, currentPageId }: ExportPanelProps) {
  const [busy, setBusy] = useState<ExportKind | null>(null)
  const [error, setError] = useState<unknown>(null)

  const start = async (kind: ExportKind) => {
    setError(null)
    const pageId = currentPageId()
    if (kind === 'page' && !pageId) {
      setError(new Error(t('export.noPage')))
      return
    }
    setBusy(kind)
    try {
      const fallback = kind === 'pdf' ? `lectern-${code}.pdf` : `lectern-${code}.png`
      await download(exportUrl(code, kind, pageId), token, fallback)
    } catch (failure) {
      console.warn('exporting the board failed', { kind, failure })
      setError(failure)
    } finally {
      setBusy(null)
    }
  }

  const button = (kind: ExportKind, label: string) => (
    <button type="button" class="button small" data-testid={`export-${kind}`} disabled={busy !== null} aria-busy={busy === kind} onClick={() => void start(kind)}>
      {busy === kind ? t('export.working') : label}
    </button>
  )

  return (
    <section class="panel export" aria-labelledby="export-heading" data-testid="export-panel">
      <h2 id="export-heading">{t('export.heading')}</h2>
      <p class="actions">
        {button('page', t('export.page'))}
        {button('board', t('export.board'))}
        {button('pdf', t('export.pdf'))}
      </p>
      <ErrorNotice error={error} testId="export-error" />
    </section>
  )
}
