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
import { jsPeer, cppPeer, run, CLI, stripP2p } from './harness.mjs'

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

test('C++ dials js: identify both ways, ping, 100 concurrent 1 MiB requests', { timeout: 120000 }, async () => {
  const js = track(jsPeer(['--timeout', '100']))
  const ready = await js.waitEvent('ready')
  const cpp = track(cppPeer(['--dial', ready.addrs[0], '--ping', '3', '--request-size', String(MiB), '--concurrency', '100', '--timeout', '100']))
  const cppReady = await cpp.waitEvent('ready')

  const ping = await cpp.waitEvent('ping', 20000)
  assert.equal(ping.peer, ready.peerId)
  assert.ok(ping.rtt_ms > 0 && ping.rtt_ms < 5000)

  // What we learned about js through identify.
  const theirs = await cpp.waitEvent('identify', 20000)
  assert.equal(theirs.peer, ready.peerId)
  assert.match(theirs.agent, /js-libp2p/)
  assert.equal(theirs.protocolVersion, 'ipfs/0.1.0')
  for (const p of ['/ipfs/id/1.0.0', '/ipfs/ping/1.0.0', ECHO]) assert.ok(theirs.protocols.includes(p), p)
  assert.ok(theirs.listenAddrs.includes(stripP2p(ready.addrs[0])), JSON.stringify(theirs.listenAddrs))

  // What js learned about us.
  const ours = await js.waitEvent('identify', 20000)
  assert.equal(ours.peer, cppReady.peerId)
  assert.equal(ours.agent, 'ipfs-accelerate/0.1.0')
  for (const p of ['/ipfs/id/1.0.0', '/ipfs/id/push/1.0.0', '/ipfs/ping/1.0.0', ECHO]) assert.ok(ours.protocols.includes(p), p)
  assert.ok(ours.listenAddrs.some((a) => stripP2p(a) === stripP2p(cppReady.addrs[0])), JSON.stringify(ours.listenAddrs))

  const reply = await cpp.waitEvent('reply', 90000)
  assert.equal(reply.total, 100)
  assert.equal(reply.ok, 100, JSON.stringify(reply))
  assert.equal(reply.bytes, MiB)
  assert.equal(js.events.filter((e) => e.event === 'request' && e.bytes === MiB).length, 100)
})

test('js dials C++: identify both ways, ping, 100 concurrent 1 MiB requests', { timeout: 120000 }, async () => {
  const cpp = track(cppPeer(['--timeout', '100']))
  const ready = await cpp.waitEvent('ready')
  const js = track(jsPeer(['--dial', ready.addrs[0], '--request-size', String(MiB), '--concurrency', '100', '--timeout', '100']))
  const jsReady = await js.waitEvent('ready')

  const ping = await js.waitEvent('ping', 20000)
  assert.equal(ping.peer, ready.peerId)

  const ours = await js.waitEvent('identify', 20000)
  assert.equal(ours.agent, 'ipfs-accelerate/0.1.0')
  assert.ok(ours.protocols.includes(ECHO))
  assert.ok(ours.listenAddrs.some((a) => stripP2p(a) === stripP2p(ready.addrs[0])))

  const theirs = await cpp.waitEvent('identify', 20000)
  assert.equal(theirs.peer, jsReady.peerId)
  assert.match(theirs.agent, /js-libp2p/)

  const reply = await js.waitEvent('reply', 90000)
  assert.equal(reply.ok, 100, JSON.stringify(reply))
  assert.equal(cpp.events.filter((e) => e.event === 'request' && e.bytes === MiB).length, 100)
})

for (const [who, listen] of [['js dials C++', 'cpp'], ['C++ dials js', 'js']]) {
  test(`${who} with the muxer negotiated by multistream (no Noise extension from us)`, { timeout: 60000 }, async () => {
    const listener = track(listen === 'cpp' ? cppPeer(['--no-inline-muxer', '--timeout', '50']) : jsPeer(['--timeout', '50']))
    const ready = await listener.waitEvent('ready')
    const dialer = track(listen === 'cpp'
      ? jsPeer(['--dial', ready.addrs[0], '--request', 'via multistream', '--timeout', '30'])
      : cppPeer(['--no-inline-muxer', '--dial', ready.addrs[0], '--request', 'via multistream', '--timeout', '30']))
    const reply = await dialer.waitEvent('reply', 20000)
    assert.equal(reply.data, 'via multistream')
  })
}

test('ipfs-accelerate ping prints one RTT per echo from a js peer', { timeout: 60000 }, async () => {
  const js = track(jsPeer(['--timeout', '50']))
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

test('pnet: the same swarm key connects both ways; another key or none fails cleanly', { timeout: 120000 }, async () => {
  const keyA = swarmKey('a.key')
  const keyB = swarmKey('b.key')

  const js = track(jsPeer(['--psk', keyA, '--timeout', '100']))
  const jsReady = await js.waitEvent('ready')
  const good = track(cppPeer(['--psk', keyA, '--dial', jsReady.addrs[0], '--request', 'private hello', '--timeout', '30']))
  const reply = await good.waitEvent('reply', 20000)
  assert.equal(reply.ok, 1)
  assert.equal(reply.data, 'private hello')

  for (const args of [['--psk', keyB], []]) {
    const bad = track(cppPeer([...args, '--dial', jsReady.addrs[0], '--handshake-timeout-ms', '3000', '--timeout', '30']))
    const error = await bad.waitEvent('error', 20000)
    assert.equal(error.where, 'dial')
    assert.equal(bad.events.filter((e) => e.event === 'connect').length, 0)
  }

  const cpp = track(cppPeer(['--psk', keyA, '--handshake-timeout-ms', '3000', '--timeout', '100']))
  const cppReady = await cpp.waitEvent('ready')
  const jsGood = track(jsPeer(['--psk', keyA, '--dial', cppReady.addrs[0], '--request', 'hi', '--timeout', '30']))
  const jsReply = await jsGood.waitEvent('reply', 20000)
  assert.equal(jsReply.data, 'hi')
  for (const args of [['--psk', keyB], []]) {
    const jsBad = track(jsPeer([...args, '--dial', cppReady.addrs[0], '--timeout', '30']))
    await jsBad.waitEvent('error', 20000)
  }
  // The C++ node kept serving its good peer throughout.
  assert.ok(cpp.events.some((e) => e.event === 'connect' && e.peer === jsReady.peerId) || cpp.events.some((e) => e.event === 'identify'))
})

test('a peer sending garbage or stalling mid-handshake does not disturb other peers', { timeout: 60000 }, async () => {
  const cpp = track(cppPeer(['--handshake-timeout-ms', '1000', '--timeout', '50'], { LOG_LEVEL: 'info' }))
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

  const js = track(jsPeer(['--dial', ready.addrs[0], '--request', 'still here', '--timeout', '30']))
  const reply = await js.waitEvent('reply', 20000)
  assert.equal(reply.data, 'still here')
  await stalledClosed // the handshake deadline closed the stalled connection
  await cpp.waitLog(/inbound connection from .* failed/)
  for (const s of sockets) s.destroy()
})
