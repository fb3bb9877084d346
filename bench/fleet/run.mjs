// The fleet benchmark (issue 12): N `serve` nodes on loopback in a topology, one runner per node
// polling the same workflow-runs lists (--keys of them) through its node's proxy once a second, a
// GitHub stand-in whose lists change every --change-s and whose ETags depend on the token. Prints
// upstream calls beside the ideal (one per TTL per key), the per-node TTL cache (the original's
// behaviour) and no cache, as ratios, the 200s a 304 could have saved, and p50/p99 of the runners'
// requests.
//
//   IPFSA_BUILD=build/release node bench/fleet/run.mjs [--n 20]
//       [--topology tree|mesh|chain|registry|mdns] [--tokens shared|each] [--keys 1]
//       [--duration-s 60] [--ttl-s 5] [--change-s 15]
//       [--churn-per-min 0]   (kill -9 and restart that many nodes per minute, never node 0)
//       [--churn-target any|owners]   (owners: the node that last called GitHub for a key, found
//                                      by its token: needs --tokens each)
//       [--calls]   (also print every upstream call: time, path, token, status, list version)
// The mdns topology runs the whole benchmark inside a network namespace of its own (unshare -n,
// loopback only, multicast on): needs root.
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { startStandin } from './github_standin.mjs'
import { startFleet, stopFleet, waitMembers, TOPOLOGIES, REGISTRY_REPO } from './fleet.mjs'
import { Node } from '../../tests/swarm/nodes.mjs'
import { startStubGitHub } from '../../tests/swarm/stub_github.mjs'

const { values: o } = parseArgs({
  options: {
    n: { type: 'string', default: '20' },
    topology: { type: 'string', default: 'tree' },
    tokens: { type: 'string', default: 'shared' },
    'duration-s': { type: 'string', default: '60' },
    'ttl-s': { type: 'string', default: '5' },
    'change-s': { type: 'string', default: '15' },
    'churn-per-min': { type: 'string', default: '0' },
    'churn-target': { type: 'string', default: 'any' },
    keys: { type: 'string', default: '1' },
    calls: { type: 'boolean', default: false }
  }
})
const n = Number(o.n)
const durationS = Number(o['duration-s'])
const ttlS = Number(o['ttl-s'])
const churn = Number(o['churn-per-min'])
const keys = Number(o.keys)
if (!TOPOLOGIES.includes(o.topology)) throw new Error(`--topology: one of ${TOPOLOGIES}`)
if (!['any', 'owners'].includes(o['churn-target'])) throw new Error('--churn-target: any or owners')
if (o['churn-target'] === 'owners' && o.tokens !== 'each') throw new Error('--churn-target owners needs --tokens each')

if (o.topology === 'mdns' && !process.env.IPFSA_FLEET_NETNS) {
  // Our own network namespace: nothing leaks to or from the machine's network, and every node's
  // multicast reaches every other on lo.
  const inner = spawnSync('unshare', ['-n', 'sh', '-c',
    'ip link set lo up && ip link set lo multicast on && exec "$0" "$@"', process.execPath, ...process.argv.slice(1)],
  { stdio: 'inherit', env: { ...process.env, IPFSA_FLEET_NETNS: '1' } })
  if (inner.error) throw new Error(`unshare -n: ${inner.error.message} (the mdns topology needs root)`)
  process.exit(inner.status ?? 1)
}

const TARGETS = Array.from({ length: keys }, (_, i) => `/repos/fleet/bench${keys > 1 ? i : ''}/actions/runs`)
const registry = o.topology === 'registry' ? await startStubGitHub({ repos: [REGISTRY_REPO] }) : null
const github = await startStandin({ changeMs: Number(o['change-s']) * 1000, latencyMs: 20, registry: registry?.url })
let nodes = []
let started = Date.now()
const latencies = []
let failures = 0
let requests = 0
const restarted = []
const events = [] // restarts, for --calls
const SWARM_FIELDS = ['requests_forwarded', 'owners_unreachable', 'on_demand_dials', 'pulled_from_owner',
  'pulled_from_successor', 'taken_back', 'fetched_for_peers']
