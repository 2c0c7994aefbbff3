import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ControlRequestError } from '../control/channel'
import type { ClientMessage, ErrorMessage, ServerMessage } from '../control/types'
import { AUDIO_SLOTS, AudioSession, CONNECT_TIMEOUT_MS, classifyMediaError, type MediaDevicesLike, type Signaling } from './audioSession'

/** A track stand-in that records stop(). */
class FakeTrack {
  readonly kind = 'audio'
  stopped = false
  onended: (() => void) | null = null

  constructor(readonly id: string) {}

  stop() {
    this.stopped = true
  }
}

class FakeSender {
  replaced: (FakeTrack | null)[] = []

  constructor(public track: FakeTrack | null) {}

  async replaceTrack(track: FakeTrack | null) {
    this.replaced.push(track)
    this.track = track
  }
}

interface FakeTransceiver {
  direction: RTCRtpTransceiverDirection
  mid: string | null
  sender: FakeSender
}

/**
 * An RTCPeerConnection stand-in. `log` lists the calls in order, and
 * addIceCandidate() fails before a remote description, as browsers do.
 */
class FakePeerConnection {
  readonly transceivers: FakeTransceiver[] = []
  readonly log: string[] = []
  readonly candidates: RTCIceCandidateInit[] = []
  localDescription: RTCSessionDescriptionInit | null = null
  remoteDescription: RTCSessionDescriptionInit | null = null
  connectionState: RTCPeerConnectionState = 'new'
  closed = false
  /** Local candidates the browser finds while setLocalDescription() runs. */
  candidatesOnGather: RTCIceCandidateInit[] = []
  onicecandidate: ((event: { candidate: { toJSON(): RTCIceCandidateInit } | null }) => void) | null = null
  ontrack: ((event: unknown) => void) | null = null
  onconnectionstatechange: (() => void) | null = null

  constructor(readonly configuration: RTCConfiguration) {}

  addTransceiver(trackOrKind: FakeTrack | string, init: { direction: RTCRtpTransceiverDirection }) {
    const transceiver = { direction: init.direction, mid: null, sender: new FakeSender(typeof trackOrKind === 'string' ? null : trackOrKind) }
    this.transceivers.push(transceiver)
    return transceiver
  }

  getTransceivers() {
    return this.transceivers
  }

  async createOffer() {
    this.log.push('createOffer')
    return { type: 'offer' as const, sdp: 'v=0 browser offer' }
  }

  async createAnswer() {
    this.log.push('createAnswer')
    return { type: 'answer' as const, sdp: 'v=0 browser answer' }
  }

  async setLocalDescription(description: RTCSessionDescriptionInit) {
    this.log.push(`setLocalDescription:${description.type}`)
    this.localDescription = description
    for (const candidate of this.candidatesOnGather) this.emitCandidate(candidate)
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit) {
    this.log.push(`setRemoteDescription:${description.type}`)
    this.remoteDescription = description
  }

  async addIceCandidate(candidate: RTCIceCandidateInit) {
    if (!this.remoteDescription) throw new Error('InvalidStateError: no remote description')
    this.log.push(`addIceCandidate:${candidate.candidate}`)
    this.candidates.push(candidate)
  }

  close() {
    this.closed = true
    this.connectionState = 'closed'
  }

  emitCandidate(candidate: RTCIceCandidateInit | null) {
    this.onicecandidate?.({ candidate: candidate ? { toJSON: () => candidate } : null })
  }

  setConnectionState(state: RTCPeerConnectionState) {
    this.connectionState = state
    this.onconnectionstatechange?.()
  }
}

interface PendingRequest {
  message: ClientMessage
  settlesOn: ServerMessage['type'] | null
  resolve: (message: ServerMessage) => void
  reject: (error: unknown) => void
}

/** The control channel as the session sees it. `log` lists requests and sends in order. */
class FakeSignaling implements Signaling {
  connected = true
  readonly log: string[] = []
  readonly requests: PendingRequest[] = []
  readonly sent: { message: ClientMessage; onError?: (error: ErrorMessage) => void }[] = []

  request(message: ClientMessage, settlesOn: ServerMessage['type'] | null): Promise<ServerMessage> {
    this.log.push(`request:${message.type}`)
    return new Promise((resolve, reject) => this.requests.push({ message, settlesOn, resolve, reject }))
  }

