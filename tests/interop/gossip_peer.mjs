#!/usr/bin/env node
// A js-libp2p gossipsub peer (@libp2p/gossipsub 17.1.1, StrictSign, defaults otherwise) for
// tests/interop/gossip.test.mjs: subscribes to one topic, prints JSON lines, publishes every
// line read from stdin.
//
// usage: node gossip_peer.mjs [--listen MA] [--dial MA]... [--topic T] [--psk FILE] [--seed HEX32]
//                             [--timeout S]
// events: ready {peerId, addrs}; mesh {topic, peers} (on GRAFT/PRUNE); message {topic, from,
//         data, seqno, signature, key} (hex fields: the raw signed message, for test vectors);
//         published {recipients}; error {where, message}
import './polyfill.mjs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub } from '@libp2p/gossipsub'
import { preSharedKey } from '@libp2p/pnet'
import { generateKeyPairFromSeed, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

function parseArgs (argv) {
  const opts = { listen: '/ip4/127.0.0.1/tcp/0', dial: [], topic: 'ipfs-accelerate/test', timeout: 60 }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = () => argv[++i]
    if (flag === '--listen') opts.listen = value()
    else if (flag === '--dial') opts.dial.push(value())
    else if (flag === '--topic') opts.topic = value()
    else if (flag === '--psk') opts.psk = value()
    else if (flag === '--seed') opts.seed = value()
    else if (flag === '--timeout') opts.timeout = Number(value())
    else throw new Error(`unknown flag ${flag}`)
  }
  return opts
}

const say = (event) => process.stdout.write(JSON.stringify(event) + '\n')
const hex = (bytes) => bytes == null ? undefined : Buffer.from(bytes).toString('hex')
const opts = parseArgs(process.argv.slice(2))

const config = {
  addresses: { listen: [opts.listen] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false })
  }
}
if (opts.seed) config.privateKey = await generateKeyPairFromSeed('Ed25519', Buffer.from(opts.seed, 'hex'))
if (opts.psk) config.connectionProtector = preSharedKey({ psk: readFileSync(opts.psk) })

const node = await createLibp2p(config)
const pubsub = node.services.pubsub
const topic = opts.topic

pubsub.subscribe(topic)
pubsub.addEventListener('message', (e) => {
  const m = e.detail
  say({
    event: 'message',
    topic: m.topic,
    from: m.from?.toString(),
    data: Buffer.from(m.data).toString(),
    seqno: m.sequenceNumber?.toString(16).padStart(16, '0'),
    signature: hex(m.signature),
    key: m.key == null ? undefined : hex(publicKeyToProtobuf(m.key))
  })
})
const sayMesh = () => say({ event: 'mesh', topic, peers: pubsub.getMeshPeers(topic) })
pubsub.addEventListener('gossipsub:graft', sayMesh)
pubsub.addEventListener('gossipsub:prune', sayMesh)

say({ event: 'ready', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(String) })

for (const address of opts.dial) {
  try {
    await node.dial(multiaddr(address))
  } catch (err) {
    say({ event: 'error', where: 'dial', address, message: err.message })
  }
}

createInterface({ input: process.stdin }).on('line', async (line) => {
  try {
    const result = await pubsub.publish(topic, Buffer.from(line))
    say({ event: 'published', data: line, recipients: result.recipients.map(String) })
  } catch (err) {
    say({ event: 'error', where: 'publish', message: err.message })
  }
})

const stop = async () => { await node.stop(); process.exit() }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
setTimeout(stop, opts.timeout * 1000)
