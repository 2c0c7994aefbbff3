// Starts, restarts and stops a lectern server for one test file, on loopback,
// with a temporary data directory that it deletes afterwards. Shared by the
// interop tests (tests/interop) and the browser tests (tests/e2e); it uses
// only Node's standard library, so it needs no package of its own.

import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { access, constants, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** The default folder for server logs; the repository ignores tests/output. */
export const outputDir = join(repoRoot, 'tests', 'output')

/** Deadline for `lectern serve` to log its URL, long enough for a debug build. */
const STARTUP_TIMEOUT_MS = 30_000

/** Deadline for the server to exit after SIGTERM before it is sent SIGKILL. */
const SHUTDOWN_TIMEOUT_MS = 10_000

/** Deadline for `lectern user add`. */
const COMMAND_TIMEOUT_MS = 30_000

// Matches the line `lectern serve` logs once it accepts connections.
const LISTENING_URL = /url=(http:\/\/\S+?)\/?(\s|$)/

// Matches ANSI SGR sequences (colors), which the log may contain even when
// it is not written to a terminal.
const ANSI_COLOR = /\x1b\[[0-9;]*m/g

/** Returns the lectern binary: $LECTERN_BIN, else target/debug/lectern. */
export function lecternBinary () {
  return process.env.LECTERN_BIN || join(repoRoot, 'target', 'debug', 'lectern')
}

// The server reads LECTERN_* variables as option defaults, so a value from the
// caller's shell (a database URL, say) must not leak into the test server.
// LECTERN_LOG, the server's log filter, is kept so a developer can raise the
// log level of a failing run.
function childEnvironment () {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('LECTERN_') || key === 'LECTERN_LOG') env[key] = value
  }
  env.NO_COLOR = '1'
  return env
}

/**
 * Runs `lectern ARGS` to completion with `stdin` as its standard input and
 * rejects unless it exits with status 0.
 */
async function runCommand (binary, args, stdin) {
  const child = spawn(binary, args, { env: childEnvironment(), stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => { output += chunk })
  child.stderr.on('data', (chunk) => { output += chunk })
  child.stdin.end(stdin)

  const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS)
  const [code, signal] = await new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code, signal) => resolve([code, signal]))
  }).finally(() => clearTimeout(timer))

  if (code !== 0) {
    const status = signal ? `signal ${signal} (killed after ${COMMAND_TIMEOUT_MS} ms?)` : `status ${code}`
    throw new Error(`\`lectern ${args.join(' ')}\` exited with ${status}; output:\n${output}`)
  }
  return output
}

/**
 * A running `lectern serve` with its own data directory. `restart()` keeps
 * the data directory and the port, so browser pages can reconnect to it.
 */
export class LecternServer {
  /**
   * Creates the data directory, adds `users` with `lectern user add`, starts
   * `lectern serve --listen 127.0.0.1:0` and resolves once it logs its URL.
   *
   * @param {object} options
   * @param {string} options.name names the log file: LOG_DIR/NAME.log
   * @param {Array<{email: string, name: string, role: string, password: string}>} options.users
   * @param {string} [options.logDir] folder for the log file (default tests/output)
   */
  static async start ({ name, users, logDir = outputDir }) {
    const binary = lecternBinary()
    try {
      await access(binary, constants.X_OK)
    } catch {
      throw new Error(`lectern binary ${binary} is missing or not executable; ` +
        'build it with `cargo build -p lectern-server` or set LECTERN_BIN')
    }

    await mkdir(logDir, { recursive: true })
    const dataDir = await mkdtemp(join(tmpdir(), 'lectern-test-'))
    const server = new LecternServer(binary, dataDir, join(logDir, `${name}.log`))
    try {
      for (const user of users) {
        await runCommand(binary, [
          'user', 'add',
          '--email', user.email,
          '--name', user.name,
          '--role', user.role,
          '--password-stdin',
          '--data-dir', dataDir
        ], `${user.password}\n`)
      }
      await server.#spawn('127.0.0.1:0')
    } catch (error) {
      await server.stop()
      throw error
    }
    return server
  }

