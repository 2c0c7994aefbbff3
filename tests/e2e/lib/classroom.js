// Steps of the web client that the scenarios share: logging in, creating and
// joining a room, drawing on the board and reading what it shows. Elements
// are found by the data-testid hooks listed under "Test hooks" in
// frontend/README.md.

import { join } from 'node:path'

import { Participant, ACTION_TIMEOUT_MS } from './browser.js'
import { outputDir } from './server.js'

/** Returns the CSS selector of a data-testid hook. */
export function testId (id) {
  return `[data-testid="${id}"]`
}

/** The lecturer account each test file creates with `lectern user add`. */
export const lecturerAccount = {
  email: 'ada@example.test',
  name: 'Ada Lecturer',
  role: 'lecturer',
  password: 'correct horse battery staple'
}

/**
 * The browser pages of one test. `run` closes them afterwards, and when the
 * test fails it saves a screenshot of each page and adds the page and server
 * logs to the error.
 */
export class Classroom {
  /**
   * @param {import('playwright-core').Browser} browser
   * @param {import('./server.js').LecternServer} server
   * @param {string} name short test name, used in file names
   */
  constructor (browser, server, name) {
    this.browser = browser
    this.server = server
    this.name = name
    /** @type {Participant[]} */
    this.participants = []
  }

  /** Opens a page in a new browser context. */
  async open (label) {
    const participant = await Participant.open(this.browser, { label, logName: `${this.name}-${label}` })
    this.participants.push(participant)
    return participant
  }

  /**
   * Runs `body(classroom)` with a new Classroom and closes its pages
   * afterwards.
   */
  static async run (browser, server, name, body) {
    const classroom = new Classroom(browser, server, name)
    try {
      await body(classroom)
    } catch (error) {
      error.message += await classroom.#describeFailure()
      throw error
    } finally {
      for (const participant of classroom.participants) {
        await participant.close().catch(() => {})
      }
    }
  }

  async #describeFailure () {
    const parts = ['']
    for (const participant of this.participants) {
      const path = join(outputDir, `failed-${this.name}-${participant.label}.png`)
      try {
        await participant.page.screenshot({ path, fullPage: true, timeout: 5_000 })
        parts.push(`screenshot of the ${participant.label} page: ${path}`)
      } catch (error) {
        parts.push(`screenshot of the ${participant.label} page failed: ${error.message}`)
      }
      parts.push(participant.logTail())
    }
    parts.push(this.server.logTail())
    return parts.join('\n')
  }
}

/**
 * Waits until `attribute` of the first element matching `selector` equals
 * `expected`, and names the value it last saw when the deadline passes.
 */
export async function waitForAttribute (participant, selector, attribute, expected, { timeout = ACTION_TIMEOUT_MS } = {}) {
  try {
    await participant.page.waitForFunction(
      ([selector, attribute, expected]) => document.querySelector(selector)?.getAttribute(attribute) === expected,
      [selector, attribute, String(expected)],
      { timeout }
    )
  } catch (error) {
    const actual = await readAttribute(participant, selector, attribute).catch((readError) => `unreadable: ${readError.message}`)
    throw new Error(`${participant.label}: ${selector} ${attribute} is ${JSON.stringify(actual)} ` +
      `after ${timeout} ms, expected ${JSON.stringify(String(expected))} (${error.message.split('\n')[0]})`)
  }
}

/** Returns an attribute of the first element matching `selector`, or null when there is none. */
export async function readAttribute (participant, selector, attribute) {
  return participant.page.evaluate(
    ([selector, attribute]) => document.querySelector(selector)?.getAttribute(attribute) ?? null,
    [selector, attribute]
  )
}

/** Waits for the board socket to be connected, as the room page shows it. */
export async function waitForConnected (participant, options) {
  await waitForAttribute(participant, testId('connection-state'), 'data-state', 'connected', options)
}

/** Returns the number of elements the board renders on its current page. */
export async function elementCount (participant) {
  const value = await readAttribute(participant, testId('board'), 'data-element-count')
  if (value === null) throw new Error(`${participant.label}: the board has no data-element-count attribute`)
  return Number(value)
}

/** Waits until the board renders `expected` elements on its current page. */
export async function waitForElementCount (participant, expected, options) {
  await waitForAttribute(participant, testId('board'), 'data-element-count', String(expected), options)
}

