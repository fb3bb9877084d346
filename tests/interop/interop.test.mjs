// Interoperability of our C++ libp2p stack with js-libp2p 3.3.11 (peer.mjs), both directions:
// TCP + Noise + Yamux, identify, ping, a request/response protocol with 1 MiB payloads on 100
// concurrent streams, and pnet private networks.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import path from 'node:path'
import net from 'node:net'
import { jsPeer, cppPeer, run, CLI, stripP2p, within, TEST_TIMEOUT_MS } from './harness.mjs'

const MiB = 1024 * 1024
const ECHO = '/ipfs-accelerate/echo/1.0.0'
const peers = []
const track = (p) => { peers.push(p); return p }
after(async () => { await Promise.all(peers.map((p) => p.stop())) })

const dir = mkdtempSync(path.join(tmpdir(), 'ipfsa-interop-'))
const swarmKey = (name) => {
  const file = path.join(dir, name)
  writeFileSync(file, `/key/swarm/psk/1.0.0/\n/base16/\n${randomBytes(32).toString('hex')}\n`)
  return file
}

test('C++ dials js: identify both ways, ping, 100 concurrent 1 MiB requests', { timeout: TEST_TIMEOUT_MS }, async () => {
  const js = track(jsPeer())
  const ready = await js.waitEvent('ready')
  const spawned = Date.now()
  const cpp = track(cppPeer(['--dial', ready.addrs[0], '--ping', '3', '--request-size', String(MiB), '--concurrency', '100']))
  const cppReady = await cpp.waitEvent('ready')

  const ping = await cpp.waitEvent('ping')
  assert.equal(ping.peer, ready.peerId)
  // A round trip measured inside the peer's run cannot exceed the time since we started it, on any
  // machine; a wrong unit (us or ns for ms) breaks this bound by orders of magnitude.
  const elapsed = Date.now() - spawned
  assert.ok(ping.rtt_ms > 0 && ping.rtt_ms <= elapsed, `rtt ${ping.rtt_ms} ms, ${elapsed} ms since the peer started`)

  // What we learned about js through identify.
  const theirs = await cpp.waitEvent('identify')
  assert.equal(theirs.peer, ready.peerId)
  assert.match(theirs.agent, /js-libp2p/)
  assert.equal(theirs.protocolVersion, 'ipfs/0.1.0')
  for (const p of ['/ipfs/id/1.0.0', '/ipfs/ping/1.0.0', ECHO]) assert.ok(theirs.protocols.includes(p), p)
  assert.ok(theirs.listenAddrs.includes(stripP2p(ready.addrs[0])), JSON.stringify(theirs.listenAddrs))

  // What js learned about us.
  const ours = await js.waitEvent('identify')
  assert.equal(ours.peer, cppReady.peerId)
  assert.equal(ours.agent, 'ipfs-accelerate/0.1.0')
  for (const p of ['/ipfs/id/1.0.0', '/ipfs/id/push/1.0.0', '/ipfs/ping/1.0.0', ECHO]) assert.ok(ours.protocols.includes(p), p)
  assert.ok(ours.listenAddrs.some((a) => stripP2p(a) === stripP2p(cppReady.addrs[0])), JSON.stringify(ours.listenAddrs))

  const reply = await cpp.waitEvent('reply')
  assert.equal(reply.total, 100)
  assert.equal(reply.ok, 100, JSON.stringify(reply))
  assert.equal(reply.bytes, MiB)
  assert.equal(js.events.filter((e) => e.event === 'request' && e.bytes === MiB).length, 100)
})

test('js dials C++: identify both ways, ping, 100 concurrent 1 MiB requests', { timeout: TEST_TIMEOUT_MS }, async () => {
  const cpp = track(cppPeer())
  const ready = await cpp.waitEvent('ready')
  const js = track(jsPeer(['--dial', ready.addrs[0], '--request-size', String(MiB), '--concurrency', '100']))
  const jsReady = await js.waitEvent('ready')

  const ping = await js.waitEvent('ping')
  assert.equal(ping.peer, ready.peerId)

  const ours = await js.waitEvent('identify')
  assert.equal(ours.agent, 'ipfs-accelerate/0.1.0')
  assert.ok(ours.protocols.includes(ECHO))
  assert.ok(ours.listenAddrs.some((a) => stripP2p(a) === stripP2p(ready.addrs[0])))

  const theirs = await cpp.waitEvent('identify')
  assert.equal(theirs.peer, jsReady.peerId)
  assert.match(theirs.agent, /js-libp2p/)

  const reply = await js.waitEvent('reply')
  assert.equal(reply.ok, 100, JSON.stringify(reply))
  assert.equal(cpp.events.filter((e) => e.event === 'request' && e.bytes === MiB).length, 100)
})

