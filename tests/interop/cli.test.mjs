// The ipfs-accelerate command line: stable identity, serve's port fallback and log lines, clear
// errors for bad configuration, and --help on every command.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import net from 'node:net'
import { Peer, jsPeer, run, CLI, freePort, TEST_TIMEOUT_MS } from './harness.mjs'

const peers = []
const track = (p) => { peers.push(p); return p }
after(async () => { await Promise.all(peers.map((p) => p.stop())) })
const home = () => mkdtempSync(path.join(tmpdir(), 'ipfsa-home-'))
// A serve process of its own: state, cache and dashboard port never shared with another test.
const serveEnv = (extra = {}) => {
  const dir = home()
  return { ...process.env, IPFS_ACCELERATE_HOME: dir, CACHE_DIR: path.join(dir, 'cache'), CACHE_MDNS: 'false', IPFS_ACCELERATE_DASHBOARD_PORT: '0', ...extra }
}

test('id: the peer ID is created once, stored 0600 and stable across runs', async () => {
  const dir = home()
  const env = { ...process.env, IPFS_ACCELERATE_HOME: dir }
  const first = await run(CLI, ['id', '--json'], { env })
  assert.equal(first.code, 0, first.stderr)
  const a = JSON.parse(first.stdout)
  assert.match(a.peer_id, /^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/)
  assert.match(a.peer_id_cid, /^bafz/)
  assert.equal(a.agent, 'ipfs-accelerate/0.1.0')
  assert.ok(a.listen_addrs.includes(`/ip4/0.0.0.0/tcp/9100/p2p/${a.peer_id}`))
  assert.equal(statSync(path.join(dir, 'identity.key')).mode & 0o777, 0o600)
  const second = JSON.parse((await run(CLI, ['id', '--json'], { env })).stdout)
  assert.equal(second.peer_id, a.peer_id)
  const other = JSON.parse((await run(CLI, ['id', '--json'], { env: { ...process.env, IPFS_ACCELERATE_HOME: home() } })).stdout)
  assert.notEqual(other.peer_id, a.peer_id)
})

test('id: a corrupt identity file is an error, never silently replaced', async () => {
  const dir = home()
  writeFileSync(path.join(dir, 'identity.key'), 'not a key', { mode: 0o600 })
  const result = await run(CLI, ['id'], { env: { ...process.env, IPFS_ACCELERATE_HOME: dir } })
  assert.notEqual(result.code, 0)
  assert.match(result.stderr, /identity/)
})

test('serve: logs the port, falls back to the next free one, counts peers', { timeout: TEST_TIMEOUT_MS }, async () => {
  const port = await freePort()
  const blocker = net.createServer().listen(port, '0.0.0.0')
  await new Promise((resolve) => blocker.on('listening', resolve))
  const node = track(new Peer('serve', CLI, ['serve'], { env: serveEnv({ CACHE_LISTEN_PORT: String(port) }) }))
  const [, used] = await node.waitLog(/P2P host started on port (\d+)/)
  assert.ok(Number(used) > port && Number(used) <= port + 20, `port ${used}`)
  await node.waitLog(new RegExp(`port ${port} is busy; using port ${used}`))
  const [, peerId] = await node.waitLog(/peer ID (12D3KooW\w+)/)
  const js = track(jsPeer(['--dial', `/ip4/127.0.0.1/tcp/${used}/p2p/${peerId}`]))
  await js.waitEvent('ping')
  await node.waitLog(/Connected to 1 peer\(s\)/)
  await js.stop()
  await node.waitLog(/Connected to 0 peer\(s\)/)
  blocker.close()
})

test('serve: bad configuration is rejected with a message naming the variable', async () => {
  for (const [name, value, pattern] of [
    ['CACHE_LISTEN_PORT', 'abc', /CACHE_LISTEN_PORT=abc is not a TCP port/],
    ['CACHE_LISTEN_PORT', '70000', /CACHE_LISTEN_PORT=70000/],
    ['CACHE_BOOTSTRAP_PEERS', '/ip4/1.2.3.4/tcp/1', /CACHE_BOOTSTRAP_PEERS.*\/p2p\//],
    ['IPFS_ACCELERATE_SWARM_KEY', '/nonexistent/swarm.key', /swarm key/]
  ]) {
    const result = await run(CLI, ['serve'], { env: serveEnv({ [name]: value }) })
    assert.equal(result.code, 2, `${name}=${value}: ${result.stderr}`)
    assert.match(result.stderr, pattern)
  }
})

test('serve: bootstrap peers are dialled, and redialled after they come back', { timeout: TEST_TIMEOUT_MS }, async () => {
  const port = await freePort()
  const args = ['--seed', '11'.repeat(32), '--listen', `/ip4/127.0.0.1/tcp/${port}`]
  const js = track(jsPeer(args))
  const ready = await js.waitEvent('ready')
  const node = track(new Peer('serve', CLI, ['serve', '--listen', '/ip4/127.0.0.1/tcp/0'], { env: serveEnv({ CACHE_BOOTSTRAP_PEERS: ready.addrs[0] }) }))
  await node.waitLog(/Connected to 1 peer\(s\)/)
  await js.waitEvent('identify', undefined, (e) => e.agent === 'ipfs-accelerate/0.1.0')
  await js.stop()
  await node.waitLog(/Connected to 0 peer\(s\)/)
  const again = track(jsPeer(args))
  assert.equal((await again.waitEvent('ready')).peerId, ready.peerId)
  await again.waitEvent('identify', undefined, (e) => e.agent === 'ipfs-accelerate/0.1.0')
  // js's identify and the node's log line come from two processes: wait for the line, then count.
  await node.waitLog(/Connected to 1 peer\(s\)[\s\S]*Connected to 1 peer\(s\)/)
  assert.equal(node.stderr.match(/Connected to 1 peer\(s\)/g).length, 2)
})

test('--help on every command', async () => {
  for (const args of [['--help'], ['id', '--help'], ['ping', '--help'], ['serve', '--help']]) {
    const result = await run(CLI, args)
    assert.equal(result.code, 0, args.join(' '))
    assert.match(result.stdout, /Usage|usage/)
  }
  const bad = await run(CLI, ['ping', 'not-a-multiaddr'])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /not a multiaddr/)
})
