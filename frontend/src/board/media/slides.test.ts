import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'

import { addElement, createPage, FIRST_PAGE_ID, listPages, pagesMap } from '../doc'
import { backgroundBounds, createSlidePages, readPageBackground, SLIDE_WIDTH, usedMediaIds } from './slides'
import type { MediaInfo } from './upload'

const ORIGIN = { board: 'test' }

function slides(count: number): MediaInfo {
  const pages: MediaInfo[] = Array.from({ length: count }, (_, index) => ({
    id: `m_p${index + 1}`,
    kind: 'image',
    width: 1600,
    height: 900,
    url: `/m_p${index + 1}`,
    thumbnailUrl: null,
    pages: [],
  }))
  return { id: 'm_pdf', kind: 'slides', width: 1600, height: 900, url: '/m_pdf', thumbnailUrl: null, pages }
}

describe('createSlidePages', () => {
  it('adds one titled page per PDF page after the current one', () => {
    const doc = new Y.Doc()
    const last = createPage(doc, ORIGIN, FIRST_PAGE_ID, 'Last')
    const ids = createSlidePages(doc, slides(3), FIRST_PAGE_ID, (number) => `Slide ${number}`, ORIGIN)

    expect(ids).toHaveLength(3)
    const pages = listPages(doc)
    expect(pages.map((page) => page.id)).toEqual([FIRST_PAGE_ID, ...ids, last])
    expect(pages.map((page) => page.title)).toEqual(['', 'Slide 1', 'Slide 2', 'Slide 3', 'Last'])
  })

  it('sets each page background', () => {
    const doc = new Y.Doc()
    const ids = createSlidePages(doc, slides(2), FIRST_PAGE_ID, (number) => `Slide ${number}`, ORIGIN)
    expect(readPageBackground(doc, ids[0])).toEqual({ media: 'm_p1', w: SLIDE_WIDTH, h: SLIDE_WIDTH * (900 / 1600) })
    expect(readPageBackground(doc, ids[1])?.media).toBe('m_p2')
    expect(readPageBackground(doc, FIRST_PAGE_ID)).toBeNull()
  })

  it('is one undo step', () => {
    const doc = new Y.Doc()
    const undo = new Y.UndoManager([pagesMap(doc)], { trackedOrigins: new Set([ORIGIN]) })
    createSlidePages(doc, slides(4), FIRST_PAGE_ID, (number) => `Slide ${number}`, ORIGIN)
    expect(listPages(doc)).toHaveLength(5)
    undo.undo()
    expect(listPages(doc).filter((page) => page.title.startsWith('Slide'))).toEqual([])
  })
})

describe('readPageBackground', () => {
  it('rejects an invalid size', () => {
    const doc = new Y.Doc()
    const page = new Y.Map<unknown>()
    pagesMap(doc).set('p', page)
    page.set('background', 'm_1')
    page.set('background_w', 0)
    page.set('background_h', 100)
    expect(readPageBackground(doc, 'p')).toBeNull()
  })
})

describe('backgroundBounds', () => {
  it('centres on the origin', () => {
    expect(backgroundBounds({ media: 'm', w: 200, h: 100 })).toEqual({ minX: -100, minY: -50, maxX: 100, maxY: 50 })
  })
})

describe('usedMediaIds', () => {
  it('lists element media and page backgrounds', () => {
    const doc = new Y.Doc()
    addElement(doc, { kind: 'image', page: FIRST_PAGE_ID, x: 0, y: 0, w: 10, h: 10, media: 'm_img' }, 'a', ORIGIN)
    addElement(doc, { kind: 'stroke', page: FIRST_PAGE_ID, x: 0, y: 0 }, 'a', ORIGIN)
    createSlidePages(doc, slides(1), FIRST_PAGE_ID, () => 'Slide', ORIGIN)
    expect(usedMediaIds(doc)).toEqual(new Set(['m_img', 'm_p1']))
  })
})
