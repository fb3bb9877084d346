// ipfs-accelerate dashboard: polls the node's JSON API every 5 s and renders it.
//
// Contract (docs/dashboard.md): reads GET /api/mcp/peers, /api/mcp/cache/stats and
// /api/mcp/cache/history from the page's own origin; sends `Authorization: Bearer <token>` when a
// token is in sessionStorage and asks for one after a 401. Every value reaches the page through
// textContent or an SVG attribute, never as markup. A route that fails blanks its card and shows
// the error instead of leaving stale numbers. Element ids of the original dashboard are kept.
'use strict'
;(() => {
  const kRefreshIntervalMs = 5000
  const kFetchTimeoutMs = 4000
  const kHistoryWindowMs = 60 * 60 * 1000
  const kMaxHistoryPoints = 1000
  const kMaxPeerRows = 500
  const kMaxAddrs = 16
  const kMaxTokenLength = 1024 // the service's kMaxTokenBytes
  const kMaxErrorLength = 200
  const kTokenKey = 'ipfs-accelerate.dashboard.token'
  const EMPTY = '—'
  const SVG_NS = 'http://www.w3.org/2000/svg'

  const $ = (id) => document.getElementById(id)
  const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
  const tick = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })
  const finite = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)
  const fmtInt = (v) => (finite(v) === null ? EMPTY : integer.format(v))
  const fmtPercent = (rate) => (finite(rate) === null ? EMPTY : `${(rate * 100).toFixed(1)}%`)
  const fmtMb = (mb) => (finite(mb) === null ? EMPTY : `${mb.toFixed(2)} MB`)
  const fmtMs = (ms) => (finite(ms) === null ? EMPTY : `${ms.toFixed(1)} ms`)
  const fmtTime = (ms) => (finite(ms) === null || ms <= 0 ? EMPTY : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC')
  const str = (v) => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : EMPTY)
  const clip = (s) => (s.length > kMaxErrorLength ? s.slice(0, kMaxErrorLength) + '…' : s)

  function setText (id, value, state) {
    const node = $(id)
    node.textContent = value
    node.classList.remove('state-ok', 'state-warn', 'state-bad')
    if (state) node.classList.add(`state-${state}`)
  }

  function el (tag, className, text) {
    const node = document.createElement(tag)
    if (className) node.className = className
    if (text !== undefined) node.textContent = text
    return node
  }

  // ---- token ---------------------------------------------------------------------------------
  let memoryToken = ''
  function readToken () {
    try { return sessionStorage.getItem(kTokenKey) || '' } catch { return '' }
  }
  function writeToken (token) {
    try {
      if (token) sessionStorage.setItem(kTokenKey, token)
      else sessionStorage.removeItem(kTokenKey)
    } catch { /* storage disabled: the token lives until the form is shown again */ }
    memoryToken = token
  }
  const currentToken = () => readToken() || memoryToken

  function askForToken (rejected) {
    const form = $('auth-form')
    if (!form.hidden) return
    $('auth-message').textContent = rejected
      ? 'The token was rejected. Enter the dashboard token again.'
      : 'This node requires a token for its JSON API.'
    form.hidden = false
    $('auth-token').focus()
  }

  $('auth-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const token = $('auth-token').value.trim()
    // A header value cannot hold control characters; fetch() would throw on them.
    if (!token || token.length > kMaxTokenLength || /[\u0000-\u001f\u007f\s]/.test(token)) {
      $('auth-message').textContent = 'A token is one word of printable characters.'
      return
    }
    writeToken(token)
    $('auth-token').value = ''
    $('auth-form').hidden = true
    refreshAll()
  })

  // ---- JSON API ------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor (status, message) { super(message); this.status = status }
  }

  async function getJson (path) {
    const headers = { Accept: 'application/json' }
    const token = currentToken()
    if (token) headers.Authorization = `Bearer ${token}`
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), kFetchTimeoutMs)
    try {
      let res
      try {
        res = await fetch(path, { headers, signal: controller.signal, cache: 'no-store', credentials: 'same-origin' })
      } catch {
        throw new ApiError(0, controller.signal.aborted ? `${path}: no answer within ${kFetchTimeoutMs / 1000} s` : `${path}: the node is unreachable`)
      }
      let body = null
      try { body = await res.json() } catch { body = null }
      if (res.status === 401) {
        if (token) writeToken('')
        askForToken(Boolean(token))
        throw new ApiError(401, `${path}: 401 unauthorized (a dashboard token is required)`)
      }
      if (!res.ok) {
        const detail = body && typeof body.error === 'string' ? `: ${body.error}` : ''
        throw new ApiError(res.status, clip(`${path}: HTTP ${res.status}${detail}`))
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(res.status, `${path}: not a JSON object`)
      return body
    } finally {
      clearTimeout(timer)
    }
  }

  function showError (card, errorId, message) {
    $(card).classList.toggle('has-error', Boolean(message))
    $(errorId).hidden = !message
    $(errorId).textContent = message || ''
  }

  // ---- P2P card and Peers tab ------------------------------------------------------------------
  const kP2pFields = ['peer-status', 'peer-count', 'p2p-enabled', 'p2p-sharing', 'p2p-peer-id', 'registry-peer-count', 'registry-state']

  function renderAddrs (list, addrs) {
    list.replaceChildren()
    const shown = Array.isArray(addrs) ? addrs.filter((a) => typeof a === 'string').slice(0, kMaxAddrs) : []
    if (shown.length === 0) list.append(el('li', '', EMPTY))
    for (const a of shown) list.append(el('li', '', a))
    if (Array.isArray(addrs) && addrs.length > kMaxAddrs) list.append(el('li', '', `… ${addrs.length - kMaxAddrs} more`))
  }

  function renderTable (tbody, rows, columns, emptyText) {
    tbody.replaceChildren()
    const list = Array.isArray(rows) ? rows.filter((r) => r && typeof r === 'object') : []
    if (list.length === 0) {
      const td = el('td', 'empty', emptyText)
      td.colSpan = columns.length
      const tr = el('tr')
      tr.append(td)
      tbody.append(tr)
      return
    }
    for (const row of list.slice(0, kMaxPeerRows)) {
      const tr = el('tr')
      for (const [className, render] of columns) {
        const td = el('td', className)
        const value = render(row)
        if (value instanceof Node) td.append(value)
        else td.textContent = value
        tr.append(td)
      }
      tbody.append(tr)
    }
    if (list.length > kMaxPeerRows) {
      const td = el('td', 'empty', `… ${list.length - kMaxPeerRows} more not shown`)
      td.colSpan = columns.length
      const tr = el('tr')
      tr.append(td)
      tbody.append(tr)
    }
  }

  const kPeerColumns = [
    ['mono', (p) => str(p.peer_id)],
    ['mono', (p) => { const ul = el('ul', 'addrs'); renderAddrs(ul, p.addrs); return ul }],
    ['', (p) => str(p.agent)],
    ['num', (p) => fmtMs(p.rtt_ms)],
    ['', (p) => fmtTime(p.connected_since_ms)],
    ['num', (p) => fmtInt(p.entries_served)],
    ['num', (p) => fmtInt(p.entries_received)],
    ['', (p) => str(p.found_by)]
  ]
  const kRegistryColumns = [
    ['mono', (p) => str(p.peer_id)],
    ['', (p) => str(p.runner_name)],
    ['num', (p) => str(p.listen_port)],
    ['', (p) => str(p.last_seen)],
    ['', (p) => (p.connected === true ? '✓ connected' : EMPTY)]
  ]

  function renderPeerStatus (data) {
    const status = typeof data.status === 'string' ? data.status : ''
    if (data.active === true) setText('peer-status', '✓ Active', 'ok')
    else if (data.enabled === true) setText('peer-status', `⚠ ${status || 'Enabled but not listening'}`, 'warn')
    else setText('peer-status', `✗ ${status || 'Disabled'}`, 'bad')
    // `peers` (the seed's key) lists the connected peers, each with the details of the Peers tab;
    // `registry_peers` lists the peers of the GitHub-issue registry.
    const connected = Array.isArray(data.peers) ? data.peers : []
    const registry = Array.isArray(data.registry_peers) ? data.registry_peers : []
    setText('peer-count', fmtInt(finite(data.peer_count) ?? connected.length))
    if (data.enabled === true) setText('p2p-enabled', '✓ Enabled', 'ok')
    else setText('p2p-enabled', '✗ Disabled', 'bad')
    if (typeof data.sharing === 'boolean') {
      setText('p2p-sharing', data.sharing ? '✓ On (swarm secret set)' : '✗ Off (no swarm secret)', data.sharing ? 'ok' : 'warn')
    } else {
      setText('p2p-sharing', EMPTY)
    }
    setText('p2p-peer-id', str(data.peer_id))
    renderAddrs($('p2p-listen-addrs'), data.listen_addrs)
    setText('registry-peer-count', fmtInt(registry.length))
    renderRegistryState(data)
    renderTable($('peers-tbody'), connected, kPeerColumns, 'No connected peers')
    renderTable($('registry-tbody'), registry, kRegistryColumns, 'No registry peers')
  }

  // `registry_repo` ("" = off) and `registry_error` ("" after a successful heartbeat); a node
  // without them (an older version) shows EMPTY.
  function renderRegistryState (data) {
    if (typeof data.registry_repo !== 'string') setText('registry-state', EMPTY)
    else if (data.registry_repo === '') setText('registry-state', 'Registry off (set IPFS_ACCELERATE_GITHUB_REPO or GITHUB_REPOSITORY)')
    else if (typeof data.registry_error === 'string' && data.registry_error !== '') {
      setText('registry-state', `⚠ ${data.registry_repo}: ${data.registry_error}`, 'warn')
    } else setText('registry-state', `✓ Issue "p2p-peer-registry" in ${data.registry_repo}`, 'ok')
  }

  async function refreshPeerStatus () {
    try {
      const data = await getJson('/api/mcp/peers')
      renderPeerStatus(data)
      showError('p2p-card', 'p2p-error', '')
      $('peers-error').hidden = true
    } catch (e) {
      for (const id of kP2pFields) setText(id, EMPTY)
      renderAddrs($('p2p-listen-addrs'), [])
      $('peers-tbody').replaceChildren()
      $('registry-tbody').replaceChildren()
      showError('p2p-card', 'p2p-error', e.message)
      $('peers-error').textContent = e.message
      $('peers-error').hidden = false
    }
  }

  // ---- Cache card --------------------------------------------------------------------------
  const kCacheFields = {
    'cache-entries': (s) => fmtInt(s.total_entries),
    'cache-size': (s) => fmtMb(s.total_size_mb),
    'cache-hit-rate': (s) => fmtPercent(s.hit_rate),
    'cache-peer-hits': (s) => fmtInt(s.peer_hits),
    'cache-calls-made': (s) => fmtInt(finite(s.api_calls_made) ?? (finite(s.api_calls_made_rest) ?? 0) + (finite(s.api_calls_made_graphql) ?? 0)),
    'cache-calls-saved': (s) => fmtInt(s.api_calls_saved),
    'cache-revalidations': (s) => fmtInt(s.revalidations_304)
  }

  async function refreshCacheStats () {
    try {
      const data = await getJson('/api/mcp/cache/stats')
      if (data.available === false) throw new ApiError(200, clip(`cache unavailable: ${str(data.error)}`))
      for (const [id, render] of Object.entries(kCacheFields)) setText(id, render(data))
      showError('cache-card', 'cache-error', '')
    } catch (e) {
      for (const id of Object.keys(kCacheFields)) setText(id, EMPTY)
      showError('cache-card', 'cache-error', e.message)
    }
  }

  // ---- History plot ------------------------------------------------------------------------
  const kPlot = { width: 960, height: 240, left: 48, right: 56, top: 12, bottom: 28 }

  function svg (tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag)
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v))
    if (text !== undefined) node.textContent = text
    return node
  }

  // Points of the last hour, oldest first, at most kMaxHistoryPoints.
  function lastHour (points) {
    const valid = (Array.isArray(points) ? points : []).filter((p) => p && finite(p.t) !== null)
    if (valid.length === 0) return []
    valid.sort((a, b) => a.t - b.t)
    const end = valid[valid.length - 1].t
    return valid.filter((p) => p.t >= end - kHistoryWindowMs).slice(-kMaxHistoryPoints)
  }

  function niceCeil (v) {
    if (v <= 0) return 1
    const step = 10 ** Math.floor(Math.log10(v))
    for (const m of [1, 2, 5, 10]) if (m * step >= v) return m * step
    return 10 * step
  }

  function drawHistory (points) {
    const { width, height, left, right, top, bottom } = kPlot
    const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'history-svg-title' })
    const title = svg('title', { id: 'history-svg-title' })
    root.append(title)
    const data = lastHour(points)
    root.dataset.points = String(data.length)
    if (data.length === 0) {
      title.textContent = 'No history yet'
      root.append(svg('text', { class: 'empty', x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'No history yet: the node records a point every interval.'))
      return root
    }
    const end = data[data.length - 1].t
    const start = end - kHistoryWindowMs
    const plotW = width - left - right
    const plotH = height - top - bottom
    const x = (t) => left + ((t - start) / kHistoryWindowMs) * plotW
    const saved = data.map((p) => Math.max(0, finite(p.calls_saved) ?? 0))
    const savedMax = niceCeil(Math.max(...saved))
    const yRate = (r) => top + plotH - Math.min(1, Math.max(0, r)) * plotH
    const ySaved = (n) => top + plotH - (n / savedMax) * plotH
    for (const f of [0, 0.5, 1]) {
      const y = top + plotH - f * plotH
      root.append(svg('line', { class: 'grid', x1: left, x2: left + plotW, y1: y, y2: y }))
      root.append(svg('text', { class: 'tick', x: left - 6, y: y + 4, 'text-anchor': 'end' }, `${f * 100}%`))
      root.append(svg('text', { class: 'tick', x: left + plotW + 6, y: y + 4 }, tick.format(f * savedMax)))
    }
    for (const minutes of [60, 45, 30, 15, 0]) {
      const px = x(end - minutes * 60000)
      root.append(svg('text', { class: 'tick', x: px, y: height - 8, 'text-anchor': 'middle' }, minutes ? `−${minutes} min` : 'now'))
    }
    root.append(svg('line', { class: 'axis', x1: left, x2: left, y1: top, y2: top + plotH }))
    root.append(svg('line', { class: 'axis', x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH }))
    const rate = (p) => finite(p.hit_rate) ?? 0
    const line = (cls, y) => svg('polyline', { class: `series ${cls}`, points: data.map((p, i) => `${x(p.t).toFixed(1)},${y(p, i).toFixed(1)}`).join(' ') })
    root.append(line('series-calls-saved', (p, i) => ySaved(saved[i])))
    root.append(line('series-hit-rate', (p) => yRate(rate(p))))
    const last = data[data.length - 1]
    root.append(svg('circle', { class: 'dot-hit-rate', cx: x(last.t), cy: yRate(rate(last)), r: 3 }))
    root.append(svg('circle', { class: 'dot-calls-saved', cx: x(last.t), cy: ySaved(saved[saved.length - 1]), r: 3 }))
    title.textContent = `Hit rate and calls saved over the last hour; latest: hit rate ${fmtPercent(rate(last))}, calls saved ${fmtInt(saved[saved.length - 1])}`
    return root
  }

  async function refreshHistory () {
    try {
      const data = await getJson('/api/mcp/cache/history')
      $('history-plot').replaceChildren(drawHistory(data.points))
      showError('history-card', 'history-error', '')
    } catch (e) {
      $('history-plot').replaceChildren()
      showError('history-card', 'history-error', e.message)
    }
  }

  // ---- Tabs (WAI-ARIA tabs pattern: arrows, Home and End move between tabs) -------------------
  const tabs = () => Array.from(document.querySelectorAll('[role="tab"]'))

  function showTab (name) {
    for (const tab of tabs()) {
      const selected = tab.getAttribute('aria-controls') === name
      tab.setAttribute('aria-selected', String(selected))
      tab.tabIndex = selected ? 0 : -1
      $(tab.getAttribute('aria-controls')).hidden = !selected
    }
  }

  for (const tab of tabs()) {
    tab.addEventListener('click', () => showTab(tab.getAttribute('aria-controls')))
    tab.addEventListener('keydown', (event) => {
      const all = tabs()
      const i = all.indexOf(tab)
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: all.length - 1 }[event.key]
      if (next === undefined) return
      event.preventDefault()
      const target = all[(next + all.length) % all.length]
      showTab(target.getAttribute('aria-controls'))
      target.focus()
    })
  }

  // ---- Refresh loop ------------------------------------------------------------------------
  let inflight = null
  let refreshes = 0
  let timer = null

  function refreshAll () {
    if (inflight) return inflight
    inflight = Promise.all([refreshPeerStatus(), refreshCacheStats(), refreshHistory()]).then(() => {
      $('last-updated').textContent = new Date().toISOString().slice(11, 19) + ' UTC'
      refreshes += 1
      document.body.dataset.refreshes = String(refreshes)
      inflight = null
    })
    return inflight
  }

  function loop () {
    refreshAll().then(() => {
      clearTimeout(timer)
      timer = setTimeout(loop, kRefreshIntervalMs)
    })
  }

  $('refresh-peers').addEventListener('click', () => refreshPeerStatus())
  $('refresh-cache').addEventListener('click', () => refreshCacheStats())
  // The original's global names, for users' scripts.
  Object.assign(window, { showTab, refreshPeerStatus, refreshCacheStats, refreshAll })

  if (location.hash === '#peers') showTab('peers')
  loop()
})()
