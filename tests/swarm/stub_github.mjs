// A GitHub stand-in for the swarm tests, any number of calls (the recorded fixtures answer each
// request once).
//
// - Any GET under /repos/ that is not an issues route (below) gets a small JSON body ({path}), an
//   ETag and 304s, and is counted per path in `calls`: for tests that must survive repeated
//   upstream calls by design (nodes dying mid-traffic).
// - An in-memory issues API for the peer registry (src/discovery/registry/registry.cpp), as GitHub
//   answers it, for the repositories in `repos` (others answer 404 like a missing or private one):
//     GET    /repos/{o}/{r}/issues?state=&per_page=&page=     newest first, pull requests included
//     POST   /repos/{o}/{r}/issues                            {"title", "body"} -> 201
//     GET    /repos/{o}/{r}/issues/{n}
//     GET    /repos/{o}/{r}/issues/{n}/comments?per_page=&page=   oldest first
//     POST   /repos/{o}/{r}/issues/{n}/comments               {"body"} -> 201
//     PATCH  /repos/{o}/{r}/issues/comments/{id}              {"body"} -> 200
//     DELETE /repos/{o}/{r}/issues/comments/{id}              -> 204
//   Lists are paginated like GitHub (per_page default 30, at most 100; Link rel="next"/"last"/
//   "first"/"prev" as absolute /repositories/{id}/... URLs, which are served too) and carry a weak
//   ETag of their body: a matching If-None-Match answers 304 without a body and without spending
//   quota. Inputs are checked like GitHub: a body that is not JSON is 400, a JSON body that is not
//   an object or lacks a string title/body is 422, an unknown issue or comment 404, a write without
//   Authorization 401. Every issues-API call is recorded in `requests` ({method, path, query,
//   headers, body, status, at}: `at` is Date.now() on arrival).
import { createHash } from 'node:crypto'
import http from 'node:http'
import { STUCK_MS } from '../interop/harness.mjs'

const DOCS = 'https://docs.github.com/rest'
// GitHub's page size bounds for list endpoints.
const DEFAULT_PER_PAGE = 30
const MAX_PER_PAGE = 100
// GitHub refuses issue and comment bodies above this many characters.
const MAX_BODY_CHARS = 65536
// The quota every token starts with (x-ratelimit-limit for an authenticated "core" client).
const QUOTA = 5000
// Request bodies above this are refused before parsing (no test sends anything near it).
const MAX_REQUEST_BYTES = 1024 * 1024

