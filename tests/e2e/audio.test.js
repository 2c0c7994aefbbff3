// Room audio and floor passing in headless Chromium against a real
// `lectern serve`: a lecturer and two students join audio with Chromium's
// fake microphone, which plays a sine tone. The students hear the lecturer.
// The lecturer hears a student only after granting the floor from the hand
// queue, and sees the student's speaking indicator.
//
// WebRTC runs on loopback: the server's SFU binds 127.0.0.1 and sends host
// candidates there. Chromium's own candidates may be mDNS `.local` names,
// which the server ignores, but the browser's checks toward the server's
// host candidate are enough to connect.

import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'

import { fakeMediaArgs, inboundAudio, recordPeerConnections, waitForInbound, writeSineWav } from './lib/audio.js'
import { launchBrowser } from './lib/browser.js'
import {
  Classroom,
  assertNoPageErrors,
  joinRoom,
  lecturerAccount,
  startLecture,
  testId,
  waitForAttribute
} from './lib/classroom.js'
import { LecternServer, outputDir } from './lib/server.js'

/** Time to connect audio: ICE and DTLS on loopback take well under a second, a debug server more. */
const AUDIO_TIMEOUT_MS = 20_000

/** totalAudioEnergy gained within the wait: a 0.5 full-scale sine adds about 0.06 per second, silence nothing. */
const MIN_ENERGY_GAIN = 0.01

/** How long the lecturer's page is watched for audio of a student who does not hold the floor. */
const SILENCE_WINDOW_MS = 2_000

/** Opens a page whose peer connections the test can read. */
async function openRecorded (room, label) {
  const participant = await room.open(label)
  await recordPeerConnections(participant)
  return participant
}

/** Clicks "Join audio" and waits until the page shows a connected audio connection. */
async function joinAudio (participant) {
  await participant.page.locator(testId('audio-join')).click()
  await waitForAttribute(participant, testId('audio-status'), 'data-status', 'connected', { timeout: AUDIO_TIMEOUT_MS })
}

/** Returns the selector of the participant row of `participantId`. */
function participantRow (participantId) {
  return `${testId('participant')}[data-participant-id="${participantId}"]`
}

