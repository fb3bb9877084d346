// Octokit (@octokit/rest) with baseUrl at the proxy, against recorded GitHub traffic: each
// fixture answers each request once, so a second answer without an upstream call is a cache hit.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Octokit } from '@octokit/rest'
import { startFixtures, TOKEN } from '../cli/fixtures.mjs'
import { startService, stats } from './service.mjs'

let fixtures
before(async () => { fixtures = await startFixtures() })
after(() => fixtures.stop())

test('Octokit reads a repository twice: the second read makes no upstream call', async () => {
  const service = await startService({ GITHUB_API_URL: await fixtures.load('get-repository'), GH_TOKEN: TOKEN })
  try {
    const octokit = new Octokit({ auth: TOKEN, baseUrl: `${service.url}/api/v3` })
    const owner = 'octokit-fixture-org'
    const repo = 'hello-world'
    const first = await octokit.rest.repos.get({ owner, repo })
    assert.equal(first.status, 200)
    assert.equal(first.data.full_name, 'octokit-fixture-org/hello-world')
    assert.equal(first.headers['x-cache-status'], 'miss')
    assert.equal((await stats(service.url)).api_calls_made, 1)
    const second = await octokit.rest.repos.get({ owner, repo })
    assert.equal(second.status, 200)
    assert.equal(second.headers['x-cache-status'], 'hit')
    assert.deepEqual(second.data, first.data)
    const after = await stats(service.url)
    assert.equal(after.api_calls_made, 1, 'the second read must not reach GitHub')
    assert.ok(after.hits >= 1)
    assert.equal(second.headers['access-control-allow-origin'], undefined)
  } finally {
    await service.stop()
  }
})

test('Octokit paginates through the rewritten Link headers', async () => {
  const service = await startService({ GITHUB_API_URL: await fixtures.load('paginate-issues'), GH_TOKEN: TOKEN })
  try {
    const octokit = new Octokit({ auth: TOKEN, baseUrl: `${service.url}/api/v3` })
    const seen = []
    const issues = await octokit.paginate(octokit.rest.issues.listForRepo,
      { owner: 'octokit-fixture-org', repo: 'paginate-issues', per_page: 3 },
      (response) => {
        seen.push(response.headers.link ?? '')
        return response.data
      })
    assert.equal(issues.length, 13)
    assert.equal(seen.length, 5)
    for (const link of seen.slice(0, 4)) assert.match(link, new RegExp(`<${service.url}/api/v3/repositories/1000/issues\\?per_page=3&page=\\d>; rel="next"`))
    assert.equal((await stats(service.url)).api_calls_made, 5)
  } finally {
    await service.stop()
  }
})

test('a GitHub error comes back as Octokit expects it', async () => {
  const service = await startService({ GITHUB_API_URL: 'http://127.0.0.1:9', GH_TOKEN: TOKEN })
  try {
    const octokit = new Octokit({ auth: TOKEN, baseUrl: `${service.url}/api/v3`, request: { retries: 0 } })
    await assert.rejects(octokit.rest.repos.get({ owner: 'o', repo: 'r' }), (e) => {
      assert.equal(e.status, 502)
      assert.match(e.message, /GitHub could not be reached/)
      return true
    })
  } finally {
    await service.stop()
  }
})
