// curl against the service: the proxy (a second read is a hit), the JSON API and /metrics.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { run, STUCK_MS } from '../interop/harness.mjs'
import { startFixtures, TOKEN, ACCEPT } from '../cli/fixtures.mjs'
import { startService, stats } from './service.mjs'

let fixtures
before(async () => { fixtures = await startFixtures() })
after(() => fixtures.stop())

const curl = (...args) => run('curl', ['-sS', '-i', '--max-time', String(STUCK_MS / 1000), ...args])
const statusOf = (out) => Number(out.match(/^HTTP\/1\.1 (\d+)/)[1])
const headerOf = (out, name) => out.match(new RegExp(`^${name}: (.*)\\r$`, 'mi'))?.[1]
const bodyOf = (out) => out.slice(out.indexOf('\r\n\r\n') + 4)

test('curl reads through the proxy twice: one upstream call', async () => {
  const service = await startService({ GITHUB_API_URL: await fixtures.load('get-repository'), GH_TOKEN: TOKEN })
  try {
    const url = `${service.url}/api/v3/repos/octokit-fixture-org/hello-world`
    const first = await curl('-H', `Accept: ${ACCEPT}`, url)
    assert.equal(first.code, 0, first.stderr)
    assert.equal(statusOf(first.stdout), 200)
    assert.equal(headerOf(first.stdout, 'X-Cache-Status'), 'miss')
    const second = await curl('-H', `Accept: ${ACCEPT}`, url)
    assert.equal(headerOf(second.stdout, 'X-Cache-Status'), 'hit')
    assert.equal(bodyOf(second.stdout), bodyOf(first.stdout))
    assert.equal(JSON.parse(bodyOf(second.stdout)).full_name, 'octokit-fixture-org/hello-world')
    assert.equal((await stats(service.url)).api_calls_made, 1)
  } finally {
    await service.stop()
  }
})

test('curl: JSON API, metrics and the page', async () => {
  const service = await startService({ GITHUB_API_URL: 'http://127.0.0.1:9', GH_TOKEN: TOKEN })
  try {
    const peers = await curl(`${service.url}/api/mcp/peers`)
    assert.equal(statusOf(peers.stdout), 200)
    const p = JSON.parse(bodyOf(peers.stdout))
    assert.deepEqual([p.enabled, p.active, p.peer_count, p.peers], [false, false, 0, []])
    assert.match(p.status, /disabled/)
    const s = JSON.parse(bodyOf((await curl(`${service.url}/api/mcp/cache/stats`)).stdout))
    for (const key of ['available', 'total_entries', 'total_size_mb', 'hit_rate', 'p2p_enabled', 'p2p_peers']) assert.ok(key in s, key)
    const metrics = await curl(`${service.url}/metrics`)
    assert.match(headerOf(metrics.stdout, 'Content-Type'), /^text\/plain; version=0\.0\.4/)
    assert.match(bodyOf(metrics.stdout), /^ipfsa_cache_hits_total \d+$/m)
    const page = await curl(`${service.url}/`)
    assert.equal(statusOf(page.stdout), 200)
    assert.match(headerOf(page.stdout, 'Content-Type'), /^text\/html/)
    // DNS-rebinding defence: another Host is refused.
    const rebound = await curl('-H', 'Host: evil.example', `${service.url}/api/mcp/peers`)
    assert.equal(statusOf(rebound.stdout), 421)
  } finally {
    await service.stop()
  }
})

test('with a token set, the API requires it and never echoes it', async () => {
  const token = 'curl-test-token-0123456789'
  const service = await startService({ GITHUB_API_URL: 'http://127.0.0.1:9', IPFS_ACCELERATE_DASHBOARD_TOKEN: token })
  try {
    assert.equal(statusOf((await curl(`${service.url}/api/mcp/peers`)).stdout), 401)
    const ok = await curl('-H', `Authorization: Bearer ${token}`, `${service.url}/api/mcp/peers`)
    assert.equal(statusOf(ok.stdout), 200)
    assert.ok(!ok.stdout.includes(token))
    assert.ok(!service.stderr().includes(token))
  } finally {
    await service.stop()
  }
})
