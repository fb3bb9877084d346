// The dashboard of the REAL binary in headless Chromium: two `ipfs-accelerate serve` nodes with the
// same swarm secret, node 2 bootstrapped to node 1; node 1's page must show what node 1's JSON API
// says (P2P card, cache card after two reads through its GitHub-compatible proxy, the Peers tab
// listing node 2, the plot), and a node bound to a non-loopback address must ask for its token.
// A screenshot goes to $TEST_ARTIFACTS_DIR (else the OS temp dir); its path is printed.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Peer, run, CLI, freePort, STUCK_MS, TEST_TIMEOUT_MS } from '../interop/harness.mjs'
import { startFixtures, TOKEN, ACCEPT } from '../cli/fixtures.mjs'
import { launch, openPage, waitRefresh, refreshNow, text, artifactsDir, expectedCacheCard, readCacheCard, fmt, pollJson, stableJson } from './browser.mjs'

const REPO = 'repos/octokit-fixture-org/hello-world'
const SECRET = 'dashboard-test-swarm-secret'
const cleanups = []
after(async () => { for (const c of cleanups.reverse()) await c() })

async function requireDashboard () {
  const help = await run(CLI, ['serve', '--help'])
  assert.match(help.stdout + help.stderr, /--port/,
    `\`ipfs-accelerate serve\` has no --port: the dashboard is not served by this binary yet (${CLI}).\n${help.stdout}`)
}

async function startNode (name, env, args = []) {
  const home = mkdtempSync(path.join(tmpdir(), `ipfsa-dash-${name}-`))
  const port = await freePort()
  const p2pPort = await freePort()
  const node = new Peer(name, CLI, ['serve', '--port', String(port), ...args], {
    env: {
      ...process.env,
      IPFS_ACCELERATE_HOME: home,
      CACHE_DIR: path.join(home, 'cache'),
      CACHE_LISTEN_PORT: String(p2pPort),
      CACHE_P2P_SHARED_SECRET: SECRET,
      CACHE_MDNS: 'false',
      ...env
    }
  })
  cleanups.push(() => node.stop())
  const [, listenPort, peerId] = await node.waitLog(/listening on \/ip4\/[^/]+\/tcp\/(\d+)\/p2p\/(\w+)/)
  return { node, peerId, dialAddr: `/ip4/127.0.0.1/tcp/${listenPort}/p2p/${peerId}`, url: `http://127.0.0.1:${port}` }
}

