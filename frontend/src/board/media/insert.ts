/**
 * Putting files on the board: from the toolbar's file picker, by dropping
 * them on the surface or by pasting them. Each file uploads behind a local
 * placeholder, and only the finished upload reaches the shared document:
 * a picture or video element, or one page per PDF page.
 */
import { edit } from '../commands'
import type { BoardContext } from '../context'
import { addElement, elementsMap, type NewElement } from '../doc'
import { scheduleFrame } from '../frame'
import { boardPoint } from '../geometry'
import { fitToContent, refreshPages, switchPage } from '../navigation'
import type { Translate } from '../toolbar'
import type { SurfaceSize, Viewport } from '../viewport'
import { fitInViewport, placeholderBox } from './placement'
import { createSlidePages } from './slides'
import { MediaUploadError, uploadMedia, type MediaInfo } from './upload'

/** Offset between placeholders of files inserted together, in CSS pixels. */
const CASCADE_PX = 24

/** Server error codes with their own text under `board.media.errors.`. */
const KNOWN_ERRORS = ['invalid_media', 'forbidden', 'room_closed', 'payload_too_large', 'too_many_pixels', 'too_many_pages', 'unauthorized', 'network']

/** Codes of failures found by the browser, whose English message adds nothing to the translated text. */
const LOCAL_ERRORS = new Set(['network', 'aborted', 'invalid_response'])

/**
 * Returns the new element for an uploaded picture or video: its box fits
 * the viewport and is centred on `center`. A video starts paused at 0.
 * `videoSize` is the video's pixel size when known; the upload response has none.
 */
export function mediaElement(
  info: MediaInfo,
  page: string,
  viewport: Viewport,
  size: SurfaceSize,
  center: { x: number; y: number } | undefined,
  videoSize: { width: number; height: number } | null = null,
): NewElement {
  const width = info.kind === 'video' ? (videoSize?.width ?? 0) : (info.width ?? 0)
  const height = info.kind === 'video' ? (videoSize?.height ?? 0) : (info.height ?? 0)
  const box = fitInViewport(width, height, viewport, size, center)
  return { kind: info.kind === 'video' ? 'video' : 'image', page, media: info.id, ...box, width: 0, opacity: 1 }
}

/** Builds the message of a failed upload: the translated reason, then the server's own explanation. */
export function uploadErrorMessage(t: Translate, name: string, error: unknown): { message: string; code: string } {
  const code = error instanceof MediaUploadError ? error.code : 'unknown'
  const reason = KNOWN_ERRORS.includes(code) ? t(`board.media.errors.${code}`) : t('board.media.errors.unknown')
  let message = t('board.media.uploadFailed', { name, reason })
  // The server's message states what it detected and what to do, e.g. that SVG must be exported as PNG.
  if (error instanceof MediaUploadError && !LOCAL_ERRORS.has(code) && error.message) message += ` ${t('board.media.serverMessage', { message: error.message })}`
  return { message, code }
}

/**
 * Uploads `files` and puts each on the board, centred on `center` (board
 * units) or the viewport centre. Does nothing for a participant who may
 * not draw.
 */
export function insertFiles(board: BoardContext, files: readonly File[], center?: { x: number; y: number }): Promise<void> {
  if (!board.media || !board.canDraw) return Promise.resolve()
  const origin = center ?? { x: board.viewport.x, y: board.viewport.y }
  const step = CASCADE_PX / board.viewport.zoom
  return Promise.all(files.map((file, index) => insertFile(board, file, { x: origin.x + index * step, y: origin.y + index * step }))).then(() => undefined)
}

async function insertFile(board: BoardContext, file: File, center: { x: number; y: number }): Promise<void> {
  const media = board.media
  if (!media) return
  const name = file.name || board.t('board.media.pastedName')
  const page = board.page
  const pending = media.placeholders.add(name, page, placeholderBox(board.viewport, center))
  board.baseDirty = true
  scheduleFrame(board)

  const upload = uploadMedia({
    roomCode: media.options.roomCode,
    token: media.options.token,
    file,
    fileName: file.name || undefined,
    onProgress: (fraction) => media.placeholders.setProgress(pending, fraction),
    createXhr: media.options.createXhr,
  })
  media.uploads.add(upload)
  try {
    const info = await upload.done
    if (media.destroyed) return
    placeUpload(board, info, page, center)
  } catch (error) {
    if (media.destroyed) return
    console.warn('uploading media failed', { name, error })
    const { message, code } = uploadErrorMessage(board.t, name, error)
    media.errors.show(message, code)
  } finally {
    media.uploads.delete(upload)
    media.placeholders.remove(pending)
    board.baseDirty = true
    scheduleFrame(board)
  }
}

/** Adds the finished upload to the shared document as one undo step. */
function placeUpload(board: BoardContext, info: MediaInfo, page: string, center: { x: number; y: number }): void {
  const { doc, localOrigin } = board
  // The right to draw may have been revoked during the upload.
  if (!board.canDraw) return

  if (info.kind === 'slides') {
    let ids: string[] = []
    edit(board, () => {
      ids = createSlidePages(doc, info, page, (number) => board.t('board.media.slideTitle', { number }), localOrigin)
    })
    refreshPages(board)
    const first = board.pages.findIndex((entry) => entry.id === ids[0])
    if (first >= 0) {
      switchPage(board, first, true)
      fitToContent(board)
    }
    return
  }

  const element = mediaElement(info, page, board.viewport, board.size, center)
  edit(board, () => doc.transact(() => {
    const id = addElement(doc, element, board.participantId, localOrigin)
    if (element.kind === 'video') {
      const entry = elementsMap(doc).get(id)
      entry?.set('playing', false)
      entry?.set('position', 0)
      entry?.set('at', board.media?.serverNow() ?? Date.now())
      // The box is 16:9 until this browser's player reads the video's size.
      board.media?.unsizedVideos.add(id)
    }
  }, localOrigin))
}

/** Returns the files of a drag or clipboard transfer. */
export function transferFiles(transfer: DataTransfer | null): File[] {
  if (!transfer) return []
  const files: File[] = []
  if (transfer.items && transfer.items.length > 0) {
    for (const item of Array.from(transfer.items)) {
      if (item.kind !== 'file') continue
      const file = item.getAsFile()
      if (file) files.push(file)
    }
    return files
  }
  return Array.from(transfer.files ?? [])
}

function carriesFiles(transfer: DataTransfer | null): boolean {
  return transfer !== null && Array.from(transfer.types ?? []).includes('Files')
}

export function onDragOver(board: BoardContext, event: DragEvent): void {
  if (!board.media || !board.canDraw || !carriesFiles(event.dataTransfer)) return
  event.preventDefault()
  if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
}

export function onDrop(board: BoardContext, event: DragEvent): void {
  if (!board.media || !board.canDraw || !carriesFiles(event.dataTransfer)) return
  event.preventDefault()
  const files = transferFiles(event.dataTransfer)
  if (files.length > 0) void insertFiles(board, files, boardPoint(board, event))
}

/** Inserts pasted files at the viewport centre; text pastes and pastes into fields are left alone. */
export function onPaste(board: BoardContext, event: ClipboardEvent): void {
  if (!board.media || !board.canDraw || event.defaultPrevented) return
  const target = event.target
  if (target instanceof HTMLElement && (target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement)) return
  const files = transferFiles(event.clipboardData)
  if (files.length === 0) return
  event.preventDefault()
  void insertFiles(board, files)
}
