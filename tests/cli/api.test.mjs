// `ipfs-accelerate api` and `cache` against recorded GitHub traffic (@octokit/fixtures and our
// own scenarios): every fixture answers each request once, so a second answer without an upstream
// request proves a cache hit.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { run, CLI } from '../interop/harness.mjs'
import { startFixtures, TOKEN, ACCEPT } from './fixtures.mjs'

let fixtures
before(async () => { fixtures = await startFixtures() })
after(() => fixtures.stop())

const REPO = 'repos/octokit-fixture-org/hello-world'
const envFor = (url, extra = {}) => ({
  ...process.env,
  CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'ipfsa-cache-')),
  GITHUB_API_URL: url,
  GH_TOKEN: TOKEN,
  ...extra
})
const api = (env, ...args) => run(CLI, ['api', '-H', `Accept: ${ACCEPT}`, ...args], { env })
const status = (stdout) => stdout.match(/X-Cache-Status: (\w+)/)?.[1]

test('a repository read twice: one upstream call, the second answer is a hit', async () => {
  const env = envFor(await fixtures.load('get-repository'))
  const first = await api(env, '-i', REPO)
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stdout, /^HTTP\/1\.1 200 OK/)
  assert.equal(status(first.stdout), 'miss')
  const second = await api(env, '-i', REPO)
  assert.equal(second.code, 0, second.stderr)
  assert.equal(status(second.stdout), 'hit')
  const body = (s) => JSON.parse(s.slice(s.indexOf('\r\n\r\n') + 4))
  assert.equal(body(second.stdout).full_name, 'octokit-fixture-org/hello-world')
  assert.deepEqual(body(second.stdout), body(first.stdout))
  const meta = JSON.parse((await run(CLI, ['cache', 'get', '--accept', ACCEPT, REPO], { env })).stdout)
  assert.equal(meta.status, 200)
  assert.match(meta.cid, /^bafkrei/)
  assert.equal(meta.fresh, true)
  assert.ok(!JSON.stringify(meta).includes(TOKEN))
})

test('an expired entry is revalidated with If-None-Match: a 304 renews it', async () => {
  // The repos TTL class (route /repos/o/r below the fixture server's base URL) set to 1 s.
  const dir = mkdtempSync(path.join(tmpdir(), 'ipfsa-ttl-'))
  writeFileSync(path.join(dir, 'ttl.conf'), 'repos = 1\n')
  const env = envFor(await fixtures.load('conditional-get-repository'), { CACHE_TTL_FILE: path.join(dir, 'ttl.conf') })
  const first = await api(env, '-i', REPO)
  assert.equal(status(first.stdout), 'miss', first.stderr)
  // At least the TTL: a slower machine only leaves the entry more expired.
  await new Promise((resolve) => setTimeout(resolve, 1200))
  // The expiry is stored with the entry; the renewal takes the TTL in force when it happens. An hour
  // from here on, so the third read is within it however long a process takes to start (with 1 s
  // it had to start and read within a second of the second).
  writeFileSync(path.join(dir, 'ttl.conf'), 'repos = 3600\n')
  const second = await api(env, '-i', REPO)
  assert.equal(second.code, 0, second.stderr)
  assert.equal(status(second.stdout), 'revalidated')
  assert.match(second.stdout, /"full_name":"octokit-fixture-org\/hello-world"/)
  const third = await api(env, '-i', REPO)
  assert.equal(status(third.stdout), 'hit')
})

test('GitHub failing: the expired entry is served marked stale', async () => {
  // Our scenario: a 200 (with an ETag), then a 502 Bad Gateway.
  const dir = mkdtempSync(path.join(tmpdir(), 'ipfsa-ttl-'))
  writeFileSync(path.join(dir, 'ttl.conf'), 'repos = 1\n')
  const env = envFor(await fixtures.load('error-after-get-repository'), { CACHE_TTL_FILE: path.join(dir, 'ttl.conf') })
  assert.equal(status((await api(env, '-i', REPO)).stdout), 'miss')
  // At least the TTL: a slower machine only leaves the entry more expired.
  await new Promise((resolve) => setTimeout(resolve, 1200))
  const stale = await api(env, '-i', REPO)
  assert.equal(stale.code, 0, stale.stderr)
  assert.equal(status(stale.stdout), 'stale')
})

test('--paginate follows Link rel="next" across every page', async () => {
  const env = envFor(await fixtures.load('paginate-issues'))
  const result = await api(env, '--paginate', 'repos/octokit-fixture-org/paginate-issues/issues?per_page=3')
  assert.equal(result.code, 0, result.stderr)
  const pages = result.stdout.replace(/\]\[/g, ']\n[').split('\n').filter(Boolean).map((p) => JSON.parse(p))
  assert.equal(pages.length, 5)
  assert.equal(pages.flat().length, 13)
})

test('an HTTP error is printed like gh api and exits 1; writes pass through', async () => {
  const env = envFor(await fixtures.load('errors'))
  const result = await api(env, '-X', 'POST', '-f', 'name=foo', '-f', 'color=invalid', 'repos/octokit-fixture-org/errors/labels')
  assert.equal(result.code, 1)
  assert.match(result.stderr, /HTTP 422/)
  assert.match(result.stdout, /Validation Failed/)
})

test('bad configuration and unreachable GitHub are clear errors', async () => {
  const bad = await run(CLI, ['api', REPO], { env: envFor('http://127.0.0.1:1', { CACHE_DEFAULT_TTL: 'abc' }) })
  assert.notEqual(bad.code, 0)
  assert.match(bad.stderr, /CACHE_DEFAULT_TTL/)
  const down = await run(CLI, ['api', REPO], { env: envFor('http://127.0.0.1:1') })
  assert.equal(down.code, 1)
  assert.match(down.stderr, /error: GET/)
})

test('cache invalidate and clear', async () => {
  const env = envFor(await fixtures.load('get-repository'))
  assert.equal((await api(env, REPO)).code, 0)
  const stats = JSON.parse((await run(CLI, ['cache', 'stats'], { env })).stdout)
  assert.equal(stats.total_entries, 1)
  const inv = await run(CLI, ['cache', 'invalidate', 'GET '], { env })
  assert.match(inv.stdout, /invalidated 1 entries/)
  assert.equal(JSON.parse((await run(CLI, ['cache', 'stats'], { env })).stdout).total_entries, 0)
  const missing = await run(CLI, ['cache', 'get', '--accept', ACCEPT, REPO], { env })
  assert.equal(missing.code, 1)
})

test('api graphql: a query is answered once upstream, then from the cache', async () => {
  const env = envFor(await fixtures.load('graphql-viewer'))
  const args = ['graphql', '-i', '-f', 'query=query { viewer { login } }', '-f', 'owner=octokit']
  const first = await api(env, ...args)
  assert.equal(first.code, 0, first.stderr)
  assert.equal(status(first.stdout), 'miss')
  assert.match(first.stdout, /"login":"octocat"/)
  // Same document with other whitespace and commas: the same normalised key.
  const second = await api(env, 'graphql', '-i', '-f', 'query=query {viewer{ login ,}}', '-f', 'owner=octokit')
  assert.equal(second.code, 0, second.stderr)
  assert.equal(status(second.stdout), 'hit')
  assert.match(second.stdout, /"login":"octocat"/)
})
