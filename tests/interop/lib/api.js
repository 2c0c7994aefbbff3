// A small client for lectern's REST API that keeps enough of each response to
// explain a failed assertion.

import assert from 'node:assert/strict'

/**
 * Sends one request and returns the response with its body read. `bytes`
 * contains the raw body, and `json` the parsed body when the content type is
 * JSON. `invalidJson` describes a JSON body that failed to parse.
 *
 * @param {string} baseUrl e.g. http://127.0.0.1:41234
 * @param {string} method
 * @param {string} path e.g. /api/v1/rooms
 * @param {object} [options]
 * @param {string} [options.token] sent as `Authorization: Bearer TOKEN`
 * @param {unknown} [options.body] sent as JSON
 */
export async function request (baseUrl, method, path, { token, body } = {}) {
  const headers = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'

  const response = await fetch(baseUrl + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000)
  })

  const contentType = response.headers.get('content-type') ?? ''
  const bytes = new Uint8Array(await response.arrayBuffer())
  let json
  let invalidJson
  if (contentType.startsWith('application/json') && bytes.length > 0) {
    const text = new TextDecoder().decode(bytes)
    try {
      json = JSON.parse(text)
    } catch (error) {
      invalidJson = `invalid JSON (${error.message}): ${text.slice(0, 500)}`
    }
  }
  return { method, path, status: response.status, contentType, json, invalidJson, bytes }
}

/** Describes a response for an assertion message. */
export function describeResponse (response) {
  let body = `${response.bytes.length} bytes of ${response.contentType || 'no content type'}`
  if (response.json !== undefined) body = JSON.stringify(response.json)
  if (response.invalidJson !== undefined) body = response.invalidJson
  return `${response.method} ${response.path} returned ${response.status}: ${body}`
}

/** Asserts that a response has one of the `expected` statuses. */
export function assertStatus (response, ...expected) {
  assert.ok(expected.includes(response.status),
    `expected status ${expected.join(' or ')}; ${describeResponse(response)}`)
}

/**
 * Asserts the documented error body: {"error": {"code": "...", "message": "..."}}.
 */
export function assertErrorBody (response) {
  assert.equal(typeof response.json?.error?.code, 'string',
    `error response without error.code; ${describeResponse(response)}`)
  assert.equal(typeof response.json?.error?.message, 'string',
    `error response without error.message; ${describeResponse(response)}`)
}
