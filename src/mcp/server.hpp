// The MCP (Model Context Protocol) server without I/O: JSON-RPC 2.0 text in, JSON-RPC text out.
// The transports (stdio in cli/cmd_mcp.cpp, Streamable HTTP in http_transport.hpp) own the bytes
// and the sessions; this class owns the protocol: lifecycle (initialize, notifications/initialized,
// version negotiation), ping, tools/list and tools/call over a node::ServiceBackend.
//
// Versions: 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05. A client asking for one of them gets
// it; any other gets our latest (the client then decides whether to go on).
// Batches (JSON arrays) are accepted only where the negotiated version has them (2025-03-26 and
// 2024-11-05); initialize is never accepted inside a batch.
//
// Errors (JSON-RPC 2.0 codes): -32700 unparsable JSON, -32600 not a request/notification (or a
// batch where none is allowed, or a request before initialize), -32601 unknown method, -32602
// malformed params and unknown tools, -32603 internal. A tool that fails answers a result with
// isError: true and a text message, as the spec asks.
//
// Threading: const apart from the Session it is handed; handle() may run on many threads at once,
// each with its own Session (tool calls block on the backend's gateway).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "node/service_backend.hpp"

namespace ipfsa::mcp {

inline constexpr std::size_t kMaxMessageBytes = 1024 * 1024;    // one JSON-RPC message or batch
inline constexpr std::size_t kMaxBatch = 32;                    // messages in one batch
inline constexpr std::size_t kMaxJsonDepth = 64;                // nesting of any JSON we parse
inline constexpr std::size_t kMaxPaginatePages = 10;            // gh_api paginate: pages followed
inline constexpr std::size_t kMaxToolOutputBytes = 512 * 1024;  // JSON body text in one result

inline constexpr std::array<std::string_view, 4> kSupportedVersions = {"2025-11-25", "2025-06-18",
                                                                       "2025-03-26", "2024-11-05"};
inline constexpr std::string_view kLatestVersion = kSupportedVersions[0];
bool is_supported_version(std::string_view version) noexcept;

struct ServerInfo {
  std::string name = "ipfs-accelerate";
  std::string version;
};

// One client's lifecycle state. The transport keeps one per connection (stdio: one per process;
// HTTP: one per Mcp-Session-Id).
struct Session {
  bool initialized = false;      // initialize answered
  bool client_ready = false;     // notifications/initialized received
  std::string protocol_version;  // negotiated at initialize ("" before)
  std::string client_name;       // clientInfo.name, for logs
};

// What one incoming message (or batch) amounted to, for transports that need more than the reply.
struct Outcome {
  std::optional<std::string> reply;  // nullopt: only notifications / responses came in
  bool initialized_now = false;      // an initialize request succeeded in this message
  bool had_requests = false;         // at least one request (with an id) came in
};

class Server {
 public:
  Server(node::ServiceBackend& backend, ServerInfo info);

  // One message from the client: a request, a notification, a response or (per version) a batch.
  // Returns the JSON text to send back, or nullopt when nothing is to be sent.
  std::optional<std::string> handle_message(std::string_view json, Session& session) const;
  Outcome handle(std::string_view json, Session& session) const;

  // A JSON-RPC error response with a null id (for transports that refuse a message themselves).
  static std::string error_reply(int code, std::string_view message);

  const ServerInfo& info() const noexcept { return info_; }

 private:
  node::ServiceBackend& backend_;
  ServerInfo info_;
};

// JSON-RPC 2.0 error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

}  // namespace ipfsa::mcp
