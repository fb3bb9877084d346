// Forwards the stdio transport's messages to a running node's Streamable HTTP endpoint
// (http://127.0.0.1:<port>/mcp), so `ipfs-accelerate mcp` started while `serve` owns the cache
// answers with the node's live peer data. One message at a time (blocking), over libcurl.
//
// The HTTP session is kept transparently: Mcp-Session-Id and MCP-Protocol-Version are taken from
// the initialize answer and sent afterwards; if the node forgets the session (404: restarted or
// idle-expired) the initialize exchange is replayed once and the message sent again. HTTP and
// connection failures of a request come back as JSON-RPC errors (-32603) carrying its id.
// The bearer token (IPFS_ACCELERATE_DASHBOARD_TOKEN) is sent only to that URL and never written.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/secret.hpp"

namespace ipfsa::mcp {

inline constexpr std::size_t kMaxForwardReplyBytes = 16 * 1024 * 1024;
inline constexpr std::chrono::seconds kForwardTimeout{300};  // a tool call may page through GitHub
inline constexpr std::chrono::seconds kForwardConnectTimeout{5};

class HttpForwarder {
 public:
  HttpForwarder(std::string url, SecretBytes bearer);
  ~HttpForwarder();  // ends the HTTP session (DELETE)
  HttpForwarder(const HttpForwarder&) = delete;
  HttpForwarder& operator=(const HttpForwarder&) = delete;

  // The reply line for `message`, or nullopt (notifications, responses).
  std::optional<std::string> forward(std::string_view message);

  // True if something answers HTTP at the URL (any status).
  bool reachable();

 private:
  struct Exchange {
    long status = 0;  // 0: no HTTP answer
    std::string body;
    std::string session_id;
    std::string error;  // transport failure
  };
  Exchange post(std::string_view body, bool with_session);
  void remember(std::string_view message, const Exchange& reply);

  std::string url_;
  SecretBytes bearer_;
  std::string session_id_;
  std::string protocol_version_;
  std::string initialize_;  // the client's initialize request, replayed after a 404
};

}  // namespace ipfsa::mcp
