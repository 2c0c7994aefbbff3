// A live quiz in headless Chromium against a real `lectern serve`: a lecturer
// runs a two-question quiz for three students over the room's control
// channel. The test checks what every page shows in each phase and that no
// student receives the key before the reveal. A student who reloads
// mid-question must get their locked answer back. The results, as JSON and
// as CSV, must agree with the scoring rules and with what the pages showed.

import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'

import { launchBrowser } from './lib/browser.js'
import {
  Classroom,
  assertNoPageErrors,
  joinRoom,
  lecturerAccount,
  readAttribute,
  startLecture,
  testId,
  waitForAttribute,
  waitForText
} from './lib/classroom.js'
import { LecternServer, outputDir } from './lib/server.js'

/** Time limit of the first question: long enough that the lecturer closes it early. */
const LONG_LIMIT_SECS = 60

/** Time limit of the second question, the minimum the quiz model accepts, so that its deadline closes it. */
const SHORT_LIMIT_SECS = 5

/** Base points of a standard and a double-points question (lectern-quiz `scoring`). */
const STANDARD_POINTS = 1000
const DOUBLE_POINTS = 2000

const QUIZ = {
  title: 'Jupiter',
  questions: [
    {
      id: 'largest',
      text: 'Which planet is the largest?',
      type: 'single_choice',
      choices: [
        { text: 'Jupiter', weight: 100 },
        { text: 'Mars', weight: 0 },
        { text: 'Venus', weight: 0 }
      ],
      time_limit_secs: LONG_LIMIT_SECS
    },
    {
      id: 'moons',
      text: 'Which of these are moons of Jupiter?',
      type: 'multiple_choice',
      // With penalties, Titan's negative weight cancels Io's, so Io and
      // Titan together earn nothing.
      penalties: true,
      choices: [
        { text: 'Io', weight: 50 },
        { text: 'Titan', weight: -50 },
        { text: 'Europa', weight: 50 }
      ],
      time_limit_secs: SHORT_LIMIT_SECS,
      points: 'double'
    }
  ]
}

/**
 * A second quiz, created after QUIZ. The launch form preselects the first
 * quiz of the list, which is sorted most recently changed first, so picking
 * QUIZ in `quiz-select` matters.
 */
const DECOY_QUIZ = {
  title: 'Decoy',
  questions: [{ id: 'decoy', text: 'Is this the quiz under test?', type: 'true_false', answer: false }]
}

/**
 * The students, in the order they join. In the first question Noor and Omar
 * pick the right choice, Noor first, and Pia a wrong one. In the second,
 * Pia picks both moons, Noor picks Io and Titan, and Omar lets the deadline
 * pass. Pia wins with the double points, and Noor is second because she
 * answered the first question faster than Omar.
 */
const STUDENTS = [
  { key: 'noor', name: 'Noor Haddad' },
  { key: 'omar', name: 'Omar Lind' },
  { key: 'pia', name: 'Pia Moreau' }
]