for (const [who, listen] of [['js dials C++', 'cpp'], ['C++ dials js', 'js']]) {
  test(`${who} with the muxer negotiated by multistream (no Noise extension from us)`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const listener = track(listen === 'cpp' ? cppPeer(['--no-inline-muxer']) : jsPeer())
    const ready = await listener.waitEvent('ready')
    const dialer = track(listen === 'cpp'
      ? jsPeer(['--dial', ready.addrs[0], '--request', 'via multistream'])
      : cppPeer(['--no-inline-muxer', '--dial', ready.addrs[0], '--request', 'via multistream']))
    const reply = await dialer.waitEvent('reply')
    assert.equal(reply.data, 'via multistream')
  })
}

test('ipfs-accelerate ping prints one RTT per echo from a js peer', { timeout: TEST_TIMEOUT_MS }, async () => {
  const js = track(jsPeer())
  const ready = await js.waitEvent('ready')
  const result = await run(CLI, ['ping', ready.addrs[0], '-n', '3', '-i', '0.05'])
  assert.equal(result.code, 0, result.stderr)
  for (const seq of [1, 2, 3]) assert.match(result.stdout, new RegExp(`32 bytes from ${ready.peerId}: seq=${seq} time=[0-9.]+ ms`))
  assert.match(result.stdout, /3 packets transmitted, 3 received, 0% packet loss/)
  // A peer ID that is not the listener's fails the Noise identity check.
  const other = ready.addrs[0].replace(ready.peerId, '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')
  const wrong = await run(CLI, ['ping', other, '-n', '1'])
  assert.equal(wrong.code, 1)
  assert.match(wrong.stderr, /peer id/i)
})

test('pnet: the same swarm key connects both ways; another key or none fails cleanly', { timeout: TEST_TIMEOUT_MS }, async () => {
  const keyA = swarmKey('a.key')
  const keyB = swarmKey('b.key')

  const js = track(jsPeer(['--psk', keyA]))
  const jsReady = await js.waitEvent('ready')
  const good = track(cppPeer(['--psk', keyA, '--dial', jsReady.addrs[0], '--request', 'private hello']))
  const reply = await good.waitEvent('reply')
  assert.equal(reply.ok, 1)
  assert.equal(reply.data, 'private hello')

  // The bad dialers must fail: a short handshake deadline is the outcome we want from them, so a
  // slow machine only makes it come sooner.
  for (const args of [['--psk', keyB], []]) {
    const bad = track(cppPeer([...args, '--dial', jsReady.addrs[0], '--handshake-timeout-ms', '3000']))
    const error = await bad.waitEvent('error')
    assert.equal(error.where, 'dial')
    assert.equal(bad.events.filter((e) => e.event === 'connect').length, 0)
  }

  // The listener's deadline also applies to the good js peer's handshake, so it is not short.
  const cpp = track(cppPeer(['--psk', keyA]))
  const cppReady = await cpp.waitEvent('ready')
  const jsGood = track(jsPeer(['--psk', keyA, '--dial', cppReady.addrs[0], '--request', 'hi']))
  const jsReply = await jsGood.waitEvent('reply')
  assert.equal(jsReply.data, 'hi')
  for (const args of [['--psk', keyB], []]) {
    const jsBad = track(jsPeer([...args, '--dial', cppReady.addrs[0]]))
    await jsBad.waitEvent('error')
  }
  // The C++ node kept serving its good peer throughout.
  assert.ok(cpp.events.some((e) => e.event === 'connect' && e.peer === jsReady.peerId) || cpp.events.some((e) => e.event === 'identify'))
})

test('a peer sending garbage or stalling mid-handshake does not disturb other peers', { timeout: TEST_TIMEOUT_MS }, async () => {
  // The stalled connection must be dropped by the listener's handshake deadline, which also bounds
  // each step of the good js peer's handshake: 5 s is ample for a step on loopback even on a loaded
  // machine, and the test waits for the drop (at most 5 s after the stalled connect, overlapping
  // the js peer's start).
  const cpp = track(cppPeer(['--handshake-timeout-ms', '5000'], { LOG_LEVEL: 'info' }))
  const ready = await cpp.waitEvent('ready')
  const [, , host, , port] = ready.addrs[0].split('/')
  const sockets = []
  const garbage = net.connect(Number(port), host)
  garbage.on('error', () => {})
  garbage.resume()
  garbage.write(randomBytes(4096))
  sockets.push(garbage)
  const stalled = net.connect(Number(port), host)
  stalled.on('error', () => {})
  stalled.resume() // read (and drop) the listener's multistream header, so EOF is seen
  const stalledClosed = new Promise((resolve) => stalled.on('close', resolve))
  sockets.push(stalled)

  const js = track(jsPeer(['--dial', ready.addrs[0], '--request', 'still here']))
  const reply = await js.waitEvent('reply')
  assert.equal(reply.data, 'still here')
  await within(stalledClosed, 'close of the stalled connection') // the handshake deadline closed it
  await cpp.waitLog(/inbound connection from .* failed/)
  for (const s of sockets) s.destroy()
})
