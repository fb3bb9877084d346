// The dashboard page against a fake node (fake_node.mjs): what each card shows for given JSON,
// escaping, errors instead of stale numbers, the token form, tabs, the plot, the 5 s refresh and
// the page's own limits. The real-binary test is dashboard.test.mjs.
import { test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { FakeNode, peersFixture, statsFixture, historyFixture } from './fake_node.mjs'
import { launch, openPage, waitRefresh, refreshNow, text, fmt, EMPTY, expectedCacheCard, readCacheCard, CACHE_SELECTORS } from './browser.mjs'

let browser
let node
let session
before(async () => { browser = await launch() })
after(async () => { await browser?.close() })
beforeEach(async () => { node = await new FakeNode().start() })
afterEach(async () => {
  const problems = [...(session?.problems ?? []), ...(session?.httpErrorsExpected ? [] : session?.loadErrors ?? [])]
  await session?.context.close()
  session = null
  await node.stop()
  assert.deepEqual(problems, [], 'console errors, page errors or foreign requests')
})

// Fake timers, paused: only runFor() moves the page's time (fetch itself is real).
async function pausedClock (page) {
  const start = new Date('2026-11-26T10:00:00Z')
  await page.clock.install({ time: start })
  await page.clock.pauseAt(new Date(start.getTime() + 1000))
}

async function open (hash = '') {
  session = await openPage(browser, node.url)
  await session.page.goto(`${node.url}/${hash}`)
  await waitRefresh(session.page)
  return session.page
}

test('overview: the P2P card and the cache card show the JSON', async () => {
  const page = await open()
  const p = node.state['/api/mcp/peers']
  assert.equal(await text(page, '#peer-status'), '✓ Active')
  assert.match(await page.getAttribute('#peer-status', 'class'), /state-ok/)
  assert.equal(await text(page, '#peer-count'), String(p.peer_count))
  assert.equal(await text(page, '#p2p-enabled'), '✓ Enabled')
  assert.equal(await text(page, '#p2p-sharing'), '✓ On (swarm secret set)')
  assert.equal(await text(page, '#p2p-peer-id'), p.peer_id)
  assert.deepEqual(await page.locator('#p2p-listen-addrs li').allTextContents(), p.listen_addrs)
  assert.equal(await text(page, '#registry-peer-count'), String(p.registry_peers.length))
  assert.deepEqual(await readCacheCard(page), expectedCacheCard(node.state['/api/mcp/cache/stats']))
  assert.equal(await text(page, '#cache-hit-rate'), '85.4%')
  assert.equal(await text(page, '#cache-entries'), '15,234')
  assert.equal(await page.isHidden('#p2p-error'), true)
  assert.equal(await page.isHidden('#auth-form'), true)
  assert.equal(await page.isHidden('#peers'), true)
})

test('peers tab: buttons with aria-selected, keyboard moves, a row per connected peer', async () => {
  const page = await open()
  await page.click('#tab-peers')
  assert.equal(await page.getAttribute('#tab-peers', 'aria-selected'), 'true')
  assert.equal(await page.getAttribute('#tab-overview', 'aria-selected'), 'false')
  assert.equal(await page.isVisible('#peers'), true)
  assert.equal(await page.isHidden('#overview'), true)
  const peer = node.state['/api/mcp/peers'].peers[0]
  const cells = await page.locator('#peers-tbody tr').first().locator('td').allTextContents()
  assert.deepEqual(cells, [peer.peer_id, peer.addrs[0], peer.agent, fmt.ms(peer.rtt_ms), fmt.time(peer.connected_since_ms),
    fmt.int(peer.entries_served), fmt.int(peer.entries_received), peer.found_by])
  const [a, b] = node.state['/api/mcp/peers'].registry_peers
  assert.deepEqual(await page.locator('#registry-tbody td').allTextContents(), [
    a.peer_id, a.runner_name, String(a.listen_port), a.last_seen, '✓ connected',
    b.peer_id, b.runner_name, String(b.listen_port), b.last_seen, EMPTY])
  await page.focus('#tab-peers')
  await page.keyboard.press('ArrowLeft')
  assert.equal(await page.getAttribute('#tab-overview', 'aria-selected'), 'true')
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-overview')
  await page.keyboard.press('End')
  assert.equal(await page.isVisible('#peers'), true)
  // A link to #peers opens the Peers tab.
  await page.goto(`${node.url}/#peers`)
  await page.reload()
  await waitRefresh(page)
  assert.equal(await page.getAttribute('#tab-peers', 'aria-selected'), 'true')
})

test('escaping: markup in any value is shown as text and never runs', async () => {
  const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
  node.state['/api/mcp/peers'] = peersFixture({
    active: false,
    enabled: true,
    status: `no free port ${evil}`,
    peer_id: `<b>${evil}</b>`,
    listen_addrs: [evil],
    peers: [{ ...peersFixture().peers[0], agent: evil, found_by: evil, addrs: [evil] }],
    registry_peers: [{ peer_id: evil, runner_name: evil, listen_port: 1, last_seen: evil }],
    registry_repo: evil,
    registry_error: evil
  })
  node.state['/api/mcp/cache/stats'] = statsFixture({ available: false, error: evil })
  const page = await open()
  await page.click('#tab-peers')
  assert.equal(await text(page, '#peer-status'), `⚠ no free port ${evil}`)
  assert.equal(await text(page, '#p2p-peer-id'), `<b>${evil}</b>`)
  assert.equal(await text(page, '#p2p-listen-addrs li'), evil)
  const cells = await page.locator('#peers-tbody td').allTextContents()
  assert.equal(cells[2], evil)
  assert.equal(cells[7], evil)
  assert.equal(await text(page, '#registry-state'), `⚠ ${evil}: ${evil}`)
  assert.match(await text(page, '#cache-error'), /cache unavailable: <img src=x/)
  assert.equal(await page.locator('main img, main script, main b, #cache-error *').count(), 0)
  assert.equal(await page.evaluate(() => window.__pwned), undefined)
})

test('registry state: the repository, off, or why the last heartbeat failed', async () => {
  const page = await open()
  await page.click('#tab-peers')
  assert.equal(await text(page, '#registry-state'), '✓ Issue "p2p-peer-registry" in octo/fleet')
  assert.match(await page.getAttribute('#registry-state', 'class'), /state-ok/)
  const error = 'GET /repos/octo/fleet/issues?state=open&per_page=100: HTTP 401 (GitHub refused the token): "Bad credentials"'
  node.state['/api/mcp/peers'] = peersFixture({ registry_error: error })
  await refreshNow(page)
  assert.equal(await text(page, '#registry-state'), `⚠ octo/fleet: ${error}`)
  assert.match(await page.getAttribute('#registry-state', 'class'), /state-warn/)
  node.state['/api/mcp/peers'] = peersFixture({ registry_repo: '', registry_peers: [] })
  await refreshNow(page)
  assert.equal(await text(page, '#registry-state'), 'Registry off (set IPFS_ACCELERATE_GITHUB_REPO or GITHUB_REPOSITORY)')
  assert.doesNotMatch(await page.getAttribute('#registry-state', 'class'), /state-/)
  // A node of an older version has neither field.
  const older = peersFixture()
  delete older.registry_repo
  delete older.registry_error
  node.state['/api/mcp/peers'] = older
  await refreshNow(page)
  assert.equal(await text(page, '#registry-state'), EMPTY)
})

test('P2P disabled or not listening: the reason from `status` and ✗ Disabled', async () => {
  node.state['/api/mcp/peers'] = peersFixture({ enabled: false, active: false, status: 'disabled by CACHE_ENABLE_P2P', peer_id: '', listen_addrs: [], peers: [], registry_peers: [], peer_count: 0, sharing: false })
  const page = await open()
  assert.equal(await text(page, '#peer-status'), '✗ disabled by CACHE_ENABLE_P2P')
  assert.match(await page.getAttribute('#peer-status', 'class'), /state-bad/)
  assert.equal(await text(page, '#p2p-enabled'), '✗ Disabled')
  assert.equal(await text(page, '#p2p-sharing'), '✗ Off (no swarm secret)')
  assert.equal(await text(page, '#p2p-peer-id'), EMPTY)
  assert.deepEqual(await page.locator('#p2p-listen-addrs li').allTextContents(), [EMPTY])
  assert.equal(await text(page, '#peer-count'), '0')
  await page.click('#tab-peers')
  assert.equal(await text(page, '#peers-tbody'), 'No connected peers')
  assert.equal(await text(page, '#registry-tbody'), 'No registry peers')
  assert.equal(await text(page, '#registry-peer-count'), '0')
  node.state['/api/mcp/peers'] = peersFixture({ active: false, status: 'no free port in 9100..9119' })
  await refreshNow(page)
  assert.equal(await text(page, '#peer-status'), '⚠ no free port in 9100..9119')
  assert.equal(await text(page, '#p2p-enabled'), '✓ Enabled')
})

test('a route that fails blanks its card and shows the error, then recovers', async () => {
  const page = await open()
  session.httpErrorsExpected = true
  assert.equal(await text(page, '#peer-count'), '1')
  node.failures['/api/mcp/peers'] = 500
  node.failures['/api/mcp/cache/stats'] = 'drop'
  node.failures['/api/mcp/cache/history'] = 404
  await refreshNow(page)
  assert.equal(await page.isVisible('#p2p-error'), true)
  assert.equal(await text(page, '#p2p-error'), '/api/mcp/peers: HTTP 500: injected failure 500')
  assert.match(await page.getAttribute('#p2p-card', 'class'), /has-error/)
  for (const id of ['#peer-status', '#peer-count', '#p2p-enabled', '#p2p-peer-id', '#registry-peer-count']) assert.equal(await text(page, id), EMPTY, id)
  assert.equal(await page.locator('#p2p-listen-addrs li').allTextContents().then((l) => l.join()), EMPTY)
  assert.equal(await text(page, '#cache-error'), '/api/mcp/cache/stats: the node is unreachable')
  for (const id of CACHE_SELECTORS) assert.equal(await text(page, id), EMPTY, id)
  assert.match(await text(page, '#history-error'), /HTTP 404/)
  assert.equal(await page.locator('#history-plot svg').count(), 0)
  await page.click('#tab-peers')
  assert.equal(await page.locator('#peers-tbody tr').count(), 0)
  assert.match(await text(page, '#peers-error'), /HTTP 500/)
  node.failures = {}
  await refreshNow(page)
  assert.equal(await page.isHidden('#p2p-error'), true)
  assert.equal(await page.isHidden('#cache-error'), true)
  assert.equal(await page.isHidden('#peers-error'), true)
  assert.equal(await page.locator('#peers-tbody tr').count(), 1)
  assert.deepEqual(await readCacheCard(page), expectedCacheCard(node.state['/api/mcp/cache/stats']))
  // A 200 that is not a JSON object is an error too.
  node.state['/api/mcp/peers'] = [1, 2]
  await refreshNow(page)
  assert.equal(await text(page, '#p2p-error'), '/api/mcp/peers: not a JSON object')
})

test('401: the page asks for the token once, keeps it in sessionStorage and sends it', async () => {
  node.token = 's3cret-token'
  const page = await open()
  session.httpErrorsExpected = true
  assert.equal(await page.isVisible('#auth-form'), true)
  assert.match(await text(page, '#p2p-error'), /401/)
  assert.equal(await text(page, '#peer-count'), EMPTY)
  assert.ok(node.requests.filter((r) => r.path.startsWith('/api/')).every((r) => r.authorization === null))
  await page.fill('#auth-token', 'wrong')
  await page.click('#auth-form button[type=submit]')
  await waitRefresh(page, 1)
  assert.equal(await page.isVisible('#auth-form'), true)
  assert.match(await text(page, '#auth-message'), /rejected/)
  assert.equal(await page.evaluate(() => sessionStorage.length), 0)
  await page.fill('#auth-token', 'two words')
  await page.click('#auth-form button[type=submit]')
  assert.match(await text(page, '#auth-message'), /one word/)
  const before = node.requests.length
  await page.fill('#auth-token', node.token)
  await page.click('#auth-form button[type=submit]')
  await waitRefresh(page, 2)
  assert.equal(await page.isHidden('#auth-form'), true)
  assert.equal(await text(page, '#peer-status'), '✓ Active')
  const sent = node.requests.slice(before).filter((r) => r.path.startsWith('/api/'))
  assert.equal(sent.length, 3)
  assert.ok(sent.every((r) => r.authorization === `Bearer ${node.token}`))
  // The token survives a reload of the tab (sessionStorage), so the form stays hidden.
  const mark = node.requests.length
  await page.reload()
  await waitRefresh(page)
  assert.equal(await page.isHidden('#auth-form'), true)
  assert.ok(node.requests.slice(mark).filter((r) => r.path.startsWith('/api/')).every((r) => r.authorization === `Bearer ${node.token}`))
})

test('plot: hit rate and calls saved of the last hour, drawn as SVG', async () => {
  node.state['/api/mcp/cache/history'] = historyFixture({ count: 10, old: 3 })
  const page = await open()
  const svg = page.locator('#history-plot svg')
  assert.equal(await svg.getAttribute('data-points'), '10')
  const pairs = async (cls) => (await page.getAttribute(`#history-plot polyline.${cls}`, 'points')).split(' ').map((p) => p.split(',').map(Number))
  const rate = await pairs('series-hit-rate')
  const saved = await pairs('series-calls-saved')
  assert.equal(rate.length, 10)
  assert.equal(saved.length, 10)
  // x grows with time; the newest point is at the right edge; hit rate 1.0 is the top of the plot.
  for (let i = 1; i < rate.length; ++i) assert.ok(rate[i][0] > rate[i - 1][0])
  const axes = page.locator('#history-plot line.axis')
  const plotTop = Number(await axes.nth(0).getAttribute('y1'))
  const plotRight = Number(await axes.nth(1).getAttribute('x2'))
  assert.equal(rate[9][0], plotRight)
  assert.equal(rate[9][1], plotTop)
  assert.equal(saved[9][1], plotTop, 'the largest value of calls saved (100) is the top of its axis')
  assert.ok(saved[0][1] > saved[9][1], 'more calls saved is higher')
  assert.match(await svg.locator('title').textContent(), /latest: hit rate 100\.0%, calls saved 100/)
  // One point with nothing saved yet: the right axis runs 0..1 with a 0.5 tick.
  node.state['/api/mcp/cache/history'] = { interval_s: 30, points: [{ t: 1764157200000, hit_rate: 0, calls_saved: 0, calls_made: 0, peer_hits: 0 }] }
  await refreshNow(page)
  assert.equal(await page.getAttribute('#history-plot svg', 'data-points'), '1')
  assert.deepEqual(await page.locator('#history-plot text.tick').allTextContents().then((l) => l.filter((x) => !/%|min|now/.test(x))), ['0', '0.5', '1'])
  node.state['/api/mcp/cache/history'] = { interval_s: 30, points: [] }
  await refreshNow(page)
  assert.equal(await page.getAttribute('#history-plot svg', 'data-points'), '0')
  assert.match(await text(page, '#history-plot'), /No history yet/)
  node.state['/api/mcp/cache/history'] = { interval_s: 30, points: 'nonsense' }
  await refreshNow(page)
  assert.equal(await page.getAttribute('#history-plot svg', 'data-points'), '0')
})

test('refresh: every 5 s, one request per route, no overlap', async () => {
  session = await openPage(browser, node.url)
  const { page } = session
  await pausedClock(page)
  await page.goto(`${node.url}/`)
  await waitRefresh(page)
  const count = () => node.requests.filter((r) => r.path === '/api/mcp/peers').length
  assert.equal(count(), 1)
  await page.clock.runFor(4900)
  assert.equal(count(), 1)
  await page.clock.runFor(200)
  await waitRefresh(page, 1)
  assert.equal(count(), 2)
  await page.clock.runFor(5000)
  await waitRefresh(page, 2)
  assert.equal(count(), 3)
  assert.deepEqual(new Set(node.requests.map((r) => r.path)), new Set(['/', '/assets/dashboard.css', '/assets/dashboard.js', '/assets/favicon.svg', '/api/mcp/peers', '/api/mcp/cache/stats', '/api/mcp/cache/history']))
})

test('a route that never answers: the card shows the timeout after 4 s', async () => {
  session = await openPage(browser, node.url)
  session.httpErrorsExpected = true
  const { page } = session
  await pausedClock(page)
  await page.goto(`${node.url}/`)
  await waitRefresh(page)
  node.failures['/api/mcp/cache/stats'] = 'hang'
  await page.clock.runFor(5000) // the next cycle starts and waits for the stats
  assert.equal(await text(page, '#cache-entries'), fmt.int(node.state['/api/mcp/cache/stats'].total_entries))
  await page.clock.runFor(4000)
  await waitRefresh(page, 1)
  assert.equal(await text(page, '#cache-error'), '/api/mcp/cache/stats: no answer within 4 s')
  assert.equal(await text(page, '#cache-entries'), EMPTY)
  assert.equal(await page.isHidden('#p2p-error'), true)
})

test('limits: at most 500 peer rows and 16 addresses are drawn', async () => {
  const base = peersFixture().peers[0]
  const peers = Array.from({ length: 502 }, (_, i) => ({ ...base, peer_id: `peer-${i}` }))
  const addrs = Array.from({ length: 20 }, (_, i) => `/ip4/127.0.0.${i}/tcp/1`)
  node.state['/api/mcp/peers'] = peersFixture({ peers, peer_count: 502, listen_addrs: addrs })
  const page = await open()
  assert.equal(await text(page, '#peer-count'), '502')
  assert.equal(await page.locator('#peers-tbody tr').count(), 501)
  assert.equal(await text(page, '#peers-tbody tr:last-child'), '… 2 more not shown')
  const shown = await page.locator('#p2p-listen-addrs li').allTextContents()
  assert.deepEqual(shown, [...addrs.slice(0, 16), '… 4 more'])
})
