import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'

import { MAX_DRIFT_SECONDS, positionAt, readPlayback, stateFromPlayer, syncAction } from './playback'

const AT = 1_764_870_000_000

describe('positionAt', () => {
  it('advances while playing', () => {
    expect(positionAt({ playing: true, position: 10, at: AT }, AT + 2500)).toBe(12.5)
  })

  it('stays put while paused', () => {
    expect(positionAt({ playing: false, position: 10, at: AT }, AT + 2500)).toBe(10)
  })

  it('caps at the duration', () => {
    expect(positionAt({ playing: true, position: 58, at: AT }, AT + 10_000, 60)).toBe(60)
  })

  it('ignores a clock behind the writer', () => {
    expect(positionAt({ playing: true, position: 10, at: AT }, AT - 300)).toBe(10)
  })
})

describe('syncAction', () => {
  const playing = { playing: true, position: 10, at: AT }

  it('keeps a player within the drift', () => {
    expect(syncAction(playing, 12 - MAX_DRIFT_SECONDS + 0.01, false, AT + 2000)).toEqual({ seekTo: null, toggle: null })
  })

  it('seeks a player that drifted', () => {
    expect(syncAction(playing, 11.4, false, AT + 2000)).toEqual({ seekTo: 12, toggle: null })
  })

  it('plays a paused player', () => {
    expect(syncAction(playing, 12, true, AT + 2000)).toEqual({ seekTo: null, toggle: 'play' })
  })

  it('pauses a playing player and seeks back', () => {
    expect(syncAction({ playing: false, position: 30, at: AT }, 33, false, AT + 3000)).toEqual({ seekTo: 30, toggle: 'pause' })
  })

  it('leaves an ended video paused', () => {
    expect(syncAction({ playing: true, position: 55, at: AT }, 60, true, AT + 20_000, 60)).toEqual({ seekTo: null, toggle: null })
  })
})

describe('readPlayback', () => {
  it('reads the shared fields', () => {
    const doc = new Y.Doc()
    const element = doc.getMap<Y.Map<unknown>>('elements').set('v', new Y.Map())
    element.set('playing', true)
    element.set('position', 4.5)
    element.set('at', AT)
    expect(readPlayback(element)).toEqual({ playing: true, position: 4.5, at: AT })
  })

  it('reads missing or invalid fields as stopped', () => {
    const doc = new Y.Doc()
    const element = doc.getMap<Y.Map<unknown>>('elements').set('v', new Y.Map())
    element.set('playing', 'yes')
    element.set('position', -3)
    expect(readPlayback(element)).toEqual({ playing: false, position: 0, at: 0 })
  })
})

describe('stateFromPlayer', () => {
  it('records the player at the server time', () => {
    expect(stateFromPlayer(7.25, false, AT)).toEqual({ playing: true, position: 7.25, at: AT })
    expect(stateFromPlayer(7.25, true, AT)).toEqual({ playing: false, position: 7.25, at: AT })
  })
})
