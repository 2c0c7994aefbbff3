// A lecturer and students in headless Chromium against a real `lectern serve`:
// a stroke reaching a student, drawing rights, following pages and undo.
// Each test creates its own room and browser contexts on the file's server.

import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'

import { launchBrowser } from './lib/browser.js'
import {
  Classroom,
  assertNoPageErrors,
  drawStroke,
  elementCount,
  handRoundTrip,
  inkPixels,
  joinRoom,
  lecturerAccount,
  startLecture,
  testId,
  waitForAttribute,
  waitForElementCount,
  waitForEnabled,
  waitForInk,
  waitForText
} from './lib/classroom.js'
import { LecternServer, outputDir } from './lib/server.js'

/** Toolbar buttons of the tools that change the board. */
const EDITING_TOOLS = ['tool-pen', 'tool-highlighter', 'tool-eraser', 'tool-rectangle', 'tool-text', 'tool-select']

// A stroke across a fifth of the board leaves far more ink pixels than this,
// while an empty board leaves none.
const MIN_STROKE_INK = 100

describe('classroom in the browser', { timeout: 180_000 }, () => {
  /** @type {LecternServer} */
  let server
  /** @type {import('playwright-core').Browser} */
  let browser

  before(async () => {
    server = await LecternServer.start({ name: 'classroom', users: [lecturerAccount] })
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('student sees lecturer stroke', () => Classroom.run(browser, server, 'stroke', async (room) => {
    const lecturer = await room.open('lecturer')
    const { code, joinUrl, shownCode } = await startLecture(lecturer, server.url, 'Stroke sync')
    assert.equal(shownCode, code, 'the room card shows a code other than its data-code')
    assert.equal(new URL(joinUrl).origin, server.url, `join_url ${joinUrl} does not point at the server`)

    assert.equal(await elementCount(lecturer), 0, 'a new room starts with elements on its board')
    const inkBefore = await inkPixels(lecturer)
    await lecturer.page.locator(testId('tool-pen')).click()
    await drawStroke(lecturer, [0.2, 0.3], [0.6, 0.5])
    await waitForElementCount(lecturer, 1)
    const inkAfter = await inkPixels(lecturer)
    assert.ok(inkAfter >= inkBefore + MIN_STROKE_INK,
      `the lecturer's board has ${inkAfter} ink pixels after the stroke and ${inkBefore} before`)

    const student = await room.open('student')
    await joinRoom(student, joinUrl, 'Grace Student')
    assert.equal(new URL(student.page.url()).pathname, `/room/${code}`)
    await waitForElementCount(student, 1)
    const studentInk = await inkPixels(student)
    assert.ok(studentInk >= MIN_STROKE_INK,
      `the student's board shows 1 element but only ${studentInk} ink pixels`)

    await lecturer.page.screenshot({ path: join(outputDir, 'lecturer-room.png'), fullPage: true })
    await student.page.screenshot({ path: join(outputDir, 'student-room.png'), fullPage: true })
    assertNoPageErrors(lecturer)
    assertNoPageErrors(student)
  }))

  it('student draws only while allowed', () => Classroom.run(browser, server, 'rights', async (room) => {
    const lecturer = await room.open('lecturer')
    const { joinUrl } = await startLecture(lecturer, server.url, 'Drawing rights')
    const student = await room.open('student')
    const studentId = await joinRoom(student, joinUrl, 'Grace Student')
    await waitForAttribute(lecturer, `${testId('participant')}[data-participant-id="${studentId}"]`, 'data-online', 'true')

    // Not allowed yet: the editing tools are disabled and a drag draws nothing.
    await waitForAttribute(student, testId('my-draw-state'), 'data-can-draw', 'false')
    for (const tool of EDITING_TOOLS) await waitForEnabled(student, tool, false)
    await drawStroke(student, [0.2, 0.2], [0.5, 0.4])
    await handRoundTrip(student, studentId, lecturer)
    assert.equal(await elementCount(lecturer), 0, 'a drag by a student without drawing rights reached the lecturer')
    assert.equal(await elementCount(student), 0, 'a drag by a student without drawing rights drew on their own board')

    // Allowed: the student's stroke reaches the lecturer.
    // click(), not check(): the box shows the state the server returns, so
    // it may not change at once.
    await lecturer.page.locator(testId('allow-draw-all')).click()
    await waitForAttribute(student, testId('my-draw-state'), 'data-can-draw', 'true')
    await waitForEnabled(student, 'tool-pen', true)
    await student.page.locator(testId('tool-pen')).click()
    await drawStroke(student, [0.2, 0.2], [0.5, 0.4])
    await waitForElementCount(student, 1)
    await waitForElementCount(lecturer, 1)
    await lecturer.page.waitForFunction((selector) => document.querySelector(selector)?.checked === true,
      testId('allow-draw-all'))

    // Revoked: the tools are disabled again and nothing more arrives.
    await lecturer.page.locator(testId('allow-draw-all')).click()
    await waitForAttribute(student, testId('my-draw-state'), 'data-can-draw', 'false')
    await waitForEnabled(student, 'tool-pen', false)
    await drawStroke(student, [0.3, 0.5], [0.7, 0.7])
    await handRoundTrip(student, studentId, lecturer)
    assert.equal(await elementCount(lecturer), 1, 'a stroke drawn after revoking reached the lecturer')
    assert.equal(await elementCount(student), 1, 'a stroke drawn after revoking appeared on the student\'s board')
    assertNoPageErrors(lecturer)
    assertNoPageErrors(student)
  }))

  it('student follows page switch', () => Classroom.run(browser, server, 'pages', async (room) => {
    const lecturer = await room.open('lecturer')
    const { joinUrl } = await startLecture(lecturer, server.url, 'Pages')
    const student = await room.open('student')
    await joinRoom(student, joinUrl, 'Grace Student')

    const firstPage = await lecturer.page.locator(testId('page-indicator')).textContent()
    await waitForText(student, 'page-indicator', (text) => text === firstPage, JSON.stringify(firstPage))

    await lecturer.page.locator(testId('page-add')).click()
    const secondPage = await waitForText(lecturer, 'page-indicator', (text) => text !== firstPage,
      `a page indicator other than ${JSON.stringify(firstPage)} after page-add`)
    await waitForText(student, 'page-indicator', (text) => text === secondPage, JSON.stringify(secondPage))

    // A stroke on the new page shows on the student's board, so the student
    // is on that page and not only showing its number.
    await drawStroke(lecturer, [0.3, 0.3], [0.6, 0.6])
    await waitForElementCount(lecturer, 1)
    await waitForElementCount(student, 1)

    // Back on the first page, which now shows the new page count.
    await lecturer.page.locator(testId('page-prev')).click()
    const firstPageAgain = await waitForText(lecturer, 'page-indicator', (text) => text !== secondPage,
      `a page indicator other than ${JSON.stringify(secondPage)} after page-prev`)
    await waitForText(student, 'page-indicator', (text) => text === firstPageAgain, JSON.stringify(firstPageAgain))
    await waitForElementCount(lecturer, 0)
    await waitForElementCount(student, 0)

    await lecturer.page.locator(testId('page-next')).click()
    await waitForText(lecturer, 'page-indicator', (text) => text === secondPage, JSON.stringify(secondPage))
    await waitForText(student, 'page-indicator', (text) => text === secondPage, JSON.stringify(secondPage))
    await waitForElementCount(student, 1)
    assertNoPageErrors(lecturer)
    assertNoPageErrors(student)
  }))

  it('shapes, text and erasing sync', () => Classroom.run(browser, server, 'tools', async (room) => {
    const lecturer = await room.open('lecturer')
    const { joinUrl } = await startLecture(lecturer, server.url, 'Tools')
    const student = await room.open('student')
    await joinRoom(student, joinUrl, 'Grace Student')

    await lecturer.page.locator(testId('tool-rectangle')).click()
    await drawStroke(lecturer, [0.1, 0.1], [0.3, 0.3], { steps: 4 })
    await waitForElementCount(lecturer, 1)
    await waitForElementCount(student, 1)

    await lecturer.page.locator(testId('tool-highlighter')).click()
    await drawStroke(lecturer, [0.5, 0.5], [0.9, 0.5])
    await waitForElementCount(lecturer, 2)
    await waitForElementCount(student, 2)

    // A vertical eraser drag through the middle of the highlighter stroke,
    // far from the rectangle.
    await lecturer.page.locator(testId('tool-eraser')).click()
    await drawStroke(lecturer, [0.7, 0.35], [0.7, 0.65])
    await waitForElementCount(lecturer, 1)
    await waitForElementCount(student, 1)
    const erasedInk = await inkPixels(student, { left: 0.45, top: 0.4, right: 1, bottom: 0.6 })
    assert.ok(erasedInk < MIN_STROKE_INK / 5, `the erased stroke still shows on the student's board: ${erasedInk} ink pixels`)
    const rectangleInk = await inkPixels(student, { left: 0, top: 0, right: 0.4, bottom: 0.4 })
    assert.ok(rectangleInk >= MIN_STROKE_INK, `the rectangle shows only ${rectangleInk} ink pixels on the student's board`)

    // A text typed into the editor that a click with the text tool opens.
    const textRegion = { left: 0.05, top: 0.6, right: 0.45, bottom: 0.95 }
    const inkBeforeText = await inkPixels(student, textRegion)
    await lecturer.page.locator(testId('tool-text')).click()
    const box = await lecturer.page.locator(testId('board')).boundingBox()
    await lecturer.page.mouse.click(box.x + 0.1 * box.width, box.y + 0.7 * box.height)
    await lecturer.page.locator(testId('text-editor')).waitFor({ state: 'visible' })
    await lecturer.page.keyboard.type('Hello, class')
    await lecturer.page.keyboard.press('Escape')
    await lecturer.page.locator(testId('text-editor')).waitFor({ state: 'detached' })
    await lecturer.page.mouse.move(1, 1)
    await waitForElementCount(lecturer, 2)
    await waitForElementCount(student, 2)
    await waitForInk(student, textRegion, (count) => count > inkBeforeText + 50,
      `more than ${inkBeforeText + 50}, from the text`)
    assertNoPageErrors(lecturer)
    assertNoPageErrors(student)
  }))

  it('undo removes only own stroke', () => Classroom.run(browser, server, 'undo', async (room) => {
    const lecturer = await room.open('lecturer')
    const { joinUrl } = await startLecture(lecturer, server.url, 'Undo')
    const student = await room.open('student')
    const studentId = await joinRoom(student, joinUrl, 'Grace Student')

    const toggle = `${testId('participant-draw-toggle')}[data-participant-id="${studentId}"]`
    await lecturer.page.locator(toggle).click()
    await waitForAttribute(student, testId('my-draw-state'), 'data-can-draw', 'true')
    await waitForEnabled(student, 'tool-pen', true)

    // The lecturer draws on the left half, the student on the right half.
    await drawStroke(lecturer, [0.1, 0.3], [0.4, 0.6])
    await waitForElementCount(lecturer, 1)
    await waitForElementCount(student, 1)
    await student.page.locator(testId('tool-pen')).click()
    await drawStroke(student, [0.6, 0.3], [0.9, 0.6])
    await waitForElementCount(student, 2)
    await waitForElementCount(lecturer, 2)

    await waitForEnabled(student, 'undo', true)
    await student.page.locator(testId('undo')).click()
    await waitForElementCount(student, 1)
    await waitForElementCount(lecturer, 1)

    const leftInk = await inkPixels(lecturer, { left: 0, top: 0, right: 0.5, bottom: 1 })
    const rightInk = await inkPixels(lecturer, { left: 0.5, top: 0, right: 1, bottom: 1 })
    assert.ok(leftInk >= MIN_STROKE_INK, `the lecturer's own stroke is gone: ${leftInk} ink pixels on the left half`)
    assert.ok(rightInk < MIN_STROKE_INK / 5, `the student's stroke still shows: ${rightInk} ink pixels on the right half`)
    assertNoPageErrors(lecturer)
    assertNoPageErrors(student)
  }))
})
