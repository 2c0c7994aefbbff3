import { describe, expect, it } from 'vitest'
import { parseServerMessage } from '../control/protocol'
import type { ServerMessage } from '../control/types'
import { NOW, welcomeFrame } from '../quiz/testFixtures'
import { floorReducer, initialFloorState, queuePosition, raisedHands, speakerOf, type FloorAction, type FloorViewState } from './floorState'
import { floorFrame, floorView, queued, speaker } from './testFixtures'
import type { FloorView } from './types'

function message(text: string): ServerMessage {
  const result = parseServerMessage(text)
  if (result.ok !== true) throw new Error(`invalid test message: ${JSON.stringify(result)}`)
  return result.message
}

function reduce(state: FloorViewState, ...actions: FloorAction[]): FloorViewState {
  return actions.reduce(floorReducer, state)
}

const received = (text: string): FloorAction => ({ type: 'message', message: message(text), offset: 0 })
const floorState = (view: FloorView): FloorAction => received(floorFrame(view))

/** A student page (participant p_ada) that has seen `view`. */
function studentWith(view: FloorView): FloorViewState {
  return reduce(initialFloorState, received(welcomeFrame('student')), floorState(view))
}

describe('floorReducer', () => {
  it('stores the floor and the speakers', () => {
    const view = floorView({ queue: [queued('p_alan', 'Alan'), queued('p_ada', 'Ada')], speakers: [speaker('p_grace', 'Grace')] })
    const state = studentWith(view)
    expect(state.self).toEqual({ participantId: 'p_ada', role: 'student' })
    expect(state.floor).toEqual(view)
    expect(queuePosition(state.floor, 'p_ada')).toBe(2)
    expect(queuePosition(state.floor, 'p_grace')).toBeNull()
    expect(speakerOf(state.floor, 'p_grace')?.name).toBe('Grace')
    expect([...(raisedHands(state.floor) ?? [])]).toEqual(['p_alan', 'p_ada'])
  })

  it('has no hands before the first floor.state', () => {
    expect(raisedHands(initialFloorState.floor)).toBeNull()
  })

  it('announces nothing for the first state', () => {
    const state = studentWith(floorView({ speakers: [speaker('p_ada', 'Ada')] }))
    expect(state.announcement).toBeNull()
  })

  it('announces a granted floor', () => {
    const state = reduce(studentWith(floorView({ queue: [queued('p_ada', 'Ada')] })), floorState(floorView({ speakers: [speaker('p_ada', 'Ada')] })))
    expect(state.announcement?.key).toBe('audio.announce.floorGranted')
  })

  it('announces a grant with the board', () => {
    const state = reduce(studentWith(floorView()), floorState(floorView({ speakers: [speaker('p_ada', 'Ada', { to_board: true })] })))
    expect(state.announcement?.key).toBe('audio.announce.floorGrantedBoard')
  })

  it('announces the end of the floor', () => {
    const state = reduce(studentWith(floorView({ speakers: [speaker('p_ada', 'Ada')] })), floorState(floorView()))
    expect(state.announcement?.key).toBe('audio.announce.floorEnded')
  })

  it('announces a hand the lecturer lowered', () => {
    const state = reduce(studentWith(floorView({ queue: [queued('p_ada', 'Ada')] })), floorState(floorView()))
    expect(state.announcement?.key).toBe('audio.announce.handLowered')
  })

  it('does not announce lowering the own hand', () => {
    const state = reduce(
      studentWith(floorView({ queue: [queued('p_ada', 'Ada')] })),
      { type: 'request-sent', command: { type: 'hand.lower' } },
      floorState(floorView()),
    )
    expect(state.announcement).toBeNull()
    expect(state.loweringOwnHand).toBe(false)
  })

  it('announces a lowering after an own one', () => {
    let state = reduce(
      studentWith(floorView({ queue: [queued('p_ada', 'Ada')] })),
      { type: 'request-sent', command: { type: 'hand.lower' } },
      floorState(floorView()),
    )
    state = reduce(state, { type: 'request-sent', command: { type: 'hand.raise' } }, floorState(floorView({ queue: [queued('p_ada', 'Ada')] })))
    state = reduce(state, floorState(floorView()))
    expect(state.announcement?.key).toBe('audio.announce.handLowered')
  })

  it('announces mutes to the student', () => {
    const speaking = floorView({ speakers: [speaker('p_ada', 'Ada')] })
    const muted = reduce(studentWith(speaking), floorState({ ...speaking, muted: ['p_ada'] }))
    expect(muted.announcement?.key).toBe('audio.announce.muted')
    const unmuted = reduce(muted, floorState(speaking))
    expect(unmuted.announcement?.key).toBe('audio.announce.unmuted')
  })

  it('gives each announcement a new id', () => {
    const first = reduce(studentWith(floorView({ queue: [queued('p_ada', 'Ada')] })), floorState(floorView()))
    const second = reduce(first, floorState(floorView({ queue: [queued('p_ada', 'Ada')] })), floorState(floorView()))
    expect(second.announcement?.key).toBe(first.announcement?.key)
    expect(second.announcement?.id).not.toBe(first.announcement?.id)
  })

  it('tells the lecturer about new hands', () => {
    let state = reduce(initialFloorState, received(welcomeFrame('lecturer')), floorState(floorView()))
    state = reduce(state, floorState(floorView({ queue: [queued('p_grace', 'Grace')] })))
    expect(state.announcement).toMatchObject({ key: 'audio.announce.handRaised', vars: { name: 'Grace' } })
    state = reduce(state, floorState(floorView({ queue: [queued('p_grace', 'Grace'), queued('p_alan', 'Alan'), queued('p_ada', 'Ada')] })))
    expect(state.announcement).toMatchObject({ key: 'audio.announce.handsRaised', vars: { count: 2 } })
  })

  it('keeps the speaking list', () => {
    const state = reduce(initialFloorState, received(JSON.stringify({ v: 1, type: 'speaking', speaking: ['p_grace'] })))
    expect(state.speaking).toEqual(['p_grace'])
  })

  it('clears speaking on a disconnect', () => {
    const state = reduce(
      initialFloorState,
      received(JSON.stringify({ v: 1, type: 'speaking', speaking: ['p_grace'] })),
      { type: 'connection', state: 'disconnected' },
    )
    expect(state.speaking).toEqual([])
    expect(state.connection).toBe('disconnected')
  })

  it('records a failed request with its command', () => {
    const command = { type: 'floor.grant' as const, participant_id: 'p_ada' }
    const state = reduce(initialFloorState, { type: 'request-sent', command }, {
      type: 'request-failed',
      command,
      failure: { code: 'floor_full', message: 'the floor has 1 speaker' },
    })
    expect(state.pending).toBeNull()
    expect(state.error).toEqual({ code: 'floor_full', message: 'the floor has 1 speaker', command })
    expect(reduce(state, { type: 'dismiss-error' }).error).toBeNull()
  })

  it('clears the pending request when done', () => {
    const state = reduce(initialFloorState, { type: 'request-sent', command: { type: 'hand.raise' } })
    expect(state.pending).toEqual({ type: 'hand.raise' })
    expect(reduce(state, { type: 'request-done' }).pending).toBeNull()
  })

  it('keeps the server clock offset', () => {
    const state = reduce(initialFloorState, { type: 'message', message: message(floorFrame(floorView(), NOW)), offset: 1_500 })
    expect(state.offset).toBe(1_500)
  })
})
