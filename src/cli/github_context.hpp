// Opens what the GitHub commands (api, cache) need: the process-wide cache from the environment,
// the GitHub client and the gateway joining them. Prints the reason on failure.
#pragma once

#include <memory>
#include <optional>

#include "cache/github_api_cache.hpp"
#include "github/client.hpp"
#include "node/github_gateway.hpp"

namespace ipfsa::cli {

struct GitHubContext {
  cache::GitHubAPICache* cache = nullptr;
  std::unique_ptr<github::Client> client;
  std::unique_ptr<node::GitHubGateway> gateway;
};

// with_client=false opens only the cache (the `cache` command never calls GitHub).
std::optional<GitHubContext> open_github(bool with_client);

}  // namespace ipfsa::cli