/** Sends a JSON request to the REST API and returns the response. */
async function apiRequest (server, token, method, path, body) {
  const headers = { Accept: 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  return fetch(`${server.url}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body)
  })
}

/** Sends a JSON request, fails unless it returns `status`, and returns the parsed body. */
async function apiJson (server, token, method, path, body, status = 200) {
  const response = await apiRequest(server, token, method, path, body)
  const text = await response.text()
  if (response.status !== status) assert.fail(`${method} ${path} returned ${response.status}, expected ${status}: ${text}`)
  return JSON.parse(text)
}

/** Returns the token stored by the lecturer's page after its login. */
async function storedToken (participant) {
  const token = await participant.page.evaluate(() => localStorage.getItem('lectern.token'))
  assert.ok(token, `${participant.label}: no lectern.token in localStorage after login`)
  return token
}

/**
 * Records the text of every message the page receives on the room's control
 * WebSocket, across reloads, so the test can check what the server sent and
 * not only what the page shows.
 */
function recordControlMessages (participant) {
  const messages = []
  participant.page.on('websocket', (socket) => {
    if (!new URL(socket.url()).pathname.startsWith('/ws/control/')) return
    socket.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string') messages.push(payload)
    })
  })
  return messages
}

/** Returns the `run` of every `quiz.state` message among `messages` that has one. */
function recordedRuns (messages) {
  return messages
    .map((raw) => ({ raw, message: JSON.parse(raw) }))
    .filter(({ message }) => message.type === 'quiz.state' && message.run)
    .map(({ raw, message }) => ({ raw, run: message.run }))
}

/**
 * Asserts that no control message the student received so far contains the
 * key, their result or the class's distribution. Choice weights appear only
 * in a revealed question, so a "weight" field anywhere is a leaked key.
 */
function assertNoKeyReceived (student, messages) {
  const runs = recordedRuns(messages)
  assert.ok(runs.length > 0, `${student.label}: no quiz.state with a run was recorded, so the check saw nothing`)
  for (const { raw, run } of runs) {
    assert.equal(run.reveal, null, `${student.label} received a reveal too early: ${raw}`)
    assert.equal(run.my_result, null, `${student.label} received a result too early: ${raw}`)
    assert.equal(run.distribution, null, `${student.label} received the distribution too early: ${raw}`)
    assert.doesNotMatch(raw, /"weight"/, `${student.label} received choice weights too early: ${raw}`)
  }
}

/** Asserts that the student's page shows neither the key, nor a result, nor the distribution. */
async function assertNoKeyShown (student) {
  for (const id of ['quiz-key', 'quiz-result', 'quiz-distribution']) {
    assert.equal(await student.page.locator(testId(id)).count(), 0, `${student.label} sees ${testId(id)} before the reveal`)
  }
}

/** Waits until the page's quiz panel is in `phase`. */
async function waitForPhase (participant, phase, options) {
  await waitForAttribute(participant, testId('quiz-panel'), 'data-phase', phase, options)
}

/** Returns the selector of the student's view of question `index`. */
function questionSelector (index) {
  return `${testId('quiz-question')}[data-index="${index}"]`
}

/** Returns the selector of option `index` of the student's open question. */
function optionSelector (index) {
  return `${testId('quiz-option')}[data-index="${index}"]`
}

/**
 * Picks the options at `indices` of the open question `questionIndex`,
 * submits, and waits until the page shows that the server stored the answer.
 */
async function answerQuestion (student, questionIndex, indices) {
  const { page } = student
  await page.locator(questionSelector(questionIndex)).waitFor()
  for (const index of indices) {
    await page.locator(optionSelector(index)).click()
    await waitForAttribute(student, optionSelector(index), 'data-selected', 'true')
  }
  await page.locator(testId('quiz-submit')).click()
  await page.locator(testId('quiz-accepted')).waitFor()
}

/**
 * Waits until the student's countdown shows at most `seconds`. The test uses
 * it to put a second of the server's clock between two answers: with a 60 s
 * limit a second is worth about 8 points, and two answers less than 120 ms
 * apart could round to the same score and share a rank.
 */
async function waitForCountdownAtMost (participant, seconds) {
  try {
    await participant.page.waitForFunction(
      ([selector, seconds]) => Number(document.querySelector(selector)?.getAttribute('data-seconds')) <= seconds,
      [testId('quiz-countdown'), seconds],
      { timeout: 5_000 }
    )
  } catch (error) {
    const shown = await readAttribute(participant, testId('quiz-countdown'), 'data-seconds')
    throw new Error(`${participant.label}: the countdown shows ${shown} s, expected at most ${seconds} s (${error.message.split('\n')[0]})`)
  }
}

/** Returns the count and mark of each distribution bar, in the order shown. */
async function readBars (participant) {
  return participant.page.locator(testId('quiz-distribution-bar')).evaluateAll((bars) =>
    bars.map((bar) => ({ count: Number(bar.getAttribute('data-count')), mark: bar.getAttribute('data-mark') })))
}

/** Returns participant id, rank, score and text of each element behind `id`, in page order. */
async function readStandings (participant, id) {
  return participant.page.locator(testId(id)).evaluateAll((rows) => rows.map((row) => ({
    id: row.getAttribute('data-participant-id'),
    rank: Number(row.getAttribute('data-rank')),
    score: row.hasAttribute('data-score') ? Number(row.getAttribute('data-score')) : null,
    text: row.textContent
  })))
}

/** Returns the student's result after a reveal: correctness, points and running total. */
async function readResult (student) {
  const result = student.page.locator(testId('quiz-result'))
  await result.waitFor()
  return {
    correctness: await result.getAttribute('data-correctness'),
    points: Number(await result.getAttribute('data-points')),
    total: Number(await result.getAttribute('data-total')),
    text: await result.innerText()
  }
}

/** Parses CSV text (RFC 4180: quoted cells, doubled quotes, CRLF line ends) into rows of cells. */
function parseCsv (text) {
  const rows = []
  let row = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (char === '"') {
        quoted = false
      } else {
        cell += char
      }
    } else if (char === '"') {
      quoted = true
    } else if (char === ',') {
      row.push(cell)
      cell = ''
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else {
      cell += char
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell)
    rows.push(row)
  }
  return rows
}

/**
 * Returns the points lectern-quiz's `scoring::points` gives an answer:
 * round(base * credit * (1 - (response_ms / time_limit_ms) / 2)), with the
 * response time capped at the limit. The operations run in the same order
 * as in Rust, so the floating-point result is the same.
 */
function expectedPoints (base, credit, responseMs, limitMs) {
  const elapsed = Math.min(responseMs, limitMs)
  return Math.round(base * credit * (1 - (elapsed / limitMs) / 2))
}

describe('live quiz in the browser', { timeout: 240_000 }, () => {
  /** @type {import('./lib/server.js').LecternServer} */
  let server
  /** @type {import('playwright-core').Browser} */
  let browser

  before(async () => {
    server = await LecternServer.start({ name: 'quiz', users: [lecturerAccount] })
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('lecturer runs quiz for three students', () => Classroom.run(browser, server, 'quiz', async (room) => {
    // The quizzes are created over REST before the room opens, so the
    // launch form lists them when it loads.
    const { token: apiToken } = await apiJson(server, null, 'POST', '/auth/login',
      { email: lecturerAccount.email, password: lecturerAccount.password })
    const { id: quizId } = await apiJson(server, apiToken, 'POST', '/quizzes', QUIZ, 201)
    await apiJson(server, apiToken, 'POST', '/quizzes', DECOY_QUIZ, 201)

    const lecturer = await room.open('lecturer')
    const { code, joinUrl } = await startLecture(lecturer, server.url, 'Astronomy')
    await waitForPhase(lecturer, 'none')

    /** @type {Record<string, import('./lib/browser.js').Participant>} */
    const pages = {}
    /** @type {Record<string, string>} participant ids by student key */
    const ids = {}
    /** @type {Record<string, string[]>} control messages by student key */
    const messages = {}
    for (const { key, name } of STUDENTS) {
      pages[key] = await room.open(key)
      messages[key] = recordControlMessages(pages[key])
      ids[key] = await joinRoom(pages[key], joinUrl, name)
    }
    const { noor, omar, pia } = pages
    const students = [noor, omar, pia]
    const nameOf = Object.fromEntries(STUDENTS.map(({ key, name }) => [ids[key], name]))

    // Lobby: the lecturer picks QUIZ over the decoy and launches it.
    await lecturer.page.locator(testId('quiz-select')).selectOption(quizId)
    await lecturer.page.locator(testId('quiz-launch')).click()
    await waitForPhase(lecturer, 'lobby')
    await waitForText(lecturer, 'quiz-joined', (text) => text === 'Students in the quiz: 3', '"Students in the quiz: 3"')
    for (const student of students) {
      await waitForPhase(student, 'lobby')
      assert.match(await student.page.locator(testId('quiz-waiting')).innerText(), new RegExp(QUIZ.title),
        `${student.label}'s lobby does not name the launched quiz`)
    }

    // Question 1 opens, and every student sees it without its key.
    await lecturer.page.locator(testId('quiz-next')).click()
    await waitForPhase(lecturer, 'question_open')
    const first = QUIZ.questions[0]
    for (const student of students) {
      await waitForPhase(student, 'question_open')
      const question = student.page.locator(questionSelector(0))
      await question.waitFor()
      assert.equal(await question.getAttribute('data-type'), 'single_choice')
      assert.equal(await student.page.locator(testId('quiz-question-text')).innerText(), first.text)
      const optionTexts = await student.page.locator(`${testId('quiz-option')} .quiz-option-text`).allInnerTexts()
      assert.deepEqual(optionTexts, first.choices.map((choice) => choice.text), `${student.label}'s options`)
      await assertNoKeyShown(student)
    }

    // Noor answers first and right, Omar a second of server time later and
    // right, Pia wrong.
    await answerQuestion(noor, 0, [0])
    const secondsAfterNoor = Number(await readAttribute(noor, testId('quiz-countdown'), 'data-seconds'))
    assert.ok(secondsAfterNoor > 10, `only ${secondsAfterNoor} s of question 1 are left after Noor's answer`)
    await waitForCountdownAtMost(omar, secondsAfterNoor - 2)
    await answerQuestion(omar, 0, [0])
    await answerQuestion(pia, 0, [1])

    const count = testId('quiz-answer-count')
    await waitForAttribute(lecturer, count, 'data-answered', '3')
    assert.equal(await readAttribute(lecturer, count, 'data-participants'), '3')
    assert.equal(await lecturer.page.locator(count).innerText(), '3 of 3 answered')
    assert.equal(await lecturer.page.locator(testId('quiz-panel')).getAttribute('data-phase'), 'question_open',
      'question 1 closed before the lecturer closed it')
    // The lecturer's live chart counts the answers but marks nothing yet.
    assert.equal(await readAttribute(lecturer, testId('quiz-distribution'), 'data-revealed'), 'false')
    assert.deepEqual(await readBars(lecturer), [
      { count: 2, mark: null },
      { count: 1, mark: null },
      { count: 0, mark: null }
    ])

    // Omar reloads while the question is open: his locked answer comes back.
    await omar.page.reload()
    await omar.page.locator(questionSelector(0)).waitFor()
    await omar.page.locator(testId('quiz-accepted')).waitFor()
    for (const index of [0, 1, 2]) {
      assert.equal(await readAttribute(omar, optionSelector(index), 'data-selected'), String(index === 0),
        `option ${index} after Omar's reload`)
      assert.equal(await omar.page.locator(`${optionSelector(index)} input`).isDisabled(), true,
        `option ${index} is not locked after Omar's reload`)
    }
    assert.equal(await omar.page.locator(testId('quiz-submit')).count(), 0, 'Omar can submit again after his reload')
    const restored = recordedRuns(messages.omar).at(-1).run
    assert.deepEqual(restored.my_answer?.answer, { type: 'choice', index: 0 }, 'the server did not send Omar his answer after the reload')
    assert.equal(await readAttribute(lecturer, count, 'data-answered'), '3', 'the reload changed the answer count')
    assert.equal(await readAttribute(lecturer, count, 'data-participants'), '3', 'the reload changed the participant count')

    // The lecturer closes question 1 early, and students still get no key.
    await lecturer.page.locator(testId('quiz-close')).click()
    for (const participant of [lecturer, ...students]) await waitForPhase(participant, 'question_closed')
    for (const student of students) {
      await assertNoKeyShown(student)
      assertNoKeyReceived(student, messages[student.label])
    }

    // The reveal: bars [2, 1, 0] with Jupiter marked, on both sides.
    await lecturer.page.locator(testId('quiz-reveal')).click()
    for (const participant of [lecturer, ...students]) {
      await waitForPhase(participant, 'answer_revealed')
      await waitForAttribute(participant, testId('quiz-distribution'), 'data-revealed', 'true')
      assert.deepEqual(await readBars(participant), [
        { count: 2, mark: 'correct' },
        { count: 1, mark: 'incorrect' },
        { count: 0, mark: 'incorrect' }
      ], `${participant.label}'s distribution of question 1`)
      assert.equal(await participant.page.locator(testId('quiz-key')).innerText(), 'Correct answer: Jupiter')
    }
    for (const student of students) {
      assert.ok(recordedRuns(messages[student.label]).some(({ run }) => run.reveal !== null),
        `${student.label}: the recorder saw no reveal, so the earlier checks for a leaked key saw nothing`)
    }
    const firstResults = { noor: await readResult(noor), omar: await readResult(omar), pia: await readResult(pia) }
    assert.equal(firstResults.noor.correctness, 'correct')
    assert.equal(firstResults.omar.correctness, 'correct')
    assert.equal(firstResults.pia.correctness, 'incorrect')
    assert.match(firstResults.noor.text, /^Correct!/)
    assert.match(firstResults.pia.text, /^Not correct/)
    assert.equal(firstResults.pia.points, 0, 'a wrong answer earned points')
    assert.ok(firstResults.omar.points > 0, `Omar's right answer earned ${firstResults.omar.points} points`)
    assert.ok(firstResults.noor.points > firstResults.omar.points,
      `Noor answered first but earned ${firstResults.noor.points} points to Omar's ${firstResults.omar.points}`)
    for (const key of ['noor', 'omar', 'pia']) {
      assert.equal(firstResults[key].total, firstResults[key].points, `${key}'s total after question 1`)
    }
    await lecturer.page.screenshot({ path: join(outputDir, 'quiz-lecturer-reveal.png'), fullPage: true })
    await noor.page.screenshot({ path: join(outputDir, 'quiz-student-reveal.png'), fullPage: true })

    // The leaderboard after question 1: Noor, Omar, Pia.
    await lecturer.page.locator(testId('quiz-leaderboard-show')).click()
    const expectedBoard = [
      { id: ids.noor, rank: 1, score: firstResults.noor.total },
      { id: ids.omar, rank: 2, score: firstResults.omar.total },
      { id: ids.pia, rank: 3, score: 0 }
    ]
    for (const participant of [lecturer, ...students]) {
      await waitForPhase(participant, 'leaderboard')
      const rows = await readStandings(participant, 'leaderboard-row')
      assert.deepEqual(rows.map(({ id, rank, score }) => ({ id, rank, score })), expectedBoard, `${participant.label}'s leaderboard`)
      for (const row of rows) assert.match(row.text, new RegExp(nameOf[row.id]), `${participant.label}'s leaderboard row of ${row.id}`)
    }
    assert.equal(await readAttribute(pia, testId('quiz-my-standing'), 'data-rank'), '3')

    // Question 2 opens: Pia and Noor answer, Omar waits out the deadline,
    // which closes the question without the lecturer.
    await lecturer.page.locator(testId('quiz-next')).click()
    await waitForPhase(lecturer, 'question_open')
    await Promise.all([
      answerQuestion(pia, 1, [0, 2]),
      answerQuestion(noor, 1, [0, 1]),
      omar.page.locator(questionSelector(1)).waitFor()
    ])
    for (const student of students) {
      assert.equal(await readAttribute(student, questionSelector(1), 'data-type'), 'multiple_choice')
      await assertNoKeyShown(student)
    }
    await waitForPhase(lecturer, 'question_closed', { timeout: SHORT_LIMIT_SECS * 1000 + 10_000 })
    assert.equal(await readAttribute(lecturer, count, 'data-answered'), '2')
    assert.equal(await readAttribute(lecturer, count, 'data-participants'), '3')
    for (const student of students) {
      await waitForPhase(student, 'question_closed')
      await assertNoKeyShown(student)
    }
    assert.equal(await omar.page.locator(testId('quiz-submit')).count(), 0, 'Omar can still submit after the deadline')
    const closedNotice = omar.page.locator(testId('quiz-closed-notice'))
    await closedNotice.waitFor()
    // The deadline closed the question, so the notice says time is up and
    // does not blame the lecturer.
    assert.equal(await closedNotice.innerText(), 'Time is up. You did not answer this question.')
    assert.equal(await omar.page.locator(`${optionSelector(0)} input`).isDisabled(), true, 'Omar\'s form is not locked after the deadline')
    // Only question 1's reveal may be in the messages so far.
    for (const student of students) {
      const early = recordedRuns(messages[student.label]).filter(({ run }) => run.question?.index === 1)
      assertNoKeyReceived(student, early.map(({ raw }) => raw))
    }

    await lecturer.page.locator(testId('quiz-reveal')).click()
    for (const participant of [lecturer, pia]) {
      await waitForPhase(participant, 'answer_revealed')
      await waitForAttribute(participant, testId('quiz-distribution'), 'data-revealed', 'true')
      assert.deepEqual(await readBars(participant), [
        { count: 2, mark: 'correct' },
        { count: 1, mark: 'incorrect' },
        { count: 1, mark: 'correct' }
      ], `${participant.label}'s distribution of question 2`)
      assert.equal(await participant.page.locator(testId('quiz-key')).innerText(), 'Correct answer: Io, Europa')
    }
    for (const student of [noor, omar]) await waitForPhase(student, 'answer_revealed')
    const secondResults = { noor: await readResult(noor), omar: await readResult(omar), pia: await readResult(pia) }
    assert.equal(secondResults.pia.correctness, 'correct')
    assert.equal(secondResults.noor.correctness, 'incorrect')
    assert.equal(secondResults.noor.points, 0, 'Io and Titan together earned points despite the penalty')
    assert.equal(secondResults.omar.correctness, 'incorrect')
    assert.equal(secondResults.omar.points, 0)
    assert.match(secondResults.omar.text, /^No answer/)
    assert.ok(secondResults.pia.points > STANDARD_POINTS,
      `Pia's right answer to the double-points question earned only ${secondResults.pia.points} points`)
    for (const key of ['noor', 'omar', 'pia']) {
      assert.equal(secondResults[key].total, firstResults[key].total + secondResults[key].points, `${key}'s total after question 2`)
    }

    // The last question is done, so the end needs no confirmation.
    await lecturer.page.locator(testId('quiz-end')).click()
    for (const participant of [lecturer, ...students]) await waitForPhase(participant, 'ended')
    assert.equal(await lecturer.page.locator(testId('quiz-end-confirm')).count(), 0)
    const expectedPodium = [
      { id: ids.pia, rank: 1 },
      { id: ids.noor, rank: 2 },
      { id: ids.omar, rank: 3 }
    ]
    for (const participant of [lecturer, ...students]) {
      const places = await readStandings(participant, 'quiz-podium-place')
      assert.deepEqual(places.map(({ id, rank }) => ({ id, rank })), expectedPodium, `${participant.label}'s podium`)
      for (const place of places) assert.match(place.text, new RegExp(nameOf[place.id]), `${participant.label}'s podium place of ${place.id}`)
    }
    for (const [student, rank] of [[pia, 1], [noor, 2], [omar, 3]]) {
      assert.equal(await readAttribute(student, testId('quiz-my-standing'), 'data-rank'), String(rank), `${student.label}'s standing`)
    }
    const finalScores = Object.fromEntries((await readStandings(lecturer, 'leaderboard-row')).map(({ id, score }) => [id, score]))
    for (const key of ['noor', 'omar', 'pia']) {
      assert.equal(finalScores[ids[key]], secondResults[key].total, `${key}'s final score on the lecturer's leaderboard`)
    }

    // The lecturer's results view lists the students best first.
    await waitForAttribute(lecturer, testId('quiz-results'), 'data-loaded', 'true')
    const resultRows = lecturer.page.locator(testId('quiz-results-student'))
    assert.deepEqual(await resultRows.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-participant-id'))),
      [ids.pia, ids.noor, ids.omar])
    assert.equal(await lecturer.page.locator(testId('quiz-results-question')).count(), 2)
    await lecturer.page.screenshot({ path: join(outputDir, 'quiz-lecturer-podium.png'), fullPage: true })
    await noor.page.screenshot({ path: join(outputDir, 'quiz-student-podium.png'), fullPage: true })

    // The room lists its one ended run.
    const token = await storedToken(lecturer)
    const runs = await apiJson(server, token, 'GET', `/rooms/${code}/quiz-runs`)
    assert.equal(runs.length, 1, `the room lists ${runs.length} runs`)
    const [run] = runs
    assert.equal(run.quiz_id, quizId)
    assert.equal(run.title, QUIZ.title)
    assert.equal(run.phase, 'ended')
    assert.notEqual(run.ended_at, null)

    // The CSV: through the link's href with the token, and as the page downloads it.
    const csvLink = lecturer.page.locator(testId('quiz-results-csv'))
    const href = await csvLink.getAttribute('href')
    assert.equal(href, `/api/v1/quiz-runs/${run.id}/results.csv`)
    const csvResponse = await fetch(new URL(href, server.url), { headers: { Authorization: `Bearer ${token}` } })
    const csv = await csvResponse.text()
    assert.equal(csvResponse.status, 200, `GET ${href} returned ${csvResponse.status}: ${csv}`)
    assert.match(csvResponse.headers.get('content-type') ?? '', /^text\/csv/)
    const [download] = await Promise.all([lecturer.page.waitForEvent('download'), csvLink.click()])
    assert.equal(download.suggestedFilename(), `quiz-results-${run.id}.csv`)
    assert.equal(await readFile(await download.path(), 'utf8'), csv, 'the downloaded CSV differs from the one over REST')

    assert.ok(csv.endsWith('\r\n'), 'the CSV does not end with CRLF')
    const [header, ...rows] = parseCsv(csv)
    assert.deepEqual(header, ['participant_id', 'name', 'rank', 'total', 'correct', 'largest', 'moons'])
    assert.deepEqual(rows.map((row) => row.slice(0, 3)), [
      [ids.pia, 'Pia Moreau', '1'],
      [ids.noor, 'Noor Haddad', '2'],
      [ids.omar, 'Omar Lind', '3']
    ])
    const csvByKey = Object.fromEntries(['pia', 'noor', 'omar'].map((key, index) => [key, rows[index]]))
    for (const [key, row] of Object.entries(csvByKey)) {
      assert.equal(row.length, header.length, `${key}'s CSV row has ${row.length} cells`)
      const [,, , total, correct, largest, moons] = row
      assert.equal(Number(total), Number(largest || 0) + Number(moons || 0), `${key}'s CSV total is not the sum of the question cells`)
      assert.equal(Number(total), secondResults[key].total, `${key}'s CSV total differs from the page`)
      assert.equal(correct, '1', `${key}'s count of right answers`)
    }
    // Wrong answers are 0, a missing answer is an empty cell.
    assert.equal(csvByKey.pia[5], '0')
    assert.equal(csvByKey.noor[6], '0')
    assert.equal(csvByKey.omar[6], '', 'Omar did not answer question 2, but his cell is not empty')
    assert.equal(Number(csvByKey.noor[5]), firstResults.noor.points)
    assert.equal(Number(csvByKey.omar[5]), firstResults.omar.points)
    assert.equal(Number(csvByKey.pia[6]), secondResults.pia.points)
    assert.ok(Number(csvByKey.noor[5]) > Number(csvByKey.omar[5]),
      `Noor answered question 1 first but her cell ${csvByKey.noor[5]} is not above Omar's ${csvByKey.omar[5]}`)
    assert.ok(Number(csvByKey.omar[5]) > Number(csvByKey.pia[5]),
      `Omar's right answer to question 1 (${csvByKey.omar[5]}) is not above Pia's wrong one (${csvByKey.pia[5]})`)

    // The JSON results agree with the CSV and with the scoring formula.
    const results = await apiJson(server, token, 'GET', `/quiz-runs/${run.id}/results`)
    assert.equal(results.run.id, run.id)
    assert.deepEqual(results.participants.map((entry) => [entry.participant_id, entry.name, entry.rank, entry.total, entry.correct]),
      rows.map(([id, name, rank, total, correct]) => [id, name, Number(rank), Number(total), Number(correct)]))
    const [largestReport, moonsReport] = results.questions
    assert.deepEqual([largestReport.answered, largestReport.correct, largestReport.partial, largestReport.incorrect], [3, 2, 0, 1])
    assert.deepEqual(largestReport.distribution, { type: 'options', counts: [2, 1, 0] })
    assert.deepEqual([moonsReport.answered, moonsReport.correct, moonsReport.partial, moonsReport.incorrect], [2, 1, 0, 1])
    assert.deepEqual(moonsReport.distribution, { type: 'options', counts: [2, 1, 1] })

    const jsonByKey = Object.fromEntries(['pia', 'noor', 'omar'].map((key) => [key, results.participants.find((entry) => entry.participant_id === ids[key])]))
    assert.equal(jsonByKey.omar.answers[1], null, 'Omar has an answer to question 2 in the JSON results')
    const plan = [
      { key: 'noor', index: 0, base: STANDARD_POINTS, credit: 1, limit: LONG_LIMIT_SECS, answer: { type: 'choice', index: 0 } },
      { key: 'omar', index: 0, base: STANDARD_POINTS, credit: 1, limit: LONG_LIMIT_SECS, answer: { type: 'choice', index: 0 } },
      { key: 'pia', index: 0, base: STANDARD_POINTS, credit: 0, limit: LONG_LIMIT_SECS, answer: { type: 'choice', index: 1 } },
      { key: 'pia', index: 1, base: DOUBLE_POINTS, credit: 1, limit: SHORT_LIMIT_SECS, answer: { type: 'choices', indices: [0, 2] } },
      { key: 'noor', index: 1, base: DOUBLE_POINTS, credit: 0, limit: SHORT_LIMIT_SECS, answer: { type: 'choices', indices: [0, 1] } }
    ]
    for (const { key, index, base, credit, limit, answer } of plan) {
      const entry = jsonByKey[key].answers[index]
      const where = `${key}'s answer to question ${index + 1}`
      assert.ok(entry, `${where} is missing from the JSON results`)
      assert.deepEqual(entry.answer, answer, where)
      assert.equal(entry.streak_bonus, 0, `${where} got a streak bonus, which this run did not enable`)
      assert.equal(entry.points, expectedPoints(base, credit, entry.response_ms, limit * 1000), `${where} after ${entry.response_ms} ms`)
      assert.equal(String(entry.points + entry.streak_bonus), csvByKey[key][5 + index], `${where} in the CSV`)
    }
    assert.ok(jsonByKey.noor.answers[0].response_ms < jsonByKey.omar.answers[0].response_ms,
      'Noor answered question 1 first, but her response time is not shorter')

    for (const participant of [lecturer, ...students]) assertNoPageErrors(participant)
  }))
})
