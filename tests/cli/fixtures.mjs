// The recorded-GitHub fixtures server (tests/github-fixtures/serve.mjs) for CLI tests: one server
// per test file on a free loopback port; each scenario load gives a fresh API base URL.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { freePort, STUCK_MS } from '../interop/harness.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const dir = path.resolve(here, '../github-fixtures')
export const TOKEN = '0000000000000000000000000000000000000001'
export const ACCEPT = 'application/vnd.github.v3+json'

export async function startFixtures () {
  const port = await freePort()
  const child = spawn(process.execPath, ['serve.mjs', String(port), './custom/*.json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixtures server did not start within ${STUCK_MS} ms: ${out}`)), STUCK_MS)
    child.stdout.on('data', (c) => {
      out += c
      const m = out.match(/fixtures server on (http:\/\/127\.0\.0\.1:\d+)/)
      if (m) { clearTimeout(timer); resolve(m[1]) }
    })
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`fixtures server exited ${code}: ${out}`)) })
  })
  return {
    base,
    // Loads a scenario; returns its API base URL.
    async load (scenario) {
      const res = await fetch(`${base}/fixtures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario }) })
      if (!res.ok) throw new Error(`cannot load ${scenario}: ${res.status} ${await res.text()}`)
      return (await res.json()).url
    },
    stop () { child.kill('SIGTERM') }
  }
}
