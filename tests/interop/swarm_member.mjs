#!/usr/bin/env node
// A js-libp2p member of an ipfs-accelerate swarm, for tests/swarm/interop.test.mjs. It derives the
// swarm's pnet key and gossip topic from the secret itself (HKDF-SHA256, docs/wire/cache-protocol.md)
// so the test also checks our derivation against an independent one; prints every message on the
// topic (data in hex) and publishes the announcements the test asks for on stdin.
//
// usage: node swarm_member.mjs --secret S --dial MA [--timeout S]
// stdin:  {"invalidate": "<key prefix>"}
// events: ready {peerId, topic}; message {from, data (hex)}; published {recipients}; error {...}
import './polyfill.mjs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub } from '@libp2p/gossipsub'
import { preSharedKey } from '@libp2p/pnet'
import { multiaddr } from '@multiformats/multiaddr'
import { hkdfSync } from 'node:crypto'
import { createInterface } from 'node:readline'

const args = process.argv.slice(2)
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback }
const secret = opt('--secret')
const dial = opt('--dial')
const timeout = Number(opt('--timeout', '60'))
const say = (e) => process.stdout.write(JSON.stringify(e) + '\n')

const derive = (label, n) => Buffer.from(hkdfSync('sha256', Buffer.from(secret), Buffer.from('ipfs-accelerate/swarm/v1'), Buffer.from(label), n))
const pnetKey = derive('pnet key', 32)
const topic = '/ipfs-accelerate/cache/1/' + derive('swarm id', 16).toString('hex')
const psk = Buffer.from(`/key/swarm/psk/1.0.0/\n/base16/\n${pnetKey.toString('hex')}`)

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  connectionProtector: preSharedKey({ psk }),
  services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false }) }
})
const pubsub = node.services.pubsub
pubsub.subscribe(topic)
pubsub.addEventListener('message', (e) => {
  say({ event: 'message', from: e.detail.from?.toString(), data: Buffer.from(e.detail.data).toString('hex') })
})
pubsub.addEventListener('gossipsub:graft', () => say({ event: 'mesh', peers: pubsub.getMeshPeers(topic).map(String) }))
say({ event: 'ready', peerId: node.peerId.toString(), topic })
if (dial) {
  try { await node.dial(multiaddr(dial)) } catch (err) { say({ event: 'error', where: 'dial', message: err.message }) }
}

// Protobuf helpers for the announcement format (docs/wire/announcement.md).
const varint = (n) => { const out = []; let v = BigInt(n); do { let b = Number(v & 0x7fn); v >>= 7n; if (v) b |= 0x80; out.push(b) } while (v); return Buffer.from(out) }
const field = (num, type, payload) => Buffer.concat([varint((num << 3) | type), type === 2 ? varint(payload.length) : Buffer.alloc(0), payload])
const invalidation = (prefix) => Buffer.concat([
  field(1, 0, varint(1)), field(2, 0, varint(Date.now())), field(4, 2, field(1, 2, Buffer.from(prefix)))
])

createInterface({ input: process.stdin }).on('line', async (line) => {
  try {
    const cmd = JSON.parse(line)
    const result = await pubsub.publish(topic, invalidation(cmd.invalidate))
    say({ event: 'published', recipients: result.recipients.map(String) })
  } catch (err) {
    say({ event: 'error', where: 'publish', message: err.message })
  }
})
const stop = async () => { await node.stop(); process.exit() }
process.on('SIGTERM', stop)
setTimeout(stop, timeout * 1000)
