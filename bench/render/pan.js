// Pans a Lectern board in headless Chromium and prints frame times as JSON.
//
// `lectern-bench render` fills a room's board and then runs this script.
// The script signs the lecturer in through the login form, opens the room,
// and waits until the board reports every stroke in `data-element-count`.
// Then it picks the pan tool and drags the board with the mouse for a fixed
// time, while a requestAnimationFrame loop in the page records when each
// frame starts.
// The result goes to standard output as one JSON object, progress and page
// errors to standard error.
//
//   LECTERN_BENCH_PASSWORD=... node bench/render/pan.js \
//     --url http://127.0.0.1:8080 --room ABCD2345 --email bench@example.org \
//     --strokes 5000 --seconds 10 [--cpu-profile FILE] [--trace FILE]

import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'

import { chromium } from 'playwright-core'

// The flags of tests/e2e/lib/browser.js: Chromium's background services try
// to reach Google's hosts, which a closed network refuses. Playwright adds
// --headless and --no-sandbox itself.
const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

/** Window size of the page, the size the tests in tests/e2e use. */
const VIEWPORT = { width: 1280, height: 800 }

/** A frame longer than this counts as a long frame, in milliseconds. */
const LONG_FRAME_MS = 50

/** Interval between two mouse moves of the drag, in milliseconds: a 125 Hz mouse. */
const MOVE_INTERVAL_MS = 8

/** Amplitude of the drag around the board's centre, in CSS pixels. */
const DRAG_AMPLITUDE_PX = { x: 300, y: 180 }

/** Time for one horizontal sweep there and back, in milliseconds. */
const DRAG_PERIOD_MS = 2_000

/** Mouse moves sent but not yet acknowledged by Chromium before the drag waits. */
const MAX_MOVES_IN_FLIGHT = 8

function testId (id) {
  return `[data-testid="${id}"]`
}

function log (message) {
  process.stderr.write(`pan.js: ${message}\n`)
}

function parseOptions () {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      room: { type: 'string' },
      email: { type: 'string' },
      strokes: { type: 'string' },
      seconds: { type: 'string', default: '10' },
      'load-timeout': { type: 'string', default: '300' },
      chromium: { type: 'string', default: process.env.CHROMIUM_BIN || '/usr/bin/chromium' },
      'cpu-profile': { type: 'string' },
      trace: { type: 'string' }
    }
  })
  for (const name of ['url', 'room', 'email', 'strokes']) {
    if (values[name] === undefined) throw new Error(`missing --${name}`)
  }
  const password = process.env.LECTERN_BENCH_PASSWORD
  if (!password) throw new Error('missing the lecturer password in LECTERN_BENCH_PASSWORD')
  const number = (name) => {
    const value = Number(values[name])
    if (!Number.isFinite(value) || value <= 0) throw new Error(`invalid --${name} ${values[name]}: expected a positive number`)
    return value
  }
  return {
    url: values.url.replace(/\/+$/, ''),
    room: values.room,
    email: values.email,
    password,
    strokes: number('strokes'),
    seconds: number('seconds'),
    loadTimeoutMs: number('load-timeout') * 1000,
    chromium: values.chromium,
    cpuProfile: values['cpu-profile'],
    trace: values.trace
  }
}

/**
 * Records in `window.__benchFullRender` the time, from the start of the
 * navigation, of the first frame whose board reports `expected` elements.
 * The board sets `data-element-count` at the end of the frame that painted
 * them, so the time includes loading, syncing and the first paint.
 */
function watchElementCount (expected) {
  const record = () => {
    const board = document.querySelector('[data-testid="board"]')
    if (window.__benchFullRender === undefined && board?.dataset.elementCount === String(expected)) {
      window.__benchFullRender = performance.now()
    }
  }
  new MutationObserver(record).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-element-count'] })
}

async function signIn (page, options) {
  await page.goto(`${options.url}/`)
  await page.locator(testId('login-email')).fill(options.email)
  await page.locator(testId('login-password')).fill(options.password)
  await page.locator(testId('login-submit')).click()
  await page.locator(testId('create-room')).waitFor({ state: 'visible' })
}

/** Opens the room and returns the time to its first full render, in milliseconds. */
async function openBoard (page, options) {
  await page.addInitScript(watchElementCount, options.strokes)
  await page.goto(`${options.url}/room/${options.room}`)
  try {
    await page.waitForFunction(() => window.__benchFullRender !== undefined, null, { timeout: options.loadTimeoutMs, polling: 100 })
  } catch (error) {
    const count = await page.locator(testId('board')).getAttribute('data-element-count').catch(() => null)
    throw new Error(`the board shows ${count} elements after ${options.loadTimeoutMs} ms, expected ${options.strokes} ` +
      `(${error.message.split('\n')[0]})`)
  }
  return page.evaluate(() => window.__benchFullRender)
}

