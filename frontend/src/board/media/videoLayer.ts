/**
 * Video elements as HTML `<video>` players laid over the canvas, placed by
 * the viewport transform, and kept in step with the element's shared
 * playback state (`playing`, `position`, `at`).
 *
 * A controller (the lecturer, or a student allowed to draw) gets the
 * native controls, and playing, pausing or seeking writes the shared state.
 * Every player follows that state: it seeks when it drifts more than
 * MAX_DRIFT_SECONDS and plays or pauses to match.
 *
 * A `<video>` cannot send an Authorization header, and it needs range
 * requests to seek, so the player loads the media URL directly with the
 * cookie that joining (`lectern_seat`, scoped to the room's media path) or
 * logging in (`lectern_token`) sets. When that load fails, the player
 * fetches the whole file with the bearer token once and plays it from a
 * blob URL, which the site's Content-Security-Policy allows with
 * `media-src 'self' blob:`. The token never goes into a URL.
 */
import type * as Y from 'yjs'

import { elementsMap } from '../doc'
import { normalizedBox } from '../hit'
import type { SceneElement } from '../scene'
import type { Translate } from '../toolbar'
import { boardToScreen, type SurfaceSize, type Viewport } from '../viewport'
import { fetchMediaBlob } from './imageCache'
import { MAX_DRIFT_SECONDS, positionAt, readPlayback, stateFromPlayer, syncAction, type PlaybackState } from './playback'

/** How often players compare themselves with the shared state, in milliseconds. */
export const SYNC_INTERVAL_MS = 1000

export interface VideoLayerOptions {
  /** The element the players are placed in, laid over the canvas. */
  container: HTMLElement
  doc: Y.Doc
  urlFor(id: string): string
  token: string
  /** Milliseconds on the server's clock. */
  serverNow(): number
  /** Transaction origin of playback writes, which the undo manager does not track. */
  origin: unknown
  t: Translate
  fetch?: typeof fetch
  /** Called with a player's element id and video size in pixels once its metadata has loaded. */
  onMetadata?: (id: string, width: number, height: number) => void
}

interface Player {
  id: string
  mediaId: string
  wrapper: HTMLDivElement
  video: HTMLVideoElement
  /** "Click to join playback", shown when the browser blocked playing with sound. */
  joinButton: HTMLButtonElement
  objectUrl: string | null
  triedFallback: boolean
  fallback: AbortController | null
}

export class VideoLayer {
  private readonly options: VideoLayerOptions
  private readonly players = new Map<string, Player>()
  private canControl = false
  private interactive = false
  private timer: ReturnType<typeof setInterval> | null = null
  private t: Translate

  constructor(options: VideoLayerOptions) {
    this.options = options
    this.t = options.t
  }

  /**
   * Shows a player for each of `videos` (the current page's video elements
   * in paint order) at its place on the surface, and removes the others.
   * `interactive` is false while a tool that picks elements is active, so
   * that clicks reach the board instead of the player.
   */
  update(videos: readonly SceneElement[], viewport: Viewport, size: SurfaceSize, canControl: boolean, interactive: boolean): void {
    const controlChanged = canControl !== this.canControl || interactive !== this.interactive
    this.canControl = canControl
    this.interactive = interactive
    const seen = new Set<string>()
    videos.forEach((entry, index) => {
      const element = entry.data
      if (!element.media) return
      seen.add(element.id)
      let player = this.players.get(element.id)
      if (player && player.mediaId !== element.media) {
        this.remove(player)
        player = undefined
      }
      if (!player) player = this.create(element.id, element.media)
      else if (controlChanged) this.applyControls(player)
      this.place(player, entry, viewport, size, index)
    })
    for (const player of [...this.players.values()]) {
      if (!seen.has(player.id)) this.remove(player)
    }
    this.syncAll()
    this.updateTimer()
  }

  setTranslator(t: Translate): void {
    this.t = t
    for (const player of this.players.values()) this.label(player)
  }

  destroy(): void {
    for (const player of [...this.players.values()]) this.remove(player)
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }

  /** Makes every player follow its element's shared state. */
  syncAll(): void {
    for (const player of this.players.values()) this.sync(player)
  }

  private sharedState(player: Player): PlaybackState | null {
    const element = elementsMap(this.options.doc).get(player.id)
    return element ? readPlayback(element) : null
  }

  private create(id: string, mediaId: string): Player {
    const wrapper = document.createElement('div')
    wrapper.className = 'lectern-board-video'
    const video = document.createElement('video')
    video.dataset.testid = 'board-video'
    video.dataset.elementId = id
    video.dataset.mediaId = mediaId
    video.dataset.playing = 'false'
    video.dataset.state = 'loading'
    video.preload = 'auto'
    video.playsInline = true
    video.disablePictureInPicture = true
    const joinButton = document.createElement('button')
    joinButton.type = 'button'
    joinButton.className = 'lectern-board-video-join'
    joinButton.dataset.testid = 'video-unmute'
    joinButton.hidden = true
    wrapper.append(video, joinButton)

    const player: Player = { id, mediaId, wrapper, video, joinButton, objectUrl: null, triedFallback: false, fallback: null }
    this.label(player)
    this.applyControls(player)
    this.attachEvents(player)
    video.src = this.options.urlFor(mediaId)
    this.options.container.append(wrapper)
    this.players.set(id, player)
    return player
  }

