// A fleet of real `ipfs-accelerate serve` nodes on loopback, wired in a named topology, for the
// fleet benchmark (bench/fleet/run.mjs) and the fleet process tests (tests/swarm/fleet.test.mjs).
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { Node, until } from '../../tests/swarm/nodes.mjs'

// Who node k (k >= 1) bootstraps to, by topology. Node 0 bootstraps to nobody.
//   mesh  every earlier node
//   tree  node 0 and node floor(k/2): "the first node and one other", as CACHE_BOOTSTRAP_PEERS is
//         used in the seed guide
//   chain node k-1 only: the longest path, nobody but the neighbours connected
export const TOPOLOGIES = ['mesh', 'tree', 'chain']
export function bootstrapOf (topology, k) {
  if (k === 0) return []
  if (topology === 'mesh') return Array.from({ length: k }, (_, i) => i)
  if (topology === 'tree') return [...new Set([0, Math.floor(k / 2)])]
  if (topology === 'chain') return [k - 1]
  throw new Error(`unknown topology ${topology}`)
}

// Starts n nodes. tokens: 'shared' (every node the same GH_TOKEN) or 'each' (node k has its own,
// as Actions jobs have; the swarm secret is shared either way). ttlS: the TTL of every key.
export async function startFleet ({ n, topology = 'tree', tokens = 'shared', ttlS = 5, github, env = {} }) {
  const nodes = []
  for (let k = 0; k < n; k++) {
    const node = new Node(`n${k}`, { bootstrap: bootstrapOf(topology, k).map((i) => nodes[i].addr) })
    const ttlFile = path.join(node.home, 'ttl.conf')
    writeFileSync(ttlFile, `default = ${ttlS}\nworkflow_runs = ${ttlS}\n`)
    node.env = {
      GITHUB_API_URL: github.url,
      GH_TOKEN: tokens === 'each' ? `token-${k}` : 'token-shared',
      CACHE_TTL_FILE: ttlFile,
      ...env
    }
    nodes.push(await node.start())
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
