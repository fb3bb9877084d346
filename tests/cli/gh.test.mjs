// `ipfs-accelerate gh`: the caching drop-in for the GitHub CLI, end to end with Debian's real
// `gh` (apt-get install gh) pointed at a local server (tests/cli/gh_server.mjs).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { run, CLI } from '../interop/harness.mjs'
import { startGitHub, TOKEN } from './gh_server.mjs'

const GH = (() => {
  try { return execFileSync('sh', ['-c', 'command -v gh'], { encoding: 'utf8' }).trim() } catch { return '' }
})()
const skip = GH ? false : 'Debian gh is not installed (apt-get install gh)'

let github
before(async () => { github = await startGitHub() })
after(async () => { await github.close() })

const temp = (what) => mkdtempSync(path.join(tmpdir(), `ipfsa-gh-${what}-`))

// A clean environment per test: its own cache, gh config and home; no tokens of the caller.
function environment (extra = {}) {
  const env = { ...process.env }
  for (const name of ['GITHUB_TOKEN', 'GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN', 'GH_REPO', 'LOG_LEVEL', 'NO_PROXY', 'no_proxy']) delete env[name]
  return {
    ...env,
    HOME: temp('home'),
    GH_CONFIG_DIR: temp('config'),
    CACHE_DIR: temp('cache'),
    GH_HOST: 'github.localhost',
    GH_TOKEN: TOKEN,
    HTTP_PROXY: `http://127.0.0.1:${github.port}`,
    GH_NO_UPDATE_NOTIFIER: '1',
    ...extra
  }
}

const gh = (args, env, options = {}) => run(CLI, ['gh', ...args], { env, ...options })
const direct = (args, env) => run(GH, args, { env })

test('a read runs gh once, then is answered from the cache with the same output', { skip }, async () => {
  const env = environment()
  const before = github.count(/graphql/)
  const first = await gh(['repo', 'view', 'o/r', '--json', 'name'], env)
  assert.equal(first.code, 0, first.stderr)
  assert.equal(first.stdout, '{"name":"r"}\n')
  assert.equal(github.count(/graphql/), before + 1)
  const second = await gh(['repo', 'view', 'o/r', '--json', 'name'], env)
  assert.equal(second.code, 0, second.stderr)
  assert.equal(second.stdout, first.stdout)
  assert.equal(github.count(/graphql/), before + 1, 'the second run must not reach GitHub')
  // Other spellings of the same command share the entry; other --json fields do not.
  await gh(['repo', 'view', 'https://github.localhost/O/R', '--json=name'], env)
  assert.equal(github.count(/graphql/), before + 1)
  const other = await gh(['repo', 'view', 'o/r', '--json', 'name,description'], env)
  assert.match(other.stdout, /a test repository/)
  assert.equal(github.count(/graphql/), before + 2)
  // The output is byte for byte what gh prints itself.
  assert.equal((await direct(['repo', 'view', 'o/r', '--json', 'name'], env)).stdout, first.stdout)
})

test('a write passes through and makes the next read of that repository go upstream', { skip }, async () => {
  const env = environment()
  const list = () => gh(['issue', 'list', '-R', 'o/r'], env)
  const start = github.count(/graphql/)
  const a = await list()
  assert.equal(a.code, 0, a.stderr)
  await list()
  assert.equal(github.count(/graphql/), start + 1)
  const api = await gh(['api', 'repos/o/r'], env)
  assert.equal(JSON.parse(api.stdout).full_name, 'o/r')
  await gh(['api', '/repos/o/r'], env)
  assert.equal(github.count(/^GET \/repos\/o\/r$/), 1)

  const posts = github.count(/^POST \/repos\/o\/r\/issues/)
  const write = await gh(['api', '-X', 'POST', 'repos/o/r/issues', '-f', 'title=new'], env)
  assert.equal(write.code, 0, write.stderr)
  assert.equal(JSON.parse(write.stdout).number, github.issues)
  assert.equal(github.count(/^POST \/repos\/o\/r\/issues/), posts + 1)

  const b = await list()
  assert.equal(github.count(/graphql/), start + 2, 'the write must invalidate issue list')
  assert.notEqual(b.stdout, a.stdout)
  assert.match(b.stdout, new RegExp(`issue ${github.issues}`))
  await gh(['api', 'repos/o/r'], env)
  assert.equal(github.count(/^GET \/repos\/o\/r$/), 2, 'and gh api GET of the repository')
})

