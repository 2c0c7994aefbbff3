// Room audio in the browser tests: Chromium's fake microphone, a recorder of
// the page's RTCPeerConnection objects, and readers of their inbound audio
// statistics.

import { writeFile } from 'node:fs/promises'

import { ACTION_TIMEOUT_MS } from './browser.js'

/**
 * Chromium flags for a fake microphone that plays `wavPath` in a loop and
 * for granting getUserMedia without a permission prompt.
 */
export function fakeMediaArgs (wavPath) {
  return [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-audio-capture=${wavPath}`
  ]
}

/**
 * Writes a 16-bit mono WAV file of a sine tone: `seconds` long, `frequency`
 * Hz at `amplitude` of full scale, 48 kHz.
 */
export async function writeSineWav (path, { seconds = 5, frequency = 440, amplitude = 0.5 } = {}) {
  const sampleRate = 48_000
  const samples = seconds * sampleRate
  const data = Buffer.alloc(samples * 2)
  for (let i = 0; i < samples; i++) {
    const value = Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * frequency * i / sampleRate))
    data.writeInt16LE(value, i * 2)
  }
  const header = Buffer.alloc(44)
  header.write('RIFF', 0)
  header.writeUInt32LE(36 + data.length, 4)
  header.write('WAVE', 8)
  header.write('fmt ', 12)
  header.writeUInt32LE(16, 16) // size of the fmt chunk
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(1, 22) // mono
  header.writeUInt32LE(sampleRate, 24)
  header.writeUInt32LE(sampleRate * 2, 28) // bytes per second
  header.writeUInt16LE(2, 32) // bytes per frame
  header.writeUInt16LE(16, 34) // bits per sample
  header.write('data', 36)
  header.writeUInt32LE(data.length, 40)
  await writeFile(path, Buffer.concat([header, data]))
}

/**
 * Makes the participant's pages keep every RTCPeerConnection they create in
 * `window.__peerConnections`, so the test can read their statistics. Call it
 * before the page loads the app.
 */
export async function recordPeerConnections (participant) {
  await participant.context.addInitScript(() => {
    const Original = window.RTCPeerConnection
    window.__peerConnections = []
    window.RTCPeerConnection = class extends Original {
      constructor (...args) {
        super(...args)
        window.__peerConnections.push(this)
      }
    }
  })
}

/**
 * Returns the inbound audio of the page's newest peer connection, from
 * getStats(): per track (`mid` of its m-line) and summed, the packets
 * received and `totalAudioEnergy`.
 */
export async function inboundAudio (participant) {
  return participant.page.evaluate(async () => {
    const connections = window.__peerConnections ?? []
    const pc = connections[connections.length - 1]
    const result = { tracks: {}, packets: 0, energy: 0, connectionState: pc?.connectionState ?? 'none' }
    if (!pc) return result
    const report = await pc.getStats()
    report.forEach((entry) => {
      if (entry.type !== 'inbound-rtp' || entry.kind !== 'audio') return
      const packets = entry.packetsReceived ?? 0
      const energy = entry.totalAudioEnergy ?? 0
      result.tracks[entry.mid ?? entry.trackIdentifier ?? entry.id] = { packets, energy, level: entry.audioLevel ?? 0 }
      result.packets += packets
      result.energy += energy
    })
    return result
  })
}

/**
 * Polls inboundAudio() until `accept(now, start)` holds, where `start` is
 * the first reading, and returns the last reading. The failure names the
 * readings and `expectation`.
 */
export async function waitForInbound (participant, accept, expectation, { timeout = ACTION_TIMEOUT_MS, interval = 250 } = {}) {
  const start = await inboundAudio(participant)
  const deadline = Date.now() + timeout
  let now = start
  while (!accept(now, start)) {
    if (Date.now() > deadline) {
      throw new Error(`${participant.label}: inbound audio went from ${JSON.stringify(start)} to ${JSON.stringify(now)} ` +
        `in ${timeout} ms, expected ${expectation}`)
    }
    await new Promise((resolve) => setTimeout(resolve, interval))
    now = await inboundAudio(participant)
  }
  return now
}
