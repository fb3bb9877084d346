#include "cli/github_context.hpp"

#include <iostream>

#include "github/config.hpp"

namespace ipfsa::cli {

std::optional<GitHubContext> open_github(bool with_client) {
  GitHubContext context;
  auto cache = cache::global_cache();
  if (!cache) {
    std::cerr << "error: cache: " << cache.error() << "\n";
    return std::nullopt;
  }
  context.cache = *cache;
  if (!with_client) return context;
  auto config = github::config_from_process_env();
  if (!config) {
    std::cerr << "error: GitHub client configuration (GITHUB_API_URL, GITHUB_GRAPHQL_URL, GH_TOKEN, "
                 "GITHUB_TOKEN): "
              << config.error().message() << "\n";
    return std::nullopt;
  }
  auto client = github::Client::create(std::move(*config));
  if (!client) {
    std::cerr << "error: GitHub client: " << client.error().message() << "\n";
    return std::nullopt;
  }
  context.client = std::move(*client);
  context.gateway = std::make_unique<node::GitHubGateway>(*context.cache, *context.client);
  return context;
}

}  // namespace ipfsa::cli
