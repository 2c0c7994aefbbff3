// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'

import enBoard from '../../locales/en/board.json'
import { addElement, elementsMap, FIRST_PAGE_ID, listPages } from '../doc'
import { mountBoard, type BoardController } from '../index'
import { mediaFrame } from '../paint'
import type { SceneElement } from '../scene'
import { ImageCache, RETRY_AFTER_MS } from './imageCache'
import { FakeXhr } from './testFakes'

function flatten(tree: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof tree === 'string') out.set(prefix, tree)
  else if (tree && typeof tree === 'object') {
    for (const [key, value] of Object.entries(tree)) flatten(value, prefix ? `${prefix}.${key}` : key, out)
  }
  return out
}

const english = flatten(enBoard)
const missingKeys = new Set<string>()

function t(key: string, vars?: Record<string, string | number>): string {
  const template = english.get(key)
  if (template === undefined) {
    missingKeys.add(key)
    return key
  }
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole))
}

beforeAll(() => {
  vi.stubGlobal('Path2D', class {
    moveTo(): void {}
    lineTo(): void {}
    quadraticCurveTo(): void {}
    closePath(): void {}
  })
  const context = new Proxy({}, { get: (_, property) => (property === 'measureText' ? () => ({ width: 10 }) : () => undefined), set: () => true })
  HTMLCanvasElement.prototype.getContext = (() => context) as unknown as typeof HTMLCanvasElement.prototype.getContext
  HTMLElement.prototype.getBoundingClientRect = function () {
    return { left: 0, top: 0, right: 800, bottom: 600, width: 800, height: 600, x: 0, y: 0, toJSON: () => ({}) } as DOMRect
  }
  // jsdom implements no media playback.
  HTMLMediaElement.prototype.load = () => undefined
  HTMLMediaElement.prototype.pause = () => undefined
  HTMLMediaElement.prototype.play = () => Promise.resolve()
})

const mounted: BoardController[] = []

afterEach(() => {
  for (const controller of mounted.splice(0)) controller.destroy()
  document.body.innerHTML = ''
})

const SERVER_NOW = 1_764_870_000_000

function mount(role: 'lecturer' | 'student', doc = new Y.Doc()) {
  const container = document.createElement('div')
  document.body.append(container)
  const requests: FakeXhr[] = []
  const fetches: string[] = []
  const fetchImpl = ((url: string) => {
    fetches.push(url)
    return new Promise<Response>(() => undefined)
  }) as unknown as typeof fetch
  const controller = mountBoard(container, {
    doc,
    awareness: new Awareness(doc),
    participantId: `${role}-id`,
    name: role,
    role,
    t,
    media: {
      roomCode: 'abcdefghjk',
      token: 'secret',
      serverNow: () => SERVER_NOW,
      fetch: fetchImpl,
      createXhr: () => {
        const xhr = new FakeXhr()
        requests.push(xhr)
        return xhr
      },
    },
  })
  mounted.push(controller)
  const byTestId = (id: string) => container.querySelector<HTMLElement>(`[data-testid="${id}"]`)
  const allByTestId = (id: string) => [...container.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)]
  return { doc, controller, container, byTestId, allByTestId, requests, fetches, surface: byTestId('board')! }
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()))
}

/** Waits for the promise callbacks of a settled upload. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
  await nextFrame()
}

function pickFiles(input: HTMLInputElement, files: File[]): void {
  Object.defineProperty(input, 'files', { value: files, configurable: true })
  input.dispatchEvent(new Event('change'))
}

function png(name = 'photo.png'): File {
  return new File(['png bytes'], name, { type: 'image/png' })
}

/** Builds a drag or clipboard payload, because jsdom has no DataTransfer. */
function transfer(files: File[]): DataTransfer {
  return {
    types: ['Files'],
    items: files.map((file) => ({ kind: 'file', type: file.type, getAsFile: () => file })),
    files,
    dropEffect: 'none',
  } as unknown as DataTransfer
}

function elements(doc: Y.Doc) {
  return [...elementsMap(doc).values()].map((element) => element.toJSON())
}

