// `ipfs-accelerate cache stats|get|invalidate|clear`: the local cache, without calling GitHub.
#include <chrono>
#include <iostream>

#include "cache/key.hpp"
#include "cli/common.hpp"
#include "cli/github_context.hpp"
#include "github/client.hpp"

namespace ipfsa::cli {
namespace {

long long epoch_ms(cache::WallTime t) { return t.time_since_epoch().count(); }

void print_stats(const cache::CacheStats& s) {
  std::cout << "{\"hits\":" << s.hits << ",\"misses\":" << s.misses << ",\"peer_hits\":" << s.peer_hits
            << ",\"expirations\":" << s.expirations << ",\"evictions\":" << s.evictions
            << ",\"api_calls_made\":" << s.api_calls_made()
            << ",\"api_calls_made_rest\":" << s.api_calls_made_rest
            << ",\"api_calls_made_graphql\":" << s.api_calls_made_graphql
            << ",\"api_calls_saved\":" << s.api_calls_saved
            << ",\"revalidations_304\":" << s.revalidations_304 << ",\"stale_served\":" << s.stale_served
            << ",\"hit_rate\":" << s.hit_rate << ",\"total_entries\":" << s.total_entries
            << ",\"total_size_bytes\":" << s.total_size_bytes << "}\n";
}

// A canonical key ("GET api.github.com/repos/o/r accept=..."), its 64-hex hash, or a REST path.
std::optional<cache::CacheKey> resolve_key(std::string_view text, std::string_view accept) {
  const bool hash = text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  if (hash) return cache::CacheKey{cache::ApiKind::rest, "", std::string(text), ""};
  if (text.starts_with("GET ") || text.starts_with("HEAD ") || text.starts_with("POST ")) {
    return cache::CacheKey{text.find(" graphql=") != std::string_view::npos ? cache::ApiKind::graphql
                                                                             : cache::ApiKind::rest,
                           std::string(text), cache::key_hash(text), ""};
  }
  const char* api = std::getenv("GITHUB_API_URL");
  auto key = cache::rest_key({"GET", api && *api ? api : cache::kDefaultApiHost, text, accept, ""});
  if (!key) return std::nullopt;
  return *key;
}

}  // namespace

int run_cache(const CacheOptions& options) {
  auto context = open_github(false);
  if (!context) return 1;
  auto& c = *context->cache;
  if (options.action == "stats") {
    print_stats(c.stats());
    return 0;
  }
  if (options.action == "get") {
    auto key = resolve_key(options.argument, options.accept);
    if (!key) {
      std::cerr << "error: \"" << options.argument << "\" is not a cache key, key hash or API path\n";
      return 2;
    }
    auto entry = c.store().get(key->hash);
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
              << github::json_quote(e.origin) << ",\"headers\":{";
    for (std::size_t i = 0; i < e.headers.size(); ++i) {
      std::cout << (i ? "," : "") << github::json_quote(e.headers[i].name) << ":"
                << github::json_quote(e.headers[i].value);
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
