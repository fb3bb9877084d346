// Starts a process serving the HTTP service's routes for the tests in this folder. The one place
// that knows which binary: IPFSA_SERVICE_BIN (default: <build>/src/service/service_testbed, the
// service over a real gateway without a libp2p host), with IPFSA_SERVICE_ARGS (default
// "--port 0") — e.g. IPFSA_SERVICE_BIN=<build>/src/cli/ipfs-accelerate IPFSA_SERVICE_ARGS="serve
// --port 0" for the real node. Readiness: the testbed's {"event":"listening","url":...} line, or
// the log line "dashboard and API on http://..." any binary prints.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { BUILD, STUCK_MS, STOP_GRACE_MS } from '../interop/harness.mjs'

export const SERVICE_BIN = process.env.IPFSA_SERVICE_BIN ?? path.join(BUILD, 'src/service/service_testbed')
const ARGS = (process.env.IPFSA_SERVICE_ARGS ?? '--port 0').split(' ').filter(Boolean)

// env: extra variables (GITHUB_API_URL, GH_TOKEN, ...). Each call gets its own CACHE_DIR.
export async function startService (env = {}) {
  const child = spawn(SERVICE_BIN, ARGS, {
    env: { ...process.env, CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'ipfsa-service-')), ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  let err = ''
  // 'close', not 'exit': then `err` holds all the process wrote (stop() checks it for sanitizer reports).
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start within ${STUCK_MS} ms: ${out} ${err}`)), STUCK_MS)
    const check = () => {
      const m = out.match(/"url":"(http:\/\/[^"]+)"/) ?? err.match(/dashboard and API on (http:\/\/\S+)/)
      if (m) { clearTimeout(timer); resolve(m[1]) }
    }
    child.stdout.on('data', (c) => { out += c; check() })
    child.stderr.on('data', (c) => { err += c; check() })
    exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`service exited ${code}: ${err}`)) })
  })
  return {
    url,
    stderr: () => err,
    async stop () {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
      const result = await exited
      clearTimeout(timer)
      if (/Sanitizer|runtime error:/.test(err)) throw new Error(`service: sanitizer report:\n${err.slice(-4000)}`)
      return result
    }
  }
}

export async function stats (url) {
  return (await fetch(`${url}/api/mcp/cache/stats`)).json()
}
