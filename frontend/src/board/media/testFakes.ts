/** Test doubles shared by the media tests. */
import type { XhrLike } from './upload'

/** A scripted XMLHttpRequest: the test fires progress and the response. */
export class FakeXhr implements XhrLike {
  method = ''
  url = ''
  headers: Record<string, string> = {}
  body: Blob | null = null
  aborted = false
  status = 0
  statusText = ''
  responseText = ''
  private readonly listeners = new Map<string, Array<() => void>>()
  private readonly progressListeners: Array<(event: ProgressEvent) => void> = []
  readonly upload = {
    addEventListener: (_type: 'progress', listener: (event: ProgressEvent) => void) => {
      this.progressListeners.push(listener)
    },
  }

  open(method: string, url: string): void {
    this.method = method
    this.url = url
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value
  }
  send(body: Blob): void {
    this.body = body
  }
  abort(): void {
    this.aborted = true
    this.fire('abort')
  }
  addEventListener(type: string, listener: () => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }

  progress(loaded: number, total: number, lengthComputable = true): void {
    for (const listener of this.progressListeners) listener({ loaded, total, lengthComputable } as ProgressEvent)
  }
  respond(status: number, body: unknown, statusText = ''): void {
    this.status = status
    this.statusText = statusText
    this.responseText = typeof body === 'string' ? body : JSON.stringify(body)
    this.fire('load')
  }
  fire(type: string): void {
    for (const listener of this.listeners.get(type) ?? []) listener()
  }
}
