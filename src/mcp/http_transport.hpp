// The MCP Streamable HTTP transport (spec 2025-03-26 and later, "Transports"), without sockets:
// the service's HTTP server hands each request on the MCP path to handle() and writes the reply.
//
//   POST   a JSON-RPC message (or batch, where the version allows). Accept must list
//          application/json and text/event-stream; we always answer application/json.
//          initialize creates a session and returns it in Mcp-Session-Id; every later request
//          must carry it (400 without, 404 for an unknown, expired or deleted one) and, once
//          negotiated, MCP-Protocol-Version (absent = 2025-03-26; an unsupported one: 400).
//          Only notifications/responses: 202 Accepted, no body.
//   GET    405 (we offer no server-initiated SSE stream), Allow: POST, DELETE.
//   DELETE ends the session (200; 404 if unknown).
//   Origin, when present, must be a localhost origin (http(s)://localhost, 127.0.0.1, [::1],
//   any port), else 403: the spec's guard against DNS rebinding.
// Sessions: at most kMaxSessions; one idle for kSessionIdleTimeout expires; when full, the one
// idle longest is dropped.
//
// Threading: handle() is blocking (tool calls may go to GitHub) and thread-safe; concurrent
// requests of one session run concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mcp/server.hpp"

namespace ipfsa::mcp {

inline constexpr std::size_t kMaxSessions = 256;
inline constexpr std::chrono::minutes kSessionIdleTimeout{30};
inline constexpr std::size_t kSessionIdBytes = 16;  // random, hex in the header

struct HttpExchange {
  std::string method;
  std::vector<std::pair<std::string, std::string>> headers;  // lowercase names
  std::string body;
};

struct HttpReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class HttpEndpoint {
 public:
  explicit HttpEndpoint(Server& server);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  HttpReply handle(const HttpExchange& request);  // blocking, thread-safe
  // The same with an explicit clock (tests of idle expiry).
  HttpReply handle(const HttpExchange& request, std::chrono::steady_clock::time_point now);

  std::size_t session_count() const;

 private:
  struct State;
  Server& server_;
  std::unique_ptr<State> state_;
};

}  // namespace ipfsa::mcp