  private label(player: Player): void {
    player.video.setAttribute('aria-label', this.t('board.media.video'))
    player.joinButton.textContent = this.t('board.media.joinPlayback')
  }

  private applyControls(player: Player): void {
    player.video.controls = this.canControl
    // Only a controller clicks the player, and only outside the select and eraser tools.
    player.wrapper.style.pointerEvents = this.canControl && this.interactive ? 'auto' : 'none'
  }

  private attachEvents(player: Player): void {
    const { video, wrapper, joinButton } = player
    // A click on the player's controls must not also start a gesture on the board.
    for (const type of ['pointerdown', 'pointerup', 'dblclick', 'contextmenu'] as const) {
      wrapper.addEventListener(type, (event) => event.stopPropagation())
    }
    video.addEventListener('loadedmetadata', () => {
      video.dataset.state = 'ready'
      this.options.onMetadata?.(player.id, video.videoWidth, video.videoHeight)
      this.sync(player)
    })
    video.addEventListener('error', () => this.loadFallback(player))
    video.addEventListener('play', () => this.onPlayerChange(player))
    video.addEventListener('pause', () => this.onPlayerChange(player))
    video.addEventListener('seeked', () => this.onPlayerChange(player))
    joinButton.addEventListener('click', (event) => {
      event.stopPropagation()
      // This click is the user gesture that lets the player play with sound.
      video.muted = false
      joinButton.hidden = true
      this.sync(player)
    })
  }

  /**
   * Writes the shared state after the player changed in a way the shared
   * state does not explain: a controller pressed play or pause or seeked,
   * or the video reached its end. A change made by sync() to follow the
   * shared state matches it, so it writes nothing.
   */
  private onPlayerChange(player: Player): void {
    const { video } = player
    // remove() pauses a player that leaves the page; that is no one's command.
    if (this.players.get(player.id) !== player) return
    const shared = this.sharedState(player)
    if (!shared || !this.canControl || video.seeking) return
    const now = this.options.serverNow()
    const follows = shared.playing === !video.paused && Math.abs(positionAt(shared, now, video.duration) - video.currentTime) <= MAX_DRIFT_SECONDS
    if (follows) return
    const next = stateFromPlayer(video.currentTime, video.paused, now)
    const element = elementsMap(this.options.doc).get(player.id)
    if (!element) return
    this.options.doc.transact(() => {
      element.set('playing', next.playing)
      element.set('position', next.position)
      element.set('at', next.at)
    }, this.options.origin)
  }

  private sync(player: Player): void {
    const { video } = player
    const shared = this.sharedState(player)
    if (!shared) return
    video.dataset.playing = String(shared.playing)
    // Before the metadata loads, the player can neither seek nor tell its duration.
    if (video.readyState < 1) return
    const action = syncAction(shared, video.currentTime, video.paused, this.options.serverNow(), video.duration)
    if (action.seekTo !== null) video.currentTime = action.seekTo
    if (action.toggle === 'pause') video.pause()
    else if (action.toggle === 'play') this.play(player)
  }

  /** Plays; when the browser blocks playing with sound, plays muted and offers the join button. */
  private play(player: Player): void {
    const { video, joinButton } = player
    video.play().catch((error: unknown) => {
      if (!(error instanceof DOMException) || error.name !== 'NotAllowedError') return
      joinButton.hidden = false
      if (video.muted) return
      video.muted = true
      video.play().catch(() => undefined)
    })
  }

  /** Loads the video through fetch with the bearer token, once, after loading by URL failed. */
  private loadFallback(player: Player): void {
    const { video } = player
    if (player.triedFallback || player.objectUrl) {
      video.dataset.state = 'failed'
      return
    }
    player.triedFallback = true
    player.fallback = new AbortController()
    const fetchImpl = this.options.fetch ?? globalThis.fetch.bind(globalThis)
    fetchMediaBlob(this.options.urlFor(player.mediaId), this.options.token, fetchImpl, player.fallback.signal).then(
      (blob) => {
        if (this.players.get(player.id) !== player) return
        player.objectUrl = URL.createObjectURL(blob)
        video.src = player.objectUrl
      },
      (error: unknown) => {
        if (this.players.get(player.id) !== player) return
        console.warn('loading a board video failed', { id: player.mediaId, error })
        video.dataset.state = 'failed'
      },
    )
  }

  private place(player: Player, entry: SceneElement, viewport: Viewport, size: SurfaceSize, index: number): void {
    const box = normalizedBox(entry.data)
    const topLeft = boardToScreen(viewport, size, box.x, box.y)
    const style = player.wrapper.style
    style.left = `${topLeft.x}px`
    style.top = `${topLeft.y}px`
    style.width = `${box.w * viewport.zoom}px`
    style.height = `${box.h * viewport.zoom}px`
    style.transform = entry.data.rotation === 0 ? '' : `rotate(${entry.data.rotation}rad)`
    style.zIndex = String(index)
  }

  private remove(player: Player): void {
    this.players.delete(player.id)
    player.fallback?.abort()
    player.video.pause()
    player.video.removeAttribute('src')
    player.video.load()
    if (player.objectUrl) URL.revokeObjectURL(player.objectUrl)
    player.wrapper.remove()
  }

  private updateTimer(): void {
    if (this.players.size > 0 && this.timer === null) {
      this.timer = setInterval(() => this.syncAll(), SYNC_INTERVAL_MS)
    } else if (this.players.size === 0 && this.timer !== null) {
      clearInterval(this.timer)
      this.timer = null
    }
  }
}
