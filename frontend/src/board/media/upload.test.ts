import { describe, expect, it } from 'vitest'

import { FakeXhr } from './testFakes'
import { MediaUploadError, mediaUrl, parseMediaResponse, uploadMedia } from './upload'

function start(file = new Blob(['png bytes'], { type: 'image/png' }), fileName?: string) {
  const xhr = new FakeXhr()
  const progress: number[] = []
  const upload = uploadMedia({ roomCode: 'abcdefghjk', token: 'secret', file, fileName, onProgress: (fraction) => progress.push(fraction), createXhr: () => xhr })
  return { xhr, progress, upload }
}

const IMAGE = {
  id: 'm_1',
  kind: 'image',
  width: 1600,
  height: 1200,
  url: '/api/v1/rooms/abcdefghjk/media/m_1',
  thumbnail_url: '/api/v1/rooms/abcdefghjk/media/m_1?variant=thumbnail',
}

async function failure(status: number, body: unknown): Promise<MediaUploadError> {
  const { xhr, upload } = start()
  xhr.respond(status, body)
  const error = await upload.done.catch((caught: unknown) => caught)
  expect(error).toBeInstanceOf(MediaUploadError)
  return error as MediaUploadError
}

describe('uploadMedia', () => {
  it('posts the raw file with the bearer token', () => {
    const file = new Blob(['png bytes'], { type: 'image/png' })
    const { xhr } = start(file, 'Фото 1.png')
    expect(xhr.method).toBe('POST')
    expect(xhr.url).toBe('/api/v1/rooms/abcdefghjk/media')
    expect(xhr.headers.Authorization).toBe('Bearer secret')
    expect(xhr.headers['Content-Type']).toBe('image/png')
    expect(xhr.headers['X-Lectern-Filename']).toBe(encodeURIComponent('Фото 1.png'))
    expect(xhr.body).toBe(file)
  })

  it('sends octet-stream for an untyped file', () => {
    const { xhr } = start(new Blob(['bytes']))
    expect(xhr.headers['Content-Type']).toBe('application/octet-stream')
    expect(xhr.headers['X-Lectern-Filename']).toBeUndefined()
  })

  it('reports upload progress as a fraction', () => {
    const { xhr, progress } = start()
    xhr.progress(25, 100)
    xhr.progress(0, 0)
    xhr.progress(50, 100, false)
    xhr.progress(100, 100)
    expect(progress).toEqual([0.25, 1])
  })

  it('resolves with the parsed picture', async () => {
    const { xhr, upload } = start()
    xhr.respond(201, IMAGE)
    await expect(upload.done).resolves.toEqual({
      id: 'm_1',
      kind: 'image',
      width: 1600,
      height: 1200,
      url: IMAGE.url,
      thumbnailUrl: IMAGE.thumbnail_url,
      pages: [],
    })
  })

  it('resolves a video without a size', async () => {
    const { xhr, upload } = start()
    xhr.respond(201, { id: 'm_v', kind: 'video', width: null, height: null, url: '/v', thumbnail_url: null })
    const media = await upload.done
    expect(media.kind).toBe('video')
    expect(media.width).toBeNull()
    expect(media.height).toBeNull()
  })

  it('resolves slides with their pages', async () => {
    const { xhr, upload } = start()
    const page = (id: string) => ({ id, kind: 'image', width: 1240, height: 1754, url: `/p/${id}`, thumbnail_url: `/p/${id}?variant=thumbnail` })
    xhr.respond(201, { id: 'm_pdf', kind: 'slides', width: 1240, height: 1754, url: '/pdf', thumbnail_url: '/pdf?t', pages: [page('m_p1'), page('m_p2')] })
    const media = await upload.done
    expect(media.kind).toBe('slides')
    expect(media.pages.map((entry) => entry.id)).toEqual(['m_p1', 'm_p2'])
    expect(media.pages[1].height).toBe(1754)
  })

  it('rejects a 2xx body that is no media object', async () => {
    const error = await failure(201, '<html>proxy</html>')
    expect(error.code).toBe('invalid_response')
    expect(error.status).toBe(201)
  })

  it.each([
    [400, 'invalid_media', 'the file is an SVG picture, which is not supported; export it as PNG'],
    [403, 'forbidden', 'you may not draw in this room'],
    [410, 'room_closed', 'the room is closed'],
    [413, 'payload_too_large', 'the picture is 41 MB, over the 40 MB limit'],
    [422, 'too_many_pixels', 'the picture has 120 megapixels, over the 100 megapixel limit'],
    [422, 'too_many_pages', 'the PDF has 600 pages, over the 500 page limit'],
  ])('rejects HTTP %i as %s with the server message', async (status, code, message) => {
    const error = await failure(status, { error: { code, message } })
    expect(error.status).toBe(status)
    expect(error.code).toBe(code)
    expect(error.message).toBe(message)
  })

  it('falls back to the status for a body without error', async () => {
    const { xhr, upload } = start()
    xhr.respond(502, '<html>Bad gateway</html>', 'Bad Gateway')
    const error = (await upload.done.catch((caught: unknown) => caught)) as MediaUploadError
    expect(error.code).toBe('http_502')
    expect(error.message).toBe('HTTP 502 Bad Gateway')
  })

  it('rejects a network failure', async () => {
    const { xhr, upload } = start()
    xhr.fire('error')
    await expect(upload.done).rejects.toMatchObject({ code: 'network', status: 0 })
  })

  it('rejects after abort', async () => {
    const { xhr, upload } = start()
    upload.abort()
    expect(xhr.aborted).toBe(true)
    await expect(upload.done).rejects.toMatchObject({ code: 'aborted' })
  })
})

describe('parseMediaResponse', () => {
  it('rejects a picture without a size', () => {
    expect(parseMediaResponse(JSON.stringify({ ...IMAGE, width: null }))).toBeNull()
  })

  it('rejects an unknown kind', () => {
    expect(parseMediaResponse(JSON.stringify({ ...IMAGE, kind: 'audio' }))).toBeNull()
  })

  it('rejects slides without pages', () => {
    expect(parseMediaResponse(JSON.stringify({ ...IMAGE, kind: 'slides', pages: [] }))).toBeNull()
  })

  it('rejects slides with a page that is no picture', () => {
    expect(parseMediaResponse(JSON.stringify({ ...IMAGE, kind: 'slides', pages: [{ ...IMAGE, kind: 'video' }] }))).toBeNull()
  })
})

describe('mediaUrl', () => {
  it('joins the room code and media id', () => {
    expect(mediaUrl('abcdefghjk', 'm_1')).toBe('/api/v1/rooms/abcdefghjk/media/m_1')
  })
})
