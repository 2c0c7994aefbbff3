// Restarts `lectern serve` on the same port and data directory while a
// lecturer and a student have the room open: both pages must notice the
// outage, reconnect on their own, keep the board, and deliver what the
// lecturer drew during the outage.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { launchBrowser } from './lib/browser.js'
import {
  Classroom,
  assertNoPageErrors,
  drawStroke,
  joinRoom,
  lecturerAccount,
  startLecture,
  testId,
  waitForAttribute,
  waitForConnected,
  waitForElementCount
} from './lib/classroom.js'
import { LecternServer } from './lib/server.js'

/**
 * Deadline for a page to reconnect. The room page waits a random delay of
 * at most 10 s before each retry (frontend/src/pages/room/reconnect.ts).
 */
const RECONNECT_TIMEOUT_MS = 30_000

/**
 * Starts recording every value that the connection-state hook's data-state
 * takes, in window.lecternConnectionStates.
 */
async function recordConnectionStates (participant) {
  await participant.page.evaluate((selector) => {
    const element = document.querySelector(selector)
    const states = [element.getAttribute('data-state')]
    window.lecternConnectionStates = states
    new MutationObserver(() => {
      const state = element.getAttribute('data-state')
      if (states[states.length - 1] !== state) states.push(state)
    }).observe(element, { attributes: true, attributeFilter: ['data-state'] })
  }, testId('connection-state'))
}

/** Waits until the recorded connection states include `state`, and returns them. */
async function waitForRecordedState (participant, state, { timeout = RECONNECT_TIMEOUT_MS } = {}) {
  try {
    await participant.page.waitForFunction((state) => window.lecternConnectionStates.includes(state), state, { timeout })
  } catch (error) {
    const states = await recordedStates(participant)
    throw new Error(`${participant.label}: connection-state took the values ${JSON.stringify(states)} ` +
      `within ${timeout} ms, none of them ${JSON.stringify(state)} (${error.message.split('\n')[0]})`)
  }
  return recordedStates(participant)
}

function recordedStates (participant) {
  return participant.page.evaluate(() => window.lecternConnectionStates)
}

describe('server restart in the browser', { timeout: 180_000 }, () => {
  /** @type {LecternServer} */
  let server
  /** @type {import('playwright-core').Browser} */
  let browser

  before(async () => {
    server = await LecternServer.start({ name: 'reconnect', users: [lecturerAccount] })
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('pages reconnect after restart', () => Classroom.run(browser, server, 'reconnect', async (room) => {
    const lecturer = await room.open('lecturer')
    const { joinUrl } = await startLecture(lecturer, server.url, 'Restart')
    const student = await room.open('student')
    await joinRoom(student, joinUrl, 'Grace Student')
    await lecturer.page.locator(testId('allow-draw-all')).click()
    await waitForAttribute(student, testId('my-draw-state'), 'data-can-draw', 'true')

    await drawStroke(lecturer, [0.1, 0.2], [0.4, 0.4])
    await drawStroke(lecturer, [0.5, 0.5], [0.8, 0.7])
    await waitForElementCount(lecturer, 2)
    await waitForElementCount(student, 2)

    const pages = [lecturer, student]
    for (const participant of pages) await recordConnectionStates(participant)

    await server.restart(async () => {
      // While nothing listens on the port, both pages must show the outage,
      // and the lecturer keeps drawing: the stroke must survive the outage.
      for (const participant of pages) await waitForRecordedState(participant, 'disconnected')
      await drawStroke(lecturer, [0.1, 0.7], [0.3, 0.9])
      await waitForElementCount(lecturer, 3)
    })

    for (const participant of pages) {
      await waitForConnected(participant, { timeout: RECONNECT_TIMEOUT_MS })
      const states = await recordedStates(participant)
      assert.equal(states[0], 'connected', `${participant.label}: connection states ${JSON.stringify(states)}`)
      assert.ok(states.includes('disconnected'), `${participant.label}: connection states ${JSON.stringify(states)}`)
      assert.equal(states.at(-1), 'connected', `${participant.label}: connection states ${JSON.stringify(states)}`)
    }
    // The stroke drawn during the outage reaches the student after the
    // lecturer's page resyncs.
    await waitForElementCount(lecturer, 3)
    await waitForElementCount(student, 3)

    // The reconnected sockets carry edits again, and the student keeps the
    // drawing right granted before the restart.
    await drawStroke(lecturer, [0.2, 0.6], [0.4, 0.8])
    await waitForElementCount(lecturer, 4)
    await waitForElementCount(student, 4)
    await waitForAttribute(student, testId('my-draw-state'), 'data-can-draw', 'true')
    await student.page.locator(testId('tool-pen')).click()
    await drawStroke(student, [0.6, 0.2], [0.9, 0.3])
    await waitForElementCount(student, 5)
    await waitForElementCount(lecturer, 5)

    // The restarted server serves the stored board to a fresh page load.
    await student.page.reload()
    await waitForConnected(student)
    await waitForElementCount(student, 5)
    assertNoPageErrors(lecturer)
    assertNoPageErrors(student)
  }))
})