test('the repository comes from the git remote, as gh resolves it', { skip }, async () => {
  const env = environment()
  const dir = temp('checkout')
  execFileSync('git', ['init', '-q', dir])
  execFileSync('git', ['-C', dir, 'remote', 'add', 'origin', 'https://github.localhost/o/r.git'])
  const start = github.count(/graphql/)
  for (let i = 0; i < 2; i++) {
    const r = await gh(['issue', 'list', '--limit', '5'], env, { cwd: dir })
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /issue 1/)
  }
  assert.equal(github.count(/graphql/), start + 1)
  // The same command with -R elsewhere shares the key; a write from the checkout invalidates it.
  await gh(['issue', 'list', '-L5', '-R', 'o/r'], env)
  assert.equal(github.count(/graphql/), start + 1)
  await gh(['api', '-X', 'POST', 'repos/{owner}/{repo}/issues', '-f', 'title=x'], env, { cwd: dir })
  await gh(['issue', 'list', '-L', '5', '-R', 'o/r'], env)
  assert.equal(github.count(/graphql/), start + 2)
})

test('exit codes propagate; failures are never cached', { skip }, async () => {
  const env = environment()
  const missing = github.count(/repos\/o\/missing/)
  for (let i = 1; i <= 2; i++) {
    const r = await gh(['api', 'repos/o/missing'], env)
    const real = await direct(['api', 'repos/o/missing'], env)
    assert.equal(r.code, real.code)
    assert.equal(r.code, 1)
    assert.match(r.stderr, /Not Found/)
    assert.equal(github.count(/repos\/o\/missing/), missing + 2 * i)
  }
  const unknown = await gh(['no-such-command'], env)
  assert.equal(unknown.code, (await direct(['no-such-command'], env)).code)
  assert.notEqual(unknown.code, 0)
  const version = await gh(['--version'], env)
  assert.equal(version.code, 0)
  assert.match(version.stdout, /gh version 2\./)
})

test('a credential never reaches the cache', { skip }, async () => {
  const env = environment()
  const before = github.count(/repos\/o\/leak/)
  for (let i = 0; i < 2; i++) {
    const r = await gh(['api', 'repos/o/leak'], env)
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(TOKEN))
  }
  assert.equal(github.count(/repos\/o\/leak/), before + 2, 'output holding the token is not cached')
  await gh(['repo', 'view', 'o/r', '--json', 'name'], env)
  await gh(['issue', 'list', '-R', 'o/r', '--search', TOKEN], env)
  const files = readdirSync(env.CACHE_DIR)
  assert.ok(files.length > 0)
  for (const f of files) {
    assert.ok(!readFileSync(path.join(env.CACHE_DIR, f)).includes(TOKEN), `${f} holds the token`)
  }
})

test('gh missing, or a gh that loops back to the wrapper, is a clear error', async () => {
  const env = environment({ GH_PATH: '/nonexistent/gh' })
  const r = await gh(['repo', 'view', 'o/r'], env)
  assert.equal(r.code, 127)
  assert.match(r.stderr, /cannot find the GitHub CLI.*GH_PATH=\/nonexistent\/gh/)
  const nopath = environment({ PATH: temp('empty-path') })
  delete nopath.GH_PATH
  const n = await gh(['issue', 'list'], nopath)
  assert.equal(n.code, 127)
  assert.match(n.stderr, /no `gh` on PATH.*apt-get install gh/)
  const loop = path.join(temp('loop'), 'gh')
  writeFileSync(loop, `#!/bin/sh\nexec "${CLI}" gh "$@"\n`)
  chmodSync(loop, 0o755)
  const l = await gh(['auth', 'status'], environment({ GH_PATH: loop }))
  assert.equal(l.code, 127)
  assert.match(l.stderr, /calls `ipfs-accelerate gh` again/)
})

test('a terminal gets terminal output (colours, table) from gh and from the cache', { skip: skip || !hasScript() }, async () => {
  const env = environment()
  const inTerminal = () => run('script', ['-qec', `stty cols 90; exec "${CLI}" gh issue list -R o/r`, '/dev/null'], { env })
  const start = github.count(/graphql/)
  const first = await inTerminal()
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stdout, /\x1b\[0;32m#1\x1b\[0m/, 'coloured like gh in a terminal')
  const second = await inTerminal()
  assert.equal(second.stdout, first.stdout)
  assert.equal(github.count(/graphql/), start + 1)
  // A pipe is a different output mode: its own entry, no colours.
  const piped = await gh(['issue', 'list', '-R', 'o/r'], env)
  assert.equal(github.count(/graphql/), start + 2)
  assert.doesNotMatch(piped.stdout, /\x1b/)
})

function hasScript () {
  try { execFileSync('script', ['--version'], { stdio: 'ignore' }); return true } catch { return false }
}
