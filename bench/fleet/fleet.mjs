// A fleet of real `ipfs-accelerate serve` nodes on loopback, wired in a named topology, for the
// fleet benchmark (bench/fleet/run.mjs) and the fleet process tests (tests/swarm/fleet.test.mjs).
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { Node, until } from '../../tests/swarm/nodes.mjs'

// Who node k (k >= 1) bootstraps to, by topology. Node 0 bootstraps to nobody.
//   mesh     every earlier node
//   tree     node 0 and node floor(k/2): "the first node and one other", as CACHE_BOOTSTRAP_PEERS
//            is used in the seed guide
//   chain    node k-1 only: the longest path, nobody but the neighbours connected
//   registry nobody: the nodes find each other only through the GitHub-issue peer registry
//            (`registry`: a tests/swarm/stub_github.mjs the GitHub stand-in passes issues calls to)
//   mdns     nobody: the nodes find each other only by mDNS, so the caller runs inside a network
//            namespace of its own (bench/fleet/run.mjs enters one)
export const TOPOLOGIES = ['mesh', 'tree', 'chain', 'registry', 'mdns']
export const REGISTRY_REPO = 'fleet/registry'
export function bootstrapOf (topology, k) {
  if (k === 0 || topology === 'registry' || topology === 'mdns') return []
  if (topology === 'mesh') return Array.from({ length: k }, (_, i) => i)
  if (topology === 'tree') return [...new Set([0, Math.floor(k / 2)])]
  if (topology === 'chain') return [k - 1]
  throw new Error(`unknown topology ${topology}`)
}

// Starts n nodes. tokens: 'shared' (every node the same GH_TOKEN) or 'each' (node k has its own,
// as Actions jobs have; the swarm secret is shared either way). ttlS: the TTL of every key.
// registry: the stub_github instance holding the registry issue (topology 'registry' only).
export async function startFleet ({ n, topology = 'tree', tokens = 'shared', ttlS = 5, github, registry, env = {} }) {
  if (topology === 'registry' && !registry) throw new Error('the registry topology needs a registry stand-in')
  const nodes = []
  for (let k = 0; k < n; k++) {
    const node = new Node(`n${k}`, { bootstrap: bootstrapOf(topology, k).map((i) => nodes[i].addr) })
    const ttlFile = path.join(node.home, 'ttl.conf')
    writeFileSync(ttlFile, `default = ${ttlS}\nworkflow_runs = ${ttlS}\n`)
    node.env = {
      GITHUB_API_URL: github.url,
      GH_TOKEN: tokens === 'each' ? `token-${k}` : 'token-shared',
      CACHE_TTL_FILE: ttlFile,
      ...(topology === 'registry' ? { IPFS_ACCELERATE_GITHUB_REPO: REGISTRY_REPO, RUNNER_NAME: `fleet-${k}` } : {}),
      ...(topology === 'mdns' ? { CACHE_MDNS: 'true' } : {}),
      ...env
    }
    nodes.push(await node.start())
    // A node reads the registry once at start (then every 5 min): start the next one when this
    // one's comment is in the issue, so that each node finds all the earlier ones.
    if (topology === 'registry') {
      await until(() => registry.issues(REGISTRY_REPO).some((issue) =>
        registry.comments(REGISTRY_REPO, issue.number).some((c) => c.body.includes(`p2p-peer-registry:fleet-${k} `))),
      undefined, `n${k}'s registry comment`)
    }
  }
  return nodes
}

// Waits until every node counts every other as a member (the membership converged).
export async function waitMembers (nodes, want = nodes.length, timeoutMs) {
  await until(async () => {
    for (const node of nodes) {
      const p = await node.peers()
      if (p.swarm_members !== want) return false
    }
    return true
  }, timeoutMs, `${want} members on every node`)
}

export async function stopFleet (nodes) {
  for (const n of nodes) await n.stop().catch(() => {})
  for (const n of nodes) n.remove()
}

// Sum of a numeric field of /api/mcp/cache/stats over the nodes.
export async function sumStats (nodes, field) {
  let total = 0
  for (const n of nodes) total += (await n.stats())[field]
  return total
}
