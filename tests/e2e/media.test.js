// Pictures and slides on the whiteboard in headless Chromium against a real
// `lectern serve`. A lecturer's picture (inserted with the file picker or
// dropped on the board), PDF and video reach a student, and the student's
// player follows the lecturer's play and pause. The lecturer exports the
// lecture as PDF and a page as PNG. A student without drawing
// rights can neither see the insert button nor upload. The media files
// are written in memory by lib/media.js.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'

import { launchBrowser } from './lib/browser.js'
import {
  Classroom,
  assertNoPageErrors,
  joinRoom,
  lecturerAccount,
  startLecture,
  testId,
  waitForAttribute,
  waitForElementCount,
  waitForText
} from './lib/classroom.js'
import { BLUE, RED, colourPagesPdf, recordWebm, twoColourPng, waitForColour } from './lib/media.js'
import { LecternServer, outputDir } from './lib/server.js'

// The picture is 320 × 200 pixels, smaller than 80% of the 1280 × 800
// window's board, so it keeps its size and sits in the board's centre.
const PICTURE = { width: 320, height: 200 }

/** Board regions, in fractions of its size, well inside each half of the centred picture. */
const LEFT_OF_CENTRE = { left: 0.42, top: 0.45, right: 0.48, bottom: 0.55 }
const RIGHT_OF_CENTRE = { left: 0.52, top: 0.45, right: 0.58, bottom: 0.55 }

// Each region above covers several thousand pixels of the picture; an
// empty board has none of its colours.
const MIN_COLOUR_PIXELS = 500

// The regions next to a drop point reach at most 5% of the board's width
// sideways and 3% of its height up or down from it: in the 1280 × 800
// window at most 64 and 24 pixels, inside the 320 × 200 picture centred
// there. Each covers over a thousand of the picture's pixels.
const MIN_DROP_PIXELS = 200

