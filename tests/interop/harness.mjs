// Process harness for the interop tests: spawns peers that print JSON lines and lets tests wait
// for events with deadlines.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import net from 'node:net'

const here = path.dirname(fileURLToPath(import.meta.url))
export const BUILD = process.env.IPFSA_BUILD ?? path.resolve(here, '../../build/dev')
export const CPP_PEER = path.join(BUILD, 'tests/interop/cpp_peer')
export const CLI = path.join(BUILD, 'src/cli/ipfs-accelerate')
export const JS_PEER = path.join(here, 'peer.mjs')

// Every wait in the process tests is for an event (a JSON line, a log line, an HTTP answer), never
// a fixed sleep. Its deadline only says "something is really stuck": it must hold on an ASan build
// on one core shared with `stress-ng --cpu 2` (5-10x slower than an idle machine), and it costs
// nothing when the event comes. A process that exits fails its waits at once instead.
export const STUCK_MS = 120000
// A node:test timeout for a test that chains several such waits: the last resort, above them.
export const TEST_TIMEOUT_MS = 10 * 60000
// How long a helper peer lives before it stops itself (--timeout S): only a net for a test run that
// died without stopping it; tests stop their peers themselves.
export const PEER_LIFETIME_S = 900
// SIGTERM to SIGKILL: an ASan build's exit (leak check) on a loaded machine takes seconds, and a
// SIGKILL would lose the sanitizer report that stop() checks.
export const STOP_GRACE_MS = 60000

export class Peer {
  constructor (name, command, args, options = {}) {
    this.name = name
    this.events = []
    this.stderr = ''
    this.stdout = ''
    this.waiters = [] // (event) => true when done; called with null once the process is gone
    this.logWaiters = []
    this.closed = null
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
    // On 'close' rather than 'exit': then stderr holds everything the process wrote (stop() looks
    // for sanitizer reports in it).
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })))
    let buffer = ''
    this.child.stdout.on('data', (chunk) => {
      this.stdout += chunk
      buffer += chunk
      let nl
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        let event
        try { event = JSON.parse(line) } catch { continue }
        this.events.push(event)
        this.waiters = this.waiters.filter((w) => !w(event))
      }
    })
    this.child.stderr.on('data', (chunk) => {
      this.stderr += chunk
      this.logWaiters = this.logWaiters.filter((w) => !w())
    })
    // 'close': the process is gone and both pipes are drained, so nothing more can come.
    const gone = (code, signal) => {
      this.closed = { code, signal }
      for (const w of this.waiters) w(null)
      for (const w of this.logWaiters) w()
      this.waiters = []
      this.logWaiters = []
    }
    this.child.on('close', gone)
    this.child.on('error', (e) => { this.stderr += `spawn error: ${e.message}\n`; gone(null, null) })
  }

  describeExit () {
    return `exited (code ${this.closed.code}, signal ${this.closed.signal})`
  }

  // Resolves with the first event (past or future) matching `predicate`; rejects when the process
  // exits without one, or after `timeoutMs`.
  waitFor (predicate, timeoutMs = STUCK_MS, what = 'event') {
    const found = this.events.find(predicate)
    if (found) return Promise.resolve(found)
    const context = () => `events: ${JSON.stringify(this.events).slice(0, 2000)}; stderr: ${this.stderr.slice(-2000)}`
    if (this.closed) return Promise.reject(new Error(`${this.name}: ${this.describeExit()} without ${what}; ${context()}`))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms; ${context()}`))
      }, timeoutMs)
      const waiter = (event) => {
        if (event === null) {
          clearTimeout(timer)
          reject(new Error(`${this.name}: ${this.describeExit()} without ${what}; ${context()}`))
          return true
        }
        if (!predicate(event)) return false
        clearTimeout(timer)
        resolve(event)
        return true
      }
      this.waiters.push(waiter)
    })
  }

  waitEvent (name, timeoutMs = STUCK_MS, extra = () => true) {
    return this.waitFor((e) => e.event === name && extra(e), timeoutMs, `"${name}" event`)
  }

  // Resolves with the match when `pattern` appears on stderr (logs); rejects when the process exits
  // without it, or after `timeoutMs`.
  waitLog (pattern, timeoutMs = STUCK_MS) {
    const found = this.stderr.match(pattern)
    if (found) return Promise.resolve(found)
    if (this.closed) return Promise.reject(new Error(`${this.name}: ${this.describeExit()} without log ${pattern}; stderr: ${this.stderr.slice(-2000)}`))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.logWaiters = this.logWaiters.filter((w) => w !== waiter)
        reject(new Error(`${this.name}: log ${pattern} not seen within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`))
      }, timeoutMs)
      const waiter = () => {
        const m = this.stderr.match(pattern)
        if (m) resolve(m)
        else if (this.closed) reject(new Error(`${this.name}: ${this.describeExit()} without log ${pattern}; stderr: ${this.stderr.slice(-2000)}`))
        else return false
        clearTimeout(timer)
        return true
      }
      this.logWaiters.push(waiter)
    })
  }

  // Stops the process; throws if a sanitizer reported anything (our binaries run under ASan+UBSan
  // in CI).
  async stop () {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS)
    const result = await this.exited
    clearTimeout(timer)
    if (/Sanitizer|runtime error:/.test(this.stderr)) {
      throw new Error(`${this.name}: sanitizer report:\n${this.stderr.slice(-4000)}`)
    }
    return result
  }
}

// The peers' own deadlines are generous by default (a flag given later in `args` wins): the
// lifetime, and for cpp_peer each handshake step (its default is 10 s). A test that needs a short
// one (a peer that must fail, a listener that must drop a stalled handshake) passes its own.
export const jsPeer = (args = []) => new Peer('js', process.execPath, [JS_PEER, '--timeout', String(PEER_LIFETIME_S), ...args])
export const cppPeer = (args = [], env = {}) => new Peer('cpp', CPP_PEER,
  ['--timeout', String(PEER_LIFETIME_S), '--handshake-timeout-ms', String(STUCK_MS), ...args], { env: { ...process.env, ...env } })

// Runs a command to its end; one still running after STUCK_MS is killed and fails the test.
export function run (command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
    let stdout = ''
    let stderr = ''
    let stuck = false
    const timer = setTimeout(() => { stuck = true; child.kill('SIGKILL') }, STUCK_MS)
    child.stdout.on('data', (c) => { stdout += c })
    child.stderr.on('data', (c) => { stderr += c })
    // 'close', not 'exit': only then has all of stdout and stderr been read.
    child.on('close', (code) => {
      clearTimeout(timer)
      if (stuck) reject(new Error(`${command} ${args.join(' ')}: still running after ${STUCK_MS} ms; stderr: ${stderr.slice(-2000)}`))
      else if (/Sanitizer|runtime error:/.test(stderr)) reject(new Error(`sanitizer report from ${command}:\n${stderr.slice(-4000)}`))
      else resolve({ code, stdout, stderr })
    })
  })
}

// A free loopback TCP port (closed again before returning).
export function freePort () {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

export const stripP2p = (ma) => ma.replace(/\/p2p\/[^/]+$/, '')

// `promise`, or a clear failure if it has not settled after `timeoutMs`.
export function within (promise, what, timeoutMs = STUCK_MS) {
  let timer
  const late = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}
