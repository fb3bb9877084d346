// A stand-in for the node's HTTP server in the rendering tests: serves src/service/assets the way
// the service does (index.html at `/`, other files at `/assets/<name>`) with a strict
// Content-Security-Policy, and the three JSON routes from a state object the test changes.
import http from 'node:http'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
export const ASSETS = path.resolve(here, '../../src/service/assets')
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' }
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// The shape of src/service/json_api.cpp: `peers` are the connected peers (the seed's keys plus
// details), `registry_peers` the GitHub-issue registry's.
export function peersFixture (overrides = {}) {
  const id = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
  const other = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
  return {
    enabled: true,
    active: true,
    peer_count: 1,
    peers: [{
      peer_id: other,
      runner_name: 'runner-2',
      listen_port: 9101,
      last_seen: '2026-11-26T10:00:00Z',
      addrs: ['/ip4/127.0.0.1/tcp/9101'],
      agent: 'ipfs-accelerate/0.1.0',
      rtt_ms: 0.42,
      connected_since: '2025-11-26T10:40:00Z',
      connected_since_ms: 1764153600000,
      entries_served: 1234,
      entries_received: 7,
      found_by: 'bootstrap'
    }],
    peer_id: id,
    status: 'active',
    sharing: true,
    listen_addrs: [`/ip4/127.0.0.1/tcp/9100/p2p/${id}`, `/ip6/::1/tcp/9100/p2p/${id}`],
    registry_peers: [
      { peer_id: other, runner_name: 'runner-2', listen_port: 9101, last_seen: '2026-11-26T10:00:00Z', multiaddr: `/ip4/127.0.0.1/tcp/9101/p2p/${other}`, connected: true },
      { peer_id: 'QmRegistryPeer', runner_name: 'runner-1', listen_port: 9100, last_seen: '2026-11-26T09:00:00Z', multiaddr: '', connected: false }
    ],
    registry_repo: 'octo/fleet',
    registry_error: '',
    bytes_in: 0,
    bytes_out: 0,
    ...overrides
  }
}

export function statsFixture (overrides = {}) {
  return {
    available: true,
    total_entries: 15234,
    total_size_mb: 2.5,
    hit_rate: 0.8537,
    p2p_enabled: true,
    p2p_peers: 1,
    hits: 900,
    misses: 100,
    peer_hits: 42,
    api_calls_made: 120,
    api_calls_saved: 5321,
    revalidations_304: 17,
    stale_served: 0,
    ...overrides
  }
}

// `count` points every 30 s ending at `end`, plus `old` points more than an hour before `end`.
export function historyFixture ({ count = 10, old = 3, end = 1764157200000 } = {}) {
  const points = []
  for (let i = 0; i < old; ++i) points.push({ t: end - 2 * 3600_000 - i * 30_000, hit_rate: 0.1, calls_saved: 1, calls_made: 1, peer_hits: 0 })
  for (let i = count - 1; i >= 0; --i) points.push({ t: end - i * 30_000, hit_rate: (count - i) / count, calls_saved: (count - i) ** 2, calls_made: 3, peer_hits: 1 })
  return { interval_s: 30, points }
}

export class FakeNode {
  constructor () {
    this.state = { '/api/mcp/peers': peersFixture(), '/api/mcp/cache/stats': statsFixture(), '/api/mcp/cache/history': historyFixture() }
    this.failures = {} // path -> HTTP status, 'drop' to cut the connection, 'hang' to never answer
    this.token = null // when set, /api/* needs `Authorization: Bearer <token>`
    this.requests = [] // { path, authorization }
    this.assets = new Map(readdirSync(ASSETS).map((name) => [name, readFileSync(path.join(ASSETS, name))]))
    this.server = http.createServer((req, res) => this.handle(req, res))
  }

  async start () {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${this.server.address().port}`
    return this
  }

  stop () {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(resolve))
  }

  handle (req, res) {
    const url = new URL(req.url, 'http://x')
    this.requests.push({ path: url.pathname, authorization: req.headers.authorization ?? null })
    if (url.pathname.startsWith('/api/')) return this.api(url.pathname, req, res)
    const name = url.pathname === '/' ? 'index.html' : url.pathname.startsWith('/assets/') ? url.pathname.slice(8) : null
    const body = name && this.assets.get(name)
    if (!body) { res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-type': TYPES[path.extname(name)] ?? 'application/octet-stream', 'content-security-policy': CSP })
    res.end(body)
  }

  api (pathname, req, res) {
    const json = (status, value) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(value))
    }
    if (this.token !== null && req.headers.authorization !== `Bearer ${this.token}`) return json(401, { error: 'unauthorized' })
    const failure = this.failures[pathname]
    if (failure === 'drop') { req.socket.destroy(); return }
    if (failure === 'hang') return
    if (failure) return json(failure, { error: `injected failure ${failure}` })
    if (!(pathname in this.state)) return json(404, { error: 'not found' })
    json(200, this.state[pathname])
  }
}
