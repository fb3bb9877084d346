// A js-libp2p node that knows only the swarm secret joins our swarm: it derives the same pnet key
// and topic, receives our announcements and we act on its messages (issue 4, Tests: Interop).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Peer, PEER_LIFETIME_S } from '../interop/harness.mjs'
import { startFixtures, TOKEN, ACCEPT } from '../cli/fixtures.mjs'
import { Node, SECRET, until } from './nodes.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const MEMBER = path.resolve(here, '../interop/swarm_member.mjs')
const REPO = '/repos/octokit-fixture-org/hello-world'

// Reads the announcement protobuf far enough to check an entry announcement's origin.
function entryOrigin (hex) {
  const b = Buffer.from(hex, 'hex')
  const fields = (buf) => {
    const out = []
    let i = 0
    const varint = () => { let v = 0n; let s = 0n; for (;;) { const c = buf[i++]; v |= BigInt(c & 0x7f) << s; s += 7n; if (!(c & 0x80)) return v } }
    while (i < buf.length) {
      const tag = Number(varint())
      if ((tag & 7) === 0) out.push([tag >> 3, varint()])
      else { const n = Number(varint()); out.push([tag >> 3, buf.subarray(i, i + n)]); i += n }
    }
    return out
  }
  const entry = fields(b).find(([n]) => n === 3)
  if (!entry) return null
  const origin = fields(entry[1]).find(([n]) => n === 7)
  return origin ? origin[1].toString() : null
}

test('js-libp2p with the swarm secret receives our announcements and its invalidation empties our cache', async () => {
  const fixtures = await startFixtures()
  const apiUrl = await fixtures.load('get-repository')
  const node = new Node('ours', { env: { GITHUB_API_URL: apiUrl, GH_TOKEN: TOKEN } })
  let js
  try {
    await node.start()
    js = new Peer('js', process.execPath, [MEMBER, '--secret', SECRET, '--dial', node.addr, '--timeout', String(PEER_LIFETIME_S)], { stdio: ['pipe', 'pipe', 'pipe'] })
    await js.waitEvent('ready')
    // Gossip meshes form at the heartbeat: wait until js has grafted us.
    await js.waitFor((e) => e.event === 'mesh' && e.peers.includes(node.peerId), undefined, 'js mesh with our node')
    const r = await node.get(REPO, { headers: { accept: ACCEPT } })
    assert.equal(r.status, 200)
    const message = await js.waitFor((e) => e.event === 'message' && entryOrigin(e.data) === node.peerId, undefined, 'our entry announcement')
    assert.equal(message.from, node.peerId, 'signed by its origin')
    assert.equal((await node.stats()).total_entries, 1)

    const api = new URL(apiUrl)
    const host = `${api.host}${api.pathname}`.replace(/\/$/, '')
    js.child.stdin.write(JSON.stringify({ invalidate: `GET ${host}/repos/octokit-fixture-org` }) + '\n')
    await until(async () => (await node.stats()).total_entries === 0, undefined, 'our cache to drop the invalidated entry')
    await until(async () => (await node.peers()).announcements_received >= 1, undefined, 'the status to count the announcement')
  } finally {
    if (js) await js.stop()
    await node.stop()
    node.remove()
    fixtures.stop()
  }
})
