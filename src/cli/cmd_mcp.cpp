// `ipfs-accelerate mcp`: the MCP server on stdio (newline-delimited JSON-RPC; nothing else on
// stdout, logs on stderr). With the cache free it serves from this process (its own cache, GitHub
// client and gateway; no P2P host). When a running node holds the cache (`serve` takes the store's
// exclusive lock) every message is forwarded to that node's POST /mcp, so agents see live peers.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "cli/common.hpp"
#include "mcp/forward.hpp"
#include "mcp/local_backend.hpp"
#include "mcp/server.hpp"
#include "mcp/stdio_transport.hpp"
#include "node/config.hpp"
#include "node/local_github.hpp"

namespace ipfsa::cli {
namespace {

constexpr std::string_view kUsage =
    "Usage: ipfs-accelerate mcp\n"
    "\n"
    "Runs the MCP (Model Context Protocol) server on stdin/stdout for AI agents: "
    "newline-delimited\n"
    "JSON-RPC 2.0, protocol versions 2025-11-25, 2025-06-18, 2025-03-26 and 2024-11-05. Tools:\n"
    "get_peer_status, get_cache_stats, gh_api, gh_graphql, gh_invalidate_cache, "
    "list_workflow_runs,\n"
    "list_runners (see docs/mcp.md).\n"
    "\n"
    "If `ipfs-accelerate serve` is running (it holds the cache), messages are forwarded to its\n"
    "http://127.0.0.1:$IPFS_ACCELERATE_DASHBOARD_PORT/mcp (default port 8899; bearer token from\n"
    "IPFS_ACCELERATE_DASHBOARD_TOKEN if set). Otherwise this process reads GitHub through the "
    "cache\n"
    "itself (GITHUB_API_URL, GH_TOKEN/GITHUB_TOKEN, CACHE_DIR, ...).\n"
    "\n"
    "Example client configuration:\n"
    "  {\"mcpServers\": {\"ipfs-accelerate\": {\"command\": \"ipfs-accelerate\", \"args\": "
    "[\"mcp\"]}}}\n";

std::string node_url() {
  std::string port = "8899";
  if (const char* p = std::getenv("IPFS_ACCELERATE_DASHBOARD_PORT"); p != nullptr && *p != '\0') {
    if (!node::parse_port(p)) {
      log::warn("IPFS_ACCELERATE_DASHBOARD_PORT={} is not a port; using 8899", p);
    } else {
      port = p;
    }
  }
  return "http://127.0.0.1:" + port + "/mcp";
}

SecretBytes dashboard_token() {
  const char* t = std::getenv("IPFS_ACCELERATE_DASHBOARD_TOKEN");
  if (t == nullptr || *t == '\0') return {};
  const std::string_view text(t);
  return SecretBytes{std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(text.data()), text.size())};
}

int forward_to_node() {
  const std::string url = node_url();
  mcp::HttpForwarder forwarder(url, dashboard_token());
  if (!forwarder.reachable()) {
    log::warn(
        "mcp: the cache is held by a running node, but nothing answers at {}; requests will fail "
        "until it does",
        url);
  } else {
    log::info("mcp: the cache is held by a running node: forwarding to {}", url);
  }
  return mcp::run_stdio(STDIN_FILENO, STDOUT_FILENO,
                        [&](std::string_view message) { return forwarder.forward(message); });
}

}  // namespace

int run_mcp(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    }
    std::cerr << "error: unexpected argument " << a << "\n" << kUsage;
    return 2;
  }
  log::init_from_env();
  ::signal(SIGPIPE, SIG_IGN);  // a closed stdout is a write error, not a crash

  auto cache = node::process_cache();
  if (!cache && cache.error().find("is in use by another process") != std::string::npos)
    return forward_to_node();
  auto local = node::open_local_github(node::LocalNeed::gateway);
  if (!local) {
    std::cerr << "error: " << local.error() << "\n";
    return 1;
  }
  bool p2p_enabled = true;
  if (auto p2p = node::load_p2p_config(process_env())) {
    p2p_enabled = p2p->enabled;
  } else {
    log::warn("{}", p2p.error());
  }
  mcp::LocalBackend backend(*local->gateway, p2p_enabled);
  const mcp::Server server(backend, mcp::ServerInfo{"ipfs-accelerate", std::string(kVersion)});
  mcp::Session session;
  log::info("mcp: serving on stdio (no node running: local cache, no P2P host)");
  return mcp::run_stdio(STDIN_FILENO, STDOUT_FILENO, [&](std::string_view message) {
    return server.handle_message(message, session);
  });
}

}  // namespace ipfsa::cli
