import { describe, expect, it } from 'vitest'

import { mediaElement, uploadErrorMessage } from './insert'
import { DEFAULT_VIDEO_SIZE, FIT_SHARE, fitInViewport, placeholderBox } from './placement'
import { MediaUploadError, type MediaInfo } from './upload'

const SIZE = { width: 1000, height: 500 }

function picture(width: number, height: number, kind: MediaInfo['kind'] = 'image'): MediaInfo {
  return { id: 'm_1', kind, width, height, url: '/m_1', thumbnailUrl: null, pages: [] }
}

describe('fitInViewport', () => {
  it('keeps a small picture at one unit per pixel', () => {
    expect(fitInViewport(200, 100, { x: 0, y: 0, zoom: 1 }, SIZE)).toEqual({ x: -100, y: -50, w: 200, h: 100 })
  })

  it('shrinks a wide picture to the visible width', () => {
    const box = fitInViewport(4000, 1000, { x: 0, y: 0, zoom: 1 }, SIZE)
    expect(box.w).toBeCloseTo(SIZE.width * FIT_SHARE)
    expect(box.h).toBeCloseTo((SIZE.width * FIT_SHARE) / 4)
  })

  it('shrinks a tall picture to the visible height', () => {
    const box = fitInViewport(1000, 3000, { x: 0, y: 0, zoom: 1 }, SIZE)
    expect(box.h).toBeCloseTo(SIZE.height * FIT_SHARE)
    expect(box.w / box.h).toBeCloseTo(1 / 3)
  })

  it('fits the visible area at the zoom', () => {
    // At zoom 2 the surface shows 500 × 250 board units around (100, 50).
    const box = fitInViewport(1600, 1200, { x: 100, y: 50, zoom: 2 }, SIZE)
    expect(box.h).toBeCloseTo(250 * FIT_SHARE)
    expect(box.w).toBeCloseTo((250 * FIT_SHARE * 4) / 3)
    expect(box.x + box.w / 2).toBeCloseTo(100)
    expect(box.y + box.h / 2).toBeCloseTo(50)
  })

  it('centres on the drop point', () => {
    expect(fitInViewport(100, 100, { x: 0, y: 0, zoom: 1 }, SIZE, { x: 120, y: -40 })).toEqual({ x: 70, y: -90, w: 100, h: 100 })
  })

  it('moves a box at the edge inside the view', () => {
    const box = fitInViewport(200, 100, { x: 0, y: 0, zoom: 1 }, SIZE, { x: 490, y: 245 })
    expect(box.x + box.w).toBe(500)
    expect(box.y + box.h).toBe(250)
  })

  it('uses the default size when it is unknown', () => {
    const box = fitInViewport(0, 0, { x: 0, y: 0, zoom: 1 }, { width: 2000, height: 2000 })
    expect(box.w).toBe(DEFAULT_VIDEO_SIZE.width)
    expect(box.h).toBe(DEFAULT_VIDEO_SIZE.height)
  })
})

describe('placeholderBox', () => {
  it('keeps its screen size at any zoom', () => {
    const box = placeholderBox({ x: 10, y: 20, zoom: 2 })
    expect(box.w).toBe(120)
    expect(box.h).toBe(80)
    expect(box.x + box.w / 2).toBe(10)
    expect(box.y + box.h / 2).toBe(20)
  })
})

describe('mediaElement', () => {
  it('builds an image element', () => {
    expect(mediaElement(picture(400, 300), 'p1', { x: 0, y: 0, zoom: 1 }, SIZE, { x: 10, y: 20 })).toEqual({
      kind: 'image',
      page: 'p1',
      media: 'm_1',
      x: -190,
      y: -130,
      w: 400,
      h: 300,
      width: 0,
      opacity: 1,
    })
  })

  it('sizes a video by the probed size', () => {
    const element = mediaElement({ ...picture(0, 0, 'video'), width: null, height: null }, 'p1', { x: 0, y: 0, zoom: 1 }, SIZE, undefined, { width: 320, height: 240 })
    expect(element.kind).toBe('video')
    expect(element.w).toBe(320)
    expect(element.h).toBe(240)
  })

  it('gives a video of unknown size 16:9', () => {
    const element = mediaElement({ ...picture(0, 0, 'video'), width: null, height: null }, 'p1', { x: 0, y: 0, zoom: 1 }, { width: 2000, height: 2000 }, undefined)
    expect(element.w! / element.h!).toBeCloseTo(16 / 9)
  })
})

describe('uploadErrorMessage', () => {
  const t = (key: string, vars?: Record<string, string | number>) => `${key}${vars ? JSON.stringify(vars) : ''}`

  it('adds the server message to a known code', () => {
    const error = new MediaUploadError(400, 'invalid_media', 'SVG is not supported; export it as PNG')
    const result = uploadErrorMessage(t, 'logo.svg', error)
    expect(result.code).toBe('invalid_media')
    expect(result.message).toBe('board.media.uploadFailed{"name":"logo.svg","reason":"board.media.errors.invalid_media"} board.media.serverMessage{"message":"SVG is not supported; export it as PNG"}')
  })

  it('leaves out the browser message of a network failure', () => {
    const result = uploadErrorMessage(t, 'a.png', new MediaUploadError(0, 'network', 'the upload failed'))
    expect(result.message).toBe('board.media.uploadFailed{"name":"a.png","reason":"board.media.errors.network"}')
  })

  it('uses the generic reason for an unknown code', () => {
    const result = uploadErrorMessage(t, 'a.png', new MediaUploadError(500, 'internal', 'disk full'))
    expect(result.message).toBe('board.media.uploadFailed{"name":"a.png","reason":"board.media.errors.unknown"} board.media.serverMessage{"message":"disk full"}')
  })
})