export async function startStubGitHub ({ latencyMs = 30, repos = [], users = {} } = {}) {
  const calls = new Map()
  const requests = []
  const store = new Map() // "owner/name" -> { id, fullName, issues: Map(number -> issue) }
  const comments = new Map() // comment id -> { repo, number, comment }
  const quota = new Map() // token -> requests spent
  const barriers = []
  let nextRepoId = 700001
  let nextIssueId = 5000001
  let nextCommentId = 1500000001 // GitHub's comment ids are large: above 2^31 is fine too
  let base = ''

  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')

  function addRepo (fullName) {
    if (!store.has(fullName)) store.set(fullName, { id: nextRepoId++, fullName, issues: new Map() })
    return store.get(fullName)
  }
  for (const r of repos) addRepo(r)

  function repoOf (fullName) {
    const repo = store.get(fullName)
    if (!repo) throw new Error(`stub: no repository ${fullName}`)
    return repo
  }

  function issueJson (repo, issue) {
    const url = `${base}/repos/${repo.fullName}/issues/${issue.number}`
    const out = {
      url,
      repository_url: `${base}/repos/${repo.fullName}`,
      comments_url: `${url}/comments`,
      html_url: `https://github.com/${repo.fullName}/issues/${issue.number}`,
      id: issue.id,
      node_id: `I_${issue.id}`,
      number: issue.number,
      title: issue.title,
      user: { login: issue.user, id: 1, type: 'User' },
      labels: [],
      state: issue.state,
      locked: false,
      comments: issue.comments.length,
      created_at: issue.created_at,
      updated_at: issue.updated_at,
      closed_at: issue.state === 'closed' ? issue.updated_at : null,
      author_association: 'OWNER',
      body: issue.body
    }
    if (issue.pull_request) out.pull_request = { url: `${base}/repos/${repo.fullName}/pulls/${issue.number}` }
    return out
  }

  function commentJson (repo, number, c) {
    return {
      url: `${base}/repos/${repo.fullName}/issues/comments/${c.id}`,
      html_url: `https://github.com/${repo.fullName}/issues/${number}#issuecomment-${c.id}`,
      issue_url: `${base}/repos/${repo.fullName}/issues/${number}`,
      id: c.id,
      node_id: `IC_${c.id}`,
      user: { login: c.user, id: 2, type: c.user.endsWith('[bot]') ? 'Bot' : 'User' },
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: 'NONE',
      body: c.body
    }
  }

  // Direct access for tests: seed the store and read it back.
  function addIssue (fullName, { title, body = '', state = 'open', user = 'someone', pullRequest = false }) {
    const repo = repoOf(fullName)
    const number = repo.issues.size + 1
    const t = now()
    const issue = { id: nextIssueId++, number, title, body, state, user, pull_request: pullRequest, comments: [], created_at: t, updated_at: t }
    repo.issues.set(number, issue)
    return issue
  }

  function addComment (fullName, number, { body, user = 'someone' }) {
    const repo = repoOf(fullName)
    const issue = repo.issues.get(number)
    if (!issue) throw new Error(`stub: no issue ${fullName}#${number}`)
    const t = now()
    const c = { id: nextCommentId++, body, user, created_at: t, updated_at: t }
    issue.comments.push(c)
    issue.updated_at = t
    comments.set(c.id, { repo, number, comment: c })
    return c
  }

  const issuesOf = (fullName) => [...repoOf(fullName).issues.values()]
  const commentsOf = (fullName, number) => repoOf(fullName).issues.get(number)?.comments ?? []

  // Holds requests that match `match(record)` until `count` of them are waiting (or `timeoutMs`
  // passed), then lets them all go: makes races between nodes happen on purpose. The timeout is
  // only a way out when the others never come (a slow start must not undo the race).
  function barrier (match, count, timeoutMs = STUCK_MS) {
    const b = { match, count, waiting: [], released: false }
    b.timer = setTimeout(() => release(b), timeoutMs)
    barriers.push(b)
    return b
  }
  function release (b) {
    if (b.released) return
    b.released = true
    clearTimeout(b.timer)
    for (const go of b.waiting) go()
  }
  function hold (record) {
    const b = barriers.find((x) => !x.released && x.match(record))
    if (!b) return Promise.resolve()
    return new Promise((resolve) => {
      b.waiting.push(resolve)
      if (b.waiting.length >= b.count) release(b)
    })
  }

  function tokenOf (req) {
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')
    return m ? m[1] : null
  }

  function rateHeaders (token, spend) {
    const key = token ?? '(anonymous)'
    const limit = token ? QUOTA : 60
    if (spend) quota.set(key, (quota.get(key) ?? 0) + 1)
    const used = quota.get(key) ?? 0
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - used)),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': String(used),
      'x-ratelimit-resource': 'core'
    }
  }

  // One issues-API request: returns { status, body?, headers? } (body: a JSON value).
  function route (method, repo, rest, query, body, token, bodyError) {
    const notFound = { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } }
    if (!repo) return notFound
    const write = method !== 'GET'
    if (write && !token) {
      return { status: 401, body: { message: 'Requires authentication', documentation_url: DOCS, status: '401' } }
    }
    if (write && method !== 'DELETE') {
      if (bodyError) return { status: 400, body: { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' } }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        return invalid(`${JSON.stringify(body)} is not an object.`)
      }
    }
    const user = users[token] ?? 'stub-user'
    let m
    if (rest === '/issues') {
      if (method === 'GET') {
        const state = query.get('state') ?? 'open'
        if (!['open', 'closed', 'all'].includes(state)) return invalid(`${JSON.stringify(state)} is not a member of ["open", "closed", "all"].`)
        const items = [...repo.issues.values()]
          .filter((i) => state === 'all' || i.state === state)
          .sort((a, b) => b.number - a.number) // sort=created, direction=desc
          .map((i) => issueJson(repo, i))
        return page(repo, '/issues', query, items)
      }
      if (method === 'POST') {
        if (typeof body.title !== 'string' || body.title === '') return invalid('"title" wasn\'t supplied.')
        if (body.body !== undefined && body.body !== null && typeof body.body !== 'string') return invalid('For \'properties/body\', is not a string.')
        if ((body.body ?? '').length > MAX_BODY_CHARS) return invalid(`body is too long (maximum is ${MAX_BODY_CHARS} characters)`)
        const issue = addIssue(repo.fullName, { title: body.title, body: body.body ?? '', user })
        const json = issueJson(repo, issue)
        return { status: 201, body: json, headers: { location: json.url } }
      }
      return notFound
    }
    if ((m = /^\/issues\/(\d+)$/.exec(rest)) && method === 'GET') {
      const issue = repo.issues.get(Number(m[1]))
      return issue ? { status: 200, body: issueJson(repo, issue) } : notFound
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const number = Number(m[1])
      const issue = repo.issues.get(number)
      if (!issue) return notFound
      if (method === 'GET') {
        return page(repo, `/issues/${number}/comments`, query, issue.comments.map((c) => commentJson(repo, number, c)))
      }
      if (method === 'POST') {
        const bad = checkCommentBody(body)
        if (bad) return bad
        const c = addComment(repo.fullName, number, { body: body.body, user })
        const json = commentJson(repo, number, c)
        return { status: 201, body: json, headers: { location: json.url } }
      }
      return notFound
    }
    if ((m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const found = comments.get(Number(m[1]))
      if (!found || found.repo !== repo) return notFound
      if (method === 'GET') return { status: 200, body: commentJson(repo, found.number, found.comment) }
      if (method === 'PATCH') {
        const bad = checkCommentBody(body)
        if (bad) return bad
        found.comment.body = body.body
        found.comment.updated_at = now()
        return { status: 200, body: commentJson(repo, found.number, found.comment) }
      }
      if (method === 'DELETE') {
        const issue = repo.issues.get(found.number)
        issue.comments = issue.comments.filter((c) => c !== found.comment)
        comments.delete(found.comment.id)
        return { status: 204 }
      }
    }
    return notFound
  }

  function invalid (detail) {
    return { status: 422, body: { message: `Invalid request.\n\n${detail}`, documentation_url: DOCS, status: '422' } }
  }

  function checkCommentBody (body) {
    if (typeof body.body !== 'string' || body.body === '') return invalid('"body" wasn\'t supplied.')
    if (body.body.length > MAX_BODY_CHARS) return invalid(`body is too long (maximum is ${MAX_BODY_CHARS} characters)`)
    return null
  }

  function page (repo, suffix, query, items) {
    const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Number(query.get('per_page')) || DEFAULT_PER_PAGE))
    const number = Math.max(1, Number(query.get('page')) || 1)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const link = (p) => {
      const q = new URLSearchParams(query)
      q.set('page', String(p))
      return `<${base}/repositories/${repo.id}${suffix}?${q}>`
    }
    const rels = []
    if (number > 1) rels.push(`${link(number - 1)}; rel="prev"`)
    if (number < last) rels.push(`${link(number + 1)}; rel="next"`, `${link(last)}; rel="last"`)
    if (number > 1) rels.push(`${link(1)}; rel="first"`)
    return {
      status: 200,
      body: items.slice((number - 1) * perPage, number * perPage),
      headers: rels.length ? { link: rels.join(', ') } : {}
    }
  }

  // The repository and the rest of the path of an issues route, or null for other paths.
  function issuesRoute (pathname) {
    let m = /^\/repos\/([^/]+)\/([^/]+)(\/issues(?:\/.*)?)$/.exec(pathname)
    if (m) return { repo: store.get(`${m[1]}/${m[2]}`), rest: m[3] }
    m = /^\/repositories\/(\d+)(\/issues(?:\/.*)?)$/.exec(pathname)
    if (m) return { repo: [...store.values()].find((r) => r.id === Number(m[1])), rest: m[2] }
    return null
  }

  async function serveIssues (req, res, url, target) {
    const chunks = []
    let size = 0
    for await (const chunk of req) {
      size += chunk.length
      if (size > MAX_REQUEST_BYTES) break
      chunks.push(chunk)
    }
    const raw = Buffer.concat(chunks).toString('utf8')
    let body = null
    let bodyError = false
    if (raw !== '') {
      try { body = JSON.parse(raw) } catch { bodyError = true }
    } else {
      bodyError = size > 0
    }
    if (size > MAX_REQUEST_BYTES) bodyError = true
    const record = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: {
        authorization: req.headers.authorization,
        'if-none-match': req.headers['if-none-match'],
        'content-type': req.headers['content-type'],
        accept: req.headers.accept,
        'user-agent': req.headers['user-agent']
      },
      body: bodyError ? raw : body,
      status: 0,
      at: Date.now()
    }
    requests.push(record)
    await hold(record)
    await new Promise((resolve) => setTimeout(resolve, latencyMs))
    const token = tokenOf(req)
    const answer = route(req.method, target.repo, target.rest, url.searchParams, body, token, bodyError)
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body)
    const headers = { ...answer.headers }
    if (answer.status === 200 && req.method === 'GET') {
      headers.etag = `W/"${createHash('sha256').update(text).digest('hex')}"`
      if (req.headers['if-none-match'] === headers.etag) {
        record.status = 304
        res.writeHead(304, { ...headers, ...rateHeaders(token, false) })
        res.end()
        return
      }
    }
    record.status = answer.status
    if (text) headers['content-type'] = 'application/json; charset=utf-8'
    res.writeHead(answer.status, { ...headers, ...rateHeaders(token, true) })
    res.end(text)
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
    const target = issuesRoute(url.pathname)
    if (target) {
      serveIssues(req, res, url, target).catch((e) => {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ message: String(e) }))
      })
      return
    }
    calls.set(url.pathname, (calls.get(url.pathname) ?? 0) + 1)
    const etag = `"${Buffer.from(url.pathname).toString('hex').slice(0, 16)}"`
    setTimeout(() => {
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag })
        res.end()
        return
      }
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        etag,
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600)
      })
      res.end(JSON.stringify({ path: url.pathname }))
    }, latencyMs)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${server.address().port}`
  return {
    url: base,
    calls,
    total: () => [...calls.values()].reduce((a, b) => a + b, 0),
    requests,
    addRepo,
    addIssue,
    addComment,
    issues: issuesOf,
    comments: commentsOf,
    barrier,
    close: () => new Promise((resolve) => {
      for (const b of barriers) release(b)
      server.closeAllConnections()
      server.close(resolve)
    })
  }
}