  constructor (binary, dataDir, logPath) {
    this.binary = binary
    this.dataDir = dataDir
    this.logPath = logPath
    this.logFile = createWriteStream(this.logPath)
    /** @type {string[]} every line the server wrote to stderr and stdout, over all runs */
    this.logLines = []
    /** @type {string | null} e.g. http://127.0.0.1:41234, without a trailing slash */
    this.url = null
    this.child = null
    this.exited = null
    this.killOnExit = () => this.child?.kill('SIGKILL')
  }

  /** Starts `lectern serve --listen LISTEN` and resolves once it logs its URL. */
  async #spawn (listen) {
    this.url = null
    this.#log(`--- lectern serve --listen ${listen} --data-dir ${this.dataDir} ---`)
    const child = spawn(this.binary, ['serve', '--listen', listen, '--data-dir', this.dataDir], {
      env: childEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.child = child
    // An uncaught error that ends the test process must not leave the server
    // running. A signal that kills the test process skips this handler.
    process.once('exit', this.killOnExit)

    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }))
    })
    const spawnFailed = new Promise((resolve, reject) => child.once('error', reject))

    const urlLogged = new Promise((resolve) => {
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (rawLine) => {
          const line = rawLine.replace(ANSI_COLOR, '')
          this.#log(line)
          const match = LISTENING_URL.exec(line)
          if (match && this.url === null) {
            this.url = match[1]
            resolve(match[1])
          }
        })
      }
    })

    let timer
    const timedOut = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(
        `lectern serve logged no url= line within ${STARTUP_TIMEOUT_MS} ms\n${this.logTail()}`)),
      STARTUP_TIMEOUT_MS)
    })
    const exitedEarly = this.exited.then(({ code, signal }) => {
      throw new Error(`lectern serve exited with ${signal ?? `status ${code}`} before listening\n${this.logTail()}`)
    })

    try {
      await Promise.race([urlLogged, timedOut, exitedEarly, spawnFailed])
    } finally {
      clearTimeout(timer)
    }

    const { hostname } = new URL(this.url)
    if (hostname !== '127.0.0.1') {
      throw new Error(`lectern serve listens on ${this.url}, expected 127.0.0.1 as requested by --listen`)
    }
  }

  #log (line) {
    this.logLines.push(line)
    this.logFile.write(`${line}\n`)
  }

  /** Returns the last `count` log lines, for error messages. */
  logTail (count = 40) {
    const lines = this.logLines.slice(-count)
    return `--- last ${lines.length} lines of the lectern serve log (${this.logPath}) ---\n${lines.join('\n')}`
  }

  /**
   * Sends SIGTERM (then SIGKILL after SHUTDOWN_TIMEOUT_MS) and resolves with
   * how the server exited, or null when it was not running.
   */
  async #terminate () {
    if (!this.child) return null
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM')
      let timer
      const forced = new Promise((resolve) => {
        timer = setTimeout(() => {
          this.child.kill('SIGKILL')
          resolve()
        }, SHUTDOWN_TIMEOUT_MS)
      })
      await Promise.race([this.exited, forced])
      clearTimeout(timer)
    }
    const exit = await this.exited
    process.off('exit', this.killOnExit)
    this.child = null
    return exit
  }

  /**
   * Stops the server and starts it again on the same port and data
   * directory. `whileStopped` runs between the two, when nothing listens on
   * the port. Resolves with how the first process exited.
   *
   * @param {() => Promise<void>} [whileStopped]
   */
  async restart (whileStopped) {
    const { host } = new URL(this.url)
    const previousUrl = this.url
    const exit = await this.#terminate()
    if (whileStopped) await whileStopped()
    await this.#spawn(host)
    if (this.url !== previousUrl) {
      throw new Error(`the restarted server listens on ${this.url}, expected ${previousUrl}`)
    }
    return exit
  }

  /**
   * Stops the server and deletes its data directory. Resolves with how the
   * server exited, or null when it was not running.
   */
  async stop () {
    const exit = await this.#terminate()
    await new Promise((resolve) => this.logFile.end(resolve))
    await rm(this.dataDir, { recursive: true, force: true })
    return exit
  }
}
