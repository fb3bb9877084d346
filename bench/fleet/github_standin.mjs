// A GitHub stand-in for fleets (bench/fleet/run.mjs and tests/swarm/fleet.test.mjs): every
// GET /repos/{o}/{r}/... answers a small JSON document that changes every `changeMs` (a workflow-
// runs list in the shape GitHub gives it for .../actions/runs), with an ETag that depends on the
// token, as GitHub's do: a 304 only for the token that made the entry. It counts, per token, the
// full 200s, the 304s and the rate-limit answers, and can
// - answer every call with a secondary rate limit (403, Retry-After) until recover() is called;
// - hold the calls for a path until release(path), to kill their caller mid-fetch;
// - pass the issues API (the peer registry's calls) to `registry`, the URL of another stand-in
//   (tests/swarm/stub_github.mjs), uncounted: the fleet's registry-only topology.
import { createHash } from 'node:crypto'
import http from 'node:http'

export async function startStandin ({ changeMs = 15000, latencyMs = 5, registry = null } = {}) {
  const started = Date.now()
  const perToken = new Map() // token -> { full, notModified, limited }
  const calls = [] // { at, token, path, status, version (of the list, for 200 and 304) }
  const holds = new Map() // path -> { waiting: [fn], arrived: [{token}] , onArrive }
  let limit = null // { retryAfterS } while limited
  let lastLimitedAt = 0

  const counter = (token) => {
    if (!perToken.has(token)) perToken.set(token, { full: 0, notModified: 0, limited: 0 })
    return perToken.get(token)
  }
  const version = () => Math.floor((Date.now() - started) / changeMs)

  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization ?? ''
    const token = auth.replace(/^(token|Bearer) /i, '') || '(none)'
    const url = new URL(req.url, 'http://x')
    const answer = () => {
      const c = counter(token)
      if (limit) {
        c.limited++
        lastLimitedAt = Date.now()
        calls.push({ at: Date.now(), token, path: url.pathname, status: 403 })
        res.writeHead(403, {
          'content-type': 'application/json',
          'retry-after': String(limit.retryAfterS),
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4000',
          'x-ratelimit-resource': 'core'
        })
        res.end(JSON.stringify({ message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest' }))
        return
      }
      const v = version()
      const etag = `W/"${createHash('sha256').update(`${token}\n${url.pathname}\n${v}`).digest('hex').slice(0, 32)}"`
      const headers = { etag, 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-resource': 'core' }
      if (req.headers['if-none-match'] === etag) {
        c.notModified++
        calls.push({ at: Date.now(), token, path: url.pathname, status: 304, version: v })
        res.writeHead(304, headers)
        res.end()
        return
      }
      c.full++
      calls.push({ at: Date.now(), token, path: url.pathname, url: req.url, status: 200, version: v })
      const runs = Array.from({ length: 3 }, (_, i) => ({ id: v * 10 + i, status: 'completed', conclusion: 'success', head_branch: 'main', run_number: v * 10 + i }))
      res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8' })
      res.end(JSON.stringify({ total_count: runs.length, workflow_runs: runs, path: url.pathname, version: v }))
    }
    if (registry && /^\/(repos\/[^/]+\/[^/]+|repositories\/\d+)\/issues(\/|$)/.test(url.pathname)) {
      const up = http.request(registry + req.url, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers)
        answer.pipe(res)
      })
      up.on('error', (e) => { res.writeHead(502); res.end(String(e)) })
      req.pipe(up)
      return
    }
    if (req.method !== 'GET' || !url.pathname.startsWith('/repos/')) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"message":"Not Found"}')
      return
    }
    const hold = holds.get(url.pathname)
    if (hold) {
      hold.arrived.push({ token })
      hold.waiting.push(() => setTimeout(answer, latencyMs))
      for (const f of hold.listeners.splice(0)) f()
      return
    }
    setTimeout(answer, latencyMs)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}`

  return {
    url,
    perToken,
    calls,
    // Upstream calls of any status, in all or for one path.
    total (path) { return calls.filter((c) => !path || c.path === path).length },
    full () { let n = 0; for (const c of perToken.values()) n += c.full; return n },
    // The 200s beyond the first of each version of each path: what a 304 could have saved had the
    // caller held an ETag of its own token (an owner taking over a key, or a duplicate fetch).
    extraFull () {
      const seen = new Set()
      let extra = 0
      for (const c of calls) {
        if (c.status !== 200) continue
        const k = `${c.url ?? c.path}\n${c.version}`
        if (seen.has(k)) extra++
        else seen.add(k)
      }
      return extra
    },
    notModified () { let n = 0; for (const c of perToken.values()) n += c.notModified; return n },
    limit (retryAfterS) { limit = { retryAfterS } },
    recover () { limit = null; return lastLimitedAt },
    get lastLimitedAt () { return lastLimitedAt },
    // Holds every call for `path` until release(path).
    hold (path) { holds.set(path, { waiting: [], arrived: [], listeners: [] }) },
    // Resolves with the tokens of the held calls once there are at least `n`.
    async arrived (path, n = 1) {
      const h = holds.get(path)
      while (h.arrived.length < n) await new Promise((resolve) => h.listeners.push(resolve))
      return h.arrived.map((a) => a.token)
    },
    release (path) {
      const h = holds.get(path)
      holds.delete(path)
      for (const f of h?.waiting ?? []) f()
    },
    close () { server.closeAllConnections?.(); return new Promise((resolve) => server.close(resolve)) }
  }
}