test('two connected nodes: node 1\'s dashboard shows its JSON API', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await requireDashboard()
  const fixtures = await startFixtures()
  cleanups.push(() => fixtures.stop())
  // The recorded scenario answers once: past the owner's 300 ms default a node would ask GitHub
  // itself (by design) and get no answer. A loaded machine can miss 300 ms; nobody is frozen here.
  const github = { GITHUB_API_URL: await fixtures.load('get-repository'), GH_TOKEN: TOKEN, CACHE_P2P_OWNER_TIMEOUT_MS: '60000' }
  const one = await startNode('node1', github)
  const two = await startNode('node2', { ...github, CACHE_BOOTSTRAP_PEERS: one.dialAddr })
  await one.node.waitLog(/Connected to 1 peer\(s\)/)
  await two.node.waitLog(/Connected to 1 peer\(s\)/)
  await pollJson(`${one.url}/api/mcp/peers`, (b) => b.peer_count === 1 && b.peers.some((p) => p.peer_id === two.peerId))

  // The same repository read twice through node 1's proxy: one upstream call, one call saved.
  for (let i = 0; i < 2; ++i) {
    const res = await fetch(`${one.url}/api/v3/${REPO}`, { headers: { Accept: ACCEPT } })
    const body = await res.text()
    assert.equal(res.status, 200, body)
    assert.equal(JSON.parse(body).full_name, 'octokit-fixture-org/hello-world')
  }

  const browser = await launch()
  cleanups.push(() => browser.close())
  const { page, problems } = await openPage(browser, one.url)
  await page.goto(`${one.url}/`)
  await waitRefresh(page)

  const peers = await stableJson(page, `${one.url}/api/mcp/peers`, (b) => b)
  assert.equal(peers.active, true)
  assert.equal(peers.peer_count, 1)
  assert.equal(peers.peer_id, one.peerId)
  assert.equal(await text(page, '#peer-status'), '✓ Active')
  assert.equal(await text(page, '#peer-count'), String(peers.peer_count))
  assert.equal(await text(page, '#p2p-enabled'), '✓ Enabled')
  assert.equal(await text(page, '#p2p-peer-id'), peers.peer_id)
  assert.deepEqual(await page.locator('#p2p-listen-addrs li').allTextContents(), peers.listen_addrs.slice(0, 16))
  assert.equal(await text(page, '#registry-peer-count'), String(peers.registry_peers.length))

  const stats = await stableJson(page, `${one.url}/api/mcp/cache/stats`, (b) => b)
  // Node 1 fetched upstream itself or through node 2 (whichever owns the key): either way one
  // call made or one peer hit, and the second read saved a call.
  assert.ok(stats.api_calls_made + stats.peer_hits >= 1 && stats.api_calls_saved >= 1 && stats.total_entries >= 1, JSON.stringify(stats))
  assert.deepEqual(await readCacheCard(page), expectedCacheCard(stats))

  await page.click('#tab-peers')
  assert.equal(await page.getAttribute('#tab-peers', 'aria-selected'), 'true')
  const row = page.locator('#peers-tbody tr', { hasText: two.peerId })
  assert.equal(await row.count(), 1)
  const listed = peers.peers.find((p) => p.peer_id === two.peerId)
  const cells = await row.locator('td').allTextContents()
  assert.equal(cells[0], two.peerId)
  assert.equal(cells[4], fmt.time(listed.connected_since_ms))
  assert.equal(cells[2], listed.agent)
  assert.match(listed.agent, /^ipfs-accelerate\//)
  assert.equal(cells[7], listed.found_by)
  const peersShot = path.join(artifactsDir(), 'dashboard-two-nodes-peers.png')
  await page.screenshot({ path: peersShot, fullPage: true })
  t.diagnostic(`screenshot: ${peersShot}`)

  // The plot: the node samples its counters every interval_s (kHistoryInterval, 30 s); wait for
  // the first point.
  await page.click('#tab-overview')
  const history = await pollJson(`${one.url}/api/mcp/cache/history`, (b) => b.points.length >= 1, { timeoutMs: 30000 + STUCK_MS })
  await refreshNow(page)
  const drawn = Number(await page.getAttribute('#history-plot svg', 'data-points'))
  assert.ok(drawn >= history.points.length, `plot has ${drawn} points, history ${history.points.length}`)
  assert.equal((await page.getAttribute('#history-plot polyline.series-hit-rate', 'points')).split(' ').length, drawn)

  const shot = path.join(artifactsDir(), 'dashboard-two-nodes.png')
  await page.screenshot({ path: shot, fullPage: true })
  t.diagnostic(`screenshot: ${shot}`)
  console.log(`dashboard screenshot: ${shot}`)
  assert.deepEqual(problems, [])
})

test('a node bound beyond loopback: the page asks for the token and then shows the node', { timeout: TEST_TIMEOUT_MS }, async () => {
  await requireDashboard()
  const token = 'dashboard-test-token-0123456789'
  const one = await startNode('token', { IPFS_ACCELERATE_DASHBOARD_TOKEN: token }, ['--host', '0.0.0.0'])
  await pollJson(`${one.url}/api/mcp/peers`, (b) => b.active === true, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal((await fetch(`${one.url}/api/mcp/peers`)).status, 401)

  const browser = await launch()
  cleanups.push(() => browser.close())
  const { page, problems, loadErrors } = await openPage(browser, one.url)
  await page.goto(`${one.url}/`)
  await waitRefresh(page)
  assert.equal(await page.isVisible('#auth-form'), true)
  assert.match(await text(page, '#p2p-error'), /401/)
  assert.ok(loadErrors.some((e) => /401/.test(e)))
  await page.fill('#auth-token', token)
  await page.click('#auth-form button[type=submit]')
  await waitRefresh(page, 1)
  assert.equal(await page.isHidden('#auth-form'), true)
  assert.equal(await text(page, '#peer-status'), '✓ Active')
  assert.equal(await text(page, '#p2p-peer-id'), one.peerId)
  assert.deepEqual(problems, [])
})