const swarm = {}
const memberCounts = []
try {
  nodes = await startFleet({ n, topology: o.topology, tokens: o.tokens, ttlS, github, registry })
  await waitMembers(nodes)
  const end = Date.now() + durationS * 1000
  const ask = async (node, target) => {
    const tick = Date.now()
    requests++
    try {
      const r = await node.get(target)
      await r.arrayBuffer()
      if (r.status !== 200) failures++
    } catch {
      if (!node.down) failures++ // a runner whose own node is being restarted waits for it
    }
    latencies.push(Date.now() - tick)
  }
  const runner = async (k) => {
    while (Date.now() < end) {
      const tick = Date.now()
      const node = nodes[k]
      if (node.down) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        continue
      }
      await Promise.all(TARGETS.map((t) => ask(node, t)))
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - tick))))
    }
  }
  // The node to restart next: in turn, or the one whose token last called GitHub for a key (that
  // key's owner), keys in turn; node 0 never (it is everyone's bootstrap).
  let next = 1
  let nextKey = 0
  const victim = () => {
    if (o['churn-target'] === 'owners') {
      for (let tries = 0; tries < keys; tries++) {
        const target = TARGETS[nextKey++ % keys]
        const last = github.calls.findLast((c) => c.path === target && c.status !== 403)
        const k = last ? Number(last.token.replace('token-', '')) : 0
        if (k > 0 && !nodes[k].down) return k
      }
    }
    return 1 + (next++ % (n - 1))
  }
  const churner = async () => {
    if (churn <= 0) return
    const every = 60000 / churn
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, every))
      if (Date.now() >= end) break
      const k = victim()
      const old = nodes[k]
      old.down = true
      old.kill('SIGKILL')
      await old.proc.exited
      const again = new Node(`n${k}r`, { home: old.home, env: old.env, bootstrap: old.bootstrap })
      nodes[k] = await again.start()
      restarted.push(k)
      events.push({ at: Date.now(), what: `restarted n${k}` })
    }
  }
  started = Date.now()
  await Promise.all([...nodes.map((_, k) => runner(k)), churner()])
  // How the members' pulls went (GET /api/mcp/peers), summed over the fleet: where calls beyond
  // the ideal came from.
  const views = await Promise.all(nodes.map((node) => node.peers().catch(() => null)))
  for (const v of views.filter(Boolean)) {
    for (const f of SWARM_FIELDS) swarm[f] = (swarm[f] ?? 0) + v[f]
    memberCounts.push(v.swarm_members)
  }
} finally {
  await stopFleet(nodes)
  await github.close()
  await registry?.close()
}

latencies.sort((a, b) => a - b)
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
const calls = github.total()
// One call per TTL per key: the first request of the run makes one, and one more each time the
// entry expires while runners poll (the expiry of the last call may fall after the run's end).
const ideal = keys * Math.ceil(durationS / ttlS)
const perNode = n * ideal
const noCache = requests
const tokens = new Set(github.calls.map((c) => c.token)).size
console.log(`fleet: n=${n} topology=${o.topology} tokens=${o.tokens} keys=${keys} duration=${durationS}s ttl=${ttlS}s change=${o['change-s']}s churn=${churn}/min target=${o['churn-target']} (restarted: ${restarted.length ? restarted.map((k) => `n${k}`).join(' ') : 'none'})`)
console.log(`upstream calls       ${calls}  (200: ${github.full()}, 304: ${github.notModified()}, charged to ${tokens} token(s))`)
console.log(`ideal (1 per TTL)    ${ideal}   ratio ${(calls / ideal).toFixed(2)}x`)
console.log(`per-node TTL cache   ${perNode}   ours/that ${(calls / perNode).toFixed(3)}`)
console.log(`no cache             ${noCache}   ours/that ${(calls / noCache).toFixed(4)}`)
console.log(`200s a 304 could have saved (a second 200 for one version of a list): ${github.extraFull()}`)
console.log(`runner requests      ${requests}, failed ${failures}; p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`)
console.log(`swarm (summed)       ${SWARM_FIELDS.map((f) => `${f} ${swarm[f] ?? '-'}`).join(', ')}; members seen ${Math.min(...memberCounts)}..${Math.max(...memberCounts)}`)
if (o.calls) {
  const lines = [...github.calls.map((c) => ({ at: c.at, what: `${c.path} ${c.token} ${c.status} v${c.version ?? '-'}` })), ...events]
  for (const l of lines.sort((a, b) => a.at - b.at)) console.log(`  ${((l.at - started) / 1000).toFixed(1).padStart(6)} s  ${l.what}`)
}
