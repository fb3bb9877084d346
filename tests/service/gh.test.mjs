// Debian's `gh` (2.23) pointed at the service: GH_HOST=github.localhost makes gh talk plain HTTP
// to http://api.github.localhost/, and HTTP_PROXY sends those requests to the service, which
// serves absolute-form requests for api.*.localhost as its /api/v3 proxy.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { run } from '../interop/harness.mjs'
import { startFixtures, TOKEN, ACCEPT } from '../cli/fixtures.mjs'
import { startService, stats } from './service.mjs'

const GH = (() => {
  try { return execFileSync('sh', ['-c', 'command -v gh'], { encoding: 'utf8' }).trim() } catch { return '' }
})()
const skip = GH ? false : 'Debian gh is not installed (apt-get install gh)'

let fixtures
before(async () => { fixtures = await startFixtures() })
after(() => fixtures.stop())

test('gh api reads a repository through the service; the second read is a hit', { skip }, async () => {
  const service = await startService({ GITHUB_API_URL: await fixtures.load('get-repository'), GH_TOKEN: TOKEN })
  try {
    const env = { ...process.env }
    for (const name of ['GITHUB_TOKEN', 'GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN', 'GH_REPO', 'NO_PROXY', 'no_proxy']) delete env[name]
    Object.assign(env, {
      HOME: mkdtempSync(path.join(tmpdir(), 'ipfsa-gh-home-')),
      GH_CONFIG_DIR: mkdtempSync(path.join(tmpdir(), 'ipfsa-gh-config-')),
      GH_HOST: 'github.localhost',
      GH_TOKEN: TOKEN,
      HTTP_PROXY: service.url,
      GH_NO_UPDATE_NOTIFIER: '1'
    })
    const read = () => run(GH, ['api', '-i', '-H', `Accept: ${ACCEPT}`, 'repos/octokit-fixture-org/hello-world'], { env })
    const first = await read()
    assert.equal(first.code, 0, first.stderr + first.stdout)
    assert.match(first.stdout, /X-Cache-Status: miss/i)
    assert.match(first.stdout, /"full_name":\s*"octokit-fixture-org\/hello-world"/)
    const second = await read()
    assert.equal(second.code, 0, second.stderr)
    assert.match(second.stdout, /X-Cache-Status: hit/i)
    assert.equal((await stats(service.url)).api_calls_made, 1)
  } finally {
    await service.stop()
  }
})
