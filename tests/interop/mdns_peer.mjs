#!/usr/bin/env node
// A js-libp2p node with @libp2p/mdns (12.0.32, multicast-dns on 224.0.0.251:5353) for the mDNS
// interop test. It does not dial what it discovers: it only reports it.
// Prints one JSON object per line: {"event":"ready","peerId":...,"addrs":[...]} first, then
// {"event":"discovery","peer":...,"addrs":[...]} for every mDNS 'peer' event.
//
// usage: node mdns_peer.mjs [--listen MA] [--seed HEX32] [--interval MS] [--timeout S]
import './polyfill.mjs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { mdns } from '@libp2p/mdns'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'

const opts = { listen: '/ip4/127.0.0.1/tcp/0', interval: 1000, timeout: 60 }
const argv = process.argv.slice(2)
for (let i = 0; i < argv.length; i++) {
  const flag = argv[i]
  const value = () => argv[++i]
  if (flag === '--listen') opts.listen = value()
  else if (flag === '--seed') opts.seed = value()
  else if (flag === '--interval') opts.interval = Number(value())
  else if (flag === '--timeout') opts.timeout = Number(value())
  else throw new Error(`unknown flag ${flag}`)
}

const say = (event) => process.stdout.write(JSON.stringify(event) + '\n')
const config = {
  addresses: { listen: [opts.listen] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  peerDiscovery: [mdns({ interval: opts.interval })]
}
if (opts.seed) config.privateKey = await generateKeyPairFromSeed('Ed25519', Buffer.from(opts.seed, 'hex'))
const node = await createLibp2p(config)
node.addEventListener('peer:discovery', (e) => {
  say({ event: 'discovery', peer: e.detail.id.toString(), addrs: e.detail.multiaddrs.map(String) })
})
say({ event: 'ready', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(String) })

const stop = async () => { await node.stop(); process.exit() }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
setTimeout(stop, opts.timeout * 1000)
