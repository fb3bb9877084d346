// What the subcommands share: version, identity and swarm-key loading with clear errors.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/secret.hpp"
#include "crypto/ed25519.hpp"

namespace ipfsa::cli {

inline constexpr std::string_view kVersion = "0.1.0";
std::string agent_version();  // "ipfs-accelerate/<version>"

// The node's persistent identity from its state directory; prints the reason and returns nullopt
// on failure.
std::optional<crypto::Ed25519KeyPair> load_identity();
// A libp2p pnet v1 swarm key file; prints the reason and returns nullopt on failure.
std::optional<SecretBytes> load_swarm_key(const std::filesystem::path& file);

int run_id(bool json);
struct PingOptions {
  std::string target;
  int count = 4;
  double interval_s = 1.0;
  std::string swarm_key;
};
int run_ping(const PingOptions& options);
struct ServeOptions {
  std::vector<std::string> listen;  // overrides CACHE_LISTEN_PORT's defaults when given
  std::string swarm_key;            // overrides IPFS_ACCELERATE_SWARM_KEY
  std::optional<std::string> dashboard_host;  // --host (IPFS_ACCELERATE_DASHBOARD_HOST)
  std::optional<std::string> dashboard_port;  // --port (IPFS_ACCELERATE_DASHBOARD_PORT)
};
int run_serve(const ServeOptions& options);
// `ipfs-accelerate mcp [--help]`: the MCP server on stdio (cmd_mcp.cpp).
int run_mcp(const std::vector<std::string>& args);

inline constexpr std::size_t kMaxPaginatePages = 1000;
struct ApiOptions {
  std::string path;
  std::string method;                               // "" = GET, or POST when fields are given
  std::vector<std::pair<std::string, bool>> fields;  // "k=v", typed (-F) or raw (-f)
  std::vector<std::string> headers;                  // "Accept: ..."
  bool paginate = false;
  bool include = false;
};
int run_api(const ApiOptions& options);

struct CacheOptions {
  std::string action;    // stats | get | invalidate | clear
  std::string argument;  // key/path (get) or prefix (invalidate)
  bool body = false;     // get: print the body instead of the metadata
  std::string accept;    // get by API path: the Accept the entry was fetched with
};
int run_cache(const CacheOptions& options);

// `ipfs-accelerate gh <args...>` (cmd_gh.cpp).
int run_gh(const std::vector<std::string>& args);

}  // namespace ipfsa::cli
