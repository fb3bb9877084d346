// The page served by the real HTTP service (src/service/service_testbed: the service over a real
// cache and gateway, no libp2p host, so P2P shows as disabled): the assets with their content
// types, the cache card against the JSON API after two reads through the /api/v3 proxy, the
// disabled P2P card, and the token form on a non-loopback bind. dashboard.test.mjs runs the same
// page on two connected `ipfs-accelerate serve` nodes.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Peer, BUILD, TEST_TIMEOUT_MS } from '../interop/harness.mjs'
import { startFixtures, TOKEN, ACCEPT } from '../cli/fixtures.mjs'
import { launch, openPage, waitRefresh, text, EMPTY, expectedCacheCard, readCacheCard, stableJson, pollJson } from './browser.mjs'

const TESTBED = path.join(BUILD, 'src/service/service_testbed')
const REPO = 'repos/octokit-fixture-org/hello-world'
const cleanups = []
after(async () => { for (const c of cleanups.reverse()) await c() })

async function startTestbed (env, args = []) {
  assert.ok(existsSync(TESTBED), `${TESTBED} is missing: build the service_testbed target (IPFSA_BUILD=${BUILD})`)
  const cache = mkdtempSync(path.join(tmpdir(), 'ipfsa-dash-testbed-'))
  const server = new Peer('testbed', TESTBED, ['--port', '0', ...args], { env: { ...process.env, CACHE_DIR: cache, ...env } })
  cleanups.push(() => server.stop())
  const { url } = await server.waitEvent('listening')
  return url.replace('0.0.0.0', '127.0.0.1')
}

test('the real service serves the page; the cache card agrees with its JSON API', { timeout: TEST_TIMEOUT_MS }, async () => {
  const fixtures = await startFixtures()
  cleanups.push(() => fixtures.stop())
  const url = await startTestbed({ GITHUB_API_URL: await fixtures.load('get-repository'), GH_TOKEN: TOKEN })

  for (const [route, type] of [['/', /^text\/html/], ['/assets/dashboard.js', /^text\/javascript/], ['/assets/dashboard.css', /^text\/css/], ['/assets/favicon.svg', /^image\/svg\+xml/]]) {
    const res = await fetch(url + route)
    assert.equal(res.status, 200, route)
    assert.match(res.headers.get('content-type'), type, route)
  }
  for (let i = 0; i < 2; ++i) {
    const res = await fetch(`${url}/api/v3/${REPO}`, { headers: { Accept: ACCEPT } })
    assert.equal(res.status, 200, await res.text())
  }

  const browser = await launch()
  cleanups.push(() => browser.close())
  const { page, problems } = await openPage(browser, url)
  await page.goto(`${url}/`)
  await waitRefresh(page)
  const peers = await stableJson(page, `${url}/api/mcp/peers`, (b) => b)
  assert.equal(peers.active, false)
  assert.equal(await text(page, '#peer-status'), `✗ ${peers.status}`)
  assert.equal(await text(page, '#p2p-enabled'), '✗ Disabled')
  assert.equal(await text(page, '#peer-count'), '0')
  assert.equal(await text(page, '#p2p-peer-id'), EMPTY)
  const stats = await stableJson(page, `${url}/api/mcp/cache/stats`, (b) => b)
  assert.ok(stats.api_calls_made === 1 && stats.api_calls_saved >= 1 && stats.total_entries === 1, JSON.stringify(stats))
  assert.deepEqual(await readCacheCard(page), expectedCacheCard(stats))
  assert.equal(await page.isHidden('#auth-form'), true)
  assert.deepEqual(problems, [])
})

test('the real service on 0.0.0.0 with a token: the page asks for it once', { timeout: TEST_TIMEOUT_MS }, async () => {
  const token = 'dashboard-testbed-token-0123456789'
  const url = await startTestbed({ IPFS_ACCELERATE_DASHBOARD_TOKEN: token }, ['--host', '0.0.0.0'])
  await pollJson(`${url}/api/mcp/peers`, () => true, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal((await fetch(`${url}/api/mcp/peers`)).status, 401)
  assert.equal((await fetch(`${url}/`)).status, 200)

  const browser = await launch()
  cleanups.push(() => browser.close())
  const { page, problems } = await openPage(browser, url)
  await page.goto(`${url}/`)
  await waitRefresh(page)
  assert.equal(await page.isVisible('#auth-form'), true)
  assert.match(await text(page, '#cache-error'), /401/)
  assert.equal(await text(page, '#cache-entries'), EMPTY)
  await page.fill('#auth-token', token)
  await page.click('#auth-form button[type=submit]')
  await waitRefresh(page, 1)
  assert.equal(await page.isHidden('#auth-form'), true)
  assert.equal(await page.isHidden('#cache-error'), true)
  assert.equal(await text(page, '#cache-entries'), '0')
  assert.equal(await text(page, '#p2p-enabled'), '✗ Disabled')
  assert.deepEqual(problems, [])
})