/**
 * Starts recording the start time of every frame, whether `pointermove`
 * events arrived since the frame before, and the number of those events.
 * Chromium dispatches the moves of a frame before its animation frame
 * callbacks, so a frame marked with input is one in which the board
 * repaints for a new viewport.
 */
async function startFrameRecorder (page) {
  await page.evaluate(() => {
    const recorder = { frames: [], input: [], moves: 0, inputSinceFrame: false, running: true }
    window.__benchRecorder = recorder
    window.addEventListener('pointermove', () => {
      recorder.moves++
      recorder.inputSinceFrame = true
    }, { capture: true, passive: true })
    const onFrame = (time) => {
      if (!recorder.running) return
      recorder.frames.push(time)
      recorder.input.push(recorder.inputSinceFrame)
      recorder.inputSinceFrame = false
      requestAnimationFrame(onFrame)
    }
    requestAnimationFrame(onFrame)
  })
}

async function stopFrameRecorder (page) {
  return page.evaluate(() => {
    const recorder = window.__benchRecorder
    recorder.running = false
    return { frames: recorder.frames, input: recorder.input, moves: recorder.moves }
  })
}

/**
 * Drags the board with the mouse for `seconds` along a Lissajous path
 * around the surface's centre, one move every MOVE_INTERVAL_MS, and returns
 * the number of moves sent. In trials an awaited move took about one frame
 * to be acknowledged, so the moves go out without waiting for one another,
 * as a real mouse's do. Only when MAX_MOVES_IN_FLIGHT are unacknowledged does the
 * drag wait, which keeps a stalled page from piling up events.
 */
async function drag (page, seconds) {
  const box = await page.locator(testId('board')).boundingBox()
  if (!box) throw new Error('the board is not visible')
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 }
  const { mouse } = page

  await mouse.move(centre.x, centre.y)
  await mouse.down()
  const start = performance.now()
  const end = start + seconds * 1000
  const inFlight = []
  let moves = 0
  for (let now = start; now < end; now = performance.now()) {
    const phase = (2 * Math.PI * (now - start)) / DRAG_PERIOD_MS
    inFlight.push(mouse.move(centre.x + DRAG_AMPLITUDE_PX.x * Math.sin(phase), centre.y + DRAG_AMPLITUDE_PX.y * Math.sin(phase * 0.7)))
    moves++
    if (inFlight.length >= MAX_MOVES_IN_FLIGHT) await inFlight.shift()
    const wait = start + moves * MOVE_INTERVAL_MS - performance.now()
    // Pacing of the input, not synchronisation: a mouse reports at a fixed rate.
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  }
  await Promise.all(inFlight)
  await mouse.up()
  return moves
}

function percentile (sorted, share) {
  if (sorted.length === 0) return null
  const index = Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)
  return sorted[Math.max(0, index)]
}

/**
 * Summarises frame start times (milliseconds) as frame counts and frame
 * times. `input[i]` is whether frame i handled pointer moves, so the
 * interval from frame i to frame i + 1 contains a repaint of the board.
 */
function frameStatistics (frameStarts, input) {
  const intervals = []
  const repaints = []
  for (let i = 1; i < frameStarts.length; i++) {
    const interval = frameStarts[i] - frameStarts[i - 1]
    intervals.push(interval)
    if (input[i - 1]) repaints.push(interval)
  }
  const sorted = [...intervals].sort((a, b) => a - b)
  const sortedRepaints = [...repaints].sort((a, b) => a - b)
  const span = frameStarts.length > 1 ? frameStarts[frameStarts.length - 1] - frameStarts[0] : 0
  return {
    frames: intervals.length,
    frames_with_input: repaints.length,
    fps_mean: span > 0 ? (intervals.length * 1000) / span : null,
    frame_ms_p50: percentile(sorted, 0.5),
    frame_ms_p99: percentile(sorted, 0.99),
    frame_ms_max: sorted.length > 0 ? sorted[sorted.length - 1] : null,
    long_frames: intervals.filter((interval) => interval > LONG_FRAME_MS).length,
    repaint_frame_ms_mean: repaints.length > 0 ? repaints.reduce((sum, interval) => sum + interval, 0) / repaints.length : null,
    repaint_frame_ms_p50: percentile(sortedRepaints, 0.5),
    repaint_frame_ms_p99: percentile(sortedRepaints, 0.99)
  }
}

