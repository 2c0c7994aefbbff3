/**
 * Uploading a picture, video or PDF to `POST /api/v1/rooms/{code}/media`
 * (docs/media.md). XMLHttpRequest is used instead of fetch because only it
 * reports upload progress.
 */

export type MediaKind = 'image' | 'video' | 'slides'

/** One stored media file, as the upload response describes it. */
export interface MediaInfo {
  id: string
  kind: MediaKind
  /** Pixel size of a picture, or of a PDF's first page; null for a video. */
  width: number | null
  height: number | null
  url: string
  thumbnailUrl: string | null
  /** For `slides`: one picture per PDF page, in order. Empty for other kinds. */
  pages: MediaInfo[]
}

/**
 * A failed upload. `code` is the server's error code (`invalid_media`,
 * `forbidden`, `room_closed`, `payload_too_large`, `too_many_pixels`,
 * `too_many_pages`, …), `network` when no response arrived, `aborted` after
 * abort(), `invalid_response` for a 2xx body that is not a media object, or
 * `http_<status>` when an error response carried no error body.
 */
export class MediaUploadError extends Error {
  readonly status: number
  readonly code: string

  constructor(status: number, code: string, message: string) {
    super(message)
    this.name = 'MediaUploadError'
    this.status = status
    this.code = code
  }
}

/** The subset of XMLHttpRequest the upload uses, so tests can pass a fake. */
export interface XhrLike {
  open(method: string, url: string): void
  setRequestHeader(name: string, value: string): void
  send(body: Blob): void
  abort(): void
  readonly status: number
  readonly statusText: string
  readonly responseText: string
  readonly upload: { addEventListener(type: 'progress', listener: (event: ProgressEvent) => void): void }
  addEventListener(type: 'load' | 'error' | 'abort' | 'timeout', listener: () => void): void
}

export interface UploadOptions {
  roomCode: string
  token: string
  file: Blob
  /** File name sent in `X-Lectern-Filename`, kept by the server for display only. */
  fileName?: string
  /** Called with the fraction sent, from 0 to 1, when the browser reports progress. */
  onProgress?: (fraction: number) => void
  createXhr?: () => XhrLike
}

export interface Upload {
  /** Settles with the stored media, or rejects with a MediaUploadError. */
  readonly done: Promise<MediaInfo>
  abort(): void
}

/** Returns the upload URL of room `code`. */
export function mediaUploadUrl(roomCode: string): string {
  return `/api/v1/rooms/${encodeURIComponent(roomCode)}/media`
}

/** Returns the URL that serves media `id` of room `code`. */
export function mediaUrl(roomCode: string, id: string): string {
  return `${mediaUploadUrl(roomCode)}/${encodeURIComponent(id)}`
}

/** Starts uploading `file` as the raw request body. */
export function uploadMedia(options: UploadOptions): Upload {
  const xhr = options.createXhr ? options.createXhr() : (new XMLHttpRequest() as XhrLike)
  const done = new Promise<MediaInfo>((resolve, reject) => {
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(Math.min(1, event.loaded / event.total))
    })
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        const media = parseMediaResponse(xhr.responseText)
        if (media) resolve(media)
        else reject(new MediaUploadError(xhr.status, 'invalid_response', `the server sent an upload response that is not a media object (HTTP ${xhr.status})`))
      } else {
        reject(parseUploadError(xhr.status, xhr.statusText, xhr.responseText))
      }
    })
    xhr.addEventListener('error', () => reject(new MediaUploadError(0, 'network', 'the upload failed before the server answered; check the connection and try again')))
    xhr.addEventListener('timeout', () => reject(new MediaUploadError(0, 'network', 'the upload timed out')))
    xhr.addEventListener('abort', () => reject(new MediaUploadError(0, 'aborted', 'the upload was cancelled')))
  })

  xhr.open('POST', mediaUploadUrl(options.roomCode))
  xhr.setRequestHeader('Authorization', `Bearer ${options.token}`)
  xhr.setRequestHeader('Accept', 'application/json')
  // The server detects the kind from the bytes; the declared type is a hint.
  xhr.setRequestHeader('Content-Type', options.file.type || 'application/octet-stream')
  // Header values must be ISO-8859-1, so the name is sent percent-encoded.
  if (options.fileName) xhr.setRequestHeader('X-Lectern-Filename', encodeURIComponent(options.fileName))
  xhr.send(options.file)

  return { done, abort: () => xhr.abort() }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function readDimension(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null
}

/** Reads one media object; returns null when a required field is missing or of the wrong type. */
export function readMediaInfo(value: unknown): MediaInfo | null {
  if (!isObject(value)) return null
  const { id, kind, url } = value
  if (typeof id !== 'string' || id === '' || typeof url !== 'string' || url === '') return null
  if (kind !== 'image' && kind !== 'video' && kind !== 'slides') return null

  const pages: MediaInfo[] = []
  if (kind === 'slides') {
    if (!Array.isArray(value.pages) || value.pages.length === 0) return null
    for (const entry of value.pages) {
      const page = readMediaInfo(entry)
      if (!page || page.kind !== 'image' || page.width === null || page.height === null) return null
      pages.push(page)
    }
  }
  const width = readDimension(value.width)
  const height = readDimension(value.height)
  // A picture without a size cannot be placed with its aspect ratio.
  if (kind === 'image' && (width === null || height === null)) return null
  return {
    id,
    kind,
    width,
    height,
    url,
    thumbnailUrl: typeof value.thumbnail_url === 'string' ? value.thumbnail_url : null,
    pages,
  }
}

/** Parses a 2xx upload response body; returns null when it is not a media object. */
export function parseMediaResponse(text: string): MediaInfo | null {
  try {
    return readMediaInfo(JSON.parse(text))
  } catch {
    return null
  }
}

/**
 * Builds the error of a non-2xx response. The expected body is
 * `{"error": {"code", "message"}}`; any other body falls back to the status.
 */
export function parseUploadError(status: number, statusText: string, text: string): MediaUploadError {
  let code = `http_${status}`
  let message = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`
  try {
    const body: unknown = JSON.parse(text)
    const error = isObject(body) ? body.error : undefined
    if (isObject(error)) {
      if (typeof error.code === 'string' && error.code) code = error.code
      if (typeof error.message === 'string' && error.message) message = error.message
    }
  } catch {
    // Not JSON (a proxy's HTML page, for example), so the status describes it.
  }
  return new MediaUploadError(status, code, message)
}
