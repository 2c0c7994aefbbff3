// Drives a real `lectern serve` with the official Yjs client (yjs and
// y-websocket, the packages a browser client uses) over loopback: board sync,
// the read-only rule for students, granting can_draw, and awareness.
//
// The steps share one server, room and set of clients, and run in order: a
// failure in an early step usually makes the later ones fail too, so read
// the first failure first.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { assertErrorBody, assertStatus, describeResponse, request } from './lib/api.js'
import { BoardClient, addStroke, describeDoc, docFromUpdate, getElement } from './lib/board.js'
import { LecternServer } from './lib/server.js'
import { onEvent, waitFor } from './lib/wait.js'

const lecturerAccount = {
  email: 'ada@example.test',
  name: 'Ada Lecturer',
  role: 'lecturer',
  password: 'correct horse battery staple'
}

const strokePoints = [
  { x: 0, y: 0, pressure: 0.5 },
  { x: 3.2, y: -1.5, pressure: 0.75 },
  { x: 7.9, y: 4.1, pressure: 1 }
]

describe('board over y-websocket', { timeout: 120_000 }, () => {
  /** @type {LecternServer} */
  let server
  let lecturerToken
  let lecturerUserId
  let room
  let studentJoin
  /** @type {BoardClient} */
  let lecturer
  /** @type {BoardClient} */
  let student
  const clients = []

  const connect = (token, label) => {
    const client = new BoardClient({ baseUrl: server.url, code: room.code, token, label })
    clients.push(client)
    return client
  }

  const api = async (method, path, options) => {
    try {
      return await request(server.url, method, path, options)
    } catch (error) {
      throw new Error(`${method} ${path} failed: ${error.message} (${error.cause?.message ?? 'no cause'})\n` +
        server.logTail(), { cause: error })
    }
  }

  // Reports what the server stores, the clients hold and the server logged.
  const diagnose = async () => {
    const lines = []
    try {
      const board = await api('GET', `/api/v1/rooms/${room.code}/board`, { token: lecturerToken })
      lines.push(board.status === 200
        ? describeDoc('server board (GET /board)', docFromUpdate(board.bytes))
        : `server board: ${describeResponse(board)}`)
    } catch (error) {
      lines.push(`server board: request failed: ${error.message}`)
    }
    for (const client of clients) {
      lines.push(describeDoc(`${client.label} doc`, client.doc))
      lines.push(client.describeConnection())
    }
    lines.push(server.logTail())
    return lines.join('\n')
  }

  before(async () => {
    server = await LecternServer.start({ name: 'interop-board', users: [lecturerAccount] })

    const login = await api('POST', '/api/v1/auth/login', {
      body: { email: lecturerAccount.email, password: lecturerAccount.password }
    })
    assertStatus(login, 200)
    assert.equal(typeof login.json.token, 'string', describeResponse(login))
    assert.equal(login.json.user.email, lecturerAccount.email, describeResponse(login))
    assert.equal(login.json.user.name, lecturerAccount.name, describeResponse(login))
    assert.equal(login.json.user.role, 'lecturer', describeResponse(login))
    lecturerToken = login.json.token
    lecturerUserId = String(login.json.user.id)

    const created = await api('POST', '/api/v1/rooms', {
      token: lecturerToken,
      body: { title: 'Interop: Yjs client' }
    })
    assertStatus(created, 201)
    assert.equal(created.json.title, 'Interop: Yjs client', describeResponse(created))
    assert.equal(typeof created.json.code, 'string', describeResponse(created))
    assert.equal(typeof created.json.join_url, 'string', describeResponse(created))
    room = created.json

    const joined = await api('POST', `/api/v1/rooms/${room.code}/join`, { body: { name: 'Sam Student' } })
    assertStatus(joined, 201)
    assert.equal(joined.json.role, 'student', describeResponse(joined))
    assert.equal(typeof joined.json.token, 'string', describeResponse(joined))
    studentJoin = joined.json

    lecturer = connect(lecturerToken, 'lecturer')
    student = connect(studentJoin.token, 'student')
    await Promise.all([lecturer.waitSynced(diagnose), student.waitSynced(diagnose)])
  })

  after(async () => {
    for (const client of clients) client.destroy()
    if (server) await server.stop()
  })

  it('login rejects a wrong password', async () => {
    const response = await api('POST', '/api/v1/auth/login', {
      body: { email: lecturerAccount.email, password: 'wrong password' }
    })
    assertStatus(response, 401)
    assertErrorBody(response)
  })

  it('lecturer stroke reaches student', async () => {
    const { fields, chunk } = addStroke(lecturer.doc, {
      id: 'stroke-lecturer-1',
      author: lecturerUserId,
      points: strokePoints
    })

    const received = await waitFor({
      what: 'the lecturer stroke in the student doc',
      check: () => getElement(student.doc, 'stroke-lecturer-1')?.get('points')?.length === 1 &&
        getElement(student.doc, 'stroke-lecturer-1'),
      subscribe: onEvent(student.doc, 'update'),
      diagnose
    })

    for (const [key, value] of Object.entries(fields)) {
      assert.equal(received.get(key), value, `field ${key} of the received stroke`)
    }
    assert.deepEqual(received.get('points').toArray(), [chunk], 'points chunk of the received stroke')
  })

  it('student write is rejected', async () => {
    const deniedBefore = student.permissionDenied.length
    addStroke(student.doc, {
      id: 'stroke-student-rejected',
      author: studentJoin.participant_id,
      points: strokePoints
    })

    const reason = await waitFor({
      what: 'a permission-denied message to the student',
      check: () => student.permissionDenied[deniedBefore],
      subscribe: onEvent(student.provider, 'permission-denied'),
      diagnose
    })
    assert.ok(reason.length > 0, 'permission-denied carries a reason')

    // The server sent the denial after handling the student's frame, so a
    // relay of the stroke, had there been one, is queued before the answer
    // to this resync.
    await lecturer.resync(diagnose)
    assert.equal(getElement(lecturer.doc, 'stroke-student-rejected'), undefined,
      `the rejected stroke reached the lecturer; ${describeDoc('lecturer doc', lecturer.doc)}`)
    assert.equal(lecturer.doc.store.pendingStructs, null,
      `the lecturer doc holds structs it cannot integrate; ${describeDoc('lecturer doc', lecturer.doc)}`)

    const board = await api('GET', `/api/v1/rooms/${room.code}/board`, { token: lecturerToken })
    assertStatus(board, 200)
    assert.match(board.contentType, /^application\/octet-stream/, describeResponse(board))
    const stored = docFromUpdate(board.bytes)
    assert.equal(getElement(stored, 'stroke-student-rejected'), undefined,
      `the server stored the rejected stroke; ${describeDoc('server board', stored)}`)
    assert.ok(getElement(stored, 'stroke-lecturer-1'),
      `the server lacks the lecturer stroke; ${describeDoc('server board', stored)}`)
  })

  it('board export is lecturer only', async () => {
    const response = await api('GET', `/api/v1/rooms/${room.code}/board`, { token: studentJoin.token })
    assert.ok(response.status >= 400 && response.status < 500,
      `a student token must not export the board; ${describeResponse(response)}`)
    assertErrorBody(response)
  })

  it('granted student write reaches lecturer', async () => {
    const granted = await api('PUT',
      `/api/v1/rooms/${room.code}/participants/${studentJoin.participant_id}/permissions`,
      { token: lecturerToken, body: { can_draw: true } })
    assertStatus(granted, 200, 204)

    const deniedBefore = student.permissionDenied.length
    addStroke(student.doc, {
      id: 'stroke-student-granted',
      author: studentJoin.participant_id,
      points: strokePoints
    })

    // NOTE: the student's doc still holds the rejected stroke, so this
    // update depends on structs the server never accepted. A server that
    // does not ask the client for them on a grant leaves the update pending
    // and never relays it; the diagnostics then show the pending structs.
    await waitFor({
      what: 'the granted student stroke in the lecturer doc',
      check: () => getElement(lecturer.doc, 'stroke-student-granted'),
      subscribe: onEvent(lecturer.doc, 'update'),
      diagnose
    })
    assert.equal(student.permissionDenied.length, deniedBefore,
      `the student was denied after the grant: ${JSON.stringify(student.permissionDenied.slice(deniedBefore))}`)

    const board = await api('GET', `/api/v1/rooms/${room.code}/board`, { token: lecturerToken })
    assertStatus(board, 200)
    const stored = docFromUpdate(board.bytes)
    assert.ok(getElement(stored, 'stroke-student-granted'),
      `the server did not store the granted stroke; ${describeDoc('server board', stored)}`)
  })

  it('student awareness reaches lecturer', async () => {
    const studentClientId = student.doc.clientID
    student.awareness.setLocalStateField('user', { name: 'Sam Student', color: '#2ca02c' })

    const state = await waitFor({
      what: 'the student awareness state at the lecturer',
      check: () => lecturer.awareness.getStates().get(studentClientId)?.user?.name === 'Sam Student' &&
        lecturer.awareness.getStates().get(studentClientId),
      subscribe: onEvent(lecturer.awareness, 'change'),
      diagnose
    })
    assert.deepEqual(state.user, { name: 'Sam Student', color: '#2ca02c' })
  })

  it('disconnect removes student awareness', async () => {
    const studentClientId = student.doc.clientID
    assert.ok(lecturer.awareness.getStates().has(studentClientId),
      'precondition: the lecturer sees the student awareness state')

    student.provider.disconnect()

    await waitFor({
      what: 'the lecturer to drop the student awareness state after disconnect()',
      check: () => !lecturer.awareness.getStates().has(studentClientId),
      subscribe: onEvent(lecturer.awareness, 'change'),
      diagnose
    })
  })

  it('dropped connection removes awareness', async () => {
    // This client never says goodbye, so only the server can tell the
    // lecturer that its state is gone. The lecturer's own awareness timeout
    // (30 s in y-protocols 1.0.7) is longer than the wait below.
    const joined = await api('POST', `/api/v1/rooms/${room.code}/join`, { body: { name: 'Dee Dropped' } })
    assertStatus(joined, 201)
    const dropped = connect(joined.json.token, 'dropped student')
    await dropped.waitSynced(diagnose)

    const droppedClientId = dropped.doc.clientID
    dropped.awareness.setLocalStateField('user', { name: 'Dee Dropped' })
    await waitFor({
      what: 'the dropped student awareness state at the lecturer',
      check: () => lecturer.awareness.getStates().get(droppedClientId)?.user?.name === 'Dee Dropped',
      subscribe: onEvent(lecturer.awareness, 'change'),
      diagnose
    })

    dropped.dropConnection()

    await waitFor({
      what: 'the lecturer to drop the awareness state of a closed connection',
      check: () => !lecturer.awareness.getStates().has(droppedClientId),
      subscribe: onEvent(lecturer.awareness, 'change'),
      diagnose
    })
  })
})
