/**
 * Slides: the board pages made from an uploaded PDF, one per PDF page. Each
 * page shows the PDF page's picture as its background, stored in the page
 * map's `background`, `background_w` and `background_h` fields (see
 * crates/lectern-board/src/schema.rs).
 */
import * as Y from 'yjs'

import { createPage, elementsMap, pagesMap } from '../doc'
import type { Bounds } from '../hit'
import type { MediaInfo } from './upload'

/** Width of a slide background in board units; the height follows the page's aspect ratio. */
export const SLIDE_WIDTH = 1280

/** A page background, centred on the board origin. */
export interface PageBackground {
  media: string
  /** Size in board units. */
  w: number
  h: number
}

/** Reads the background of a page; null when it has none or a field is invalid. */
export function readPageBackground(doc: Y.Doc, pageId: string): PageBackground | null {
  const page = pagesMap(doc).get(pageId)
  if (!(page instanceof Y.Map)) return null
  const media = page.get('background')
  const w = page.get('background_w')
  const h = page.get('background_h')
  if (typeof media !== 'string' || media === '') return null
  if (typeof w !== 'number' || typeof h !== 'number' || !(w > 0) || !(h > 0) || !Number.isFinite(w) || !Number.isFinite(h)) return null
  return { media, w, h }
}

/** Returns the board area a background covers. */
export function backgroundBounds(background: PageBackground): Bounds {
  return { minX: -background.w / 2, minY: -background.h / 2, maxX: background.w / 2, maxY: background.h / 2 }
}

/** Returns the board size of a slide picture of `width` × `height` pixels. */
export function slideSize(width: number, height: number): { w: number; h: number } {
  return { w: SLIDE_WIDTH, h: (SLIDE_WIDTH * height) / width }
}

/**
 * Adds one page per PDF page of a `slides` upload after page `afterPageId`,
 * in order, titled by `title(n)` with n counted from 1, in one transaction.
 * Returns the new page ids.
 */
export function createSlidePages(doc: Y.Doc, slides: MediaInfo, afterPageId: string, title: (number: number) => string, origin: unknown): string[] {
  const ids: string[] = []
  doc.transact(() => {
    let after = afterPageId
    slides.pages.forEach((picture, index) => {
      const id = createPage(doc, origin, after, title(index + 1))
      const page = pagesMap(doc).get(id)
      const size = slideSize(picture.width ?? SLIDE_WIDTH, picture.height ?? SLIDE_WIDTH * 0.75)
      page?.set('background', picture.id)
      page?.set('background_w', size.w)
      page?.set('background_h', size.h)
      ids.push(id)
      after = id
    })
  }, origin)
  return ids
}

/** Returns every media id the document uses: elements' `media` and pages' `background`. */
export function usedMediaIds(doc: Y.Doc): Set<string> {
  const ids = new Set<string>()
  elementsMap(doc).forEach((element) => {
    const media = element instanceof Y.Map ? element.get('media') : undefined
    if (typeof media === 'string') ids.add(media)
  })
  pagesMap(doc).forEach((page) => {
    const media = page instanceof Y.Map ? page.get('background') : undefined
    if (typeof media === 'string') ids.add(media)
  })
  return ids
}
