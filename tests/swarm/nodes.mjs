// Starts `ipfs-accelerate serve` nodes for the swarm tests: each with its own state and cache
// directory, P2P on a loopback port, the dashboard/API/proxy on another, mDNS off (loopback-only
// tests; mDNS has its own namespace tests), and whatever environment the test adds.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CLI, Peer, STUCK_MS } from '../interop/harness.mjs'

export const SECRET = 'swarm-test-secret-0123456789'

export class Node {
  constructor (name, { home, env = {}, bootstrap = [] } = {}) {
    this.name = name
    this.home = home ?? mkdtempSync(path.join(os.tmpdir(), `ipfsa-${name}-`))
    this.env = env
    this.bootstrap = bootstrap
  }

  async start () {
    const env = {
      ...process.env,
      IPFS_ACCELERATE_HOME: this.home,
      CACHE_DIR: path.join(this.home, 'cache'),
      CACHE_MDNS: 'false',
      CACHE_P2P_SHARED_SECRET: SECRET,
      CACHE_BOOTSTRAP_PEERS: this.bootstrap.join(','),
      GITHUB_REPOSITORY: '',
      IPFS_ACCELERATE_GITHUB_REPO: '',
      ...this.env
    }
    this.proc = new Peer(this.name, CLI, ['serve', '--listen', '/ip4/127.0.0.1/tcp/0', '--port', '0'], { env })
    const [, addr] = await this.proc.waitLog(/listening on (\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\w+)/)
    const [, url] = await this.proc.waitLog(/dashboard and API on (http:\/\/127\.0\.0\.1:\d+)/)
    this.addr = addr
    this.peerId = addr.split('/p2p/')[1]
    this.url = url
    return this
  }

  async json (route) {
    const res = await fetch(this.url + route)
    if (!res.ok) throw new Error(`${this.name} ${route}: ${res.status}`)
    return res.json()
  }

  peers () { return this.json('/api/mcp/peers') }
  stats () { return this.json('/api/mcp/cache/stats') }
  get (apiPath, init = {}) { return fetch(`${this.url}/api/v3${apiPath}`, init) }

  kill (signal = 'SIGKILL') { this.proc.child.kill(signal) }
  async stop () { if (this.proc) await this.proc.stop() }
  remove () { rmSync(this.home, { recursive: true, force: true }) }
}

// Starts n nodes in a full mesh (node k bootstraps to every earlier node) and waits until every
// node sees the others identified.
export async function startMesh (n, env = {}) {
  const nodes = []
  for (let i = 0; i < n; i++) {
    const node = new Node(`node${i}`, { env, bootstrap: nodes.map((x) => x.addr) })
    nodes.push(await node.start())
  }
  await waitMesh(nodes)
  return nodes
}

export async function waitMesh (nodes, timeoutMs = STUCK_MS) {
  const want = new Set(nodes.map((n) => n.peerId))
  await until(async () => {
    for (const node of nodes) {
      const p = await node.peers()
      const seen = new Set(p.peers.filter((x) => x.agent).map((x) => x.peer_id))
      for (const id of want) if (id !== node.peerId && !seen.has(id)) return false
    }
    return true
  }, timeoutMs, 'full mesh')
}

// Polls `check` (state only visible through HTTP or the stub's records, which push no event) until
// it holds; the deadline only fires when something is stuck.
export async function until (check, timeoutMs = STUCK_MS, what = 'a condition') {
  const deadline = Date.now() + timeoutMs
  let last
  while (Date.now() < deadline) {
    try { if (await check()) return } catch (e) { last = e }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`)
}
