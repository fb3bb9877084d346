#include "mcp/http_transport.hpp"

#include <map>
#include <mutex>

#include "base/ascii.hpp"
#include "base/log.hpp"
#include "crypto/random.hpp"

namespace ipfsa::mcp {
namespace {

using Clock = std::chrono::steady_clock;

std::string header(const HttpExchange& request, std::string_view name) {
  std::string value;
  for (const auto& [n, v] : request.headers) {
    if (n != name) continue;
    if (!value.empty()) value += ", ";
    value += v;
  }
  return value;
}

bool has_header(const HttpExchange& request, std::string_view name) {
  for (const auto& [n, v] : request.headers) {
    if (n == name) return true;
  }
  return false;
}

// An Origin we accept: http(s)://localhost, 127.0.0.1 or [::1], any port. Browsers on other
// sites (DNS rebinding) send their own origin; non-browser clients send none.
bool localhost_origin(std::string_view origin) {
  const std::string o = ascii_lower(origin);
  std::string_view rest = o;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else {
    return false;
  }
  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return false;
    host = rest.substr(0, close + 1);
    port = rest.substr(close + 1);
  } else if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon);
  }
  if (host != "localhost" && host != "127.0.0.1" && host != "[::1]") return false;
  if (port.empty()) return true;
  if (port.size() < 2 || port.size() > 6 || port[0] != ':') return false;
  for (char c : port.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Accept lists a type: exactly, or through type/* or */*.
bool accepts(std::string_view accept, std::string_view type) {
  const std::string a = ascii_lower(accept);
  const std::string major = std::string(type.substr(0, type.find('/'))) + "/*";
  std::size_t start = 0;
  while (start <= a.size()) {
    auto end = a.find(',', start);
    if (end == std::string::npos) end = a.size();
    std::string_view item = std::string_view(a).substr(start, end - start);
    item = item.substr(0, item.find(';'));
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == type || item == major || item == "*/*") return true;
    start = end + 1;
  }
  return false;
}

HttpReply json_reply(int status, std::string body) {
  HttpReply reply;
  reply.status = status;
  reply.headers.emplace_back("Content-Type", "application/json");
  reply.body = std::move(body);
  return reply;
}

HttpReply refuse(int status, int code, std::string_view message) {
  return json_reply(status, Server::error_reply(code, message));
}

