// The official MCP SDK client (@modelcontextprotocol/sdk 1.32.2) against the REAL binary:
// `ipfs-accelerate mcp` over stdio (local cache, and forwarding to a running node), and
// `ipfs-accelerate serve --port` over Streamable HTTP. GitHub is the recorded fixtures server with
// this folder's scenarios (fixtures/*.json): each request is answered once, so a second answer
// proves a cache hit.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { Peer, run, CLI, freePort, STUCK_MS, TEST_TIMEOUT_MS } from '../interop/harness.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const TOKEN = '0000000000000000000000000000000000000001'
const REPO = 'octokit-fixture-org/hello-world'
const TOOLS = ['get_peer_status', 'get_cache_stats', 'get_dashboard_peer_status', 'get_dashboard_cache_stats',
  'gh_get_cache_stats', 'gh_api', 'gh_graphql', 'gh_invalidate_cache', 'list_workflow_runs', 'list_runners']
const cleanups = []
after(async () => { for (const c of cleanups.reverse()) await c() })

// The SDK gives every request 60 s by default; ours get the harness's "really stuck" deadline.
function patient (client) {
  const request = client.request.bind(client)
  client.request = (req, schema, options) => request(req, schema, { timeout: STUCK_MS, ...options })
  return client
}

async function startFixtures () {
  const port = await freePort()
  const child = spawn(process.execPath, ['serve.mjs', String(port), path.join(here, 'fixtures/*.json')],
    { cwd: path.resolve(here, '../github-fixtures'), stdio: ['ignore', 'pipe', 'pipe'] })
  cleanups.push(() => child.kill('SIGTERM'))
  let out = ''
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixtures server did not start within ${STUCK_MS} ms: ${out}`)), STUCK_MS)
    child.stdout.on('data', (c) => {
      out += c
      const m = out.match(/fixtures server on (http:\/\/127\.0\.0\.1:\d+)/)
      if (m) { clearTimeout(timer); resolve(m[1]) }
    })
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`fixtures server exited ${code}: ${out}`)) })
  })
  return async (scenario) => {
    const res = await fetch(`${base}/fixtures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario }) })
    const body = await res.text()
    assert.equal(res.status, 201, body)
    return JSON.parse(body).url
  }
}
const fixtures = await startFixtures()

const home = () => mkdtempSync(path.join(tmpdir(), 'ipfsa-mcp-'))
const envFor = (apiUrl, extra = {}) => {
  const dir = home()
  return { ...process.env, IPFS_ACCELERATE_HOME: dir, CACHE_DIR: path.join(dir, 'cache'), GITHUB_API_URL: apiUrl, GH_TOKEN: TOKEN, CACHE_ENABLE_P2P: 'true', CACHE_MDNS: 'false', ...extra }
}

async function stdioClient (env) {
  const transport = new StdioClientTransport({ command: CLI, args: ['mcp'], env, stderr: 'pipe' })
  let stderr = ''
  transport.stderr?.on('data', (c) => { stderr += c })
  const client = patient(new Client({ name: 'ipfsa-test', version: '1.0.0' }))
  await client.connect(transport)
  cleanups.push(() => client.close())
  return { client, stderr: () => stderr }
}

const structured = (result) => {
  assert.ok(result.structuredContent, JSON.stringify(result))
  // The text block carries the same JSON (older clients read only content).
  assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent)
  return result.structuredContent
}