describe('media on the whiteboard', { timeout: 180_000 }, () => {
  /** @type {LecternServer} */
  let server
  /** @type {import('playwright-core').Browser} */
  let browser

  before(async () => {
    server = await LecternServer.start({ name: 'media', users: [lecturerAccount] })
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('student sees lecturer picture', () => Classroom.run(browser, server, 'media-picture', async (room) => {
    const lecturer = await room.open('lecturer')
    const { joinUrl } = await startLecture(lecturer, server.url, 'Pictures')
    const student = await room.open('student')
    await joinRoom(student, joinUrl, 'Grace Student')

    await lecturer.page.locator(testId('media-file-input')).setInputFiles({
      name: 'halves.png',
      mimeType: 'image/png',
      buffer: twoColourPng(PICTURE.width, PICTURE.height)
    })
    await waitForElementCount(lecturer, 1)
    await waitForElementCount(student, 1)
    assert.equal(await lecturer.page.locator(testId('media-placeholder')).count(), 0,
      'the upload placeholder stays after the picture was added')

    // The student's board draws the picture itself, not a placeholder frame:
    // red on the left of the centre, blue on the right.
    await waitForColour(student, RED, LEFT_OF_CENTRE, MIN_COLOUR_PIXELS)
    await waitForColour(student, BLUE, RIGHT_OF_CENTRE, MIN_COLOUR_PIXELS)
    await waitForColour(lecturer, RED, LEFT_OF_CENTRE, MIN_COLOUR_PIXELS)

    await lecturer.page.screenshot({ path: join(outputDir, 'media-lecturer-picture.png'), fullPage: true })
    await student.page.screenshot({ path: join(outputDir, 'media-student-picture.png'), fullPage: true })
    assertNoPageErrors(lecturer)
    assertNoPageErrors(student)
  }))

  it('student sees dropped picture', () => Classroom.run(browser, server, 'media-drop', async (room) => {
    const lecturer = await room.open('lecturer')
    const { joinUrl } = await startLecture(lecturer, server.url, 'Dropped picture')
    const student = await room.open('student')
    await joinRoom(student, joinUrl, 'Grace Student')

    // The drop point, in fractions of the board's size, left of and above
    // the centre so that the test can tell it from the centred insert.
    const point = { x: 0.3, y: 0.4 }
    const prevented = await lecturer.page.evaluate(({ base64, point }) => {
      const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0))
      const transfer = new DataTransfer()
      transfer.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }))
      const board = document.querySelector('[data-testid="board"]')
      const bounds = board.getBoundingClientRect()
      const position = {
        bubbles: true,
        cancelable: true,
        dataTransfer: transfer,
        clientX: bounds.left + point.x * bounds.width,
        clientY: bounds.top + point.y * bounds.height
      }
      board.dispatchEvent(new DragEvent('dragenter', position))
      board.dispatchEvent(new DragEvent('dragover', position))
      const drop = new DragEvent('drop', position)
      board.dispatchEvent(drop)
      return drop.defaultPrevented
    }, { base64: twoColourPng(PICTURE.width, PICTURE.height).toString('base64'), point })
    assert.equal(prevented, true, 'the board did not handle the drop')

    await waitForElementCount(lecturer, 1)
    await waitForElementCount(student, 1)

    // The lecturer's board centres the picture on the drop point: red just
    // left of it, blue just right of it.
    const leftOfPoint = { left: point.x - 0.05, top: point.y - 0.03, right: point.x - 0.01, bottom: point.y + 0.03 }
    const rightOfPoint = { left: point.x + 0.01, top: point.y - 0.03, right: point.x + 0.05, bottom: point.y + 0.03 }
    await waitForColour(lecturer, RED, leftOfPoint, MIN_DROP_PIXELS)
    await waitForColour(lecturer, BLUE, rightOfPoint, MIN_DROP_PIXELS)

    // The student's view may be placed differently, so only the picture's
    // colours anywhere on the board are checked there.
    const wholeBoard = { left: 0, top: 0, right: 1, bottom: 1 }
    await waitForColour(student, RED, wholeBoard, MIN_COLOUR_PIXELS)
    await waitForColour(student, BLUE, wholeBoard, MIN_COLOUR_PIXELS)

    await student.page.screenshot({ path: join(outputDir, 'media-student-dropped.png'), fullPage: true })
    assertNoPageErrors(lecturer)
    assertNoPageErrors(student)
  }))

  it('PDF becomes slide pages', () => Classroom.run(browser, server, 'media-slides', async (room) => {
    const lecturer = await room.open('lecturer')
    const { joinUrl } = await startLecture(lecturer, server.url, 'Slides')
    const student = await room.open('student')
    await joinRoom(student, joinUrl, 'Grace Student')

    await lecturer.page.locator(testId('media-file-input')).setInputFiles({
      name: 'deck.pdf',
      mimeType: 'application/pdf',
      buffer: colourPagesPdf([RED, BLUE])
    })
    // The lecturer's board opens the first slide, after the page it was on,
    // and the student follows.
    await waitForText(lecturer, 'page-indicator', (text) => text === 'Page 2 of 3', '"Page 2 of 3"')
    await waitForText(student, 'page-indicator', (text) => text === 'Page 2 of 3', '"Page 2 of 3"')
    await waitForText(student, 'page-title', (text) => text === 'Slide 1', '"Slide 1"')
    const centre = { left: 0.4, top: 0.4, right: 0.6, bottom: 0.6 }
    await waitForColour(student, RED, centre, MIN_COLOUR_PIXELS)

    await lecturer.page.locator(testId('page-next')).click()
    await waitForText(student, 'page-title', (text) => text === 'Slide 2', '"Slide 2"')
    await waitForColour(student, BLUE, centre, MIN_COLOUR_PIXELS)

    await student.page.screenshot({ path: join(outputDir, 'media-student-slide.png'), fullPage: true })
    assertNoPageErrors(lecturer)
    assertNoPageErrors(student)
  }))

  it('lecturer exports slides as PDF and PNG', () => Classroom.run(browser, server, 'media-export', async (room) => {
    const lecturer = await room.open('lecturer')
    await startLecture(lecturer, server.url, 'Export')
    await lecturer.page.locator(testId('media-file-input')).setInputFiles({
      name: 'deck.pdf',
      mimeType: 'application/pdf',
      buffer: colourPagesPdf([RED, BLUE])
    })
    await waitForText(lecturer, 'page-indicator', (text) => text === 'Page 2 of 3', '"Page 2 of 3"')

    // The whole lecture: the first, empty page and both slides.
    const pdfPath = await downloadFrom(lecturer, 'export-pdf')
    const pdf = await readFile(pdfPath)
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'the lecture export is not a PDF')
    const info = execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' })
    assert.match(info, /^Pages:\s+3$/m, `the lecture PDF does not have 3 pages:\n${info}`)

    // The page on screen, the first slide, as PNG.
    const pngPath = await downloadFrom(lecturer, 'export-page')
    const png = await readFile(pngPath)
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the page export is not a PNG')
    assert.equal(await lecturer.page.locator(testId('export-error')).count(), 0, 'the export panel shows an error')
    assertNoPageErrors(lecturer)
  }))

  it('student follows lecturer video', () => Classroom.run(browser, server, 'media-video', async (room) => {
    const lecturer = await room.open('lecturer')
    const { joinUrl } = await startLecture(lecturer, server.url, 'Video')
    const student = await room.open('student')
    await joinRoom(student, joinUrl, 'Grace Student')

    const clip = await recordWebm(lecturer, 5)
    // The pan tool leaves clicks on the board to the player's controls.
    await lecturer.page.locator(testId('tool-pan')).click()
    await lecturer.page.locator(testId('media-file-input')).setInputFiles({ name: 'clip.webm', mimeType: 'video/webm', buffer: clip })
    const video = testId('board-video')
    await waitForAttribute(lecturer, video, 'data-state', 'ready')
    await waitForAttribute(student, video, 'data-state', 'ready')
    assert.equal(await lecturer.page.locator(video).evaluate((element) => element.controls), true, 'the lecturer\'s player has no controls')
    assert.equal(await student.page.locator(video).evaluate((element) => element.controls), false, 'the student\'s player has controls')

    // The lecturer's page has had clicks, so Chromium lets it play with sound.
    await lecturer.page.locator(video).evaluate((element) => element.play())
    await waitForAttribute(student, video, 'data-playing', 'true')
    const playing = await student.page.locator(video).evaluate((element) => new Promise((resolve) => {
      const start = element.currentTime
      setTimeout(() => resolve({ start, end: element.currentTime, paused: element.paused }), 1_000)
    }))
    assert.equal(playing.paused, false, 'the student\'s player is paused while the lecturer plays')
    assert.ok(playing.end > playing.start, `the student's player stands at ${playing.end} s`)

    await lecturer.page.locator(video).evaluate((element) => element.pause())
    await waitForAttribute(student, video, 'data-playing', 'false')
    await student.page.waitForFunction((selector) => document.querySelector(selector)?.paused === true, video)
    const lecturerTime = await lecturer.page.locator(video).evaluate((element) => element.currentTime)
    const studentTime = await student.page.locator(video).evaluate((element) => element.currentTime)
    assert.ok(Math.abs(lecturerTime - studentTime) <= 0.6,
      `paused, the student's player is at ${studentTime} s and the lecturer's at ${lecturerTime} s`)

    await student.page.screenshot({ path: join(outputDir, 'media-student-video.png'), fullPage: true })
    assertNoPageErrors(lecturer)
    assertNoPageErrors(student)
  }))

  it('student without rights cannot upload', () => Classroom.run(browser, server, 'media-rights', async (room) => {
    const lecturer = await room.open('lecturer')
    const { joinUrl, code } = await startLecture(lecturer, server.url, 'Media rights')
    const student = await room.open('student')
    await joinRoom(student, joinUrl, 'Grace Student')
    await waitForAttribute(student, testId('my-draw-state'), 'data-can-draw', 'false')

    assert.equal(await student.page.locator(testId('media-insert')).isVisible(), false,
      'a student without drawing rights sees the insert button')

    const { status, body } = await student.page.evaluate(async ({ code, picture }) => {
      const seat = JSON.parse(window.localStorage.getItem(`lectern.room.${code}`))
      const response = await fetch(`/api/v1/rooms/${code}/media`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${seat.token}`, 'Content-Type': 'image/png' },
        body: new Uint8Array(picture)
      })
      return { status: response.status, body: await response.text() }
    }, { code, picture: [...twoColourPng(16, 16)] })
    assert.equal(status, 403, `a direct upload by a student without drawing rights got HTTP ${status}: ${body}`)
    assert.equal(JSON.parse(body).error?.code, 'forbidden', `the 403 body is ${body}`)

    // Allowed to draw, the student gets the button.
    await lecturer.page.locator(testId('allow-draw-all')).click()
    await waitForAttribute(student, testId('my-draw-state'), 'data-can-draw', 'true')
    await student.page.locator(testId('media-insert')).waitFor({ state: 'visible' })
    assertNoPageErrors(lecturer)
    assertNoPageErrors(student)
  }))
})

/** Clicks the export button `id` and returns the path of the file the browser downloaded. */
async function downloadFrom (participant, id) {
  const [download] = await Promise.all([
    participant.page.waitForEvent('download'),
    participant.page.locator(testId(id)).click()
  ])
  const path = await download.path()
  assert.ok(path, `the ${id} download failed: ${await download.failure()}`)
  return path
}
