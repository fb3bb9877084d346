#include "node/local_github.hpp"

#include <string>

#include "base/env.hpp"
#include "github/config.hpp"

namespace ipfsa::node {

Checked<cache::GitHubAPICache*> process_cache() {
  return cache::global_cache([] { return cache::Config::from_env(process_env()); });
}

Checked<LocalGitHub> open_local_github(LocalNeed need) {
  LocalGitHub local;
  auto cache = process_cache();
  if (!cache) return Checked<LocalGitHub>::failure("cache: " + cache.error());
  local.cache = *cache;
  if (need == LocalNeed::cache) return local;
  auto config = github::config_from_process_env();
  if (!config) {
    return Checked<LocalGitHub>::failure(
        "GitHub client configuration (GITHUB_API_URL, GITHUB_GRAPHQL_URL, GH_TOKEN, "
        "GITHUB_TOKEN): " +
        config.error().message());
  }
  auto client = github::Client::create(std::move(*config));
  if (!client) {
    return Checked<LocalGitHub>::failure("GitHub client: " + client.error().message());
  }
  local.client = std::move(*client);
  if (need == LocalNeed::gateway) local.gateway = std::make_unique<GitHubGateway>(*local.cache, *local.client);
  return local;
}

std::optional<cache::CacheKey> key_from_text(std::string_view text, std::string_view accept) {
  if (const auto digest = cache::digest_from_hex(text)) {
    cache::CacheKey key;
    key.hash = std::string(text);
    key.digest = *digest;
    return key;
  }
  if (text.starts_with("GET ") || text.starts_with("HEAD ") || text.starts_with("POST ")) {
    return cache::make_key(text.find(" graphql=") != std::string_view::npos ? cache::ApiKind::graphql
                                                                             : cache::ApiKind::rest,
                           std::string(text), "");
  }
  const auto api = process_env()("GITHUB_API_URL").value_or("");
  auto key = cache::rest_key({"GET", !api.empty() ? api : std::string(cache::kDefaultApiHost), text,
                              accept, ""});
  if (!key) return std::nullopt;
  return *key;
}

Result<cache::EntryPtr> stored_entry(cache::GitHubAPICache& cache, const cache::CacheKey& key) {
  return cache.store().get(key.digest);
}

}  // namespace ipfsa::node
