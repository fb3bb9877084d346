// The one place where the cache engine and the GitHub client meet (composition root): GitHub API
// reads go through GitHubAPICache::fetch() with the client as the upstream; writes pass through
// and invalidate what they may have changed. Thread-safe (both parts are); blocking.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/error.hpp"
#include "base/secret.hpp"
#include "cache/github_api_cache.hpp"
#include "github/client.hpp"

namespace ipfsa::share {
class Sharing;
}

namespace ipfsa::node {

// REST GET keys remembered by (target, Accept), so that a hot read does not normalise and hash its
// URL again. At this many the memo starts over (a pure function's results: nothing is lost).
inline constexpr std::size_t kRestKeyMemoEntries = 4096;
// Longer (target, Accept) pairs are not remembered, so the memo stays within a few MiB
// (kRestKeyMemoEntries x (key text + this)) whatever URLs clients send.
inline constexpr std::size_t kRestKeyMemoMaxBytes = 512;

struct RestCall {
  std::string method = "GET";
  std::string target;  // "repos/o/r", "/user/repos?per_page=100" or an absolute URL (Link next)
  std::string accept;  // "" = the client's default
  std::string body;    // for writes
  std::string content_type;          // of `body` ("" = none)
  std::optional<SecretBytes> token;  // a caller's own token (proxy); default: the node's
};

struct GraphqlCall {
  std::string query;
  std::string variables_json;  // "" = {}
  std::string operation_name;
  std::string accept;  // "" = the client's default
  std::optional<SecretBytes> token;
};

struct Answer {
  cache::CacheStatus status = cache::CacheStatus::miss;  // pass-through writes report miss
  cache::EntryPtr entry;                                  // status, kept headers, body
  bool cached = false;                                    // served by or stored in the cache
};

class GitHubGateway {
 public:
  GitHubGateway(cache::GitHubAPICache& cache, github::Client& client);

  // How a read uses the swarm before GitHub: `ask` the key's owner (a client's read), or
  // `as_owner`: a peer's request reached us as the key's owner, so only take back a fresh copy a
  // member fetched while we were away (share::Sharing::PullScope::owner_copy).
  enum class SwarmUse { ask, as_owner };
  // GET and HEAD through the cache (and, with a swarm, the swarm as `use` says, before GitHub);
  // any other method goes upstream and, on success, invalidates the
  // keys of the repository (or user/org) it touched, here and across the swarm. Errors: the
  // key's errors (malformed, unsupported for credentials in the URL), the upstream's when
  // nothing is stored.
  Result<Answer> rest(const RestCall& call, SwarmUse use = SwarmUse::ask);
  // Queries through the cache; a document starting with `mutation` passes through and
  // invalidates every cached GraphQL answer.
  Result<Answer> graphql(const GraphqlCall& call, SwarmUse use = SwarmUse::ask);

  // A fresh cached answer to a GET of `target` with `accept` ("" = the client's default), or
  // nullopt: a store read only, never a network call (the service answers these on its event
  // loop). Counts a hit when it answers.
  std::optional<Answer> fresh_hit(std::string_view target, std::string_view accept);

  // Joins the swarm: misses ask it, fetched entries and writes are announced, rate limits on the
  // node's token are reported. Set before serving; `sharing` must outlive the gateway's use.
  void set_sharing(share::Sharing* sharing) noexcept { sharing_ = sharing; }
  // The API host part of REST keys ("api.github.com") and the GraphQL endpoint.
  const std::string& api_host() const noexcept { return host_; }

  // The key prefix a write to `path` invalidates: "GET <host>/repos/<o>/<r>" for repository
  // paths, "GET <host>/<first two segments>" otherwise.
  std::string invalidation_prefix(std::string_view path) const;

  cache::GitHubAPICache& cache() noexcept { return cache_; }
  github::Client& client() noexcept { return client_; }

 private:
  cache::GitHubAPICache& cache_;
  github::Client& client_;
  // The cache key of a REST read (it never depends on the caller's token); GET keys come from
  // the memo.
  Result<std::shared_ptr<const cache::CacheKey>> rest_key_for(std::string_view method,
                                                              std::string_view target,
                                                              std::string_view accept);
  // After an upstream answer: report a rate limit on the node's own token to the swarm.
  void note_rate_limit(const github::Response& response, std::string_view path, bool graphql,
                       bool own_token);
  // After a fetch: announce what we fetched ourselves.
  void announce(const cache::CacheKey& key, const cache::Lookup& lookup);

  std::string host_;  // api_url without scheme: the host part of every REST key
  share::Sharing* sharing_ = nullptr;
  std::mutex key_memo_mutex_;
  // "<target>\n<accept>" -> key; at most kRestKeyMemoEntries.
  std::unordered_map<std::string, std::shared_ptr<const cache::CacheKey>> key_memo_;
};

// True if a GraphQL document is a mutation (or subscription): its first operation keyword after
// the ignored tokens. The one classification of GraphQL writes (the gateway, the MCP tools and the
// gh wrapper all ask it).
bool is_graphql_mutation(std::string_view query);

}  // namespace ipfsa::node
