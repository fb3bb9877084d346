// A stand-in for api.github.com that Debian's real `gh` (2.23) talks to over plain HTTP:
// GH_HOST=github.localhost sends requests for http://api.github.localhost/... to HTTP_PROXY,
// which is this server. It counts every request and answers the few routes the gh tests use.
import http from 'node:http'

export const TOKEN = 'gho_ipfsaTestToken0123456789abcdef'

const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}

const issue = (n) => ({
  number: n,
  title: `issue ${n}`,
  state: 'OPEN',
  url: `https://github.localhost/o/r/issues/${n}`,
  labels: { nodes: [] },
  createdAt: '2024-01-01T00:00:00Z',
  updatedAt: '2024-01-01T00:00:00Z'
})

export async function startGitHub () {
  const server = { requests: [], issues: 1 }
  server.count = (pattern) => server.requests.filter((r) => pattern.test(`${r.method} ${r.path}`)).length
  server.http = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => { body += c })
    req.on('end', () => {
      const url = new URL(req.url, 'http://api.github.localhost')
      const record = { method: req.method, path: url.pathname, body, authorization: req.headers.authorization }
      server.requests.push(record)
      if (req.headers.authorization !== `token ${TOKEN}`) return json(res, 401, { message: 'Bad credentials' })
      if (url.pathname === '/graphql') {
        const { query } = JSON.parse(body)
        if (/issues\(/.test(query)) {
          const nodes = Array.from({ length: server.issues }, (_, i) => issue(i + 1))
          return json(res, 200, { data: { repository: { hasIssuesEnabled: true, issues: { totalCount: nodes.length, nodes } } } })
        }
        if (/repository\(/.test(query)) return json(res, 200, { data: { repository: { name: 'r', description: 'a test repository' } } })
        return json(res, 200, { data: {} })
      }
      if (req.method === 'GET' && url.pathname === '/repos/o/r') return json(res, 200, { name: 'r', full_name: 'o/r' })
      if (req.method === 'GET' && url.pathname === '/repos/o/leak') return json(res, 200, { echoed: req.headers.authorization })
      if (req.method === 'POST' && url.pathname === '/repos/o/r/issues') {
        server.issues += 1
        return json(res, 201, { number: server.issues })
      }
      return json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })
    })
  })
  await new Promise((resolve) => server.http.listen(0, '127.0.0.1', resolve))
  server.port = server.http.address().port
  server.close = () => new Promise((resolve) => server.http.close(resolve))
  return server
}