/** Returns the functions with the most self time in a DevTools CPU profile. */
function topFunctions (profile, count = 15) {
  const intervalMs = new Map()
  const { nodes, samples, timeDeltas } = profile
  const byId = new Map(nodes.map((node) => [node.id, node]))
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i, so it is charged to sample i.
    intervalMs.set(samples[i], (intervalMs.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0) / 1000)
  }
  const totals = new Map()
  for (const [id, ms] of intervalMs) {
    const frame = byId.get(id).callFrame
    const file = frame.url ? frame.url.split('/').pop() : ''
    const name = `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`
    totals.set(name, (totals.get(name) ?? 0) + ms)
  }
  const all = [...totals.values()].reduce((sum, ms) => sum + ms, 0)
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ function: name, self_ms: Math.round(ms * 10) / 10, share: all > 0 ? Math.round((ms / all) * 1000) / 1000 : 0 }))
}

/**
 * Sums the durations of complete events in a Chromium trace by name, for
 * the renderer's main thread and for all threads, in milliseconds.
 */
function traceSummary (trace, count = 15) {
  const events = trace.traceEvents ?? trace
  const mainThreads = new Set()
  for (const event of events) {
    if (event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain') mainThreads.add(`${event.pid}:${event.tid}`)
  }
  const main = new Map()
  const all = new Map()
  for (const event of events) {
    if (event.ph !== 'X' || typeof event.dur !== 'number') continue
    const ms = event.dur / 1000
    all.set(event.name, (all.get(event.name) ?? 0) + ms)
    if (mainThreads.has(`${event.pid}:${event.tid}`)) main.set(event.name, (main.get(event.name) ?? 0) + ms)
  }
  const top = (totals) => [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ event: name, total_ms: Math.round(ms * 10) / 10 }))
  return { renderer_main: top(main), all_threads: top(all) }
}

async function main () {
  const options = parseOptions()
  const browser = await chromium.launch({ executablePath: options.chromium, headless: true, args: CHROMIUM_ARGS })
  try {
    const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'en-US' })
    context.setDefaultTimeout(30_000)
    const page = await context.newPage()
    const pageErrors = []
    page.on('pageerror', (error) => {
      pageErrors.push(error.message)
      log(`uncaught exception in the page: ${error.message}`)
    })
    page.on('console', (message) => {
      if (message.type() === 'error') log(`console.error: ${message.text()}`)
    })

    log(`Chromium ${browser.version()}: signing in as ${options.email}`)
    await signIn(page, options)
    log(`opening room ${options.room} and waiting for ${options.strokes} elements`)
    const fullRenderMs = await openBoard(page, options)
    log(`first full render after ${Math.round(fullRenderMs)} ms; panning for ${options.seconds} s`)

    await page.locator(testId('tool-pan')).click()
    // The click paints the toolbar; the recorder starts on a settled page.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))

    let cdp = null
    if (options.cpuProfile) {
      cdp = await context.newCDPSession(page)
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 })
      await cdp.send('Profiler.start')
    }
    if (options.trace) {
      await browser.startTracing(page, {
        path: options.trace,
        categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'gpu', 'viz', 'skia']
      })
    }

    await startFrameRecorder(page)
    const movesSent = await drag(page, options.seconds)
    const recorded = await stopFrameRecorder(page)

    const diagnostics = {}
    if (options.trace) {
      const buffer = await browser.stopTracing()
      diagnostics.trace = traceSummary(JSON.parse(buffer.toString('utf8')))
    }
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop')
      await writeFile(options.cpuProfile, JSON.stringify(profile))
      diagnostics.cpu_profile_top = topFunctions(profile)
    }

    const result = {
      chromium: browser.version(),
      viewport: VIEWPORT,
      time_to_full_render_ms: fullRenderMs,
      pan_seconds: options.seconds,
      ...frameStatistics(recorded.frames, recorded.input),
      pointer_moves_sent: movesSent,
      pointer_moves_received: recorded.moves,
      page_errors: pageErrors.length,
      ...diagnostics
    }
    process.stdout.write(`${JSON.stringify(result)}\n`)
  } finally {
    await browser.close()
  }
}

main().catch((error) => {
  log(`failed: ${error.stack ?? error.message}`)
  process.exitCode = 1
})