std::string new_session_id() {
  std::array<std::uint8_t, kSessionIdBytes> bytes{};
  crypto::random_fill(bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (auto b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

}  // namespace

struct HttpEndpoint::State {
  struct Slot {
    Session session;
    Clock::time_point last_used;
  };
  mutable std::mutex mutex;
  std::map<std::string, Slot, std::less<>> sessions;

  // REQUIRES: mutex held.
  void expire(Clock::time_point now) {
    for (auto it = sessions.begin(); it != sessions.end();) {
      it = now - it->second.last_used >= kSessionIdleTimeout ? sessions.erase(it) : std::next(it);
    }
  }
  // REQUIRES: mutex held. Room for one more session: drops the one idle longest when full.
  void make_room() {
    while (sessions.size() >= kMaxSessions) {
      auto oldest = sessions.begin();
      for (auto it = sessions.begin(); it != sessions.end(); ++it) {
        if (it->second.last_used < oldest->second.last_used) oldest = it;
      }
      log::info("mcp http: {} sessions (kMaxSessions): dropping the one idle longest",
                sessions.size());
      sessions.erase(oldest);
    }
  }
};

HttpEndpoint::HttpEndpoint(Server& server) : server_(server), state_(std::make_unique<State>()) {}
HttpEndpoint::~HttpEndpoint() = default;

std::size_t HttpEndpoint::session_count() const {
  std::lock_guard lock(state_->mutex);
  return state_->sessions.size();
}

HttpReply HttpEndpoint::handle(const HttpExchange& request) {
  return handle(request, Clock::now());
}

HttpReply HttpEndpoint::handle(const HttpExchange& request, Clock::time_point now) {
  // Transports, "Security Warning": validate Origin against DNS rebinding (403 if invalid).
  if (has_header(request, "origin") && !localhost_origin(header(request, "origin"))) {
    return refuse(403, kInvalidRequest,
                  "Origin not allowed: only localhost origins may use this endpoint");
  }
  if (request.method == "GET") {
    HttpReply reply =
        refuse(405, kInvalidRequest, "no server-to-client stream is offered: POST messages");
    reply.headers.emplace_back("Allow", "POST, DELETE");
    return reply;
  }
  if (request.method != "POST" && request.method != "DELETE") {
    HttpReply reply = refuse(405, kInvalidRequest, "method not allowed");
    reply.headers.emplace_back("Allow", "POST, DELETE");
    return reply;
  }
  const bool has_session = has_header(request, "mcp-session-id");
  const std::string session_id = header(request, "mcp-session-id");
  std::optional<Session> session;
  if (has_session) {
    std::lock_guard lock(state_->mutex);
    state_->expire(now);
    auto it = state_->sessions.find(session_id);
    if (it == state_->sessions.end()) {
      return refuse(404, kInvalidRequest, "unknown or expired session: initialize a new one");
    }
    if (request.method == "DELETE") {
      state_->sessions.erase(it);
      HttpReply reply;
      reply.status = 204;
      return reply;
    }
    it->second.last_used = now;
    session = it->second.session;
  } else if (request.method == "DELETE") {
    return refuse(400, kInvalidRequest, "DELETE needs the Mcp-Session-Id header");
  }
  // POST.
  if (has_session && has_header(request, "mcp-protocol-version") &&
      !is_supported_version(header(request, "mcp-protocol-version"))) {
    return refuse(400, kInvalidRequest, "unsupported MCP-Protocol-Version");
  }
  const std::string content_type = ascii_lower(header(request, "content-type"));
  if (!content_type.starts_with("application/json")) {
    return refuse(415, kInvalidRequest, "Content-Type must be application/json");
  }
  const std::string accept = header(request, "accept");
  if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
    return refuse(406, kInvalidRequest, "Accept must list application/json and text/event-stream");
  }
  if (request.body.size() > kMaxMessageBytes) {
    return refuse(
        413, kInvalidRequest,
        "message larger than kMaxMessageBytes (" + std::to_string(kMaxMessageBytes) + " bytes)");
  }
  Session fresh;
  Session& current = session ? *session : fresh;
  Outcome outcome = server_.handle(request.body, current);
  if (!has_session) {
    if (!outcome.initialized_now) {
      if (outcome.reply && !outcome.had_requests) return json_reply(400, *outcome.reply);
      return refuse(400, kInvalidRequest, "Mcp-Session-Id header required (initialize first)");
    }
    const std::string id = new_session_id();
    {
      std::lock_guard lock(state_->mutex);
      state_->expire(now);
      state_->make_room();
      state_->sessions[id] = State::Slot{current, now};
    }
    HttpReply reply = json_reply(200, outcome.reply.value_or(""));
    reply.headers.emplace_back("Mcp-Session-Id", id);
    return reply;
  }
  {
    // Lifecycle changes (notifications/initialized) go back to the session, if it still exists.
    std::lock_guard lock(state_->mutex);
    if (auto it = state_->sessions.find(session_id); it != state_->sessions.end()) {
      it->second.session.client_ready = it->second.session.client_ready || current.client_ready;
    }
  }
  if (!outcome.reply) {
    HttpReply reply;
    reply.status = 202;
    return reply;
  }
  // Only notifications/responses that could not be accepted: an HTTP error (Transports, "Sending
  // Messages to the Server").
  if (!outcome.had_requests) return json_reply(400, *outcome.reply);
  return json_reply(200, *outcome.reply);
}

}  // namespace ipfsa::mcp
