// Quiz authoring in headless Chromium against a real `lectern serve`: a
// lecturer writes a quiz with two questions in the editor, imports GIFT
// files (one with a broken question, whose line the page shows), and the
// test reads the stored quizzes back over REST.

import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'

import { launchBrowser } from './lib/browser.js'
import { Classroom, assertNoPageErrors, lecturerAccount, logIn, testId, waitForAttribute } from './lib/classroom.js'
import { LecternServer, outputDir } from './lib/server.js'

/** A GIFT file whose second question has no closing brace, on line 6. */
const BROKEN_GIFT = [
  '// Planets, with one broken question',
  '$CATEGORY: planets',
  '',
  '::largest:: Which planet is largest? {=Jupiter ~Mars ~Venus}',
  '',
  '::broken:: Which planet has rings? {=Saturn ~Mercury',
  ''
].join('\n')
const BROKEN_LINE = 6

const VALID_GIFT = [
  '::moons:: Io is a moon of Jupiter. {TRUE}',
  '',
  '::pi:: What is pi to two decimals? {#3.14:0.005}',
  ''
].join('\n')

/** Sends an authenticated GET to the server and returns the parsed JSON. */
async function getJson (server, token, path) {
  const response = await fetch(`${server.url}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } })
  if (response.status !== 200) assert.fail(`GET ${path} returned ${response.status}: ${await response.text()}`)
  return response.json()
}

/** Returns the lecturer's token as the page stored it. */
async function storedToken (participant) {
  const token = await participant.page.evaluate(() => localStorage.getItem('lectern.token'))
  assert.ok(token, 'no lectern.token in localStorage after login')
  return token
}

describe('quiz authoring in the browser', { timeout: 180_000 }, () => {
  /** @type {import('./lib/server.js').LecternServer} */
  let server
  /** @type {import('playwright-core').Browser} */
  let browser
  let fileDir

  before(async () => {
    server = await LecternServer.start({ name: 'authoring', users: [lecturerAccount] })
    browser = await launchBrowser()
    fileDir = await mkdtemp(join(tmpdir(), 'lectern-authoring-'))
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
    if (fileDir) await rm(fileDir, { recursive: true, force: true })
  })

  it('lecturer writes a two-question quiz', () => Classroom.run(browser, server, 'author', async (room) => {
    const lecturer = await room.open('lecturer')
    const { page } = lecturer
    await logIn(lecturer, server.url)
    await page.locator(testId('quizzes-link')).first().click()
    await page.locator(testId('quiz-new')).click()
    await page.waitForURL('**/quizzes/new')

    await page.locator(testId('quiz-title')).fill('Solar system')
    const first = page.locator(testId('question-item')).nth(0)
    await first.locator(testId('question-text')).fill('Which planet is largest?')
    await first.locator(testId('choice-text')).nth(0).fill('Jupiter')
    await first.locator(testId('choice-text')).nth(1).fill('Mars')
    await first.locator(testId('choice-correct')).nth(0).check()

    await page.locator(testId('question-type')).selectOption('true_false')
    await page.locator(testId('question-add')).click()
    const second = page.locator(testId('question-item')).nth(1)
    await second.locator(testId('question-text')).fill('Jupiter is a gas giant.')
    await second.locator(testId('question-answer-true')).check()
    await second.locator(testId('question-time-limit')).fill('30')

    // An emptied field shows its problem, named, once the server checked it.
    await second.locator(testId('question-text')).fill('')
    const textError = second.locator(testId('field-error'))
    await textError.waitFor()
    assert.match(await textError.innerText(), /Question text: must not be empty/)
    await second.locator(testId('question-text')).fill('Jupiter is a gas giant.')
    await textError.waitFor({ state: 'detached' })

    await page.locator(testId('quiz-save')).click()
    await waitForAttribute(lecturer, testId('quiz-save-state'), 'data-state', 'saved')
    await page.waitForURL(/\/quizzes\/[0-9a-f-]{36}$/)
    const id = new URL(page.url()).pathname.split('/').pop()
    await page.screenshot({ path: join(outputDir, 'quiz-editor.png'), fullPage: true })

    const stored = await getJson(server, await storedToken(lecturer), `/quizzes/${id}`)
    assert.equal(stored.version, 1)
    assert.equal(stored.quiz.title, 'Solar system')
    assert.deepEqual(stored.quiz.questions, [
      {
        id: 'q1',
        text: 'Which planet is largest?',
        type: 'single_choice',
        choices: [{ text: 'Jupiter', weight: 100 }, { text: 'Mars', weight: 0 }],
        time_limit_secs: 20,
        points: 'standard'
      },
      { id: 'q2', text: 'Jupiter is a gas giant.', type: 'true_false', answer: true, time_limit_secs: 30, points: 'standard' }
    ])

    // The list shows the quiz with its question count.
    await page.locator(testId('quizzes-link')).first().click()
    const item = page.locator(`${testId('quiz-item')}[data-id="${id}"]`)
    assert.equal(await item.locator(testId('quiz-question-count')).innerText(), '2 questions')
    assertNoPageErrors(lecturer)
  }))

  it('import shows the broken line', () => Classroom.run(browser, server, 'import', async (room) => {
    const brokenPath = join(fileDir, 'planets.gift')
    const validPath = join(fileDir, 'moons.txt')
    await writeFile(brokenPath, BROKEN_GIFT)
    await writeFile(validPath, VALID_GIFT)

    const lecturer = await room.open('lecturer')
    const { page } = lecturer
    await logIn(lecturer, server.url)
    await page.goto(`${server.url}/quizzes`)

    await page.locator(testId('quiz-import')).setInputFiles(brokenPath)
    await page.locator(testId('quiz-import-submit')).click()
    const errors = page.locator(testId('quiz-import-errors'))
    await errors.waitFor()
    const rows = errors.locator('li')
    assert.equal(await rows.count(), 1, `expected one left-out question, the page lists: ${await errors.innerText()}`)
    assert.equal(await rows.first().getAttribute('data-line'), String(BROKEN_LINE))
    assert.match(await rows.first().innerText(), new RegExp(`^Line ${BROKEN_LINE}:`))
    await page.screenshot({ path: join(outputDir, 'quiz-import.png'), fullPage: true })
    const brokenId = new URL(await page.locator(testId('quiz-import-open')).getAttribute('href'), server.url).pathname.split('/').pop()

    await page.locator(testId('quiz-import')).setInputFiles(validPath)
    await page.locator(testId('quiz-import-submit')).click()
    await page.locator(testId('quiz-import-result')).filter({ hasText: '“moons”' }).waitFor()
    assert.equal(await page.locator(testId('quiz-import-errors')).count(), 0, 'the valid file reports left-out questions')
    const validId = new URL(await page.locator(testId('quiz-import-open')).getAttribute('href'), server.url).pathname.split('/').pop()

    const token = await storedToken(lecturer)
    const list = await getJson(server, token, '/quizzes')
    const counts = Object.fromEntries(list.map((quiz) => [quiz.id, quiz.question_count]))
    assert.equal(counts[brokenId], 1, 'the broken file should keep its one good question')
    assert.equal(counts[validId], 2)

    const broken = await getJson(server, token, `/quizzes/${brokenId}`)
    assert.equal(broken.quiz.title, 'planets')
    // GIFT's ::name:: becomes the question title; ids are numbered.
    assert.deepEqual(broken.quiz.questions.map((question) => question.title), ['largest'])
    const valid = await getJson(server, token, `/quizzes/${validId}`)
    assert.deepEqual(valid.quiz.questions.map((question) => [question.title, question.type]), [['moons', 'true_false'], ['pi', 'numeric']])
    assert.deepEqual(valid.quiz.questions[1].answers, [{ match: 'exact', value: 3.14, tolerance: 0.005, weight: 100 }])

    // The imported quiz opens in the editor.
    await page.locator(testId('quiz-import-open')).click()
    await page.locator(testId('question-item')).nth(1).waitFor()
    assert.equal(await page.locator(testId('numeric-value')).inputValue(), '3.14')
    assertNoPageErrors(lecturer)
  }))
})
