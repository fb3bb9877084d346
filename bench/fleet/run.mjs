// The fleet benchmark (issue 12): N `serve` nodes on loopback in a topology, one runner per node
// polling the same workflow-runs list through its node's proxy once a second, a GitHub stand-in
// whose list changes every --change-s and whose ETags depend on the token. Prints upstream calls
// beside the ideal (one per TTL per key), the per-node TTL cache (the original's behaviour) and no
// cache, as ratios, and p50/p99 of the runners' requests.
//
//   IPFSA_BUILD=build/release node bench/fleet/run.mjs [--n 20] [--topology tree|mesh|chain]
//       [--tokens shared|each] [--duration-s 60] [--ttl-s 5] [--change-s 15]
//       [--churn-per-min 0]   (kill -9 and restart that many nodes per minute, never node 0)
import { parseArgs } from 'node:util'
import { startStandin } from './github_standin.mjs'
import { startFleet, stopFleet, waitMembers, TOPOLOGIES } from './fleet.mjs'
import { Node } from '../../tests/swarm/nodes.mjs'

const { values: o } = parseArgs({
  options: {
    n: { type: 'string', default: '20' },
    topology: { type: 'string', default: 'tree' },
    tokens: { type: 'string', default: 'shared' },
    'duration-s': { type: 'string', default: '60' },
    'ttl-s': { type: 'string', default: '5' },
    'change-s': { type: 'string', default: '15' },
    'churn-per-min': { type: 'string', default: '0' }
  }
})
const n = Number(o.n)
const durationS = Number(o['duration-s'])
const ttlS = Number(o['ttl-s'])
const churn = Number(o['churn-per-min'])
if (!TOPOLOGIES.includes(o.topology)) throw new Error(`--topology: one of ${TOPOLOGIES}`)

const TARGET = '/repos/fleet/bench/actions/runs'
const github = await startStandin({ changeMs: Number(o['change-s']) * 1000, latencyMs: 20 })
let nodes = []
const latencies = []
let failures = 0
let requests = 0
let restarts = 0
try {
  nodes = await startFleet({ n, topology: o.topology, tokens: o.tokens, ttlS, github })
  await waitMembers(nodes)
  const end = Date.now() + durationS * 1000
  const runner = async (k) => {
    while (Date.now() < end) {
      const tick = Date.now()
      const node = nodes[k]
      if (node.down) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        continue
      }
      requests++
      try {
        const r = await node.get(TARGET)
        await r.arrayBuffer()
        if (r.status !== 200) failures++
      } catch {
        if (!node.down) failures++ // a runner whose own node is being restarted waits for it
      }
      latencies.push(Date.now() - tick)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - tick))))
    }
  }
  const churner = async () => {
    if (churn <= 0) return
    const every = 60000 / churn
    let next = 1
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, every))
      if (Date.now() >= end) break
      const k = 1 + (next++ % (n - 1))
      const old = nodes[k]
      old.down = true
      old.kill('SIGKILL')
      await old.proc.exited
      const again = new Node(`n${k}r`, { home: old.home, env: old.env, bootstrap: old.bootstrap })
      nodes[k] = await again.start()
      restarts++
    }
  }
  await Promise.all([...nodes.map((_, k) => runner(k)), churner()])
} finally {
  await stopFleet(nodes)
  await github.close()
}

latencies.sort((a, b) => a - b)
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
const calls = github.total()
const ideal = Math.ceil(durationS / ttlS) + 1 // one per TTL, plus the first
const perNode = n * ideal
const noCache = requests
const tokens = new Set(github.calls.map((c) => c.token)).size
console.log(`fleet: n=${n} topology=${o.topology} tokens=${o.tokens} duration=${durationS}s ttl=${ttlS}s change=${o['change-s']}s churn=${churn}/min (restarts ${restarts})`)
console.log(`upstream calls       ${calls}  (200: ${github.full()}, 304: ${github.notModified()}, charged to ${tokens} token(s))`)
console.log(`ideal (1 per TTL)    ${ideal}   ratio ${(calls / ideal).toFixed(2)}x`)
console.log(`per-node TTL cache   ${perNode}   ours/that ${(calls / perNode).toFixed(3)}`)
console.log(`no cache             ${noCache}   ours/that ${(calls / noCache).toFixed(4)}`)
console.log(`runner requests      ${requests}, failed ${failures}; p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`)
