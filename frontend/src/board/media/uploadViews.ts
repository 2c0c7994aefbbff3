/**
 * The uploader's view of files in transit: a placeholder with a progress
 * bar at the file's place on the board, local to this client, and the
 * errors of failed uploads in a live region.
 */
import type { Translate } from '../toolbar'
import { boardToScreen, type SurfaceSize, type Viewport } from '../viewport'
import type { Box } from './placement'

export interface PendingUpload {
  readonly name: string
  /** The page the file goes on. */
  readonly page: string
  /** Board box of the placeholder. */
  readonly box: Box
  /** Fraction sent, from 0 to 1. */
  progress: number
  readonly element: HTMLDivElement
}

/** Upload placeholders, positioned over the surface like board elements. */
export class UploadPlaceholders {
  private readonly uploads = new Set<PendingUpload>()
  private t: Translate

  constructor(private readonly container: HTMLElement, t: Translate) {
    this.t = t
  }

  get count(): number {
    return this.uploads.size
  }

  add(name: string, page: string, box: Box): PendingUpload {
    const element = document.createElement('div')
    element.className = 'lectern-board-upload'
    element.dataset.testid = 'media-placeholder'
    element.setAttribute('role', 'progressbar')
    element.setAttribute('aria-valuemin', '0')
    element.setAttribute('aria-valuemax', '100')
    const label = document.createElement('span')
    label.className = 'lectern-board-upload-label'
    const track = document.createElement('span')
    track.className = 'lectern-board-upload-track'
    const bar = document.createElement('span')
    bar.className = 'lectern-board-upload-bar'
    track.append(bar)
    element.append(label, track)
    this.container.append(element)

    const upload: PendingUpload = { name, page, box, progress: 0, element }
    this.uploads.add(upload)
    this.render(upload)
    return upload
  }

  setProgress(upload: PendingUpload, fraction: number): void {
    upload.progress = Math.min(1, Math.max(0, fraction))
    this.render(upload)
  }

  remove(upload: PendingUpload): void {
    this.uploads.delete(upload)
    upload.element.remove()
  }

  /** Shows the placeholders of page `page` at their board boxes and hides the others. */
  place(page: string, viewport: Viewport, size: SurfaceSize): void {
    for (const upload of this.uploads) {
      const style = upload.element.style
      upload.element.hidden = upload.page !== page
      const topLeft = boardToScreen(viewport, size, upload.box.x, upload.box.y)
      style.left = `${topLeft.x}px`
      style.top = `${topLeft.y}px`
      style.width = `${upload.box.w * viewport.zoom}px`
      style.height = `${upload.box.h * viewport.zoom}px`
    }
  }

  setTranslator(t: Translate): void {
    this.t = t
    for (const upload of this.uploads) this.render(upload)
  }

  destroy(): void {
    for (const upload of [...this.uploads]) this.remove(upload)
  }

  private render(upload: PendingUpload): void {
    const percent = Math.round(upload.progress * 100)
    const text = this.t('board.media.uploading', { name: upload.name, percent })
    upload.element.setAttribute('aria-valuenow', String(percent))
    upload.element.setAttribute('aria-label', this.t('board.media.uploadingLabel', { name: upload.name }))
    const [label, track] = upload.element.children
    label.textContent = text
    ;(track.firstElementChild as HTMLElement).style.width = `${percent}%`
  }
}

/** The live region with one dismissible message per failed upload. */
export class UploadErrors {
  readonly element: HTMLDivElement
  private t: Translate
  private readonly dismissButtons = new Set<HTMLButtonElement>()

  constructor(t: Translate) {
    this.t = t
    this.element = document.createElement('div')
    this.element.className = 'lectern-board-media-errors'
    this.element.setAttribute('aria-live', 'assertive')
  }

  /** Adds a message; `message` is already translated. */
  show(message: string, code: string): void {
    const item = document.createElement('div')
    item.className = 'lectern-board-media-error'
    item.dataset.testid = 'media-error'
    item.dataset.code = code
    item.setAttribute('role', 'alert')
    const text = document.createElement('span')
    text.textContent = message
    const dismiss = document.createElement('button')
    dismiss.type = 'button'
    dismiss.className = 'lectern-board-button'
    dismiss.dataset.testid = 'media-error-dismiss'
    dismiss.textContent = this.t('board.media.dismiss')
    dismiss.addEventListener('click', () => {
      this.dismissButtons.delete(dismiss)
      item.remove()
    })
    this.dismissButtons.add(dismiss)
    item.append(text, dismiss)
    this.element.append(item)
  }

  setTranslator(t: Translate): void {
    this.t = t
    for (const button of this.dismissButtons) button.textContent = t('board.media.dismiss')
  }
}
