// Launches Debian's Chromium through playwright-core and records what each
// page logs, so a failed test can show the browser side of the story.

import { appendFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { chromium } from 'playwright-core'

import { outputDir } from './server.js'

/** Chromium binary; CHROMIUM_BIN overrides Debian's /usr/bin/chromium. */
export function chromiumBinary () {
  return process.env.CHROMIUM_BIN || '/usr/bin/chromium'
}

// Chromium's background services try to reach Google's hosts, which a closed
// network refuses. Playwright adds --headless, --no-sandbox (it does not
// enable the sandbox by default) and a new empty --user-data-dir itself.
const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

/** Deadline of every Playwright action and wait unless one sets its own. */
export const ACTION_TIMEOUT_MS = 15_000

/** Window size of every page, so lecturer and student boards match. */
export const VIEWPORT = { width: 1280, height: 800 }

/**
 * Launches headless Chromium. `extraArgs` adds command-line flags, such as
 * the fake media devices of fakeMediaArgs() in audio.js.
 */
export async function launchBrowser ({ extraArgs = [] } = {}) {
  return chromium.launch({
    executablePath: chromiumBinary(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs]
  })
}

/**
 * One browser context (its own storage, so its own login or room seat) with
 * one page, whose console messages and errors are written to
 * tests/output/e2e/LOGNAME.browser.log and kept for failure messages.
 */
export class Participant {
  /**
   * @param {import('playwright-core').Browser} browser
   * @param {object} options
   * @param {string} options.label e.g. "lecturer", used in messages and file names
   * @param {string} options.logName names the browser log file
   */
  static async open (browser, { label, logName }) {
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' })
    context.setDefaultTimeout(ACTION_TIMEOUT_MS)
    const page = await context.newPage()
    const participant = new Participant(label, context, page, join(outputDir, `${logName}.browser.log`))
    await mkdir(outputDir, { recursive: true })
    await writeFile(participant.logPath, '')
    page.on('console', (message) => participant.record(`console.${message.type()}: ${message.text()}`))
    page.on('pageerror', (error) => {
      participant.pageErrors.push(error)
      participant.record(`uncaught exception: ${error.stack ?? error.message}`)
    })
    page.on('requestfailed', (request) => {
      participant.record(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`)
    })
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) participant.record(`navigated to ${frame.url()}`)
    })
    return participant
  }

  constructor (label, context, page, logPath) {
    this.label = label
    this.context = context
    this.page = page
    this.logPath = logPath
    /** @type {string[]} */
    this.logLines = []
    /** @type {Error[]} */
    this.pageErrors = []
    this.writes = Promise.resolve()
  }

  record (line) {
    const stamped = `${new Date().toISOString()} [${this.label}] ${line}`
    this.logLines.push(stamped)
    this.writes = this.writes.then(() => appendFile(this.logPath, `${stamped}\n`)).catch(() => {})
  }

  /** Returns the last `count` lines this page logged, for error messages. */
  logTail (count = 30) {
    const lines = this.logLines.slice(-count)
    return `--- last ${lines.length} browser log lines of the ${this.label} page (${this.logPath}) ---\n${lines.join('\n')}`
  }

  async close () {
    await this.context.close()
    await this.writes
  }
}
