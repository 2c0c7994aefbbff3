// The browser's side of room audio: one RTCPeerConnection to the server's
// SFU, negotiated over the control channel (docs/control-protocol.md,
// "Floor and audio"), and the microphone.
//
// The offer has AUDIO_SLOTS audio m-lines. The first is `sendrecv` and
// carries the microphone, the others are `recvonly`. The SFU attaches one of
// its outgoing slot tracks to each m-line that can receive, in order, so
// three m-lines let the browser hear three speakers at once. The microphone
// starts and stops with replaceTrack() on the first sender, which needs no
// renegotiation because that m-line is `sendrecv` from the start.
//
// The class is plain TypeScript over injected browser objects, so the tests
// drive it with a fake RTCPeerConnection and a fake getUserMedia.

import type { ControlRequestError } from '../control/channel'
import type { ClientMessage, ErrorMessage, ServerMessage } from '../control/types'
import type { IceServer } from './types'

/** Audio m-lines in the offer, one per SFU slot track (the SFU's `audio_slots`, 3 by default). */
export const AUDIO_SLOTS = 3

/** Time from the offer to a connected peer connection before the attempt fails, in milliseconds. */
export const CONNECT_TIMEOUT_MS = 20_000

export type AudioStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed'
export type MicState = 'off' | 'requesting' | 'on'

/** Reason the microphone is off against the user's wish. */
export type MicProblem = 'denied' | 'not-found' | 'busy' | 'insecure' | 'unsupported' | 'ended' | 'failed'

export interface MicDevice {
  deviceId: string
  label: string
}

export interface RemoteAudio {
  /** The transceiver's mid, or the track id before negotiation names one. */
  id: string
  stream: MediaStream
}

export interface AudioSnapshot {
  status: AudioStatus
  /** Locale key of the reason the connection failed, while `status` is `failed`. */
  failure: string | null
  /** The server's or the browser's own words about the failure, in English. */
  failureDetail: string | null
  mic: MicState
  micProblem: MicProblem | null
  micProblemDetail: string | null
  devices: MicDevice[]
  /** False when `audio.config` reports that the server runs without audio. */
  available: boolean
  /** The chosen microphone, or null for the browser's default. */
  deviceId: string | null
  remote: RemoteAudio[]
}

/** The control channel as the session uses it. */
export interface Signaling {
  readonly connected: boolean
  request(message: ClientMessage, settlesOn: ServerMessage['type'] | null): Promise<ServerMessage>
  send(message: ClientMessage, onError?: (error: ErrorMessage) => void): boolean
}

/** The parts of navigator.mediaDevices the session uses. */
export interface MediaDevicesLike {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>
  enumerateDevices(): Promise<MediaDeviceInfo[]>
  addEventListener?(type: 'devicechange', listener: () => void): void
  removeEventListener?(type: 'devicechange', listener: () => void): void
}

export interface AudioSessionOptions {
  signaling: Signaling
  createPeerConnection: (configuration: RTCConfiguration) => RTCPeerConnection
  /** navigator.mediaDevices; undefined where the browser hides it, as on pages that are not secure. */
  mediaDevices: MediaDevicesLike | undefined
  /** Whether join() asks for the microphone first: true for the lecturer. */
  micOnJoin: boolean
  /** Whether the page is a secure context, which getUserMedia requires. */
  secureContext?: boolean
  connectTimeoutMs?: number
}

export const INITIAL_AUDIO_SNAPSHOT: AudioSnapshot = {
  status: 'idle',
  failure: null,
  failureDetail: null,
  mic: 'off',
  micProblem: null,
  micProblemDetail: null,
  devices: [],
  available: true,
  deviceId: null,
  remote: [],
}

/** Voice processing requested for every microphone. Browsers default to it too, but the request makes it explicit. */
const VOICE_PROCESSING = { echoCancellation: true, noiseSuppression: true, autoGainControl: true }

/** Maps a getUserMedia rejection onto the problem the page shows. */
export function classifyMediaError(error: unknown): MicProblem {
  const name = error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error) ? String((error as { name: unknown }).name) : ''
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied'
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'not-found'
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy'
    default:
      return 'failed'
  }
}

