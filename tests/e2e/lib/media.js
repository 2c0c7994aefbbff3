// Media files for the browser tests, written in memory: a PNG picture in
// two colours and a PDF whose pages are filled with one colour each.

import { deflateSync } from 'node:zlib'

/** Colours of the test files, as RGB. */
export const RED = [220, 20, 30]
export const BLUE = [20, 40, 220]

function crc32 (bytes) {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1))
  }
  return (crc ^ 0xffffffff) >>> 0
}

function pngChunk (type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** Returns a PNG of `width` × `height` pixels, its left half `left` and its right half `right`. */
export function twoColourPng (width, height, left = RED, right = BLUE) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // colour type: RGB
  const rows = Buffer.alloc(height * (1 + width * 3))
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3)
    rows[row] = 0 // filter: none
    for (let x = 0; x < width; x++) {
      const colour = x < width / 2 ? left : right
      rows.set(colour, row + 1 + x * 3)
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0))
  ])
}

/**
 * Returns a PDF with one 400 × 300 point page per colour, each page filled
 * with its colour, and a correct cross-reference table.
 */
export function colourPagesPdf (colours) {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>']
  const kids = colours.map((_, index) => `${3 + 2 * index} 0 R`)
  objects.push(`<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${colours.length} >>`)
  colours.forEach((colour, index) => {
    const [r, g, b] = colour.map((value) => (value / 255).toFixed(3))
    const content = `${r} ${g} ${b} rg 0 0 400 300 re f`
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Contents ${4 + 2 * index} 0 R >>`)
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`)
  })

  let pdf = '%PDF-1.4\n'
  const offsets = []
  objects.forEach((object, index) => {
    offsets.push(pdf.length)
    pdf += `${index + 1} 0 obj\n${object}\nendobj\n`
  })
  const xref = pdf.length
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(pdf, 'latin1')
}

/**
 * Counts the pixels of the board, as a screenshot shows them, within
 * `tolerance` of `colour` in each channel. `region` is in fractions of the
 * board's width and height.
 */
export async function colourPixels (participant, colour, region, tolerance = 40) {
  const { page } = participant
  const png = await page.locator('[data-testid="board"]').screenshot()
  return page.evaluate(async ({ bytes, colour, region, tolerance }) => {
    const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/png' }))
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
    const context = canvas.getContext('2d')
    context.drawImage(bitmap, 0, 0)
    const left = Math.floor(region.left * bitmap.width)
    const top = Math.floor(region.top * bitmap.height)
    const width = Math.max(1, Math.floor((region.right - region.left) * bitmap.width))
    const height = Math.max(1, Math.floor((region.bottom - region.top) * bitmap.height))
    const { data } = context.getImageData(left, top, width, height)
    let count = 0
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - colour[0]) <= tolerance && Math.abs(data[i + 1] - colour[1]) <= tolerance &&
          Math.abs(data[i + 2] - colour[2]) <= tolerance) count++
    }
    return count
  }, { bytes: [...png], colour, region, tolerance })
}

/**
 * Takes board screenshots until at least `minimum` pixels in `region` have
 * `colour`, and returns the count; fails with the last count after `timeout`.
 */
export async function waitForColour (participant, colour, region, minimum, { timeout = 15_000 } = {}) {
  const deadline = Date.now() + timeout
  let count = await colourPixels(participant, colour, region)
  while (count < minimum) {
    if (Date.now() > deadline) {
      throw new Error(`${participant.label}: the board shows ${count} pixels of rgb(${colour}) in ` +
        `${JSON.stringify(region)} after ${timeout} ms, expected at least ${minimum}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
    count = await colourPixels(participant, colour, region)
  }
  return count
}

/**
 * Records a WebM video of `seconds` seconds in the page with MediaRecorder,
 * from a canvas showing the elapsed time on green, and returns its bytes.
 * The test machines have no ffmpeg, and Chromium writes WebM itself.
 */
export async function recordWebm (participant, seconds) {
  const bytes = await participant.page.evaluate(async (seconds) => {
    const canvas = document.createElement('canvas')
    canvas.width = 320
    canvas.height = 180
    const context = canvas.getContext('2d')
    const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm' })
    const chunks = []
    recorder.ondataavailable = (event) => chunks.push(event.data)
    const stopped = new Promise((resolve) => { recorder.onstop = resolve })
    recorder.start(200)
    const started = performance.now()
    await new Promise((resolve) => {
      const draw = () => {
        const elapsed = (performance.now() - started) / 1000
        context.fillStyle = '#00a000'
        context.fillRect(0, 0, canvas.width, canvas.height)
        context.fillStyle = '#ffffff'
        context.font = '60px sans-serif'
        context.fillText(elapsed.toFixed(1), 80, 110)
        if (elapsed < seconds) requestAnimationFrame(draw)
        else resolve()
      }
      draw()
    })
    recorder.stop()
    await stopped
    return [...new Uint8Array(await new Blob(chunks).arrayBuffer())]
  }, seconds)
  return Buffer.from(bytes)
}
