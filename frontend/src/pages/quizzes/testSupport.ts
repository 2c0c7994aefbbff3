// Helpers of the jsdom tests of the quiz pages: a fake fetch that routes
// requests to handlers and records them, and small DOM helpers.

import { type ComponentChild, render } from 'preact'
import { act } from 'preact/test-utils'

export interface RecordedRequest {
  method: string
  /** Path and query, such as `/api/v1/quizzes/import?format=gift`. */
  url: string
  headers: Record<string, string>
  body: string | undefined
}

type Handler = (request: RecordedRequest) => Response | Promise<Response>

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })
}

/** Builds the server's error body. */
export function apiError(status: number, code: string, message: string, extra: Record<string, unknown> = {}): Response {
  return json({ error: { code, message, ...extra } }, status)
}

/** A fetch replacement: `on('GET /api/v1/quizzes', handler)` routes by method and path without the query. */
export class FakeFetch {
  readonly requests: RecordedRequest[] = []
  private readonly handlers = new Map<string, Handler>()

  on(route: string, handler: Handler): this {
    this.handlers.set(route, handler)
    return this
  }

  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = String(input)
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[name.toLowerCase()] = value
    const recorded: RecordedRequest = { method: init.method ?? 'GET', url, headers, body: init.body as string | undefined }
    this.requests.push(recorded)
    const handler = this.handlers.get(`${recorded.method} ${url.split('?')[0]}`)
    if (!handler) return apiError(404, 'not_found', `no fake route for ${recorded.method} ${url}`)
    return handler(recorded)
  }

  /** Returns the requests to one route. */
  to(route: string): RecordedRequest[] {
    return this.requests.filter((request) => `${request.method} ${request.url.split('?')[0]}` === route)
  }
}

/** Renders `node` into a fresh container attached to the document. */
export function mount(node: ComponentChild): HTMLElement {
  const container = document.createElement('div')
  document.body.append(container)
  act(() => {
    render(node, container)
  })
  return container
}

export function unmount(container: HTMLElement): void {
  act(() => {
    render(null, container)
  })
  container.remove()
}

/** Waits until `check` returns a value that is not null, false or undefined, and returns it. */
export async function waitFor<T>(check: () => T | null | undefined | false, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let result: T | null | undefined | false = null
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10))
    })
    result = check()
    if (result) return result
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
  }
}

export function byTestId<T extends Element = HTMLElement>(root: ParentNode, id: string): T | null {
  return root.querySelector<T>(`[data-testid="${id}"]`)
}

export function allByTestId<T extends Element = HTMLElement>(root: ParentNode, id: string): T[] {
  return [...root.querySelectorAll<T>(`[data-testid="${id}"]`)]
}

/** Types `value` into an input or textarea as a user would, firing `input`. */
export async function type(element: Element | null, value: string): Promise<void> {
  if (!element) throw new Error('no element to type into')
  await act(() => {
    ;(element as HTMLInputElement).value = value
    element.dispatchEvent(new Event('input', { bubbles: true }))
  })
}

/** Sets a select's value and fires `change`. */
export async function choose(element: Element | null, value: string): Promise<void> {
  if (!element) throw new Error('no select to choose in')
  await act(() => {
    ;(element as HTMLSelectElement).value = value
    element.dispatchEvent(new Event('change', { bubbles: true }))
  })
}

export async function click(element: Element | null): Promise<void> {
  if (!element) throw new Error('no element to click')
  await act(() => {
    ;(element as HTMLElement).click()
  })
}
