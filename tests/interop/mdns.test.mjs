// mDNS interop: js-libp2p @libp2p/mdns 12.0.32 (mdns_peer.mjs) and our MdnsDiscovery
// (src/discovery/mdns/mdns_probe) find each other on 224.0.0.251:5353. Both run inside a fresh
// network namespace that holds only `lo` (up, multicast on), so nothing leaks to or from the
// machine's network: a holder process creates it (`unshare -n`) and the peers join it with
// `nsenter`. Needs root; skipped otherwise.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUILD, Peer, STUCK_MS, PEER_LIFETIME_S } from './harness.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const PROBE = path.join(BUILD, 'src/discovery/mdns/mdns_probe')
const MDNS_PEER = path.join(here, 'mdns_peer.mjs')
const SEED = '07'.repeat(32)

let holder = null
let skip = false

before(async () => {
  if (process.getuid?.() !== 0) {
    skip = 'needs root to create a network namespace'
    return
  }
  holder = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && ip link set lo multicast on && echo up && exec sleep 3600'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const up = await new Promise((resolve) => {
    let out = ''
    holder.stdout.on('data', (c) => { out += c; if (out.includes('up')) resolve(true) })
    holder.on('exit', () => resolve(false))
    holder.on('error', () => resolve(false))
  })
  if (!up) skip = 'cannot create a network namespace (unshare -n)'
})

after(() => { if (holder && holder.exitCode === null) holder.kill('SIGKILL') })

const inNetns = (name, command, args) =>
  new Peer(name, 'nsenter', [`--net=/proc/${holder.pid}/ns/net`, command, ...args])
const lifetime = ['--timeout', String(PEER_LIFETIME_S)]

test('js-libp2p mDNS and MdnsDiscovery discover each other', async (t) => {
  if (skip) return t.skip(skip)
  assert.ok(existsSync(PROBE), `${PROBE} is missing: build the mdns_probe target`)
  const js = inNetns('js', process.execPath, [MDNS_PEER, '--interval', '1000', ...lifetime])
  // --rereport-ms: a peer is reported again after this long (default 60 s), which a slow run of the
  // dedup check below could reach; an hour is beyond any run.
  const cpp = inNetns('cpp', PROBE, ['--seed', SEED, '--addr', '/ip4/127.0.0.1/tcp/4001',
    '--addr', '/ip6/::1/tcp/4002', '--interval-ms', '1000', '--rereport-ms', '3600000', ...lifetime])
  try {
    const jsReady = await js.waitEvent('ready')
    const cppReady = await cpp.waitEvent('ready')
    assert.notEqual(jsReady.peerId, cppReady.peerId)

    // js learns our peer ID and both announced addresses (without /p2p/, as js reports them).
    const seenByJs = await js.waitEvent('discovery', undefined, (e) => e.peer === cppReady.peerId)
    assert.deepEqual(seenByJs.addrs.sort(), ['/ip4/127.0.0.1/tcp/4001', '/ip6/::1/tcp/4002'])

    // We learn js's peer ID and its listen addresses.
    const seenByCpp = await cpp.waitEvent('discovery', undefined, (e) => e.peer === jsReady.peerId)
    assert.deepEqual(seenByCpp.addrs, jsReady.addrs.map((a) => a.replace(/\/p2p\/[^/]+$/, '')))
    // Reported once (dedup), though js answers every query. A witness that reports every response
    // (--rereport-ms 0) shows js answered several more times meanwhile.
    const witness = inNetns('witness', PROBE, ['--rereport-ms', '0', '--interval-ms', '300', '--no-ipv6', ...lifetime])
    try {
      await witness.waitFor((e) => e.event === 'discovery' && e.peer === jsReady.peerId &&
        witness.events.filter((x) => x.event === 'discovery' && x.peer === jsReady.peerId).length >= 4,
      STUCK_MS, 'four reports of the js peer')
    } finally {
      await witness.stop()
    }
    assert.equal(cpp.events.filter((e) => e.event === 'discovery' && e.peer === jsReady.peerId).length, 1)
    assert.ok(!cpp.events.some((e) => e.event === 'discovery' && e.peer === cppReady.peerId))
  } finally {
    await Promise.all([js.stop(), cpp.stop()])
  }
})

test('two of our nodes and a js node all find one another', async (t) => {
  if (skip) return t.skip(skip)
  const js = inNetns('js', process.execPath, [MDNS_PEER, '--interval', '1000', ...lifetime])
  const a = inNetns('cpp-a', PROBE, ['--addr', '/ip4/127.0.0.1/tcp/5001', '--interval-ms', '500', ...lifetime])
  const b = inNetns('cpp-b', PROBE, ['--addr', '/ip4/127.0.0.1/tcp/5002', '--interval-ms', '500', '--no-ipv6', ...lifetime])
  try {
    const ids = await Promise.all([js, a, b].map(async (p) => (await p.waitEvent('ready')).peerId))
    for (const [i, peer] of [js, a, b].entries()) {
      for (const [j, id] of ids.entries()) {
        if (i !== j) await peer.waitEvent('discovery', undefined, (e) => e.peer === id)
      }
    }
  } finally {
    await Promise.all([js.stop(), a.stop(), b.stop()])
  }
})