/** Moves Opus to the front of each transceiver's codec list, where the browser supports setCodecPreferences. */
function preferOpus(transceivers: RTCRtpTransceiver[]): void {
  const capabilities = typeof RTCRtpReceiver !== 'undefined' ? RTCRtpReceiver.getCapabilities?.('audio') : null
  if (!capabilities) return
  const opus = capabilities.codecs.filter((codec) => codec.mimeType.toLowerCase() === 'audio/opus')
  if (opus.length === 0) return
  const others = capabilities.codecs.filter((codec) => codec.mimeType.toLowerCase() !== 'audio/opus')
  for (const transceiver of transceivers) {
    try {
      transceiver.setCodecPreferences?.([...opus, ...others])
    } catch (error) {
      console.info('audio: could not set codec preferences', error)
    }
  }
}

export class AudioSession {
  private readonly options: AudioSessionOptions
  private snapshot: AudioSnapshot = INITIAL_AUDIO_SNAPSHOT
  private readonly listeners = new Set<(snapshot: AudioSnapshot) => void>()
  private iceServers: IceServer[] = []
  private pc: RTCPeerConnection | null = null
  /** Increased with every new peer connection, so callbacks of an old one do nothing. */
  private generation = 0
  /** Whether the user wants to be in audio: from join() to leave(), failures included. */
  private joined = false
  private micTrack: MediaStreamTrack | null = null
  /** Increased by every microphone start and stop, so a slow getUserMedia that lost the race is dropped. */
  private micRequest = 0
  private remoteDescriptionSet = false
  private offerSent = false
  private readonly queuedRemoteCandidates: RTCIceCandidateInit[] = []
  private readonly queuedLocalCandidates: RTCIceCandidateInit[] = []
  private connectTimer: ReturnType<typeof setTimeout> | null = null
  /** Signalling steps run one after another, so a server offer never interleaves with the browser's own. */
  private chain: Promise<void> = Promise.resolve()
  private welcomed = false
  private disposed = false
  private readonly onDeviceChange = () => void this.refreshDevices()

  constructor(options: AudioSessionOptions) {
    this.options = options
    options.mediaDevices?.addEventListener?.('devicechange', this.onDeviceChange)
  }

  get state(): AudioSnapshot {
    return this.snapshot
  }