const IMAGE_RESPONSE = { id: 'm_img', kind: 'image', width: 400, height: 200, url: '/api/v1/rooms/abcdefghjk/media/m_img', thumbnail_url: null }

describe('media insert button', () => {
  it('is offered to the lecturer with a label', () => {
    const { byTestId } = mount('lecturer')
    const insert = byTestId('media-insert')!
    expect(insert.tagName).toBe('BUTTON')
    expect(insert.getAttribute('aria-label')).toBe('Insert picture, video or PDF')
    expect(insert.closest('[hidden]')).toBeNull()
    expect(byTestId('media-file-input')!.getAttribute('type')).toBe('file')
    expect(missingKeys).toEqual(new Set())
  })

  it('follows the right to draw', () => {
    const { byTestId, controller } = mount('student')
    expect(byTestId('media-insert')!.closest('[hidden]')).not.toBeNull()
    controller.setCanDraw(true)
    expect(byTestId('media-insert')!.closest('[hidden]')).toBeNull()
    controller.setCanDraw(false)
    expect(byTestId('media-insert')!.closest('[hidden]')).not.toBeNull()
  })
})

describe('uploading a picture', () => {
  it('shows progress, then adds the element', async () => {
    const { doc, byTestId, requests } = mount('lecturer')
    pickFiles(byTestId('media-file-input') as HTMLInputElement, [png()])
    expect(requests).toHaveLength(1)
    expect(requests[0].url).toBe('/api/v1/rooms/abcdefghjk/media')
    expect(requests[0].headers.Authorization).toBe('Bearer secret')

    const placeholder = byTestId('media-placeholder')!
    expect(placeholder.getAttribute('role')).toBe('progressbar')
    expect(placeholder.getAttribute('aria-valuenow')).toBe('0')
    requests[0].progress(60, 100)
    expect(placeholder.getAttribute('aria-valuenow')).toBe('60')
    expect(placeholder.textContent).toContain('photo.png: 60%')
    // The placeholder is local: nothing reaches the document during the upload.
    expect(elements(doc)).toEqual([])

    requests[0].respond(201, IMAGE_RESPONSE)
    await settle()
    expect(byTestId('media-placeholder')).toBeNull()
    const [element] = elements(doc)
    expect(element).toMatchObject({ kind: 'image', media: 'm_img', page: FIRST_PAGE_ID, x: -200, y: -100, w: 400, h: 200 })
  })

  it('is undone in one step', async () => {
    const { doc, byTestId, requests } = mount('lecturer')
    pickFiles(byTestId('media-file-input') as HTMLInputElement, [png()])
    requests[0].respond(201, IMAGE_RESPONSE)
    await settle()
    expect(elements(doc)).toHaveLength(1)
    byTestId('undo')!.click()
    expect(elements(doc)).toHaveLength(0)
  })

  it('removes the placeholder and shows the server error', async () => {
    const { doc, byTestId, requests } = mount('lecturer')
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    pickFiles(byTestId('media-file-input') as HTMLInputElement, [new File(['<svg/>'], 'logo.svg', { type: 'image/svg+xml' })])
    requests[0].respond(400, { error: { code: 'invalid_media', message: 'SVG is not supported; export it as PNG' } })
    await settle()
    expect(byTestId('media-placeholder')).toBeNull()
    const error = byTestId('media-error')!
    expect(error.getAttribute('role')).toBe('alert')
    expect(error.dataset.code).toBe('invalid_media')
    expect(error.textContent).toContain('Could not upload logo.svg')
    expect(error.textContent).toContain('SVG is not supported; export it as PNG')
    expect(elements(doc)).toEqual([])
    expect(warn).toHaveBeenCalledOnce()
    warn.mockRestore()
    byTestId('media-error-dismiss')!.click()
    expect(byTestId('media-error')).toBeNull()
  })

  it('centres a dropped file on the drop point', async () => {
    const { doc, surface, requests } = mount('lecturer')
    const over = new Event('dragover', { bubbles: true, cancelable: true })
    Object.defineProperty(over, 'dataTransfer', { value: transfer([]) })
    surface.dispatchEvent(over)
    expect(over.defaultPrevented).toBe(true)

    const drop = new MouseEvent('drop', { bubbles: true, cancelable: true, clientX: 600, clientY: 200 })
    Object.defineProperty(drop, 'dataTransfer', { value: transfer([png()]) })
    surface.dispatchEvent(drop)
    expect(drop.defaultPrevented).toBe(true)
    requests[0].respond(201, { ...IMAGE_RESPONSE, width: 100, height: 50 })
    await settle()
    // Surface 800 × 600 at zoom 1 centred on (0, 0): client (600, 200) is board (200, -100).
    expect(elements(doc)[0]).toMatchObject({ x: 150, y: -125, w: 100, h: 50 })
  })

  it('puts a pasted picture at the viewport centre', async () => {
    const { doc, requests } = mount('lecturer')
    const paste = new Event('paste', { bubbles: true, cancelable: true })
    Object.defineProperty(paste, 'clipboardData', { value: transfer([png('image.png')]) })
    document.body.dispatchEvent(paste)
    expect(paste.defaultPrevented).toBe(true)
    requests[0].respond(201, IMAGE_RESPONSE)
    await settle()
    expect(elements(doc)[0]).toMatchObject({ x: -200, y: -100 })
  })

  it('ignores a paste into a text field', () => {
    const { requests } = mount('lecturer')
    const field = document.createElement('input')
    document.body.append(field)
    const paste = new Event('paste', { bubbles: true, cancelable: true })
    Object.defineProperty(paste, 'clipboardData', { value: transfer([png()]) })
    field.dispatchEvent(paste)
    expect(requests).toEqual([])
  })

  it('ignores drops and pastes without the right to draw', () => {
    const { surface, requests } = mount('student')
    const drop = new MouseEvent('drop', { bubbles: true, cancelable: true })
    Object.defineProperty(drop, 'dataTransfer', { value: transfer([png()]) })
    surface.dispatchEvent(drop)
    const paste = new Event('paste', { bubbles: true, cancelable: true })
    Object.defineProperty(paste, 'clipboardData', { value: transfer([png()]) })
    document.body.dispatchEvent(paste)
    expect(drop.defaultPrevented).toBe(false)
    expect(requests).toEqual([])
  })
})