/** Logs the lecturer in through the login form and waits for the dashboard. */
export async function logIn (participant, baseUrl, account = lecturerAccount) {
  const { page } = participant
  await page.goto(`${baseUrl}/`)
  await page.locator(testId('login-email')).fill(account.email)
  await page.locator(testId('login-password')).fill(account.password)
  await page.locator(testId('login-submit')).click()
  await page.locator(testId('create-room')).waitFor({ state: 'visible' })
}

/**
 * Creates a room from the dashboard and returns its code and join URL as
 * the room card shows them.
 */
export async function createRoom (participant, title) {
  const { page } = participant
  const before = await page.locator(testId('room-item')).count()
  await page.locator(testId('room-title')).fill(title)
  await page.locator(testId('create-room')).click()
  // The new room is listed first.
  await page.waitForFunction(
    ([selector, count]) => document.querySelectorAll(selector).length > count,
    [testId('room-item'), before]
  )
  const card = page.locator(testId('room-item')).first()
  const code = await card.getAttribute('data-code')
  const joinUrl = await card.locator(testId('join-link')).getAttribute('href')
  const shownCode = await card.locator(testId('room-code')).textContent()
  if (!code || !joinUrl) {
    throw new Error(`the new room card has data-code ${JSON.stringify(code)} and join link ${JSON.stringify(joinUrl)}`)
  }
  return { code, joinUrl, shownCode }
}

/** Opens a room from its dashboard card and waits for the board to connect. */
export async function openRoom (participant, code) {
  const { page } = participant
  await page.locator(`${testId('room-item')}[data-code="${code}"] ${testId('open-room')}`).click()
  await page.waitForURL((url) => url.pathname === `/room/${code}`)
  await page.locator(testId('board')).waitFor({ state: 'visible' })
  await waitForConnected(participant)
}

/**
 * Logs in, creates a room and opens it: the usual start of a lecturer.
 * Returns the room's code and join URL.
 */
export async function startLecture (lecturer, baseUrl, title) {
  await logIn(lecturer, baseUrl)
  const room = await createRoom(lecturer, title)
  await openRoom(lecturer, room.code)
  return room
}

/**
 * Opens the join URL, joins under `name` and waits for the room's board to
 * connect. Returns the participant id the client stored for the room.
 */
export async function joinRoom (participant, joinUrl, name) {
  const { page } = participant
  await page.goto(joinUrl)
  await page.locator(testId('join-name')).fill(name)
  await page.locator(testId('join-submit')).click()
  await page.waitForURL((url) => url.pathname.startsWith('/room/'))
  await page.locator(testId('board')).waitFor({ state: 'visible' })
  await waitForConnected(participant)
  const code = new URL(page.url()).pathname.split('/').pop()
  const seat = await page.evaluate((key) => window.localStorage.getItem(key), `lectern.room.${code}`)
  const participantId = seat ? JSON.parse(seat).participant_id : null
  if (!participantId) throw new Error(`${participant.label}: no participant id stored under lectern.room.${code} after joining`)
  return participantId
}

/**
 * Draws a zigzag stroke with the mouse across the board, between two points
 * given as fractions of the board's width and height, then moves the mouse
 * off the board so no cursor of this page stays on the others' boards.
 */
export async function drawStroke (participant, from, to, { steps = 16 } = {}) {
  const { page } = participant
  const box = await page.locator(testId('board')).boundingBox()
  if (!box) throw new Error(`${participant.label}: the board is not visible`)
  const at = ([fx, fy]) => [box.x + fx * box.width, box.y + fy * box.height]
  const [x0, y0] = at(from)
  const [x1, y1] = at(to)

  await page.mouse.move(x0, y0)
  await page.mouse.down()
  for (let i = 1; i <= steps; i++) {
    const share = i / steps
    const zigzag = (i % 2 === 0 ? -1 : 1) * Math.min(12, box.height / 20)
    await page.mouse.move(x0 + (x1 - x0) * share, y0 + (y1 - y0) * share + (i === steps ? 0 : zigzag))
  }
  await page.mouse.up()
  await page.mouse.move(1, 1)
}

/**
 * Counts the pixels of the board, as a screenshot shows them, that differ
 * clearly from its white background. `region` limits the count to a part
 * of the board, in fractions of its width and height.
 */
