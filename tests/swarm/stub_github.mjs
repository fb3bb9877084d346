// A GitHub stand-in that answers any GET under /repos/ with a small JSON body, an ETag and 304s,
// any number of times, and counts calls per path. For tests that must survive repeated upstream
// calls by design (nodes dying mid-traffic); the recorded fixtures answer each request once.
import http from 'node:http'

export async function startStubGitHub ({ latencyMs = 30 } = {}) {
  const calls = new Map()
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
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
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    calls,
    total: () => [...calls.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) })
  }
}
