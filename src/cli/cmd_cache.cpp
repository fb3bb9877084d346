// `ipfs-accelerate cache stats|get|invalidate|clear`: the local cache, without calling GitHub.
// The cache and its store are reached through node/local_github.hpp only.
#include <chrono>
#include <iostream>

#include "cli/common.hpp"
#include "node/github_api.hpp"
#include "node/local_github.hpp"
#include "node/status_json.hpp"

namespace ipfsa::cli {
namespace {

long long epoch_ms(cache::WallTime t) { return t.time_since_epoch().count(); }

}  // namespace

int run_cache(const CacheOptions& options) {
  auto local = node::open_local_github(node::LocalNeed::cache);
  if (!local) {
    std::cerr << "error: " << local.error() << "\n";
    return 1;
  }
  auto& c = *local->cache;
  if (options.action == "stats") {
    std::cout << node::local_cache_stats_json(c.stats()) << "\n";
    return 0;
  }
  if (options.action == "get") {
    auto key = node::key_from_text(options.argument, options.accept);
    if (!key) {
      std::cerr << "error: \"" << options.argument << "\" is not a cache key, key hash or API path\n";
      return 2;
    }
    auto entry = node::stored_entry(c, *key);
    if (!entry || !*entry) {
      std::cerr << "not cached: " << options.argument << "\n";
      return 1;
    }
    const auto& e = **entry;
    if (options.body) {
      std::cout << *e.body;
      return 0;
    }
    std::cout << "{\"key_hash\":\"" << key->hash << "\",\"status\":" << e.status << ",\"cid\":\"" << e.cid
              << "\",\"size\":" << e.body->size() << ",\"fetched_at_ms\":" << epoch_ms(e.fetched_at)
              << ",\"expires_at_ms\":" << epoch_ms(e.expires_at)
              << ",\"fresh\":" << (e.fresh_at(cache::wall_now()) ? "true" : "false") << ",\"origin\":"
              << node::json_quote(e.origin) << ",\"headers\":{";
    for (std::size_t i = 0; i < e.headers.size(); ++i) {
      std::cout << (i ? "," : "") << node::json_quote(e.headers[i].name) << ":"
                << node::json_quote(e.headers[i].value);
    }
    std::cout << "}}\n";
    return 0;
  }
  if (options.action == "invalidate") {
    auto n = c.invalidate_prefix(options.argument);
    if (!n) {
      std::cerr << "error: " << n.error().message() << "\n";
      return 1;
    }
    std::cout << "invalidated " << *n << " entries\n";
    return 0;
  }
  if (options.action == "clear") {
    auto n = c.clear();
    if (!n) {
      std::cerr << "error: " << n.error().message() << "\n";
      return 1;
    }
    std::cout << "cleared " << *n << " entries\n";
    return 0;
  }
  std::cerr << "error: unknown cache action " << options.action << "\n";
  return 2;
}

}  // namespace ipfsa::cli