  /** Calls `listener` with every new snapshot. Returns the unsubscribe function. */
  subscribe(listener: (snapshot: AudioSnapshot) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Returns the peer connection, for statistics. */
  get peerConnection(): RTCPeerConnection | null {
    return this.pc
  }

  private update(patch: Partial<AudioSnapshot>): void {
    if (this.disposed) return
    this.snapshot = { ...this.snapshot, ...patch }
    for (const listener of [...this.listeners]) listener(this.snapshot)
  }

  /** Feeds a control channel message to the session. */
  handleMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        // After a reconnect the server has no audio session for this page
        // any more, so a page in audio negotiates again.
        if (this.welcomed && this.joined && this.snapshot.status !== 'failed') {
          this.update({ status: 'reconnecting' })
          this.enqueue(() => this.connect())
        }
        this.welcomed = true
        return
      case 'audio.config':
        this.iceServers = message.ice_servers
        this.update({ available: message.enabled })
        return
      case 'rtc.offer':
        this.enqueue(() => this.answerServerOffer(message.sdp))
        return
      case 'rtc.candidate':
        this.addRemoteCandidate(message.candidate)
        return
      case 'rtc.state':
        if (message.state === 'closed' && this.pc && this.joined) {
          console.warn('audio: the server closed the audio connection', { reason: message.reason })
          this.fail(message.reason ? `audio.failure.reason.${message.reason}` : 'audio.failure.closed', null)
        } else {
          console.info('audio: server reports the connection', { state: message.state })
        }
        return
      default:
        // rtc.answer settles the offer's request in connect().
        return
    }
  }

  /** Joins the room's audio: asks for the microphone when `micOnJoin`, then connects. */
  async join(): Promise<void> {
    if (this.joined && this.snapshot.status !== 'failed') return
    this.joined = true
    this.update({ status: 'connecting', failure: null, failureDetail: null })
    if (this.options.micOnJoin && !this.micTrack) await this.startMic()
    if (!this.joined) return
    await this.enqueue(() => this.connect())
  }

  /** Connects again after a failure, with the same microphone choice. */
  retry(): Promise<void> {
    return this.join()
  }

  /** Leaves audio: sends `rtc.leave`, closes the connection and releases the microphone. */
  leave(): void {
    if (!this.joined) return
    this.joined = false
    this.sendLeave()
    this.closePeer()
    this.releaseMic()
    this.update({ status: 'idle', failure: null, failureDetail: null, mic: 'off', remote: [] })
  }

  /** Closes everything for good, as when the page unmounts. */
  dispose(): void {
    if (this.joined) this.sendLeave()
    this.joined = false
    this.closePeer()
    this.releaseMic()
    this.options.mediaDevices?.removeEventListener?.('devicechange', this.onDeviceChange)
    this.disposed = true
  }

  /**
   * Asks for the microphone and sends it. Returns whether it is on. A
   * failure leaves it off with `micProblem` set; it never throws.
   */
  async startMic(): Promise<boolean> {
    if (this.micTrack) return true
    const devices = this.options.mediaDevices
    if (!devices?.getUserMedia) {
      const problem: MicProblem = this.options.secureContext === false ? 'insecure' : 'unsupported'
      this.update({ mic: 'off', micProblem: problem, micProblemDetail: null })
      return false
    }
    const request = ++this.micRequest
    this.update({ mic: 'requesting', micProblem: null, micProblemDetail: null })
    let stream: MediaStream
    try {
      const deviceId = this.snapshot.deviceId
      stream = await devices.getUserMedia({ audio: deviceId ? { ...VOICE_PROCESSING, deviceId: { exact: deviceId } } : VOICE_PROCESSING })
    } catch (error) {
      if (request !== this.micRequest) return false
      console.warn('audio: getUserMedia failed', error)
      this.update({ mic: 'off', micProblem: classifyMediaError(error), micProblemDetail: error instanceof Error ? error.message : String(error) })
      return false
    }
    const track = stream.getAudioTracks()[0]
    if (request !== this.micRequest || this.disposed) {
      // stopMic() or leave() came first: the user no longer wants it.
      for (const extra of stream.getTracks()) extra.stop()
      return false
    }
    if (!track) {
      this.update({ mic: 'off', micProblem: 'not-found', micProblemDetail: null })
      return false
    }
    this.useMicTrack(track)
    this.update({ mic: 'on', micProblem: null, micProblemDetail: null })
    await this.attachMic()
    void this.refreshDevices()
    return true
  }

  /** Stops sending and releases the microphone, so the browser's recording indicator goes out. */
  stopMic(): void {
    this.releaseMic()
    this.update({ mic: 'off' })
  }

  /** Switches to microphone `deviceId` (null for the default), at once when the microphone is on. */
  async selectDevice(deviceId: string | null): Promise<void> {
    this.update({ deviceId })
    if (!this.micTrack) return
    this.releaseMic()
    await this.startMic()
  }

  /** Reads the list of microphones. Their labels are empty until the user allowed a microphone once. */
  async refreshDevices(): Promise<void> {
    const devices = this.options.mediaDevices
    if (!devices?.enumerateDevices) return
    try {
      const list = await devices.enumerateDevices()
      const inputs = list
        .filter((device) => device.kind === 'audioinput')
        .map((device) => ({ deviceId: device.deviceId, label: device.label }))
      this.update({ devices: inputs })
    } catch (error) {
      console.warn('audio: enumerateDevices failed', error)
    }
  }

  private useMicTrack(track: MediaStreamTrack): void {
    this.micTrack = track
    track.onended = () => {
      if (this.micTrack !== track) return
      console.warn('audio: the microphone track ended')
      this.micTrack = null
      this.update({ mic: 'off', micProblem: 'ended', micProblemDetail: null })
      void this.replaceMicTrack(null)
    }
  }

  private releaseMic(): void {
    this.micRequest += 1
    const track = this.micTrack
    this.micTrack = null
    if (!track) return
    track.onended = null
    track.stop()
    void this.replaceMicTrack(null)
  }

  private async attachMic(): Promise<void> {
    if (!this.micTrack) return
    await this.replaceMicTrack(this.micTrack)
  }

  private async replaceMicTrack(track: MediaStreamTrack | null): Promise<void> {
    const pc = this.pc
    const sender = pc?.getTransceivers()[0]?.sender
    if (!pc || !sender) return
    try {
      await sender.replaceTrack(track)
    } catch (error) {
      // The first m-line was negotiated without a send direction, so only
      // a new offer can carry the microphone.
      console.warn('audio: replaceTrack failed; negotiating again', error)
      if (track && pc === this.pc) this.enqueue(() => this.connect())
    }
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step, step)
    this.chain = next.catch(() => undefined)
    return next
  }

  /** Opens a new peer connection and negotiates it with the browser's offer. */
  private async connect(): Promise<void> {
    if (!this.joined || this.disposed) return
    if (!this.options.signaling.connected) {
      this.fail('audio.failure.noControl', null)
      return
    }
    // The server would take a new peer connection's offer for a
    // renegotiation of the old session, so that session ends first.
    this.sendLeave()
    this.closePeer()
    const generation = ++this.generation
    let pc: RTCPeerConnection
    try {
      pc = this.options.createPeerConnection({ iceServers: this.iceServers })
    } catch (error) {
      console.error('audio: creating the RTCPeerConnection failed', error)
      this.fail('audio.failure.unsupported', error instanceof Error ? error.message : String(error))
      return
    }
    this.pc = pc
    this.remoteDescriptionSet = false
    this.offerSent = false
    this.queuedRemoteCandidates.length = 0
    this.queuedLocalCandidates.length = 0
    const current = () => this.pc === pc && this.generation === generation

    const transceivers = [pc.addTransceiver(this.micTrack ?? 'audio', { direction: 'sendrecv' })]
    for (let slot = 1; slot < AUDIO_SLOTS; slot++) transceivers.push(pc.addTransceiver('audio', { direction: 'recvonly' }))
    preferOpus(transceivers)

    pc.onicecandidate = (event) => {
      if (!current() || !event.candidate) return
      const candidate = event.candidate.toJSON()
      // An empty candidate string is an older end-of-candidates mark, which the server does not need.
      if (!candidate.candidate) return
      if (this.offerSent) this.sendCandidate(candidate)
      else this.queuedLocalCandidates.push(candidate)
    }
    pc.ontrack = (event) => {
      if (current()) this.addRemoteTrack(event)
    }
    pc.onconnectionstatechange = () => {
      if (current()) this.connectionStateChanged(pc.connectionState)
    }

    try {
      const offer = await pc.createOffer()
      await pc.setLocalDescription(offer)
      if (!current()) return
      const sdp = pc.localDescription?.sdp ?? offer.sdp ?? ''
      const reply = this.options.signaling.request({ type: 'rtc.offer', sdp }, 'rtc.answer')
      this.offerSent = true
      for (const candidate of this.queuedLocalCandidates.splice(0)) this.sendCandidate(candidate)
      this.startConnectTimer(generation)
      const answer = await reply
      if (!current()) return
      if (answer.type !== 'rtc.answer') throw new Error(`expected rtc.answer, got ${answer.type}`)
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp })
      if (!current()) return
      this.remoteDescriptionSet = true
      await this.flushRemoteCandidates(pc)
    } catch (error) {
      if (!current()) return
      console.warn('audio: negotiation failed', error)
      const code = (error as ControlRequestError | undefined)?.name === 'ControlRequestError' ? (error as ControlRequestError).code : null
      this.fail(code ? `audio.failure.code.${code}` : 'audio.failure.negotiation', error instanceof Error ? error.message : String(error))
    }
  }

  /** Answers an offer from the server, which adds tracks or renegotiates. */
  private async answerServerOffer(sdp: string): Promise<void> {
    const pc = this.pc
    if (!pc || !this.joined) {
      console.warn('audio: ignored a server offer without an audio connection')
      return
    }
    const generation = this.generation
    const current = () => this.pc === pc && this.generation === generation
    try {
      // In have-local-offer the browser rolls its own offer back first.
      await pc.setRemoteDescription({ type: 'offer', sdp })
      if (!current()) return
      this.remoteDescriptionSet = true
      await this.flushRemoteCandidates(pc)
      const answer = await pc.createAnswer()
      await pc.setLocalDescription(answer)
      if (!current()) return
      this.options.signaling.send({ type: 'rtc.answer', sdp: pc.localDescription?.sdp ?? answer.sdp ?? '' }, (error) => {
        console.warn('audio: the server rejected the answer', error)
        if (current()) this.fail(`audio.failure.code.${error.code}`, error.message)
      })
    } catch (error) {
      if (!current()) return
      console.warn('audio: answering the server offer failed', error)
      this.fail('audio.failure.negotiation', error instanceof Error ? error.message : String(error))
    }
  }

  private addRemoteCandidate(candidate: RTCIceCandidateInit | null): void {
    const pc = this.pc
    // The end of the server's candidates needs no action: ICE goes on with those it has.
    if (!pc || candidate === null) return
    if (!this.remoteDescriptionSet) {
      this.queuedRemoteCandidates.push(candidate)
      return
    }
    pc.addIceCandidate(candidate).catch((error: unknown) => console.warn('audio: addIceCandidate failed', { candidate, error }))
  }

  private async flushRemoteCandidates(pc: RTCPeerConnection): Promise<void> {
    for (const candidate of this.queuedRemoteCandidates.splice(0)) {
      try {
        await pc.addIceCandidate(candidate)
      } catch (error) {
        console.warn('audio: addIceCandidate failed', { candidate, error })
      }
    }
  }

  private sendCandidate(candidate: RTCIceCandidateInit): void {
    this.options.signaling.send({ type: 'rtc.candidate', candidate }, (error) => console.warn('audio: the server rejected a candidate', error))
  }

  private addRemoteTrack(event: RTCTrackEvent): void {
    const track = event.track
    const id = event.transceiver?.mid ?? track.id
    const stream = event.streams[0] ?? new MediaStream([track])
    const remote = this.snapshot.remote.filter((entry) => entry.id !== id)
    this.update({ remote: [...remote, { id, stream }] })
  }

  private connectionStateChanged(state: RTCPeerConnectionState): void {
    switch (state) {
      case 'connected':
        this.clearConnectTimer()
        this.update({ status: 'connected', failure: null, failureDetail: null })
        return
      case 'disconnected':
        // ICE often recovers from a short loss by itself.
        this.update({ status: 'reconnecting' })
        return
      case 'failed':
        this.fail('audio.failure.ice', null)
        return
      default:
        return
    }
  }

  private startConnectTimer(generation: number): void {
    this.clearConnectTimer()
    const timeout = this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null
      if (this.generation === generation && this.snapshot.status !== 'connected') this.fail('audio.failure.timeout', null)
    }, timeout)
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer)
    this.connectTimer = null
  }

  /** Ends the attempt with `failure` shown and a retry offered. The user stays joined, so retry() connects again. */
  private fail(failure: string, detail: string | null): void {
    this.sendLeave()
    this.closePeer()
    // A microphone left recording while nothing is sent would be a surprise.
    this.releaseMic()
    this.update({ status: 'failed', failure, failureDetail: detail, mic: 'off', remote: [] })
  }

  private sendLeave(): void {
    if (!this.pc) return
    // The server may have ended the session already, which makes this an error to ignore.
    this.options.signaling.send({ type: 'rtc.leave' }, () => undefined)
  }

  private closePeer(): void {
    this.clearConnectTimer()
    const pc = this.pc
    this.pc = null
    this.generation += 1
    if (!pc) return
    pc.onicecandidate = null
    pc.ontrack = null
    pc.onconnectionstatechange = null
    pc.close()
  }
}
