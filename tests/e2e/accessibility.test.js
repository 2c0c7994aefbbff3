// Runs axe-core on every page of the web client (login, dashboard, join page,
// and the room as lecturer and as student) and fails on violations of
// serious or critical impact.

import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'

import { launchBrowser } from './lib/browser.js'
import {
  Classroom,
  createRoom,
  joinRoom,
  lecturerAccount,
  logIn,
  openRoom,
  testId
} from './lib/classroom.js'
import { LecternServer } from './lib/server.js'

const axeSourcePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

/** Impacts that fail the test; axe-core also reports "minor" and "moderate". */
const FAILING_IMPACTS = new Set(['serious', 'critical'])

/**
 * Runs axe-core on the page and returns its violations and incomplete
 * results.
 *
 * The page's Content-Security-Policy allows scripts from 'self' only, which
 * blocks the inline script that page.addScriptTag() would add. Playwright's
 * page.evaluate() runs through the DevTools protocol, which the policy does
 * not govern, so the page keeps its real policy during the check.
 */
async function axeResults (participant, axeSource) {
  const { page } = participant
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined')
  if (!loaded) await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'] })
    const summarize = (rule) => ({
      id: rule.id,
      impact: rule.impact,
      help: rule.help,
      helpUrl: rule.helpUrl,
      nodes: rule.nodes.map((node) => ({ target: node.target.join(' '), summary: node.failureSummary }))
    })
    return { violations: results.violations.map(summarize), incomplete: results.incomplete.map(summarize) }
  })
}

/** Formats violations for a failure message. */
function describeViolations (violations) {
  return violations.map((violation) => [
    `${violation.impact}: ${violation.id}: ${violation.help} (${violation.helpUrl})`,
    ...violation.nodes.map((node) => `  ${node.target}\n    ${(node.summary ?? '').replaceAll('\n', '\n    ')}`)
  ].join('\n')).join('\n')
}

/**
 * Fails on violations of serious or critical impact, and prints the other
 * violations and the rules axe-core could not decide ("incomplete", which
 * need a person to check them).
 */
async function assertAccessible (participant, pageName, axeSource) {
  const { violations, incomplete } = await axeResults(participant, axeSource)
  if (incomplete.length > 0) {
    const rules = incomplete.map((rule) => `${rule.id} (${rule.impact}, ${rule.nodes.length} elements)`).join(', ')
    console.log(`axe-core on the ${pageName} page could not decide, check by hand: ${rules}`)
  }
  const failing = violations.filter((violation) => FAILING_IMPACTS.has(violation.impact))
  const others = violations.filter((violation) => !FAILING_IMPACTS.has(violation.impact))
  if (others.length > 0) {
    console.log(`axe-core on the ${pageName} page: ${others.length} minor or moderate violation(s)\n${describeViolations(others)}`)
  }
  assert.equal(failing.length, 0,
    `axe-core found ${failing.length} serious or critical violation(s) on the ${pageName} page:\n${describeViolations(failing)}`)
}

describe('accessibility of each page', { timeout: 180_000 }, () => {
  /** @type {LecternServer} */
  let server
  /** @type {import('playwright-core').Browser} */
  let browser
  let axeSource

  before(async () => {
    axeSource = await readFile(axeSourcePath, 'utf8')
    server = await LecternServer.start({ name: 'accessibility', users: [lecturerAccount] })
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  // One test walks through the pages in the order a class uses them, since
  // each page needs the state the previous one created. Violations are
  // collected, so every page is checked even when an earlier one has some.
  it('pages have no serious violations', () => Classroom.run(browser, server, 'axe', async (room) => {
    const lecturer = await room.open('lecturer')
    const student = await room.open('student')
    let joinUrl
    let code
    const failures = []
    const check = async (participant, pageName) => {
      try {
        await assertAccessible(participant, pageName, axeSource)
      } catch (error) {
        failures.push(error.message)
      }
    }

    await lecturer.page.goto(`${server.url}/`)
    await lecturer.page.locator(testId('login-submit')).waitFor({ state: 'visible' })
    await check(lecturer, 'login')

    await logIn(lecturer, server.url)
    ;({ code, joinUrl } = await createRoom(lecturer, 'Accessibility'))
    await check(lecturer, 'dashboard')

    await openRoom(lecturer, code)
    await check(lecturer, 'lecturer room')

    await student.page.goto(joinUrl)
    await student.page.locator(testId('join-submit')).waitFor({ state: 'visible' })
    await check(student, 'join')

    await joinRoom(student, joinUrl, 'Grace Student')
    await check(student, 'student room')

    assert.deepEqual(failures, [], failures.join('\n\n'))
  }))
})
