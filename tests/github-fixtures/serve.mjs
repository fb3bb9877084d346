// Loopback-only wrapper around @octokit/fixtures-server's middleware.
// usage: node serve.mjs <port> [extra-fixtures-glob]
//
// Test additions (ipfs-accelerate):
// - A fixture entry may carry "delayMs": the response to that request (matched by method and
//   path) is held back that long, to test client deadlines. The field is removed before nock sees it.
//   GET /_held answers {"held": n}: how many requests are being held back right now, so a test can
//   wait for "my request is on the wire" as an event instead of sleeping.
// - /_raw/* answers with hand-written, deliberately broken HTTP on the socket:
//   truncated (Content-Length larger than the body), big?bytes=N (chunked body of N bytes),
//   declared?bytes=N (Content-Length: N, tiny body), headers?count=N (N header lines),
//   garbage (not HTTP), nothing (close without answering).
import express from "express";
import fixtureServerMiddleware from "@octokit/fixtures-server";
import globToFixtures from "@octokit/fixtures-server/lib/glob-to-fixtures.js";
import DEFAULTS from "@octokit/fixtures-server/lib/defaults.js";
const port = parseInt(process.argv[2] || "3000", 10);
const fixtures = { ...DEFAULTS.fixtures, ...(process.argv[3] ? globToFixtures(process.argv[3]) : {}) };
const delays = new Map();
for (const list of Object.values(fixtures)) {
  for (const f of list) {
    if (f.delayMs) delays.set(`${f.method.toUpperCase()} ${f.path.split("?")[0]}`, f.delayMs);
    delete f.delayMs;
  }
}
const app = express();
let held = 0;
app.get("/ping", (req, res) => res.json({ ok: true }));
app.get("/_held", (req, res) => res.json({ held }));
app.use((req, res, next) => {
  const m = /^\/[^/]+\/[^/]+(\/.*)$/.exec(req.path);
  const ms = m && delays.get(`${req.method} ${m[1]}`);
  if (!ms) return next();
  held++;
  let released = false;
  const release = () => { if (!released) { released = true; held--; } };
  res.on("close", release);  // the client gave up
  setTimeout(() => { release(); next(); }, ms);
});
const raw = (req, text) => { req.socket.end(text); };
app.get("/_raw/truncated", (req) =>
  raw(req, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"partial\":"));
app.get("/_raw/declared", (req) =>
  raw(req, `HTTP/1.1 200 OK\r\nContent-Length: ${parseInt(req.query.bytes, 10)}\r\nConnection: close\r\n\r\nx`));
app.get("/_raw/garbage", (req) => raw(req, "NOT HTTP AT ALL\r\n\r\n"));
app.get("/_raw/nothing", (req) => req.socket.destroy());
app.get("/_raw/headers", (req) => {
  let text = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n";
  for (let i = 0; i < parseInt(req.query.count, 10); i++) text += `x-filler-${i}: ${"v".repeat(40)}\r\n`;
  raw(req, text + "\r\n{}");
});
app.get("/_raw/big", (req, res) => {
  let left = parseInt(req.query.bytes, 10);
  const chunk = Buffer.alloc(64 * 1024, 97);
  res.writeHead(200, { "Content-Type": "application/octet-stream" });
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!res.write(chunk.subarray(0, n))) return res.once("drain", pump);
    }
    res.end();
  };
  res.on("error", () => {});
  pump();
});
app.use(fixtureServerMiddleware({ port, fixturesUrl: `http://127.0.0.1:${port}`, logLevel: "warn", ttl: 60000, fixtures }));
app.listen(port, "127.0.0.1", () => console.log(`fixtures server on http://127.0.0.1:${port} with ${Object.keys(fixtures).length} scenarios`));