describe('uploading a PDF', () => {
  it('adds slide pages and shows the first', async () => {
    const { doc, byTestId, requests } = mount('lecturer')
    pickFiles(byTestId('media-file-input') as HTMLInputElement, [new File(['%PDF'], 'talk.pdf', { type: 'application/pdf' })])
    const page = (id: string) => ({ id, kind: 'image', width: 1600, height: 1200, url: `/m/${id}`, thumbnail_url: null })
    requests[0].respond(201, { id: 'm_pdf', kind: 'slides', width: 1600, height: 1200, url: '/m/m_pdf', thumbnail_url: null, pages: [page('m_a'), page('m_b')] })
    await settle()

    const pages = listPages(doc)
    expect(pages.map((entry) => entry.title)).toEqual(['', 'Slide 1', 'Slide 2'])
    expect(byTestId('page-indicator')!.textContent).toBe('Page 2 of 3')
    expect(byTestId('page-title')!.textContent).toBe('Slide 1')
    expect(elements(doc)).toEqual([])
  })
})

describe('video elements', () => {
  function addVideo(doc: Y.Doc): string {
    const id = addElement(doc, { kind: 'video', page: FIRST_PAGE_ID, x: 0, y: 0, w: 320, h: 180, media: 'm_vid' }, 'lecturer-id', 'remote')
    const element = elementsMap(doc).get(id)!
    element.set('playing', false)
    element.set('position', 0)
    element.set('at', SERVER_NOW)
    return id
  }

  it('shows a player with controls to the lecturer', async () => {
    const { doc, allByTestId } = mount('lecturer')
    addVideo(doc)
    await nextFrame()
    const [video] = allByTestId('board-video') as HTMLVideoElement[]
    expect(video.controls).toBe(true)
    expect(video.getAttribute('src')).toBe('/api/v1/rooms/abcdefghjk/media/m_vid')
    expect(video.dataset.playing).toBe('false')
    expect((video.parentElement as HTMLElement).style.width).toBe('320px')
    expect((video.parentElement as HTMLElement).style.left).toBe('400px')
  })

  it('shows a student the player without controls', async () => {
    const { doc, allByTestId } = mount('student')
    const id = addVideo(doc)
    await nextFrame()
    const [video] = allByTestId('board-video') as HTMLVideoElement[]
    expect(video.controls).toBe(false)
    expect((video.parentElement as HTMLElement).style.pointerEvents).toBe('none')

    elementsMap(doc).get(id)!.set('playing', true)
    await nextFrame()
    expect(video.dataset.playing).toBe('true')
  })

  /** Gives a jsdom video the playback state of a loaded player. */
  function fakePlayer(video: HTMLVideoElement, options: { currentTime?: number; paused?: boolean; blockSound?: boolean } = {}) {
    const state = { currentTime: options.currentTime ?? 0, paused: options.paused ?? true, plays: 0, pauses: 0 }
    Object.defineProperty(video, 'readyState', { value: 4, configurable: true })
    Object.defineProperty(video, 'duration', { value: 60, configurable: true })
    Object.defineProperty(video, 'seeking', { value: false, configurable: true })
    Object.defineProperty(video, 'paused', { get: () => state.paused, configurable: true })
    Object.defineProperty(video, 'currentTime', {
      get: () => state.currentTime,
      set: (value: number) => {
        state.currentTime = value
      },
      configurable: true,
    })
    video.play = () => {
      state.plays++
      if (options.blockSound && !video.muted) return Promise.reject(new DOMException('blocked', 'NotAllowedError'))
      state.paused = false
      return Promise.resolve()
    }
    video.pause = () => {
      state.pauses++
      state.paused = true
    }
    return state
  }

  it('follows the shared playback state', async () => {
    const { doc, allByTestId } = mount('student')
    const id = addVideo(doc)
    await nextFrame()
    const [video] = allByTestId('board-video') as HTMLVideoElement[]
    const player = fakePlayer(video)

    const element = elementsMap(doc).get(id)!
    doc.transact(() => {
      element.set('playing', true)
      element.set('position', 2)
      element.set('at', SERVER_NOW - 3000)
    })
    await nextFrame()
    expect(player.currentTime).toBe(5)
    expect(player.plays).toBe(1)
    expect(player.paused).toBe(false)

    element.set('playing', false)
    await nextFrame()
    expect(player.pauses).toBe(1)
    expect(player.currentTime).toBe(2)
  })

  it('plays muted and offers to join when sound is blocked', async () => {
    const { doc, allByTestId, byTestId } = mount('student')
    const id = addVideo(doc)
    await nextFrame()
    const [video] = allByTestId('board-video') as HTMLVideoElement[]
    const player = fakePlayer(video, { blockSound: true })
    expect(byTestId('video-unmute')!.hidden).toBe(true)

    elementsMap(doc).get(id)!.set('playing', true)
    await nextFrame()
    await settle()
    expect(video.muted).toBe(true)
    expect(player.paused).toBe(false)
    const join = byTestId('video-unmute')!
    expect(join.hidden).toBe(false)
    expect(join.textContent).toBe('Click to join playback')

    join.click()
    expect(video.muted).toBe(false)
    expect(join.hidden).toBe(true)
  })

  it('writes a controller\'s play outside the undo history', async () => {
    const { doc, allByTestId, byTestId } = mount('lecturer')
    const id = addVideo(doc)
    await nextFrame()
    const [video] = allByTestId('board-video') as HTMLVideoElement[]
    const player = fakePlayer(video, { currentTime: 3 })

    player.paused = false
    video.dispatchEvent(new Event('play'))
    expect(elementsMap(doc).get(id)!.toJSON()).toMatchObject({ playing: true, position: 3, at: SERVER_NOW })
    expect((byTestId('undo') as HTMLButtonElement).disabled).toBe(true)

    // A pause that the shared state already explains writes nothing.
    elementsMap(doc).get(id)!.set('playing', false)
    player.paused = true
    elementsMap(doc).get(id)!.set('at', 1)
    video.dispatchEvent(new Event('pause'))
    expect(elementsMap(doc).get(id)!.get('at')).toBe(1)
  })

  it('keeps a student from writing playback', async () => {
    const { doc, allByTestId } = mount('student')
    const id = addVideo(doc)
    await nextFrame()
    const [video] = allByTestId('board-video') as HTMLVideoElement[]
    const player = fakePlayer(video, { currentTime: 3 })
    player.paused = false
    video.dispatchEvent(new Event('play'))
    expect(elementsMap(doc).get(id)!.get('playing')).toBe(false)
  })

  it('removes the player with its element', async () => {
    const { doc, allByTestId } = mount('lecturer')
    const id = addVideo(doc)
    await nextFrame()
    expect(allByTestId('board-video')).toHaveLength(1)
    elementsMap(doc).delete(id)
    await nextFrame()
    expect(allByTestId('board-video')).toHaveLength(0)
  })
})

