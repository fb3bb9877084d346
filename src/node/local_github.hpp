// The GitHub path of a command that runs no node (api, cache, gh, mcp; serve before it builds the
// node): this process's cache from the environment, the GitHub client and the gateway joining
// them, and the `cache` command's reads of the store. The layers above (cli, mcp) reach the cache
// and the client only through here and GitHubGateway (docs/architecture.md, "Layers").
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "base/error.hpp"
#include "base/status.hpp"
#include "cache/github_api_cache.hpp"
#include "github/client.hpp"
#include "node/github_gateway.hpp"

namespace ipfsa::node {

// The process-wide cache (cache::global_cache: opened on first use from the CACHE_* variables;
// the store's lock makes it fail with "... is in use by another process" while a node holds the
// directory). Errors: the configuration or open error as a message.
Checked<cache::GitHubAPICache*> process_cache();

// What a command needs of the GitHub path; each includes the ones before it.
enum class LocalNeed {
  cache,    // `cache`: the store only, never GitHub
  client,   // `serve`: the cache and the client; the node wires its own gateway (SwarmNode)
  gateway,  // `api`, `mcp` on stdio: the cache, the client and the gateway joining them
};

struct LocalGitHub {
  cache::GitHubAPICache* cache = nullptr;
  std::unique_ptr<github::Client> client;  // null for LocalNeed::cache
  std::unique_ptr<GitHubGateway> gateway;  // set only for LocalNeed::gateway
};

// Opens the process's cache and, as `need` says, the GitHub client (GITHUB_API_URL,
// GITHUB_GRAPHQL_URL, GH_TOKEN, GITHUB_TOKEN) and the gateway: one gateway per process, whether
// a node runs or not. Errors: what failed and why, as a message ("cache: ...", "GitHub client
// configuration (...): ...", "GitHub client: ...").
Checked<LocalGitHub> open_local_github(LocalNeed need);

// The key a person typed: canonical key text ("GET api.github.com/repos/o/r accept=..."), its
// 64-hex hash, or a REST path (on GITHUB_API_URL, else api.github.com, with `accept`). nullopt:
// none of these.
std::optional<cache::CacheKey> key_from_text(std::string_view text, std::string_view accept);

// The stored entry of `key`, fresh or not (a store read: no hit counted, no GitHub call). A null
// pointer: nothing stored. Errors: the store's.
Result<cache::EntryPtr> stored_entry(cache::GitHubAPICache& cache, const cache::CacheKey& key);

}  // namespace ipfsa::node
