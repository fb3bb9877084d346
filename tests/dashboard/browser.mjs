// Headless Chromium for the dashboard tests (Debian's `chromium` driven by playwright-core) and the
// display rules of docs/dashboard.md, so tests compare the page with the JSON it was given.
import { chromium } from 'playwright-core'
import { existsSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { STUCK_MS } from '../interop/harness.mjs'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function launch () {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium, or scripts/deps.sh --test) or set CHROMIUM_PATH`)
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: STUCK_MS })
}

// A page that records what would make a test fail: console errors (CSP violations are reported
// there), uncaught exceptions and requests leaving `origin`. Chromium's own "Failed to load
// resource" lines (HTTP errors a test provoked on purpose) are kept apart in `loadErrors`.
export async function openPage (browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  // Playwright's own deadlines (30 s for actions and navigation) are the harness's, like ours.
  context.setDefaultTimeout(STUCK_MS)
  context.setDefaultNavigationTimeout(STUCK_MS)
  const page = await context.newPage()
  const problems = []
  const loadErrors = []
  page.on('console', (m) => {
    if (m.type() !== 'error') return
    if (m.text().startsWith('Failed to load resource:')) loadErrors.push(m.text())
    else problems.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('request', (r) => { if (!r.url().startsWith(origin + '/')) problems.push(`request outside the origin: ${r.url()}`) })
  return { page, context, problems, loadErrors }
}

// Waits until the page has completed more than `after` refresh cycles (the page counts them in
// <body data-refreshes>); returns the new count.
export async function waitRefresh (page, after = 0, timeout = STUCK_MS) {
  await page.waitForFunction((n) => Number(document.body.dataset.refreshes ?? 0) > n, after, { timeout })
  return Number(await page.evaluate(() => document.body.dataset.refreshes))
}

// Runs one refresh cycle now and waits for it.
export const refreshNow = (page) => page.evaluate(() => window.refreshAll())

// GET a JSON route until `accept(body)` (the server starts after the log lines we wait for).
export async function pollJson (url, accept, { headers = {}, timeoutMs = STUCK_MS } = {}) {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { headers })
      const body = await res.json()
      if (res.ok && accept(body)) return body
      last = `${res.status} ${JSON.stringify(body).slice(0, 500)}`
    } catch (e) { last = e.message }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${url}: not ready within ${timeoutMs} ms; last answer: ${last}`)
}
export const getJson = async (url) => (await fetch(url)).json()

// The card and the JSON must agree on the same state: read the JSON, let the page refresh, read
// the JSON again; if nothing moved in between, that is what the page shows.
export async function stableJson (page, url, pick) {
  for (let attempt = 0; attempt < 5; ++attempt) {
    const before = pick(await getJson(url))
    // Twice: the first call may join a cycle that fetched before `before` was read.
    await refreshNow(page)
    await refreshNow(page)
    const after = pick(await getJson(url))
    if (JSON.stringify(before) === JSON.stringify(after)) return after
  }
  throw new Error(`${url} kept changing`)
}

export const text = (page, selector) => page.locator(selector).textContent()

export function artifactsDir () {
  const dir = process.env.TEST_ARTIFACTS_DIR ?? path.join(tmpdir(), 'ipfs-accelerate-dashboard')
  mkdirSync(dir, { recursive: true })
  return dir
}

// The display rules (docs/dashboard.md, "What each field shows").
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
export const EMPTY = '—'
export const fmt = {
  int: (v) => integer.format(v),
  percent: (rate) => `${(rate * 100).toFixed(1)}%`,
  mb: (mb) => `${mb.toFixed(2)} MB`,
  ms: (ms) => `${ms.toFixed(1)} ms`,
  time: (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC'
}

// What the cache card must show for a /api/mcp/cache/stats body.
export function expectedCacheCard (s) {
  return {
    '#cache-entries': fmt.int(s.total_entries),
    '#cache-size': fmt.mb(s.total_size_mb),
    '#cache-hit-rate': fmt.percent(s.hit_rate),
    '#cache-peer-hits': fmt.int(s.peer_hits),
    '#cache-calls-made': fmt.int(s.api_calls_made ?? (s.api_calls_made_rest + s.api_calls_made_graphql)),
    '#cache-calls-saved': fmt.int(s.api_calls_saved),
    '#cache-revalidations': fmt.int(s.revalidations_304)
  }
}

export const CACHE_SELECTORS = ['#cache-entries', '#cache-size', '#cache-hit-rate', '#cache-peer-hits', '#cache-calls-made', '#cache-calls-saved', '#cache-revalidations']

export async function readCacheCard (page) {
  const out = {}
  for (const selector of CACHE_SELECTORS) out[selector] = await text(page, selector)
  return out
}
