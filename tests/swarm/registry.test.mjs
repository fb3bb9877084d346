// The GitHub-issue peer registry with real processes (docs/registry.md): `ipfs-accelerate serve`
// nodes with one swarm secret, no bootstrap peers and mDNS off, whose only way to find each other
// is the `p2p-peer-registry` issue in the in-memory GitHub of stub_github.mjs.
//
// The heartbeat runs at start and then every 5 min (not configurable), so within a test each
// node beats once: a node finds the nodes that wrote their comment before it started, and they
// learn of it when it dials them. Each node is therefore started once the previous one's comment
// is in the issue.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { freePort, STUCK_MS } from '../interop/harness.mjs'
import { Node, waitMesh, until } from './nodes.mjs'
import { startStubGitHub } from './stub_github.mjs'

const REPO = 'octo/fleet'
const TOKEN = 'stub-token'
const BOT = 'fleet-bot' // the login the stub gives the nodes' tokens (usersFor)
const TITLE = 'p2p-peer-registry'
// The body the original (and we) give the issue we create.
const ISSUE_BODY = 'This issue is used as an automated peer registry for IPFS Accelerate P2P cache sharing.\n\n' +
  'Each peer writes/updates a single comment containing its current peer info.\n'
// Bounds for the waits below: a node's first heartbeat is three HTTP calls to a local stub; a
// dial and identify on loopback take well under a second even under ASan. The deadlines only
// fire when something is stuck (STUCK_MS: an ASan build on a loaded core).
const BEAT_TIMEOUT_MS = STUCK_MS
const MESH_TIMEOUT_MS = STUCK_MS
// How long the racing nodes get to settle on one issue and connect: when the node that moved read
// the issue's comments before the creator wrote its own, they meet at the follow-up beat
// (kFirstFollowUp 30 s + 20 % jitter), a wall-clock wait of the node's own; then as for the others.
const CONVERGE_TIMEOUT_MS = 36000 + STUCK_MS
// How long to wait for a log line that should not come (a second 'heartbeat failed'). Proving a
// negative, so short on purpose: a slow machine can only make the test pass more easily (a late
// second line is missed), never fail it wrongly.
const LOG_SETTLE_MS = 300
// The wait after a failed heartbeat (kMinBackoff), less 1 s for the two clocks.
const MIN_BACKOFF_MS = 29000

const marker = (runner) => `<!-- p2p-peer-registry:${runner} -->`

// A registry comment as the original writes it: marker line, ```json block, trailing newline.
function parseComment (body) {
  const m = /^<!-- p2p-peer-registry:(.+) -->\n```json\n([\s\S]*)\n```\n$/.exec(body)
  assert.ok(m, `not a registry comment: ${JSON.stringify(body)}`)
  return { runner: m[1], record: JSON.parse(m[2]) }
}

// Each runner its own token (one login for all, `users`), so the stub's records say which node
// sent what: a node's follow-up beat (30 s after its first success, 20 % jitter) may interleave
// with another node's first beat when the machine is slow.
const tokenFor = (runner) => `${TOKEN}-${runner}`
const usersFor = (runners) => Object.fromEntries(runners.map((r) => [tokenFor(r), BOT]))
// The earliest a follow-up beat can start after a first success (30 s less 20 %), less 1 s.
const FOLLOW_UP_MIN_MS = 23000

function registryEnv (github, runner, extra = {}) {
  return { GITHUB_API_URL: github.url, GH_TOKEN: tokenFor(runner), IPFS_ACCELERATE_GITHUB_REPO: REPO, RUNNER_NAME: runner, ...extra }
}

const byRunner = (requests, runner) => requests.filter((r) => r.headers.authorization === `token ${tokenFor(runner)}`)
const writesComment = (r) => r.method !== 'GET' && /\/comments(\/\d+)?$/.test(r.path)

// One heartbeat of `runner` among `requests`: its requests up to its comment write. Anything it sent
// after that must be a later beat, which cannot start before FOLLOW_UP_MIN_MS.
function beatOf (requests, runner) {
  const mine = byRunner(requests, runner)
  const end = mine.findIndex(writesComment)
  assert.ok(end >= 0, `${runner} wrote no comment: ${JSON.stringify(summary(mine))}`)
  for (const r of mine.slice(end + 1)) {
    assert.ok(r.at - mine[end].at >= FOLLOW_UP_MIN_MS, `${runner}: ${r.method} ${r.path} ${r.at - mine[end].at} ms after its beat`)
  }
  return mine.slice(0, end + 1)
}

