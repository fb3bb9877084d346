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

export class Peer {
  constructor (name, command, args, options = {}) {
    this.name = name
    this.events = []
    this.stderr = ''
    this.stdout = ''
    this.waiters = []
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })))
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
    this.child.stderr.on('data', (chunk) => { this.stderr += chunk })
  }

  // Resolves with the first event (past or future) matching `predicate`.
  waitFor (predicate, timeoutMs = 20000, what = 'event') {
    const found = this.events.find(predicate)
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms; events: ${JSON.stringify(this.events).slice(0, 2000)}; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs)
      this.waiters.push((event) => {
        if (!predicate(event)) return false
        clearTimeout(timer)
        resolve(event)
        return true
      })
    })
  }

  waitEvent (name, timeoutMs, extra = () => true) {
    return this.waitFor((e) => e.event === name && extra(e), timeoutMs, `"${name}" event`)
  }

  // Resolves when `text` appears on stderr (logs).
  async waitLog (pattern, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const m = this.stderr.match(pattern)
      if (m) return m
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`${this.name}: log ${pattern} not seen; stderr: ${this.stderr.slice(-2000)}`)
  }

  // Stops the process; throws if a sanitizer reported anything (our binaries run under ASan+UBSan
  // in CI).
  async stop () {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    const result = await this.exited
    clearTimeout(timer)
    if (/Sanitizer|runtime error:/.test(this.stderr)) {
      throw new Error(`${this.name}: sanitizer report:\n${this.stderr.slice(-4000)}`)
    }
    return result
  }
}

export const jsPeer = (args = []) => new Peer('js', process.execPath, [JS_PEER, ...args])
export const cppPeer = (args = [], env = {}) => new Peer('cpp', CPP_PEER, args, { env: { ...process.env, ...env } })

export function run (command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => { stdout += c })
    child.stderr.on('data', (c) => { stderr += c })
    child.on('exit', (code) => {
      if (/Sanitizer|runtime error:/.test(stderr)) reject(new Error(`sanitizer report from ${command}:\n${stderr.slice(-4000)}`))
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