  send(message: ClientMessage, onError?: (error: ErrorMessage) => void): boolean {
    this.log.push(`send:${message.type}`)
    this.sent.push({ message, onError })
    return this.connected
  }

  /** Answers the latest offer. */
  answer(sdp = 'v=0 server answer') {
    const request = this.requests.at(-1)
    if (!request || request.message.type !== 'rtc.offer') throw new Error('no offer to answer')
    request.resolve({ type: 'rtc.answer', sdp })
  }

  sentOf(type: ClientMessage['type']): ClientMessage[] {
    return this.sent.map((entry) => entry.message).filter((message) => message.type === type)
  }
}

function fakeStream(track: FakeTrack): MediaStream {
  return { getAudioTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream
}

function mediaError(name: string): Error {
  return Object.assign(new Error(`${name} from the fake`), { name })
}

interface Harness {
  session: AudioSession
  signaling: FakeSignaling
  connections: FakePeerConnection[]
  tracks: FakeTrack[]
  getUserMedia: ReturnType<typeof vi.fn>
  latest: () => FakePeerConnection
}

interface HarnessOptions {
  micOnJoin?: boolean
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>
  mediaDevices?: MediaDevicesLike | undefined
  secureContext?: boolean
  candidatesOnGather?: RTCIceCandidateInit[]
}

function harness(options: HarnessOptions = {}): Harness {
  const signaling = new FakeSignaling()
  const connections: FakePeerConnection[] = []
  const tracks: FakeTrack[] = []
  const getUserMedia = vi.fn(
    options.getUserMedia ??
      (async () => {
        const track = new FakeTrack(`mic-${tracks.length + 1}`)
        tracks.push(track)
        return fakeStream(track)
      }),
  )
  const devices: MediaDevicesLike = {
    getUserMedia,
    enumerateDevices: async () =>
      [
        { kind: 'audioinput', deviceId: 'mic-a', label: 'Desk microphone' },
        { kind: 'audiooutput', deviceId: 'speaker', label: 'Speaker' },
      ] as MediaDeviceInfo[],
  }
  const session = new AudioSession({
    signaling,
    createPeerConnection: (configuration) => {
      const connection = new FakePeerConnection(configuration)
      connection.candidatesOnGather = options.candidatesOnGather ?? []
      connections.push(connection)
      return connection as unknown as RTCPeerConnection
    },
    mediaDevices: 'mediaDevices' in options ? options.mediaDevices : devices,
    micOnJoin: options.micOnJoin ?? false,
    secureContext: options.secureContext,
  })
  return { session, signaling, connections, tracks, getUserMedia, latest: () => connections[connections.length - 1] }
}

/** Lets pending promise callbacks run. */
async function settle() {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

/** Joins and lets the offer go out, leaving it unanswered; join() itself resolves only after the answer. */
async function joinWithoutAnswer(h: Harness) {
  void h.session.join()
  await settle()
}

const hostCandidate = (port: number): RTCIceCandidateInit => ({
  candidate: `candidate:1 1 udp 2130706431 127.0.0.1 ${port} typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
})

beforeEach(() => {
  vi.spyOn(console, 'info').mockImplementation(() => undefined)
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  vi.spyOn(console, 'error').mockImplementation(() => undefined)
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('AudioSession negotiation', () => {
  it('offers one sendrecv and two recvonly m-lines', async () => {
    const h = harness()
    h.session.handleMessage({ type: 'audio.config', enabled: true, ice_servers: [{ urls: ['stun:stun.example.org:3478'] }] })
    await joinWithoutAnswer(h)

    expect(h.connections).toHaveLength(1)
    expect(h.latest().configuration).toEqual({ iceServers: [{ urls: ['stun:stun.example.org:3478'] }] })
    expect(h.latest().transceivers.map((transceiver) => transceiver.direction)).toEqual(['sendrecv', 'recvonly', 'recvonly'])
    expect(h.latest().transceivers).toHaveLength(AUDIO_SLOTS)
    expect(h.signaling.requests[0].message).toEqual({ type: 'rtc.offer', sdp: 'v=0 browser offer' })
    expect(h.signaling.requests[0].settlesOn).toBe('rtc.answer')
    expect(h.session.state.status).toBe('connecting')
  })

  it('applies the answer and reports connected', async () => {
    const h = harness()
    const joined = h.session.join()
    await settle()
    h.signaling.answer()
    await joined
    expect(h.latest().log).toEqual(['createOffer', 'setLocalDescription:offer', 'setRemoteDescription:answer'])
    expect(h.latest().remoteDescription).toEqual({ type: 'answer', sdp: 'v=0 server answer' })

    h.latest().setConnectionState('connected')
    expect(h.session.state.status).toBe('connected')
  })

  it('sends local candidates after the offer', async () => {
    const h = harness({ candidatesOnGather: [hostCandidate(50000)] })
    const joined = h.session.join()
    await settle()
    h.latest().emitCandidate(hostCandidate(50001))
    h.latest().emitCandidate(null)
    h.signaling.answer()
    await joined

    expect(h.signaling.log).toEqual(['request:rtc.offer', 'send:rtc.candidate', 'send:rtc.candidate'])
    expect(h.signaling.sentOf('rtc.candidate')).toEqual([
      { type: 'rtc.candidate', candidate: hostCandidate(50000) },
      { type: 'rtc.candidate', candidate: hostCandidate(50001) },
    ])
  })

  it('queues remote candidates until the answer', async () => {
    const h = harness()
    const joined = h.session.join()
    await settle()
    h.session.handleMessage({ type: 'rtc.candidate', candidate: hostCandidate(40000) })
    h.session.handleMessage({ type: 'rtc.candidate', candidate: hostCandidate(40001) })
    expect(h.latest().candidates).toEqual([])

    h.signaling.answer()
    await joined
    expect(h.latest().log.slice(2)).toEqual([
      'setRemoteDescription:answer',
      `addIceCandidate:${hostCandidate(40000).candidate}`,
      `addIceCandidate:${hostCandidate(40001).candidate}`,
    ])

    // Later ones go straight in, and the end of candidates needs nothing.
    h.session.handleMessage({ type: 'rtc.candidate', candidate: hostCandidate(40002) })
    h.session.handleMessage({ type: 'rtc.candidate', candidate: null })
    await settle()
    expect(h.latest().candidates).toHaveLength(3)
  })

  it('answers a server offer', async () => {
    const h = harness()
    const joined = h.session.join()
    await settle()
    h.signaling.answer()
    await joined

    h.session.handleMessage({ type: 'rtc.offer', sdp: 'v=0 server offer' })
    await settle()
    expect(h.latest().log.slice(3)).toEqual(['setRemoteDescription:offer', 'createAnswer', 'setLocalDescription:answer'])
    expect(h.signaling.sentOf('rtc.answer')).toEqual([{ type: 'rtc.answer', sdp: 'v=0 browser answer' }])
    expect(h.connections).toHaveLength(1)
  })

  it('plays each remote track once', async () => {
    const h = harness()
    await joinWithoutAnswer(h)
    const stream = { id: 's1' } as MediaStream
    h.latest().ontrack?.({ track: { id: 't1' }, streams: [stream], transceiver: { mid: '1' } })
    h.latest().ontrack?.({ track: { id: 't2' }, streams: [stream], transceiver: { mid: '1' } })
    h.latest().ontrack?.({ track: { id: 't3' }, streams: [stream], transceiver: { mid: '2' } })
    expect(h.session.state.remote.map((remote) => remote.id)).toEqual(['1', '2'])
  })

  it('negotiates again after the control channel reconnects', async () => {
    const h = harness()
    h.session.handleMessage({ type: 'welcome', participant_id: 'p_ada', role: 'student', name: 'Ada', room: 'r', server_time: 1 })
    const joined = h.session.join()
    await settle()
    h.signaling.answer()
    await joined
    const first = h.latest()

    h.session.handleMessage({ type: 'welcome', participant_id: 'p_ada', role: 'student', name: 'Ada', room: 'r', server_time: 2 })
    expect(h.session.state.status).toBe('reconnecting')
    await settle()
    expect(first.closed).toBe(true)
    expect(h.connections).toHaveLength(2)
    expect(h.signaling.requests).toHaveLength(2)
  })
})

describe('AudioSession failures', () => {
  it('reports a failed ICE connection and retries', async () => {
    const h = harness()
    const joined = h.session.join()
    await settle()
    h.signaling.answer()
    await joined
    h.latest().setConnectionState('failed')

    expect(h.session.state.status).toBe('failed')
    expect(h.session.state.failure).toBe('audio.failure.ice')
    expect(h.latest().closed).toBe(true)
    expect(h.signaling.sentOf('rtc.leave')).toHaveLength(1)

    void h.session.retry()
    await settle()
    expect(h.connections).toHaveLength(2)
    expect(h.session.state.status).toBe('connecting')
    expect(h.session.state.failure).toBeNull()
    expect(h.signaling.requests).toHaveLength(2)
  })

  it('reports the server error of the offer', async () => {
    const h = harness()
    const joined = h.session.join()
    await settle()
    h.signaling.requests[0].reject(new ControlRequestError('unsupported_codec', 'the offer has no Opus; offered: PCMU'))
    await joined
    expect(h.session.state.status).toBe('failed')
    expect(h.session.state.failure).toBe('audio.failure.code.unsupported_codec')
    expect(h.session.state.failureDetail).toBe('the offer has no Opus; offered: PCMU')
  })

  it('fails after the connect timeout', async () => {
    vi.useFakeTimers()
    const h = harness()
    const joined = h.session.join()
    await settle()
    h.signaling.answer()
    await joined
    vi.advanceTimersByTime(CONNECT_TIMEOUT_MS - 1)
    expect(h.session.state.status).toBe('connecting')
    vi.advanceTimersByTime(1)
    expect(h.session.state.failure).toBe('audio.failure.timeout')
  })

  it('does not time out once connected', async () => {
    vi.useFakeTimers()
    const h = harness()
    const joined = h.session.join()
    await settle()
    h.signaling.answer()
    await joined
    h.latest().setConnectionState('connected')
    vi.advanceTimersByTime(CONNECT_TIMEOUT_MS * 2)
    expect(h.session.state.status).toBe('connected')
  })

  it('fails when the server closes the connection', async () => {
    const h = harness()
    await joinWithoutAnswer(h)
    h.session.handleMessage({ type: 'rtc.state', state: 'closed', reason: 'replaced' })
    expect(h.session.state.failure).toBe('audio.failure.reason.replaced')
    expect(h.signaling.sentOf('rtc.leave')).toHaveLength(1)
  })

  it('ignores rtc.state after leaving', async () => {
    const h = harness()
    await joinWithoutAnswer(h)
    h.session.leave()
    h.session.handleMessage({ type: 'rtc.state', state: 'closed', reason: 'left' })
    expect(h.session.state.status).toBe('idle')
    expect(h.session.state.failure).toBeNull()
  })

  it('reports a server without audio', () => {
    const h = harness()
    h.session.handleMessage({ type: 'audio.config', enabled: false, ice_servers: [] })
    expect(h.session.state.available).toBe(false)
  })

  it('fails without a control connection', async () => {
    const h = harness()
    h.signaling.connected = false
    await joinWithoutAnswer(h)
    expect(h.connections).toHaveLength(0)
    expect(h.session.state.failure).toBe('audio.failure.noControl')
  })

  it('shows a disconnect as reconnecting', async () => {
    const h = harness()
    await joinWithoutAnswer(h)
    h.latest().setConnectionState('connected')
    h.latest().setConnectionState('disconnected')
    expect(h.session.state.status).toBe('reconnecting')
  })
})

describe('AudioSession microphone', () => {
  it('asks the lecturer for the microphone before the offer', async () => {
    const h = harness({ micOnJoin: true })
    await joinWithoutAnswer(h)
    expect(h.getUserMedia).toHaveBeenCalledTimes(1)
    expect(h.getUserMedia.mock.calls[0][0]).toMatchObject({ audio: { echoCancellation: true } })
    expect(h.latest().transceivers[0].sender.track).toBe(h.tracks[0])
    expect(h.session.state.mic).toBe('on')
  })

  it('joins without a microphone when permission is denied', async () => {
    const h = harness({ micOnJoin: true, getUserMedia: async () => Promise.reject(mediaError('NotAllowedError')) })
    await joinWithoutAnswer(h)
    expect(h.session.state.mic).toBe('off')
    expect(h.session.state.micProblem).toBe('denied')
    expect(h.connections).toHaveLength(1)
    expect(h.latest().transceivers[0].sender.track).toBeNull()
  })

  it('reports a missing microphone', async () => {
    const h = harness({ getUserMedia: async () => Promise.reject(mediaError('NotFoundError')) })
    expect(await h.session.startMic()).toBe(false)
    expect(h.session.state.micProblem).toBe('not-found')
  })

  it('reports an insecure page', async () => {
    const h = harness({ mediaDevices: undefined, secureContext: false })
    expect(await h.session.startMic()).toBe(false)
    expect(h.session.state.micProblem).toBe('insecure')
  })

  it('never asks a student on join', async () => {
    const h = harness()
    await joinWithoutAnswer(h)
    expect(h.getUserMedia).not.toHaveBeenCalled()
    expect(h.session.state.mic).toBe('off')
  })

  it('starts and stops with replaceTrack', async () => {
    const h = harness()
    const joined = h.session.join()
    await settle()
    h.signaling.answer()
    await joined

    expect(await h.session.startMic()).toBe(true)
    const sender = h.latest().transceivers[0].sender
    expect(sender.replaced).toEqual([h.tracks[0]])

    h.session.stopMic()
    await settle()
    expect(sender.replaced).toEqual([h.tracks[0], null])
    expect(h.tracks[0].stopped).toBe(true)
    expect(h.session.state.mic).toBe('off')
    // No renegotiation.
    expect(h.signaling.requests).toHaveLength(1)
  })

  it('drops a microphone that arrives after stopMic', async () => {
    let grant: (stream: MediaStream) => void = () => undefined
    const track = new FakeTrack('slow')
    const h = harness({ getUserMedia: () => new Promise((resolve) => (grant = resolve)) })
    const started = h.session.startMic()
    h.session.stopMic()
    grant(fakeStream(track))
    expect(await started).toBe(false)
    expect(track.stopped).toBe(true)
    expect(h.session.state.mic).toBe('off')
  })

  it('switches the device while on', async () => {
    const h = harness()
    await joinWithoutAnswer(h)
    await h.session.startMic()
    await h.session.selectDevice('mic-a')
    expect(h.getUserMedia).toHaveBeenCalledTimes(2)
    expect(h.getUserMedia.mock.calls[1][0]).toMatchObject({ audio: { deviceId: { exact: 'mic-a' } } })
    expect(h.tracks[0].stopped).toBe(true)
    expect(h.latest().transceivers[0].sender.track).toBe(h.tracks[1])
    expect(h.session.state.deviceId).toBe('mic-a')
  })

  it('lists only microphones', async () => {
    const h = harness()
    await h.session.refreshDevices()
    expect(h.session.state.devices).toEqual([{ deviceId: 'mic-a', label: 'Desk microphone' }])
  })

  it('reports a microphone that was unplugged', async () => {
    const h = harness()
    await joinWithoutAnswer(h)
    await h.session.startMic()
    h.tracks[0].onended?.()
    expect(h.session.state.mic).toBe('off')
    expect(h.session.state.micProblem).toBe('ended')
  })

  it('releases everything on leave', async () => {
    const h = harness({ micOnJoin: true })
    await joinWithoutAnswer(h)
    h.session.leave()
    expect(h.signaling.sentOf('rtc.leave')).toHaveLength(1)
    expect(h.latest().closed).toBe(true)
    expect(h.tracks[0].stopped).toBe(true)
    expect(h.session.state).toMatchObject({ status: 'idle', mic: 'off', remote: [] })
  })

  it('releases the microphone on failure', async () => {
    const h = harness({ micOnJoin: true })
    await joinWithoutAnswer(h)
    h.latest().setConnectionState('failed')
    expect(h.tracks[0].stopped).toBe(true)
    expect(h.session.state.mic).toBe('off')
  })
})

describe('classifyMediaError', () => {
  it('maps getUserMedia errors', () => {
    expect(classifyMediaError(mediaError('NotAllowedError'))).toBe('denied')
    expect(classifyMediaError(mediaError('SecurityError'))).toBe('denied')
    expect(classifyMediaError(mediaError('NotFoundError'))).toBe('not-found')
    expect(classifyMediaError(mediaError('OverconstrainedError'))).toBe('not-found')
    expect(classifyMediaError(mediaError('NotReadableError'))).toBe('busy')
    expect(classifyMediaError(mediaError('TypeError'))).toBe('failed')
    expect(classifyMediaError('text')).toBe('failed')
  })
})