// Whether `runner` has begun a heartbeat after its first (only on a slow machine, within a test).
const beatAgain = (requests, runner) => byRunner(requests, runner).length > beatOf(requests, runner).length

// The comments of `runner` on issue `number`.
const commentsBy = (github, number, runner) =>
  github.comments(REPO, number).filter((c) => c.body.trimStart().startsWith(marker(runner)))

// Starts a node (added to `nodes` first, so it is stopped even if the wait fails) and waits until
// its comment is on issue `number`.
async function startRegistered (nodes, github, number, name, env) {
  const node = new Node(name, { env })
  nodes.push(node)
  await node.start()
  await until(() => commentsBy(github, number, env.RUNNER_NAME).length > 0, BEAT_TIMEOUT_MS, `${name}'s registry comment`)
  return node
}

// An Ed25519 libp2p peer ID ("12D3KooW..."): base58btc of the identity multihash of the
// protobuf-encoded public key.
function randomPeerId () {
  const der = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' })
  const bytes = Buffer.concat([Buffer.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]), der.subarray(der.length - 32)])
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
  let n = BigInt('0x' + bytes.toString('hex'))
  let out = ''
  while (n > 0n) { out = alphabet[Number(n % 58n)] + out; n /= 58n }
  for (const b of bytes) { if (b !== 0) break; out = '1' + out }
  return out
}

function outsiderBody (runner, record) {
  return `${marker(runner)}\n\`\`\`json\n${JSON.stringify(record, null, 2)}\n\`\`\`\n`
}

// Stops every node, removes their directories and closes the stub, then reports the first
// failure to stop (a sanitizer report: the binaries run under ASan+UBSan).
async function cleanUp (nodes, github) {
  const errors = []
  for (const n of nodes) await n.stop().catch((e) => errors.push(e))
  for (const n of nodes) n.remove()
  await github.close()
  if (errors.length) throw errors[0]
}

const summary = (requests) => requests.map((r) => `${r.method} ${r.path} ${r.status}`)

