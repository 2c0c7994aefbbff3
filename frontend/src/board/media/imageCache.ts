/**
 * Pictures of the board, one per media id, loaded for painting on a canvas.
 *
 * The media URLs need a token of the room. The server also accepts the
 * `lectern_seat` cookie that joining sets and the `lectern_token` cookie of
 * a login. The page cannot check that its browser has a current one: a seat
 * stored before the server set cookies has none, and a login cookie may be
 * another account's. Each picture is therefore fetched with the
 * page's own token in the `Authorization` header and shown through a blob
 * URL, which is revoked once no element or page uses the picture.
 */

export type ImageStatus = 'loading' | 'loaded' | 'failed'

/** The load state of one picture, with the decoded picture once it has loaded. */
export interface ImageState {
  status: ImageStatus
  image: CanvasImageSource | null
}

export interface ImageCacheOptions {
  /** Returns the URL of media `id`. */
  urlFor(id: string): string
  token: string
  /** Called when a picture finished loading or failed, so the board repaints. */
  onChange(): void
  fetch?: typeof fetch
  /** Decodes a blob URL into a picture; an HTMLImageElement by default. */
  loadImage?: (url: string) => Promise<CanvasImageSource>
  createObjectURL?: (blob: Blob) => string
  revokeObjectURL?: (url: string) => void
  now?: () => number
}

/** Time after a failure before the next paint requests the picture again, in milliseconds. */
export const RETRY_AFTER_MS = 15_000

interface Entry {
  state: ImageState
  objectUrl: string | null
  abort: AbortController
  failedAt: number
}

/**
 * Fetches media with the bearer token and returns its bytes. Throws on a
 * non-2xx status, naming it, and on a network failure.
 */
export async function fetchMediaBlob(url: string, token: string, fetchImpl: typeof fetch, signal?: AbortSignal): Promise<Blob> {
  const response = await fetchImpl(url, { headers: { Authorization: `Bearer ${token}` }, credentials: 'same-origin', signal })
  if (!response.ok) throw new Error(`loading media ${url} failed: HTTP ${response.status}`)
  return response.blob()
}

function loadImageElement(url: string): Promise<CanvasImageSource> {
  return new Promise((resolve, reject) => {
    const image = new Image()
    image.decoding = 'async'
    image.onload = () => resolve(image)
    image.onerror = () => reject(new Error(`decoding the picture at ${url} failed`))
    image.src = url
  })
}

export class ImageCache {
  private readonly entries = new Map<string, Entry>()
  private readonly options: ImageCacheOptions
  private readonly fetchImpl: typeof fetch
  private readonly now: () => number
  private destroyed = false

  constructor(options: ImageCacheOptions) {
    this.options = options
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis)
    this.now = options.now ?? Date.now
  }

  /** Returns the state of picture `id`, starting to load it on the first call and again a while after a failure. */
  get(id: string): ImageState {
    const existing = this.entries.get(id)
    if (existing && !(existing.state.status === 'failed' && this.now() - existing.failedAt >= RETRY_AFTER_MS)) return existing.state
    if (existing) this.release(id)
    return this.load(id).state
  }

  /** Returns the ids that have an entry, loaded or not. */
  ids(): string[] {
    return [...this.entries.keys()]
  }

  /** Drops every picture whose id is not in `used`, cancelling its fetch and revoking its blob URL. */
  retain(used: ReadonlySet<string>): void {
    for (const id of [...this.entries.keys()]) {
      if (!used.has(id)) this.release(id)
    }
  }

  destroy(): void {
    this.destroyed = true
    for (const id of [...this.entries.keys()]) this.release(id)
  }

  private load(id: string): Entry {
    const entry: Entry = { state: { status: 'loading', image: null }, objectUrl: null, abort: new AbortController(), failedAt: 0 }
    this.entries.set(id, entry)
    const createObjectURL = this.options.createObjectURL ?? ((blob: Blob) => URL.createObjectURL(blob))
    const loadImage = this.options.loadImage ?? loadImageElement

    const run = async (): Promise<void> => {
      const blob = await fetchMediaBlob(this.options.urlFor(id), this.options.token, this.fetchImpl, entry.abort.signal)
      if (this.entries.get(id) !== entry) return
      entry.objectUrl = createObjectURL(blob)
      const image = await loadImage(entry.objectUrl)
      if (this.entries.get(id) !== entry) return
      entry.state = { status: 'loaded', image }
    }
    run().then(
      () => this.notify(entry, id),
      (error: unknown) => {
        if (this.entries.get(id) !== entry) return
        console.warn('loading a board picture failed', { id, error })
        entry.state = { status: 'failed', image: null }
        entry.failedAt = this.now()
        this.notify(entry, id)
      },
    )
    return entry
  }

  private notify(entry: Entry, id: string): void {
    if (!this.destroyed && this.entries.get(id) === entry) this.options.onChange()
  }

  private release(id: string): void {
    const entry = this.entries.get(id)
    if (!entry) return
    this.entries.delete(id)
    entry.abort.abort()
    if (entry.objectUrl) (this.options.revokeObjectURL ?? ((url: string) => URL.revokeObjectURL(url)))(entry.objectUrl)
  }
}
