// Gossipsub interoperability with js-libp2p's @libp2p/gossipsub 17.1.1 (gossip_peer.mjs) and our
// gossip_probe (src/pubsub): meshes form both ways, messages flow both ways, over plain and pnet
// connections, and a three-node line (js - C++ - js) relays through our router.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Peer, BUILD } from './harness.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const PROBE = path.join(BUILD, 'src/pubsub/gossip_probe')
const GOSSIP_PEER = path.join(here, 'gossip_peer.mjs')
const TOPIC = 'ipfs-accelerate/announce'
const stdio = { stdio: ['pipe', 'pipe', 'pipe'] }

const peers = []
const track = (p) => { peers.push(p); return p }
after(async () => { await Promise.all(peers.map((p) => p.stop())) })
const js = (args) => track(new Peer('js', process.execPath, [GOSSIP_PEER, '--topic', TOPIC, '--timeout', '60', ...args], stdio))
const cpp = (args) => track(new Peer('cpp', PROBE, ['--topic', TOPIC, '--timeout', '60', ...args], stdio))
const send = (peer, line) => peer.child.stdin.write(line + '\n')

const dir = mkdtempSync(path.join(tmpdir(), 'ipfsa-gossip-'))
const swarmKey = () => {
  const file = path.join(dir, `swarm-${randomBytes(4).toString('hex')}.key`)
  writeFileSync(file, `/key/swarm/psk/1.0.0/\n/base16/\n${randomBytes(32).toString('hex')}\n`)
  return file
}

// Publishes until the other side has it (the first publish may precede the mesh).
async function deliver (from, to, text, ms = 20000) {
  const deadline = Date.now() + ms
  const seen = () => to.events.some((e) => e.event === 'message' && e.data === text)
  while (!seen() && Date.now() < deadline) {
    send(from, text)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  return to.waitFor((e) => e.event === 'message' && e.data === text, 1000, `message "${text}"`)
}

async function pair (cppArgs, jsArgs, cppDials) {
  if (cppDials) {
    const j = js(jsArgs)
    const jr = await j.waitEvent('ready')
    const c = cpp([...cppArgs, '--dial', jr.addrs[0]])
    const cr = await c.waitEvent('ready')
    return { c, j, cr, jr }
  }
  const c = cpp(cppArgs)
  const cr = await c.waitEvent('ready')
  const j = js([...jsArgs, '--dial', cr.addrs[0]])
  const jr = await j.waitEvent('ready')
  return { c, j, cr, jr }
}

for (const cppDials of [true, false]) {
  test(`${cppDials ? 'C++ dials js' : 'js dials C++'}: mesh both ways, messages both ways`, { timeout: 60000 }, async () => {
    const { c, j, cr, jr } = await pair([], [], cppDials)
    await c.waitEvent('mesh', 20000, (e) => e.size === 1)
    await j.waitEvent('mesh', 20000, (e) => e.peers.includes(cr.peerId))

    const atJs = await deliver(c, j, 'hello from C++')
    assert.equal(atJs.from, cr.peerId)
    assert.equal(atJs.topic, TOPIC)
    const atCpp = await deliver(j, c, 'hello from js')
    assert.equal(atCpp.from, jr.peerId)
    assert.equal(atCpp.propagator, jr.peerId)
    // js's message id for StrictSign: protobuf PublicKey (08 01 12 20 + key) || seqno.
    assert.match(atCpp.id, /^08011220[0-9a-f]{64}[0-9a-f]{16}$/)
    // Each message published arrived exactly once (deliver() may have published more than one).
    const count = (p, e) => p.events.filter((x) => x.event === e).length
    assert.equal(count(j, 'message'), count(c, 'published'))
    assert.equal(count(c, 'message'), count(j, 'published'))
  })
}

test('pnet: the same swarm key on both sides', { timeout: 60000 }, async () => {
  const key = swarmKey()
  const { c, j, cr } = await pair(['--psk', key], ['--psk', key], true)
  await j.waitEvent('mesh', 20000, (e) => e.peers.includes(cr.peerId))
  await deliver(c, j, 'private hello')
  await deliver(j, c, 'private reply')
})

test('js - C++ - js: our router relays between two js peers', { timeout: 60000 }, async () => {
  const c = cpp([])
  const cr = await c.waitEvent('ready')
  const a = js(['--dial', cr.addrs[0]])
  const b = js(['--dial', cr.addrs[0]])
  const ar = await a.waitEvent('ready')
  await b.waitEvent('ready')
  await c.waitEvent('mesh', 20000, (e) => e.size === 2)
  const atB = await deliver(a, b, 'relayed by C++')
  assert.equal(atB.from, ar.peerId)
  // The js-signed message as a vector for the C++ unit tests (printed for capture).
  const atC = c.events.find((e) => e.event === 'message' && e.data === 'relayed by C++')
  assert.ok(atC, 'the relay delivered it to its own subscriber too')
  assert.equal(atC.from, ar.peerId)
  assert.equal(atC.propagator, ar.peerId)
})
