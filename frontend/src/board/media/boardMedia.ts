/**
 * The media parts of one mounted board: the picture cache, the video
 * players, upload placeholders and upload errors, built from the room's
 * code and token.
 */
import type * as Y from 'yjs'

import { elementsMap } from '../doc'

import type { Translate } from '../toolbar'
import { ImageCache } from './imageCache'
import { usedMediaIds } from './slides'
import { UploadErrors, UploadPlaceholders } from './uploadViews'
import { mediaUrl, type Upload, type XhrLike } from './upload'
import { VideoLayer } from './videoLayer'

/** Room code, token and clock that the board needs to upload and load the room's media. */
export interface MediaOptions {
  /** The room code, as in `/api/v1/rooms/{code}/media`. */
  roomCode: string
  /** The participant's bearer token. */
  token: string
  /** Milliseconds on the server's clock, for video playback; Date.now() when absent. */
  serverNow?: () => number
  fetch?: typeof fetch
  createXhr?: () => XhrLike
}

export class BoardMedia {
  readonly options: MediaOptions
  readonly images: ImageCache
  readonly videos: VideoLayer
  /** Laid over the base canvas: video players and upload placeholders. */
  readonly layer: HTMLDivElement
  readonly placeholders: UploadPlaceholders
  readonly errors: UploadErrors
  /** Uploads in progress, aborted by destroy(). */
  readonly uploads = new Set<Upload>()
  /**
   * Video elements this client inserted with the default 16:9 box. The
   * upload response gives no video size, and reading it from the file
   * would need a blob URL in a <video>, which the site's
   * Content-Security-Policy (no `media-src blob:`) blocks. So the first
   * player to load fits the box height to the video's aspect ratio.
   */
  readonly unsizedVideos = new Set<string>()
  destroyed = false
  private readonly doc: Y.Doc

  constructor(options: MediaOptions, doc: Y.Doc, t: Translate, playbackOrigin: unknown, onImageChange: () => void) {
    this.options = options
    this.doc = doc
    const urlFor = (id: string): string => mediaUrl(options.roomCode, id)
    this.layer = document.createElement('div')
    this.layer.className = 'lectern-board-media-layer'
    this.images = new ImageCache({ urlFor, token: options.token, onChange: onImageChange, fetch: options.fetch })
    this.videos = new VideoLayer({
      container: this.layer,
      doc,
      urlFor,
      token: options.token,
      serverNow: () => this.serverNow(),
      origin: playbackOrigin,
      t,
      fetch: options.fetch,
      onMetadata: (id, width, height) => this.fitVideoBox(id, width, height, playbackOrigin),
    })
    this.placeholders = new UploadPlaceholders(this.layer, t)
    this.errors = new UploadErrors(t)
  }

  /** Sets the height of a video this client inserted to match the video's aspect ratio, keeping its width and centre. */
  private fitVideoBox(id: string, width: number, height: number, origin: unknown): void {
    if (!this.unsizedVideos.delete(id) || width <= 0 || height <= 0) return
    const element = elementsMap(this.doc).get(id)
    const w = element?.get('w')
    const y = element?.get('y')
    const h = element?.get('h')
    if (!element || typeof w !== 'number' || typeof y !== 'number' || typeof h !== 'number') return
    const fitted = (w * height) / width
    // Not an undo step of its own: undoing the insert removes the element anyway.
    this.doc.transact(() => {
      element.set('y', y + (h - fitted) / 2)
      element.set('h', fitted)
    }, origin)
  }

  serverNow(): number {
    return this.options.serverNow ? this.options.serverNow() : Date.now()
  }

  /** Releases the pictures that no element or page uses any more. */
  releaseUnused(): void {
    // Scanning the document after every edit costs nothing on a board without pictures.
    if (this.images.ids().length === 0) return
    this.images.retain(usedMediaIds(this.doc))
  }

  setTranslator(t: Translate): void {
    this.videos.setTranslator(t)
    this.placeholders.setTranslator(t)
    this.errors.setTranslator(t)
  }

  destroy(): void {
    this.destroyed = true
    for (const upload of this.uploads) upload.abort()
    this.uploads.clear()
    this.images.destroy()
    this.videos.destroy()
    this.placeholders.destroy()
  }
}
