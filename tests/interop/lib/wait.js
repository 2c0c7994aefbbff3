// Event-driven waiting with a deadline: the deadline is the only failure path,
// and a condition is re-checked on every event instead of on a polling timer.

/** Default deadline for one awaited event, in milliseconds. */
export const EVENT_TIMEOUT_MS = 10_000

/**
 * Resolves with the first truthy value of `check()`, evaluated now and after
 * every event that `subscribe` delivers. Rejects when `timeoutMs` passes first.
 *
 * @template T
 * @param {object} options
 * @param {string} options.what description of the awaited condition, for the error
 * @param {() => T} options.check returns a truthy value once the condition is met
 * @param {(onEvent: () => void) => () => void} options.subscribe registers a
 *   listener and returns the function that removes it
 * @param {number} [options.timeoutMs]
 * @param {() => string | Promise<string>} [options.diagnose] extra text for the
 *   timeout error, such as the server log or the document contents
 * @returns {Promise<T>}
 */
export function waitFor ({ what, check, subscribe, timeoutMs = EVENT_TIMEOUT_MS, diagnose }) {
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {}
    let settled = false

    const finish = (error, value) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      unsubscribe()
      if (error) reject(error)
      else resolve(value)
    }

    const evaluate = () => {
      let value
      try {
        value = check()
      } catch (error) {
        finish(error)
        return
      }
      if (value) finish(null, value)
    }

    const timer = setTimeout(async () => {
      let details = ''
      if (diagnose) {
        try {
          details = `\n${await diagnose()}`
        } catch (error) {
          details = `\n(diagnostics failed: ${error.message})`
        }
      }
      finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${details}`))
    }, timeoutMs)

    unsubscribe = subscribe(evaluate)
    evaluate()
  })
}

/**
 * Returns a `subscribe` function for `waitFor` that listens to `event` on an
 * emitter with `on`/`off` methods (Y.Doc, Awareness, WebsocketProvider).
 */
export function onEvent (emitter, event) {
  return (listener) => {
    emitter.on(event, listener)
    return () => emitter.off(event, listener)
  }
}