describe('ImageCache', () => {
  function cache(fetchImpl: typeof fetch, now = () => 0) {
    const revoked: string[] = []
    let changes = 0
    let urls = 0
    const images = new ImageCache({
      urlFor: (id) => `/media/${id}`,
      token: 'secret',
      onChange: () => changes++,
      fetch: fetchImpl,
      loadImage: async (url) => ({ url }) as unknown as CanvasImageSource,
      createObjectURL: () => `blob:${++urls}`,
      revokeObjectURL: (url) => revoked.push(url),
      now,
    })
    return { images, revoked, changes: () => changes }
  }

  const element = { kind: 'image', media: 'm_1' } as SceneElement['data']

  it('fetches with the bearer token and paints once loaded', async () => {
    const calls: Array<[string, RequestInit | undefined]> = []
    const fetchImpl = (async (url: string, init?: RequestInit) => {
      calls.push([url, init])
      return new Response(new Blob(['png']), { status: 200 })
    }) as unknown as typeof fetch
    const { images, changes } = cache(fetchImpl)
    expect(mediaFrame(element, images)).toBe('loading')
    await vi.waitFor(() => expect(mediaFrame(element, images)).toBe('image'))
    expect(changes()).toBe(1)
    expect(calls).toHaveLength(1)
    expect(calls[0][0]).toBe('/media/m_1')
    expect((calls[0][1]?.headers as Record<string, string>).Authorization).toBe('Bearer secret')
  })

  it('paints a failed frame and retries later', async () => {
    let clock = 0
    let attempts = 0
    const fetchImpl = (async () => {
      attempts++
      return new Response('', { status: 404 })
    }) as unknown as typeof fetch
    const { images } = cache(fetchImpl, () => clock)
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    images.get('m_1')
    await vi.waitFor(() => expect(mediaFrame(element, images)).toBe('failed'))
    images.get('m_1')
    expect(attempts).toBe(1)
    clock = RETRY_AFTER_MS
    expect(mediaFrame(element, images)).toBe('loading')
    expect(attempts).toBe(2)
  })

  it('revokes the blob URL of an unused picture', async () => {
    const fetchImpl = (async () => new Response(new Blob(['png']), { status: 200 })) as unknown as typeof fetch
    const { images, revoked } = cache(fetchImpl)
    images.get('m_1')
    images.get('m_2')
    await vi.waitFor(() => expect(images.get('m_2').status).toBe('loaded'))
    images.retain(new Set(['m_2']))
    expect(images.ids()).toEqual(['m_2'])
    expect(revoked).toEqual(['blob:1'])
  })

  it('paints a frame without a cache', () => {
    expect(mediaFrame(element, null)).toBe('failed')
    expect(mediaFrame({ ...element, kind: 'video' }, null)).toBe('video')
  })
})
