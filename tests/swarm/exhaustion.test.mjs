// Connection exhaustion on a running `serve` (issue 11 item 5): 1,000 HTTP clients that send half a
// request header and stall, and 500 sockets that trickle the libp2p handshake one byte at a time,
// all from this host and re-opened (a second after the node closes them) for as long as the test
// runs. Meanwhile a new HTTP client and a new peer get in, the peer already connected stays
// served, and a peer with another swarm key is turned away with the reason in the log. The node's
// WARN lines prove both listeners were at their limits. Latencies are printed, not asserted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { Node, startMesh, until } from './nodes.mjs'
import { STUCK_MS, stripP2p } from '../interop/harness.mjs'

const STALLED_HTTP = 1000
const TRICKLING_P2P = 500
const REOPEN_MS = 1000 // an attacker re-opening, paced so the test does not become a CPU benchmark
const TRICKLE_MS = 500 // one handshake byte this often: never idle long enough for a read deadline

// Keeps `count` sockets to host:port open, each re-opened REOPEN_MS after it closes, until
// stop(). `start(socket)` runs once a socket is connected. Opens in batches (each awaited) so
// this process never holds more sockets than the node has not yet closed.
function hold (host, port, count, start) {
  let stopped = false
  const live = new Set()
  const timers = new Set()
  const open = () => new Promise((resolve) => {
    const s = net.connect(port, host)
    live.add(s)
    s.on('error', () => {})
    s.on('connect', () => { start(s); resolve() })
    s.on('close', () => {
      live.delete(s)
      resolve()
      if (stopped) return
      const t = setTimeout(() => { timers.delete(t); if (!stopped) open() }, REOPEN_MS)
      timers.add(t)
    })
  })
  const opened = (async () => {
    for (let i = 0; i < count; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, count - i) }, open))
    }
  })()
  return {
    opened,
    stop () {
      stopped = true
      for (const t of timers) clearTimeout(t)
      for (const s of live) s.destroy()
    }
  }
}

const count = (text, pattern) => (text.match(new RegExp(pattern, 'g')) ?? []).length

test('1,000 stalled HTTP clients and 500 trickling handshakes at once: newcomers get in, connected peers stay, a wrong-key peer is turned away', { timeout: 10 * 60000 }, async () => {
  const env = { GITHUB_API_URL: 'http://127.0.0.1:9' } // never called: nothing here reads GitHub
  const [a, b] = await startMesh(2, env)
  const extra = []
  const pressure = []
  try {
    const http = new URL(a.url)
    const p2p = stripP2p(a.addr).match(/\/ip4\/([^/]+)\/tcp\/(\d+)/)

    pressure.push(hold(http.hostname, Number(http.port), STALLED_HTTP, (s) => {
      s.write('GET /api/mcp/cache/stats HTTP/1.1\r\nHost: stalled\r\n') // no blank line: never ends
    }))
    pressure.push(hold(p2p[1], Number(p2p[2]), TRICKLING_P2P, (s) => {
      // A private-network handshake opens with a 24-byte nonce: send it a byte at a time.
      let sent = 0
      const t = setInterval(() => {
        if (s.destroyed || sent === 24) { clearInterval(t); return }
        s.write(Buffer.from([sent++]))
      }, TRICKLE_MS)
      s.on('close', () => clearInterval(t))
    }))
    await Promise.all(pressure.map((p) => p.opened))
    // Both listeners reached their limits and said so (once per burst).
    await a.proc.waitLog(/http: \d+ connections open \(the limit\)/)
    await a.proc.waitLog(/inbound handshakes at the limit/)

    // A new HTTP client is served.
    let started = Date.now()
    const res = await fetch(`${a.url}/api/mcp/cache/stats`)
    assert.equal(res.status, 200)
    await res.json()
    console.log(`new HTTP client answered after ${Date.now() - started} ms`)

    // A new peer joins, and the peer already connected is still there and served.
    started = Date.now()
    const c = await new Node('newcomer', { env, bootstrap: [a.addr] }).start()
    extra.push(c)
    await until(async () => (await a.peers()).peers.some((p) => p.peer_id === c.peerId && p.agent),
      STUCK_MS, 'the new peer identified by the node under pressure')
    console.log(`new peer identified ${Date.now() - started} ms after its process started`)
    const seen = await a.peers()
    assert.ok(seen.peers.some((p) => p.peer_id === b.peerId), 'the connected peer was dropped')
    assert.ok((await b.peers()).peers.some((p) => p.peer_id === a.peerId))
    assert.equal((await b.stats()).p2p_enabled, true)

    // A peer with another swarm key is turned away, and the node's log says why.
    const before = count(a.proc.stderr, 'another swarm key')
    started = Date.now()
    const outsider = await new Node('outsider', {
      env: { ...env, CACHE_P2P_SHARED_SECRET: 'another secret entirely' },
      bootstrap: [a.addr]
    }).start()
    extra.push(outsider)
    await a.proc.waitLog(new RegExp(`(?:[\\s\\S]*another swarm key){${before + 1}}`))
    console.log(`wrong-key peer refused, reason logged ${Date.now() - started} ms after its process started`)
    assert.equal((await outsider.peers()).peer_count, 0)
    assert.ok(!(await a.peers()).peers.some((p) => p.peer_id === outsider.peerId))
  } finally {
    for (const p of pressure) p.stop()
    for (const n of [...extra, a, b]) await n.stop()
    for (const n of [...extra, a, b]) n.remove()
  }
})
