// @vitest-environment jsdom
import { render } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setLanguage } from '../../i18n'
import { ExportPanel, attachmentName, exportUrl } from './ExportPanel'

let container: HTMLElement

beforeEach(() => {
  setLanguage('en')
  container = document.createElement('div')
  document.body.append(container)
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  // jsdom has no object URLs.
  URL.createObjectURL = vi.fn(() => 'blob:export')
  URL.revokeObjectURL = vi.fn()
})

afterEach(() => {
  act(() => render(null, container))
  container.remove()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

const byTestId = (id: string) => container.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)

/** Clicks an export button and waits until the panel is idle again. */
async function clickAndSettle(id: string) {
  await act(async () => {
    byTestId(id)?.click()
    await new Promise((resolve) => setTimeout(resolve, 0))
  })
}

describe('exportUrl', () => {
  it('builds each export URL', () => {
    expect(exportUrl('abc-def', 'page', 'p 1')).toBe('/api/v1/rooms/abc-def/export.png?page=p%201')
    expect(exportUrl('abc-def', 'board', 'p1')).toBe('/api/v1/rooms/abc-def/export.png')
    expect(exportUrl('abc-def', 'pdf', null)).toBe('/api/v1/rooms/abc-def/export.pdf')
  })
})

describe('attachmentName', () => {
  it('reads the quoted file name', () => {
    expect(attachmentName('attachment; filename="lectern-abc-page-2.png"', 'x.png')).toBe('lectern-abc-page-2.png')
  })

  it('falls back without a header', () => {
    expect(attachmentName(null, 'lectern-abc.pdf')).toBe('lectern-abc.pdf')
  })
})

describe('ExportPanel', () => {
  it('downloads the page on screen with the bearer token', async () => {
    const fetchMock = vi.fn(async () => new Response(new Blob(['png']), { status: 200, headers: { 'content-disposition': 'attachment; filename="lectern-abc-page-1.png"' } }))
    vi.stubGlobal('fetch', fetchMock)
    const clicked: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download)
    })
    act(() => render(<ExportPanel code="abc" token="secret" currentPageId={() => 'page-7'} />, container))

    await clickAndSettle('export-page')

    expect(fetchMock).toHaveBeenCalledTimes(1)
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/rooms/abc/export.png?page=page-7')
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer secret')
    expect(clicked).toEqual(['lectern-abc-page-1.png'])
    expect(byTestId('export-error')).toBeNull()
  })

  it('shows the server error of a failed export', async () => {
    const body = JSON.stringify({ error: { code: 'forbidden', message: 'only the room lecturer may export the board' } })
    vi.stubGlobal('fetch', vi.fn(async () => new Response(body, { status: 403, headers: { 'content-type': 'application/json' } })))
    act(() => render(<ExportPanel code="abc" token="secret" currentPageId={() => 'page-7'} />, container))

    await clickAndSettle('export-pdf')

    expect(byTestId('export-error')?.textContent).toContain('You do not have permission to do this.')
    expect(byTestId('export-pdf')?.disabled).toBe(false)
  })

  it('asks for a page before the board has one', async () => {
    const fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    act(() => render(<ExportPanel code="abc" token="secret" currentPageId={() => null} />, container))

    await clickAndSettle('export-page')

    expect(fetchMock).not.toHaveBeenCalled()
    expect(byTestId('export-error')?.textContent).toContain('The board has no page to export yet.')
  })
})