test('3 nodes find each other only through the registry issue; a restarted node updates its comment and reconnects', async () => {
  const started = Date.now()
  const runners = ['ci-runner-a', 'ci-runner-b', 'ci-runner-c']
  const github = await startStubGitHub({ repos: [REPO], users: usersFor(runners) })
  const nodes = []
  try {
    for (const [i, runner] of runners.entries()) {
      // The third node names the repository the way GitHub Actions does.
      const env = i === 2
        ? registryEnv(github, runner, { IPFS_ACCELERATE_GITHUB_REPO: '', GITHUB_REPOSITORY: REPO })
        : registryEnv(github, runner)
      await startRegistered(nodes, github, 1, `reg${i}`, env)
    }

    // One issue, created by the first node, with the original's title and body.
    const issues = github.issues(REPO)
    assert.equal(issues.length, 1, `issues: ${issues.map((x) => x.title)}`)
    assert.equal(issues[0].title, TITLE)
    assert.equal(issues[0].body, ISSUE_BODY)
    assert.equal(issues[0].user, BOT)
    assert.equal(issues[0].state, 'open')

    // Three requests per node on its first beat (docs/registry.md, "Quota per node"); the first
    // creates the issue, lists again (for a racer's lower issue) and skips reading its (empty)
    // comment list.
    const comments = '/repos/octo/fleet/issues/1/comments'
    assert.deepEqual(runners.flatMap((r) => summary(beatOf(github.requests, r))), [
      'GET /repos/octo/fleet/issues 200', 'POST /repos/octo/fleet/issues 201',
      'GET /repos/octo/fleet/issues 200', `POST ${comments} 201`,
      'GET /repos/octo/fleet/issues 200', `GET ${comments} 200`, `POST ${comments} 201`,
      'GET /repos/octo/fleet/issues 200', `GET ${comments} 200`, `POST ${comments} 201`
    ])
    for (const r of github.requests) {
      assert.ok(runners.some((runner) => r.headers.authorization === `token ${tokenFor(runner)}`), `${r.method} ${r.path} carries a node's token`)
      if (r.method === 'GET') {
        assert.deepEqual(r.query, r.path.endsWith('/issues') ? { state: 'open', per_page: '100' } : { per_page: '100' })
      } else {
        assert.match(r.headers['content-type'], /^application\/json/)
      }
    }

    // One comment per node, in the original's format, saying how to reach it.
    assert.equal(github.comments(REPO, 1).length, 3)
    for (const [i, node] of nodes.entries()) {
      const mine = commentsBy(github, 1, runners[i])
      assert.equal(mine.length, 1, `${runners[i]} wrote one comment`)
      assert.equal(mine[0].user, BOT)
      const { runner, record } = parseComment(mine[0].body)
      assert.equal(runner, runners[i])
      assert.deepEqual(Object.keys(record), [...Object.keys(record)].sort(), 'keys sorted like json.dumps(sort_keys=True)')
      assert.equal(record.runner_name, runners[i])
      assert.equal(record.peer_id, node.peerId)
      assert.equal(record.multiaddr, node.addr, 'the dialable address the node listens on')
      assert.equal(record.listen_port, Number(/\/tcp\/(\d+)\//.exec(node.addr)[1]))
      assert.equal(record.public_ip, null)
      assert.match(record.metadata.agent, /^ipfs-accelerate\//)
      assert.match(record.last_seen, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/)
      // Written during this test (whole seconds at least: 1 s of slack below), by the same clock:
      // a wrong zone or unit is hours or decades off, however slow the machine.
      const seenAt = Date.parse(record.last_seen)
      assert.ok(seenAt >= started - 1000 && seenAt <= Date.now(), `last_seen ${record.last_seen} is during the test`)
    }

    // Everyone connected: each node dialled the ones listed before it, the others dialled it.
    await waitMesh(nodes, MESH_TIMEOUT_MS)
    for (const [i, node] of nodes.entries()) {
      const view = await node.peers()
      // A slow run may have reached the node's follow-up beat, which reads every comment.
      const again = beatAgain(github.requests, runners[i])
      assert.equal(view.peer_count, 2, `${node.name} peers`)
      for (const [j, other] of nodes.entries()) {
        if (j === i) continue
        const peer = view.peers.find((p) => p.peer_id === other.peerId)
        assert.equal(peer.found_by, j < i ? 'registry' : 'inbound', `${node.name} found ${other.name}`)
        if (j < i || !again) assert.equal(peer.runner_name, j < i ? runners[j] : '', 'runner names come from the registry comments read')
        else assert.ok(['', runners[j]].includes(peer.runner_name), 'runner names come from the registry comments read')
      }
      // The registry view is the node's one heartbeat: the nodes that had written before it (or,
      // once it beat again, all the others).
      const listed = view.registry_peers.map((r) => [r.runner_name, r.peer_id, r.multiaddr, r.connected])
      const entries = (k) => nodes.slice(0, k).map((n, j) => [runners[j], n.peerId, n.addr, true])
      const first = entries(i).sort()
      const all = entries(nodes.length).filter((e) => e[0] !== runners[i]).sort()
      if (!again) assert.deepEqual(listed.sort(), first)
      else assert.ok([first, all].some((e) => JSON.stringify(e) === JSON.stringify(listed.sort())), JSON.stringify(listed))
      assert.equal(view.registry_peer_count, listed.length)
      assert.equal(view.registry_repo, REPO)
      assert.equal(view.registry_error, '')
    }
    await nodes[2].proc.waitLog(/Connected to 2 peer\(s\)/)
    assert.doesNotMatch(nodes.map((n) => n.proc.stderr).join(''), /heartbeat failed/)

    // Restart the first node with its state directory and runner name: same peer ID, a new port.
    const [first] = nodes
    const comment = commentsBy(github, 1, runners[0])[0]
    const before = parseComment(comment.body).record
    await first.stop()
    const seen = github.requests.length
    nodes[0] = new Node('reg0-again', { home: first.home, env: registryEnv(github, runners[0]) })
    await nodes[0].start()
    assert.equal(nodes[0].peerId, first.peerId)
    assert.notEqual(nodes[0].addr, first.addr)
    // Its comment write answered (the stub records a request on arrival, its status once answered).
    await until(() => byRunner(github.requests.slice(seen), runners[0]).some((r) => writesComment(r) && r.status !== 0), BEAT_TIMEOUT_MS, 'the restarted node\'s heartbeat')
    assert.deepEqual(summary(beatOf(github.requests.slice(seen), runners[0])), [
      'GET /repos/octo/fleet/issues 200', `GET ${comments} 200`,
      `PATCH /repos/octo/fleet/issues/comments/${comment.id} 200`
    ])
    assert.equal(github.comments(REPO, 1).length, 3, 'no second comment')
    const after = parseComment(commentsBy(github, 1, runners[0])[0].body).record
    assert.equal(after.multiaddr, nodes[0].addr, 'the comment now has the new address')
    assert.equal(after.peer_id, before.peer_id)
    assert.ok(Date.parse(after.last_seen) > Date.parse(before.last_seen))
    await waitMesh(nodes, MESH_TIMEOUT_MS)
    const view = await nodes[0].peers()
    assert.deepEqual(view.peers.map((p) => p.found_by), ['registry', 'registry'])
    // The others had dialled the old one (or it them); this time it came to them.
    for (const other of nodes.slice(1)) {
      const seenBy = (await other.peers()).peers.find((p) => p.peer_id === nodes[0].peerId)
      assert.equal(seenBy?.found_by, 'inbound', `${other.name} sees the restarted node as inbound`)
    }
    assert.deepEqual(view.registry_peers.map((r) => r.runner_name).sort(), runners.slice(1))
    assert.equal(github.issues(REPO).length, 1)
  } finally {
    await cleanUp(nodes, github)
  }
})

test('registry comments that do not parse or cannot be dialled are skipped; the others still connect', async () => {
  const runners = ['ci-runner-x', 'ci-runner-y']
  const github = await startStubGitHub({ repos: [REPO], users: usersFor(runners) })
  const nodes = []
  try {
    // Issues that are not the registry: another title, a closed one and a pull request with the
    // registry's title. Then two open registry issues (a past race): the lowest number wins.
    github.addIssue(REPO, { title: 'Flaky test on main' })
    github.addIssue(REPO, { title: TITLE, state: 'closed' })
    github.addIssue(REPO, { title: TITLE, pullRequest: true })
    const registry = github.addIssue(REPO, { title: TITLE, body: ISSUE_BODY }).number
    const duplicate = github.addIssue(REPO, { title: TITLE, body: ISSUE_BODY }).number
    const now = new Date().toISOString().replace('Z', '+00:00')
    const deadId = randomPeerId()
    const deadAddr = `/ip4/127.0.0.1/tcp/${await freePort()}/p2p/${deadId}`
    const record = (runner, peerId, multiaddr) =>
      ({ last_seen: now, listen_port: 4001, metadata: {}, multiaddr, peer_id: peerId, public_ip: null, runner_name: runner })
    const outsiders = [
      github.addComment(REPO, registry, { body: 'What is this issue for?', user: 'curious' }),
      github.addComment(REPO, registry, { body: `${marker('mallory')}\n\`\`\`json\n{"peer_id": "12D3KooW, "multiaddr": [}\n\`\`\`\n`, user: 'mallory' }),
      github.addComment(REPO, registry, { body: outsiderBody('mallory-2', record('mallory-2', randomPeerId(), '/ip4/300.1.2.3/tcp/99999')), user: 'mallory' }),
      github.addComment(REPO, registry, { body: outsiderBody('mallory-3', record('mallory-3', 'not-a-peer-id', '/ip4/127.0.0.1/tcp/4001')), user: 'mallory' }),
      // A /p2p/ naming another peer than peer_id: dropped.
      github.addComment(REPO, registry, { body: outsiderBody('mallory-4', record('mallory-4', randomPeerId(), deadAddr)), user: 'mallory' }),
      // Well-formed, but nobody listens there: listed, dialled, never connected.
      github.addComment(REPO, registry, { body: outsiderBody('gone', record('gone', deadId, deadAddr)), user: 'someone' })
    ]
    // A peer on the duplicate issue: nobody should read it.
    const strayId = randomPeerId()
    github.addComment(REPO, duplicate, { body: outsiderBody('stray', record('stray', strayId, `/ip4/127.0.0.1/tcp/4001/p2p/${strayId}`)) })
    const seeded = outsiders.map((c) => c.body)

    for (const [i, runner] of runners.entries()) {
      await startRegistered(nodes, github, registry, `out${i}`, registryEnv(github, runner))
    }
    await waitMesh(nodes, MESH_TIMEOUT_MS)

    assert.equal(github.issues(REPO).length, 5, 'no issue created')
    assert.ok(!github.requests.some((r) => r.method === 'POST' && r.path.endsWith('/issues')))
    const writes = (requests) => summary(requests.filter((r) => r.method !== 'GET'))
    assert.deepEqual(runners.flatMap((r) => writes(beatOf(github.requests, r))), [
      `POST /repos/octo/fleet/issues/${registry}/comments 201`, `POST /repos/octo/fleet/issues/${registry}/comments 201`
    ], 'the nodes wrote their own comments on the lowest open registry issue')
    // ...and touched nothing else (a later beat, on a slow machine, only updates its own comment).
    const own = new Set(github.comments(REPO, registry).filter((c) => c.user === BOT).map((c) => c.id))
    for (const r of github.requests.filter((x) => x.method !== 'GET' && !x.path.endsWith(`/issues/${registry}/comments`))) {
      const id = /^\/repos\/octo\/fleet\/issues\/comments\/(\d+)$/.exec(r.path)?.[1]
      assert.ok(r.method === 'PATCH' && own.has(Number(id)), `${r.method} ${r.path}: only a node's own comment is updated`)
    }
    assert.equal(github.requests.filter((x) => x.method === 'POST').length, 2, 'one comment per node')
    assert.deepEqual(github.comments(REPO, registry).slice(0, outsiders.length).map((c) => c.body), seeded)
    assert.equal(github.comments(REPO, duplicate).length, 1)

    const [x, y] = nodes
    const yView = await y.peers()
    assert.equal(yView.peer_count, 1)
    assert.equal(yView.peers[0].peer_id, x.peerId)
    assert.equal(yView.peers[0].found_by, 'registry')
    const listed = (view) => view.registry_peers.map((r) => `${r.runner_name} ${r.peer_id} ${r.connected}`).sort()
    assert.deepEqual(listed(yView), [`${runners[0]} ${x.peerId} true`, `gone ${deadId} false`])
    const xView = await x.peers()
    assert.equal(xView.peer_count, 1)
    // x beat before y wrote its comment; a follow-up beat (only in a slow run) also lists y.
    if (!beatAgain(github.requests, runners[0])) assert.deepEqual(listed(xView), [`gone ${deadId} false`])
    else assert.ok([[`gone ${deadId} false`], [`${runners[1]} ${y.peerId} true`, `gone ${deadId} false`].sort()].some((e) => JSON.stringify(e) === JSON.stringify(listed(xView))), JSON.stringify(listed(xView)))
    assert.doesNotMatch(nodes.map((n) => n.proc.stderr).join(''), /heartbeat failed/)
  } finally {
    await cleanUp(nodes, github)
  }
})

test('a node whose registry repository is missing, or whose GitHub is unreachable, keeps serving and says why', async () => {
  const github = await startStubGitHub({ repos: [REPO] })
  const nodes = []
  try {
    const closed = `http://127.0.0.1:${await freePort()}`
    const missing = new Node('missing', { env: registryEnv(github, 'ci-runner-m', { IPFS_ACCELERATE_GITHUB_REPO: 'octo/missing' }) })
    const unreachable = new Node('unreachable', { env: registryEnv(github, 'ci-runner-u', { GITHUB_API_URL: closed }) })
    nodes.push(missing, unreachable)
    await Promise.all(nodes.map((n) => n.start()))
    // The reason says what to check: the repository and token, or the API URL.
    const notFound = /GET \/repos\/octo\/missing\/issues\S*: HTTP 404 \(no repository octo\/missing, or the token cannot see it/
    const cannotReach = new RegExp(`GET /repos/octo/fleet/issues\\S*: .*\\(cannot reach ${closed.replace(/[.]/g, '\\.')};`)
    await missing.proc.waitLog(new RegExp('registry: heartbeat failed: ' + notFound.source), BEAT_TIMEOUT_MS)
    await unreachable.proc.waitLog(new RegExp('registry: heartbeat failed: ' + cannotReach.source), BEAT_TIMEOUT_MS)
    // ...and so does the peers view (the dashboard and get_peer_status), refreshed every second.
    await until(async () => notFound.test((await missing.peers()).registry_error), STUCK_MS, 'registry_error of the missing repository')
    await until(async () => cannotReach.test((await unreachable.peers()).registry_error), STUCK_MS, 'registry_error of the unreachable GitHub')
    assert.equal((await missing.peers()).registry_repo, 'octo/missing')
    assert.equal((await unreachable.peers()).registry_repo, REPO)
    // No issue is created in a repository that answered 404; the next try is after the back-off
    // (kMinBackoff, 30 s, no jitter): one request until then, however long this test took.
    assert.ok(github.requests.length >= 1)
    const first = github.requests[0].at
    assert.deepEqual(summary(github.requests.filter((r) => r.at < first + MIN_BACKOFF_MS)), ['GET /repos/octo/missing/issues 404'])
    assert.deepEqual([...new Set(summary(github.requests))], ['GET /repos/octo/missing/issues 404'])
    assert.equal(github.issues(REPO).length, 0)
    for (const node of nodes) {
      const view = await node.peers()
      assert.equal(view.active, true)
      assert.equal(view.status, 'active')
      assert.equal(view.registry_peer_count, 0)
      const page = await fetch(node.url + '/')
      assert.equal(page.status, 200, `${node.name} dashboard`)
      await page.arrayBuffer()
      assert.equal(node.proc.child.exitCode, null, `${node.name} still runs`)
    }
  } finally {
    await cleanUp(nodes, github)
  }
})

// Two nodes that list the issues before either has created one both create an issue (unavoidable
// without a lock on GitHub's side). Issue numbers follow creation order, so the one with the higher
// number sees the lower one when it lists again right after creating, and moves there in the same
// beat (it used to wait for the next beat, 5 min away, leaving the fleet split). They connect at
// once, or at the follow-up beat when the mover read the issue's comments before the creator wrote
// its own. The stub's barrier forces the race.
test('two nodes racing on a fresh repository settle on one issue and connect', async () => {
  const github = await startStubGitHub({ repos: [REPO] })
  const nodes = []
  try {
    github.barrier((r) => r.method === 'GET' && r.path === '/repos/octo/fleet/issues', 2)
    nodes.push(...['ci-runner-p', 'ci-runner-q'].map((runner, i) => new Node(`race${i}`, { env: registryEnv(github, runner) })))
    await Promise.all(nodes.map((n) => n.start()))
    await until(() => github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/comments')).length === 2,
      BEAT_TIMEOUT_MS, 'both comments')
    assert.equal(github.issues(REPO).length, 2, 'the barrier made both nodes create an issue')
    await until(async () => {
      const open = github.issues(REPO).filter((i) => i.state === 'open')
      const lowest = Math.min(...open.map((i) => i.number))
      return ['ci-runner-p', 'ci-runner-q'].every((r) => commentsBy(github, lowest, r).length === 1) &&
        (await nodes[0].peers()).peer_count === 1
    }, CONVERGE_TIMEOUT_MS, 'both nodes on the lowest registry issue, connected').catch((e) => {
      e.message += `\nrequests: ${JSON.stringify(summary(github.requests))}\n` +
        nodes.map((n) => `${n.name}: ${n.proc.stderr}`).join('\n')
      throw e
    })
  } finally {
    await cleanUp(nodes, github)
  }
})

// A failed heartbeat is logged once: RegistryService logs the first failure in a row as a warning
// (later ones at debug); SwarmNode used to log each one again.
test('a failed heartbeat is logged once', async () => {
  const github = await startStubGitHub({ repos: [REPO] })
  const node = new Node('missing-once', { env: registryEnv(github, 'ci-runner-o', { IPFS_ACCELERATE_GITHUB_REPO: 'octo/missing' }) })
  try {
    await node.start()
    await node.proc.waitLog(/heartbeat failed/, BEAT_TIMEOUT_MS)
    // Both log lines come from one failure within microseconds: give a second one time to show.
    await until(() => github.requests.length === 1, BEAT_TIMEOUT_MS, 'the one request')
    await new Promise((resolve) => setTimeout(resolve, LOG_SETTLE_MS))
    assert.equal(node.proc.stderr.match(/heartbeat failed/g).length, 1, node.proc.stderr)
  } finally {
    await cleanUp([node], github)
  }
})