test('stdio: the SDK client lists the tools and calls each (local cache, no node running)', { timeout: TEST_TIMEOUT_MS }, async () => {
  const env = envFor(await fixtures('mcp-tools'))
  const { client, stderr } = await stdioClient(env)
  assert.equal(client.getServerVersion().name, 'ipfs-accelerate')
  const { tools } = await client.listTools()
  assert.deepEqual(tools.map((t) => t.name).sort(), [...TOOLS].sort())
  for (const t of tools) {
    assert.equal(t.inputSchema.type, 'object', t.name)
    assert.ok(t.description.length > 20, t.name)
  }
  const texts = []
  const call = async (name, args = {}) => {
    const r = await client.callTool({ name, arguments: args })
    texts.push(JSON.stringify(r))
    return r
  }

  const peers = structured(await call('get_peer_status'))
  assert.equal(peers.enabled, true)
  assert.equal(peers.active, false)
  assert.match(peers.status, /ipfs-accelerate serve/)
  assert.deepEqual(structured(await call('get_dashboard_peer_status')), peers)

  const repo1 = structured(await call('gh_api', { path: `repos/${REPO}` }))
  assert.equal(repo1.status, 200)
  assert.equal(repo1.cache_status, 'miss')
  assert.equal(repo1.body.full_name, REPO)
  const repo2 = structured(await call('gh_api', { path: `/repos/${REPO}`, method: 'GET' }))
  assert.equal(repo2.cache_status, 'hit')
  assert.deepEqual(repo2.body, repo1.body)

  const issues = structured(await call('gh_api', { path: `repos/${REPO}/issues?per_page=1`, paginate: true }))
  assert.equal(issues.pages, 2)
  assert.deepEqual(issues.body.map((i) => i.number), [2, 1])

  const viewer = structured(await call('gh_graphql', { query: 'query { viewer { login } }', variables: {} }))
  assert.equal(viewer.body.data.viewer.login, 'octocat')

  const runs = structured(await call('list_workflow_runs', { repo: REPO, status: 'completed', branch: 'main', per_page: 2 }))
  assert.equal(runs.total_count, 2)
  assert.deepEqual(runs.workflow_runs.map((r) => [r.id, r.conclusion]), [[12, 'success'], [11, 'failure']])

  const repoRunners = structured(await call('list_runners', { repo: REPO }))
  assert.deepEqual(repoRunners.runners.map((r) => r.name), ['runner-a'])
  const orgRunners = structured(await call('list_runners', { org: 'octokit-fixture-org' }))
  assert.deepEqual(orgRunners.runners.map((r) => r.name), ['org-runner-a', 'org-runner-b'])
  assert.deepEqual(orgRunners.runners[0].labels, ['self-hosted', 'x64'])

  const missing = await call('gh_api', { path: 'repos/octokit-fixture-org/missing' })
  assert.equal(missing.isError, true)
  assert.match(missing.content[0].text, /HTTP 404/)

  const write = await call('gh_api', { path: `repos/${REPO}/issues`, method: 'POST' })
  assert.equal(write.isError, true)
  assert.match(write.content[0].text, /not offered/)
  const mutation = await call('gh_graphql', { query: 'mutation { x }' })
  assert.equal(mutation.isError, true)

  const before = structured(await call('get_cache_stats'))
  for (const key of ['available', 'total_entries', 'total_size_mb', 'hit_rate', 'p2p_enabled', 'p2p_peers']) {
    assert.ok(key in before, key)
  }
  assert.equal(before.api_calls_made, 8)  // repo, 2 issue pages, graphql, runs, 2 runner lists, the 404
  assert.ok(before.hits >= 1)
  assert.deepEqual(structured(await call('gh_get_cache_stats')).total_entries, before.total_entries)
  assert.deepEqual(structured(await call('get_dashboard_cache_stats')).total_entries, before.total_entries)

  const dropped = structured(await call('gh_invalidate_cache', { prefix: `repos/${REPO}` }))
  assert.ok(dropped.invalidated >= 5, JSON.stringify(dropped))  // repo, 2 issue pages, runs, runners
  const afterStats = structured(await call('get_cache_stats'))
  assert.equal(afterStats.total_entries, before.total_entries - dropped.invalidated)

  // Argument errors: a tool error the model can read (2025-11-25); unknown tools: -32602.
  const bad = await call('list_workflow_runs', { repo: REPO, per_page: 1000 })
  assert.equal(bad.isError, true)
  assert.match(bad.content[0].text, /per_page/)
  await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), (e) => e.code === -32602)

  for (const t of texts) assert.ok(!t.includes(TOKEN), 'a result carries the token')
  assert.ok(!stderr().includes(TOKEN), 'the log carries the token')
})

test('stdio: nothing but JSON-RPC on stdout; the spec\'s error codes', { timeout: TEST_TIMEOUT_MS }, async () => {
  const env = envFor('http://127.0.0.1:1')
  const child = spawn(CLI, ['mcp'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  cleanups.push(() => child.kill('SIGTERM'))
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => { stdout += c })
  child.stderr.on('data', (c) => { stderr += c })
  const lines = [
    '{not json',
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), // before initialize
    JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }),
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'resources/list' }),
    JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'gh_api', arguments: {} } }),
    JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'get_cache_stats' } }),
    JSON.stringify([{ jsonrpc: '2.0', id: 6, method: 'ping' }, { jsonrpc: '2.0', id: 7, method: 'ping' }]),
    JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'initialize', params: { protocolVersion: '2024-11-05' } })
  ]
  child.stdin.end(lines.join('\n') + '\n')
  const code = await new Promise((resolve) => child.on('close', resolve))  // all of stdout read
  assert.equal(code, 0, stderr)
  const replies = stdout.trimEnd().split('\n').map((l) => JSON.parse(l))  // every line is JSON
  assert.equal(replies.length, 8, stdout)
  assert.equal(replies[0].error.code, -32700)
  assert.equal(replies[1].error.code, -32600)
  assert.equal(replies[2].result.protocolVersion, '2024-11-05')
  assert.equal(replies[3].error.code, -32601)
  assert.equal(replies[4].error.code, -32602)  // 2024-11-05: schema failures are invalid params
  assert.equal(replies[5].result.isError, false)
  assert.equal(replies[5].result.structuredContent, undefined)  // not in 2024-11-05
  assert.deepEqual(replies[6].map((r) => r.id), [6, 7])  // batches exist in 2024-11-05
  assert.equal(replies[7].error.code, -32600)  // initialized twice
  assert.match(stderr, /mcp: session initialized/)
})

