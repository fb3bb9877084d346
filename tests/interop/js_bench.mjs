#!/usr/bin/env node
// js-libp2p counterpart of p2p_bench (same protocols, same scenarios), for side-by-side figures.
// Lives beside peer.mjs so that it resolves the same pinned js-libp2p (npm ci in tests/interop).
//
// usage: node tests/interop/js_bench.mjs server              prints "ready <multiaddr> 0", serves until SIGTERM
//        node bench/js_bench.mjs client --server MA   runs the scenarios against MA (ours or js)
//        node bench/js_bench.mjs run                  spawns a js server and runs the client against it
// flags: --only warm|rps|bulk|conn  --bulk-mib N  --conn N  --warm N  --rps N
// Prints "result <name> <value>" lines with the names p2p_bench uses.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

import './polyfill.mjs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'

const ECHO = '/ipfs-accelerate/bench/echo/1.0.0'
const GET = '/ipfs-accelerate/bench/get/1.0.0'
const SINK = '/ipfs-accelerate/bench/sink/1.0.0'
const streamOpts = { maxInboundStreams: 1024, maxOutboundStreams: 1024 }

function parseArgs (argv) {
  const o = { mode: argv[0], bulkMib: 512, conn: 100, warm: 1000, rps: 5000, inFlight: 32, only: '' }
  for (let i = 1; i < argv.length; i++) {
    const flag = argv[i]
    const value = () => argv[++i]
    if (flag === '--server') o.server = value()
    else if (flag === '--only') o.only = value() ?? ''
    else if (flag === '--bulk-mib') o.bulkMib = Number(value())
    else if (flag === '--conn') o.conn = Number(value())
    else if (flag === '--warm') o.warm = Number(value())
    else if (flag === '--rps') o.rps = Number(value())
    else throw new Error(`unknown flag ${flag}`)
  }
  return o
}

const node = () => createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), ping: ping() },
  connectionManager: { maxConnections: 4096, maxIncomingPendingConnections: 256, inboundConnectionThreshold: 100000 }
})

async function readAll (stream) {
  const chunks = []
  for await (const chunk of stream) chunks.push(chunk.subarray())
  return Buffer.concat(chunks)
}

async function send (stream, data) {
  if (!stream.send(data)) await stream.onDrain()
}

async function server () {
  const n = await node()
  const blob = Buffer.alloc(64 * 1024 * 1024, 0x62)
  await n.handle(ECHO, async (stream) => {
    const body = await readAll(stream)
    await send(stream, body)
    await stream.close()
  }, streamOpts)
  await n.handle(GET, async (stream) => {
    const body = await readAll(stream)
    await send(stream, blob.subarray(0, body.readUInt32BE(0)))
    await stream.close()
  }, streamOpts)
  await n.handle(SINK, async (stream) => {
    let total = 0n
    for await (const chunk of stream) total += BigInt(chunk.byteLength)
    const reply = Buffer.alloc(8)
    reply.writeBigUInt64BE(total)
    await send(stream, reply)
    await stream.close()
  }, streamOpts)
  process.stdout.write(`ready ${n.getMultiaddrs()[0].toString()} 0\n`)
  const stop = async () => { await n.stop(); process.exit() }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.round(p / 100 * (s.length - 1)))] : 0
}
const now = () => Number(process.hrtime.bigint()) / 1e3 // microseconds
const result = (name, value) => process.stdout.write(`result ${name} ${value.toFixed(3)}\n`)

function getRequest (size, replySize) {
  const b = Buffer.alloc(size, 0x61)
  b.writeUInt32BE(replySize, 0)
  return b
}

async function request (connection, protocol, payload) {
  const stream = await connection.newStream(protocol, streamOpts)
  await send(stream, payload)
  await stream.close()
  return readAll(stream)
}

async function client (o) {
  const n = await node()
  const ma = multiaddr(o.server)
  const want = (name) => o.only === '' || o.only === name
  const req = getRequest(100, 4096)
  if (want('warm') || want('rps') || want('bulk')) {
    const c = await n.dial(ma)
    await new Promise((resolve) => setTimeout(resolve, 200))
    if (want('warm')) {
      const lat = []
      for (let i = 0; i < o.warm + 100; i++) {
        const t0 = now()
        const reply = await request(c, GET, req)
        if (reply.length !== 4096) throw new Error('bad reply')
        if (i >= 100) lat.push(now() - t0)
      }
      result('warm_p50_us', percentile(lat, 50))
      result('warm_p99_us', percentile(lat, 99))
    }
    if (want('rps')) {
      const run = async (total) => {
        let next = 0
        let ok = 0
        const worker = async () => {
          while (next++ < total) if ((await request(c, GET, req)).length === 4096) ok++
        }
        await Promise.all(Array.from({ length: o.inFlight }, worker))
        return ok
      }
      await run(500)
      const t0 = now()
      const ok = await run(o.rps)
      result('rps', ok / ((now() - t0) / 1e6))
    }
    if (want('bulk')) {
      const stream = await c.newStream(SINK, streamOpts)
      const chunk = Buffer.alloc(1024 * 1024, 0x63)
      const t0 = now()
      for (let i = 0; i < o.bulkMib; i++) await send(stream, chunk)
      await stream.close()
      await readAll(stream)
      result('bulk_gbps', o.bulkMib * 1024 * 1024 * 8 / ((now() - t0) / 1e6) / 1e9)
    }
    await c.close()
  }
  if (want('conn')) {
    const lat = []
    const one = Buffer.from([0x31])
    for (let i = 0; i < o.conn + 5; i++) {
      const t0 = now()
      const c = await n.dial(ma)
      const reply = await request(c, ECHO, one)
      if (reply.length !== 1) throw new Error('bad echo')
      if (i >= 5) lat.push((now() - t0) / 1000)
      await c.close()
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    result('conn_p50_ms', percentile(lat, 50))
    result('conn_p90_ms', percentile(lat, 90))
  }
  await n.stop()
}

const o = parseArgs(process.argv.slice(2))
if (o.mode === 'server') {
  await server()
} else if (o.mode === 'client') {
  await client(o)
  process.exit(0)
} else if (o.mode === 'run') {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'server'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const ready = await new Promise((resolve) => lines.once('line', resolve))
  o.server = ready.split(' ')[1]
  try {
    await client(o)
  } finally {
    child.kill('SIGTERM')
  }
  process.exit(0)
} else {
  console.error('usage: tests/interop/js_bench.mjs server | client --server MA | run')
  process.exit(2)
}