describe('room audio in the browser', { timeout: 180_000 }, () => {
  /** @type {import('./lib/server.js').LecternServer} */
  let server
  /** @type {import('playwright-core').Browser} */
  let browser

  before(async () => {
    await mkdir(outputDir, { recursive: true })
    const wavPath = join(outputDir, 'audio-sine.wav')
    await writeSineWav(wavPath)
    server = await LecternServer.start({ name: 'audio', users: [lecturerAccount] })
    browser = await launchBrowser({ extraArgs: fakeMediaArgs(wavPath) })
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('students hear the lecturer', () => Classroom.run(browser, server, 'audio-lecturer', async (room) => {
    const lecturer = await openRecorded(room, 'lecturer')
    const { joinUrl } = await startLecture(lecturer, server.url, 'Audio')
    const grace = await openRecorded(room, 'grace')
    const graceId = await joinRoom(grace, joinUrl, 'Grace Student')
    const alan = await openRecorded(room, 'alan')
    await joinRoom(alan, joinUrl, 'Alan Student')

    await joinAudio(lecturer)
    await lecturer.page.locator(testId('mic-live')).waitFor({ state: 'visible' })
    await joinAudio(grace)
    await joinAudio(alan)

    // A student without the floor has no microphone control at all.
    assert.equal(await grace.page.locator(testId('mic-on')).count(), 0, 'a student without the floor is offered the microphone')

    for (const student of [grace, alan]) {
      await waitForInbound(student, (now, start) => now.energy - start.energy >= MIN_ENERGY_GAIN,
        `the lecturer's tone to raise totalAudioEnergy by ${MIN_ENERGY_GAIN}`, { timeout: AUDIO_TIMEOUT_MS })
    }
    // The participant list puts the lecturer first.
    const lecturerId = await grace.page.locator(testId('participant')).first().getAttribute('data-participant-id')
    assert.ok(lecturerId, 'the first participant row of Grace\'s page has no data-participant-id')
    assert.notEqual(lecturerId, graceId, 'the first participant row of Grace\'s page is Grace, expected the lecturer')
    await waitForAttribute(grace, `${participantRow(lecturerId)} ${testId('speaking-indicator')}`, 'data-speaking', 'true',
      { timeout: AUDIO_TIMEOUT_MS })

    await lecturer.page.locator(testId('audio-leave')).click()
    await waitForAttribute(lecturer, testId('audio-status'), 'data-status', 'idle')
    for (const participant of [lecturer, grace, alan]) assertNoPageErrors(participant)
  }))

  it('lecturer hears a student only with the floor', () => Classroom.run(browser, server, 'audio-floor', async (room) => {
    const lecturer = await openRecorded(room, 'lecturer')
    const { joinUrl } = await startLecture(lecturer, server.url, 'Floor')
    const grace = await openRecorded(room, 'grace')
    const graceId = await joinRoom(grace, joinUrl, 'Grace Student')
    const alan = await openRecorded(room, 'alan')
    await joinRoom(alan, joinUrl, 'Alan Student')

    await joinAudio(lecturer)
    await joinAudio(grace)
    await joinAudio(alan)

    // Before the grant: nothing from any student reaches the lecturer.
    const silent = await inboundAudio(lecturer)
    await new Promise((resolve) => setTimeout(resolve, SILENCE_WINDOW_MS))
    const stillSilent = await inboundAudio(lecturer)
    assert.equal(stillSilent.packets - silent.packets, 0,
      `the lecturer received audio packets before any grant: ${JSON.stringify(silent)} then ${JSON.stringify(stillSilent)}`)

    // Raise the hand: the lecturer's queue lists Grace, and Grace sees her place.
    await grace.page.locator(testId('raise-hand')).click()
    const queueItem = `${testId('hand-queue-item')}[data-participant-id="${graceId}"]`
    await lecturer.page.locator(queueItem).waitFor({ state: 'visible' })
    await waitForAttribute(lecturer, queueItem, 'data-position', '1')
    await waitForAttribute(lecturer, participantRow(graceId), 'data-hand', 'true')
    await waitForAttribute(grace, testId('hand-position'), 'data-position', '1')
    await alan.page.locator(queueItem).waitFor({ state: 'visible' })
    await lecturer.page.screenshot({ path: join(outputDir, 'audio-lecturer-queue.png'), fullPage: true })

    // Grant the floor: Grace is offered the microphone and turns it on.
    await lecturer.page.locator(`${queueItem} ${testId('grant-floor')}`).click()
    await lecturer.page.locator(`${testId('floor-speaker')}[data-participant-id="${graceId}"]`).waitFor({ state: 'visible' })
    await waitForAttribute(lecturer, participantRow(graceId), 'data-hand', 'false')
    const micOn = grace.page.locator(testId('mic-on'))
    await micOn.waitFor({ state: 'visible' })
    assert.equal(await micOn.textContent(), 'You have the floor — turn on microphone')
    await micOn.click()
    await grace.page.locator(testId('mic-live')).waitFor({ state: 'visible' })
    await grace.page.screenshot({ path: join(outputDir, 'audio-student-floor.png'), fullPage: true })

    const heard = await waitForInbound(lecturer,
      (now, start) => now.packets > start.packets && now.energy - start.energy >= MIN_ENERGY_GAIN,
      `Grace's tone to reach the lecturer and raise totalAudioEnergy by ${MIN_ENERGY_GAIN}`, { timeout: AUDIO_TIMEOUT_MS })
    await waitForAttribute(lecturer, `${participantRow(graceId)} ${testId('speaking-indicator')}`, 'data-speaking', 'true',
      { timeout: AUDIO_TIMEOUT_MS })

    // Revoke: Grace's microphone goes off and her audio stops reaching the lecturer.
    await lecturer.page.locator(`${testId('revoke-floor')}[data-participant-id="${graceId}"]`).click()
    await grace.page.locator(testId('mic-live')).waitFor({ state: 'detached' })
    await grace.page.locator(testId('raise-hand')).waitFor({ state: 'visible' })
    // Packets already on their way may still arrive, so the count settles first.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const afterRevoke = await inboundAudio(lecturer)
    await new Promise((resolve) => setTimeout(resolve, SILENCE_WINDOW_MS))
    const later = await inboundAudio(lecturer)
    assert.equal(later.packets - afterRevoke.packets, 0,
      `the lecturer still received audio after the revoke: ${JSON.stringify(afterRevoke)} then ${JSON.stringify(later)}` +
      ` (while Grace held the floor: ${JSON.stringify(heard)})`)

    for (const participant of [lecturer, grace, alan]) assertNoPageErrors(participant)
  }))
})