// The node's HTTP service: `serve --port`. Fails (does not skip) until serve has it.
async function startServe (env) {
  const help = await run(CLI, ['serve', '--help'])
  assert.match(help.stdout + help.stderr, /--port/, `\`ipfs-accelerate serve\` has no --port yet (${CLI})`)
  const port = await freePort()
  const node = new Peer('serve', CLI, ['serve', '--port', String(port), '--listen', '/ip4/127.0.0.1/tcp/0'],
    { env: { ...env, IPFS_ACCELERATE_DASHBOARD_PORT: String(port) } })
  cleanups.push(() => node.stop())
  const [, peerId] = await node.waitLog(/listening on \/ip4\/[^/]+\/tcp\/\d+\/p2p\/(\w+)/)
  // The service logs this once its socket listens (src/service/service.cpp).
  await node.waitLog(new RegExp(`dashboard and API on http://127\\.0\\.0\\.1:${port}\\b`))
  const url = `http://127.0.0.1:${port}/mcp`
  const probe = await fetch(url)
  assert.equal(probe.status, 405, `GET ${url}: ${await probe.text()}`)  // POST only (no SSE stream)
  return { node, peerId, url }
}

test('http: the SDK client over Streamable HTTP against serve, and stdio forwarding to it', { timeout: TEST_TIMEOUT_MS }, async () => {
  const env = envFor(await fixtures('mcp-serve'))
  const { peerId, url } = await startServe(env)

  const transport = new StreamableHTTPClientTransport(new URL(url))
  const client = patient(new Client({ name: 'ipfsa-http-test', version: '1.0.0' }))
  await client.connect(transport)
  cleanups.push(() => client.close())
  assert.ok(transport.sessionId, 'no Mcp-Session-Id')
  const { tools } = await client.listTools()
  assert.deepEqual(tools.map((t) => t.name).sort(), [...TOOLS].sort())
  const peers = structured(await client.callTool({ name: 'get_peer_status', arguments: {} }))
  assert.equal(peers.active, true)
  assert.equal(peers.peer_id, peerId)
  assert.ok(peers.listen_addrs.some((a) => a.endsWith(`/p2p/${peerId}`)))
  const first = structured(await client.callTool({ name: 'gh_api', arguments: { path: `repos/${REPO}` } }))
  assert.equal(first.cache_status, 'miss')
  const second = structured(await client.callTool({ name: 'gh_api', arguments: { path: `repos/${REPO}` } }))
  assert.equal(second.cache_status, 'hit')
  const stats = structured(await client.callTool({ name: 'get_cache_stats', arguments: {} }))
  assert.ok(stats.hits >= 1 && stats.total_entries >= 1, JSON.stringify(stats))

  // A browser page from another site must not drive the node (DNS rebinding guard).
  const evil = await fetch(url, { method: 'POST', headers: { Origin: 'http://evil.example', 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: '{}' })
  assert.equal(evil.status, 403)

  // `mcp` started while serve holds the cache forwards to it: live peer data over stdio.
  const { client: forwarded } = await stdioClient({ ...env, IPFS_ACCELERATE_DASHBOARD_PORT: new URL(url).port })
  const live = structured(await forwarded.callTool({ name: 'get_peer_status', arguments: {} }))
  assert.equal(live.active, true)
  assert.equal(live.peer_id, peerId)
  const cached = structured(await forwarded.callTool({ name: 'gh_api', arguments: { path: `repos/${REPO}` } }))
  assert.equal(cached.cache_status, 'hit')

  // Ending the session: the endpoint forgets it.
  const sessionId = transport.sessionId
  await transport.terminateSession()
  const gone = await fetch(url, { method: 'POST', headers: { 'Mcp-Session-Id': sessionId, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) })
  assert.equal(gone.status, 404)
})