export async function inkPixels (participant, region = { left: 0, top: 0, right: 1, bottom: 1 }) {
  const { page } = participant
  const png = await page.locator(testId('board')).screenshot()
  // Decoding in the page needs no PNG package in Node.js, and the page's
  // Content-Security-Policy does not govern createImageBitmap on a Blob.
  return page.evaluate(async ({ bytes, region }) => {
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
      const distance = Math.max(255 - data[i], 255 - data[i + 1], 255 - data[i + 2])
      if (distance > 60) count++
    }
    return count
  }, { bytes: [...png], region })
}

/**
 * Toggles the student's raised hand and waits until the lecturer's board
 * awareness shows it (`data-awareness-hand` of the participant row). The
 * hand goes to the server over the control channel, and the student's page
 * mirrors the server's queue into its awareness state, which travels over
 * the board socket after the student's earlier board edits. So when the
 * lecturer sees the change, an edit the student sent before has reached the
 * lecturer, or the server dropped it.
 */
export async function handRoundTrip (student, studentId, lecturer) {
  const button = student.page.locator(`${testId('raise-hand')}, ${testId('lower-hand')}`)
  const raised = (await button.getAttribute('data-hand')) === 'true'
  await button.click()
  await student.page.locator(testId(raised ? 'raise-hand' : 'lower-hand')).waitFor({ state: 'visible' })
  await waitForAttribute(lecturer, `${testId('participant')}[data-participant-id="${studentId}"]`,
    'data-awareness-hand', String(!raised))
}

/** Waits until the button or input behind a data-testid hook is enabled, or disabled. */
export async function waitForEnabled (participant, id, enabled, { timeout = ACTION_TIMEOUT_MS } = {}) {
  try {
    await participant.page.waitForFunction(
      ([selector, enabled]) => {
        const element = document.querySelector(selector)
        return element !== null && element.disabled === !enabled
      },
      [testId(id), enabled],
      { timeout }
    )
  } catch (error) {
    const state = await participant.page.evaluate(
      (selector) => {
        const element = document.querySelector(selector)
        if (element === null) return 'missing'
        return element.disabled ? 'disabled' : 'enabled'
      }, testId(id)).catch((readError) => `unreadable: ${readError.message}`)
    throw new Error(`${participant.label}: ${testId(id)} is ${state} after ${timeout} ms, ` +
      `expected ${enabled ? 'enabled' : 'disabled'} (${error.message.split('\n')[0]})`)
  }
}

/** Waits until the text of the element behind a data-testid hook satisfies `accept`, and returns the text. */
export async function waitForText (participant, id, accept, expectation, { timeout = ACTION_TIMEOUT_MS } = {}) {
  const locator = participant.page.locator(testId(id))
  const deadline = Date.now() + timeout
  let text = await locator.textContent()
  while (!accept(text)) {
    if (Date.now() > deadline) {
      throw new Error(`${participant.label}: ${testId(id)} shows ${JSON.stringify(text)} after ${timeout} ms, expected ${expectation}`)
    }
    // Resolves on the next change of the element's subtree or after one
    // second, whichever comes first; the loop then reads the text again.
    await locator.evaluate((element) => new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        observer.disconnect()
        resolve()
      })
      observer.observe(element, { childList: true, characterData: true, subtree: true })
      setTimeout(() => {
        observer.disconnect()
        resolve()
      }, 1_000)
    }))
    text = await locator.textContent()
  }
  return text
}

/** Fails with the page's uncaught exceptions, if it had any. */
export function assertNoPageErrors (participant) {
  if (participant.pageErrors.length === 0) return
  const errors = participant.pageErrors.map((error) => error.stack ?? error.message).join('\n\n')
  throw new Error(`the ${participant.label} page threw ${participant.pageErrors.length} uncaught exception(s):\n${errors}`)
}

/**
 * Takes board screenshots until the ink pixel count in `region` satisfies
 * `accept`, and returns that count. Edits arrive in several updates (a
 * text's creation before its characters, say), so the element count can
 * be final before the board shows everything.
 */
export async function waitForInk (participant, region, accept, expectation, { timeout = ACTION_TIMEOUT_MS } = {}) {
  const deadline = Date.now() + timeout
  let count = await inkPixels(participant, region)
  while (!accept(count)) {
    if (Date.now() > deadline) {
      throw new Error(`${participant.label}: the board shows ${count} ink pixels in ${JSON.stringify(region)} ` +
        `after ${timeout} ms, expected ${expectation}`)
    }
    await participant.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())))
    count = await inkPixels(participant, region)
  }
  return count
}
