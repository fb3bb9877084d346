#include "node/github_gateway.hpp"

#include <cctype>
#include <functional>

#include "base/log.hpp"
#include "share/cache_protocol.hpp"
#include "share/sharing.hpp"

namespace ipfsa::node {
namespace {

cache::UpstreamResponse to_upstream(github::Response response) {
  cache::UpstreamResponse out;
  out.status = response.status;
  out.headers.reserve(response.headers.size());
  for (auto& [name, value] : response.headers) out.headers.push_back({name, value});
  out.body = std::move(response.body);
  return out;
}

// Sends a write upstream (never cached) and returns its answer as an unstored entry; `on_success`
// runs for a 2xx, to invalidate what the write may have changed.
Result<Answer> pass_through(github::Client& client, const github::Request& request,
                            const std::function<void(int status)>& on_success) {
  auto response = client.send(request);
  if (!response) return response.error();
  auto upstream = to_upstream(std::move(*response));
  const int status = upstream.status;
  const auto now = cache::wall_now();
  auto entry = cache::make_entry(status, upstream.headers, std::move(upstream.body), now, now);
  if (!entry) return entry.error();
  if (status >= 200 && status < 300) on_success(status);
  return Answer{cache::CacheStatus::miss, std::make_shared<const cache::Entry>(std::move(*entry)),
                false};
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "/repos/o/r/issues?x=1" -> {"repos", "o", "r", "issues"}; an absolute URL keeps its path only.
std::vector<std::string_view> path_segments(std::string_view target) {
  if (auto scheme = target.find("://"); scheme != std::string_view::npos) {
    auto slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? std::string_view{} : target.substr(slash);
  }
  target = target.substr(0, target.find_first_of("?#"));
  std::vector<std::string_view> out;
  while (!target.empty()) {
    auto slash = target.find('/');
    auto part = target.substr(0, slash);
    if (!part.empty()) out.push_back(part);
    if (slash == std::string_view::npos) break;
    target.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

bool is_graphql_mutation(std::string_view query) {
  // Skip ignored tokens (GraphQL spec 2.1: byte order marks, white space, line terminators,
  // commas, comments) to the first keyword.
  constexpr std::string_view kBom = "\xEF\xBB\xBF";  // U+FEFF in UTF-8
  while (!query.empty()) {
    const char c = query.front();
    if (query.starts_with(kBom)) {
      query.remove_prefix(kBom.size());
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
      query.remove_prefix(1);
    } else if (c == '#') {
      const auto eol = query.find_first_of("\r\n");
      query.remove_prefix(eol == std::string_view::npos ? query.size() : eol);
    } else {
      break;
    }
  }
  // The keyword must be a whole name: "mutationX" is not the keyword mutation.
  for (std::string_view keyword :
       {std::string_view("mutation"), std::string_view("subscription")}) {
    if (!query.starts_with(keyword)) continue;
    const char after = query.size() > keyword.size() ? query[keyword.size()] : ' ';
    const bool name_char = (after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') ||
                           (after >= '0' && after <= '9') || after == '_';
    if (!name_char) return true;
  }
  return false;
}

GitHubGateway::GitHubGateway(cache::GitHubAPICache& cache, github::Client& client)
    : cache_(cache), client_(client) {
  // The REST key of "/" gives the host part exactly as rest_key() writes it.
  auto root = cache::rest_key({"GET", client_.config().api_url, "/", "", ""});
  if (root) {
    const auto& text = root->text;  // "GET <host>/ accept=..."
    host_ = text.substr(4, text.find(' ', 4) - 4);
    if (!host_.empty() && host_.back() == '/') host_.pop_back();
  }
}

std::string GitHubGateway::invalidation_prefix(std::string_view path) const {
  const auto segments = path_segments(path);
  std::string prefix = "GET " + host_;
  const std::size_t keep = !segments.empty() && segments[0] == "repos" ? 3 : 2;
  for (std::size_t i = 0; i < segments.size() && i < keep; ++i) {
    prefix += '/';
    prefix += segments[i];
  }
  return prefix;
}

void GitHubGateway::note_rate_limit(const github::Response& response, std::string_view path,
                                    bool graphql, bool own_token) {
  if (!sharing_ || !own_token) return;
  cache::UpstreamResponse probe{response.status, {}, {}};
  for (const auto& [name, value] : response.headers) probe.headers.push_back({name, value});
  if (!cache::is_rate_limited(probe)) return;
  const auto resource = std::string(github::resource_for_path(path, graphql));
  const auto wait = client_.retry_after(resource);
  if (wait.count() > 0) sharing_->announce_rate_limit(resource, cache::wall_now() + wait);
}

void GitHubGateway::announce(const cache::CacheKey& key, const cache::Lookup& lookup) {
  if (!sharing_ || !lookup.stored || !lookup.entry || !lookup.entry->origin.empty()) return;
  if (lookup.status == cache::CacheStatus::miss || lookup.status == cache::CacheStatus::revalidated) {
    sharing_->announce_entry(key, lookup.entry);
  }
}

Result<std::shared_ptr<const cache::CacheKey>> GitHubGateway::rest_key_for(
    std::string_view method, std::string_view target, std::string_view accept) {
  const bool memo = method == "GET" && target.size() + accept.size() < kRestKeyMemoMaxBytes;
  thread_local std::string probe;
  if (memo) {
    probe.assign(target);
    probe += '\n';
    probe += accept;
    std::lock_guard lock(key_memo_mutex_);
    if (auto it = key_memo_.find(probe); it != key_memo_.end()) return it->second;
  }
  auto key = cache::rest_key({method, client_.config().api_url, target, accept, ""});
  if (!key) return key.error();
  auto shared = std::make_shared<const cache::CacheKey>(std::move(*key));
  if (memo) {
    std::lock_guard lock(key_memo_mutex_);
    if (key_memo_.size() >= kRestKeyMemoEntries) key_memo_.clear();
    key_memo_.emplace(probe, shared);
  }
  return shared;
}

std::optional<Answer> GitHubGateway::fresh_hit(std::string_view target, std::string_view accept) {
  auto key = rest_key_for("GET", target, accept);
  if (!key) return std::nullopt;
  auto entry = cache_.hit(**key);  // one store read; counts only a hit
  if (!entry) return std::nullopt;
  return Answer{cache::CacheStatus::hit, std::move(*entry), true};
}

Result<Answer> GitHubGateway::rest(const RestCall& call, SwarmUse use) {
  const std::string method = upper(call.method);
  github::Request request;
  request.method = method;
  request.target = call.target;
  request.accept = call.accept;
  request.body = call.body;
  if (!call.content_type.empty()) request.headers.push_back({"content-type", call.content_type});
  if (call.token) request.token = *call.token;

  if (method != "GET" && method != "HEAD") {
    return pass_through(client_, request, [&](int status) {
      // The write may have changed anything under the resource's owner: drop those keys. A
      // prefix is cut at a segment end ("/repos/o/r" must not drop "/repos/o/rx").
      const auto prefix = invalidation_prefix(call.target);
      const std::size_t dropped = cache_.invalidate_under(prefix);
      log::debug("{} {} -> {}; invalidated {} cached entries under {}", method, call.target, status,
                 dropped, prefix);
      if (sharing_) sharing_->announce_invalidation(prefix);
    });
  }

  auto memo_key = rest_key_for(method, call.target, call.accept);
  if (!memo_key) return memo_key.error();
  const cache::CacheKey& key = **memo_key;
  const cache::Upstream upstream =
      [&](const cache::ConditionalHeaders& conditional) -> Result<cache::UpstreamResponse> {
    github::Request r = request;
    r.if_none_match = conditional.if_none_match;
    r.if_modified_since = conditional.if_modified_since;
    auto response = client_.send(r);
    if (!response) return response.error();
    note_rate_limit(*response, key.path, false, !call.token);
    return to_upstream(std::move(*response));
  };
  cache::PeerSource peers;
  if (sharing_) {
    const share::Recipe recipe = share::rest_recipe(client_.config().api_url, call.target, call.accept);
    const auto scope = use == SwarmUse::ask ? share::Sharing::PullScope::swarm
                                            : share::Sharing::PullScope::owner_copy;
    peers = [this, recipe, scope](const cache::CacheKey& k, const cache::EntryPtr& stored) {
      return sharing_->pull(k, recipe, stored, scope);
    };
  }
  auto lookup = cache_.fetch(key, upstream, peers);
  if (!lookup) return lookup.error();
  announce(key, *lookup);
  return Answer{lookup->status, lookup->entry, lookup->stored || lookup->status != cache::CacheStatus::miss};
}

Result<Answer> GitHubGateway::graphql(const GraphqlCall& call, SwarmUse use) {
  github::Request request;
  request.method = "POST";
  request.target = client_.config().graphql_url;
  request.accept = call.accept;
  std::string body = "{\"query\":" + github::json_quote(call.query);
  if (!call.variables_json.empty()) body += ",\"variables\":" + call.variables_json;
  if (!call.operation_name.empty()) body += ",\"operationName\":" + github::json_quote(call.operation_name);
  body += "}";
  request.body = std::move(body);
  request.headers.push_back({"content-type", "application/json"});
  if (call.token) request.token = *call.token;

  auto key = cache::graphql_key({client_.config().graphql_url, call.query, call.variables_json,
                                 call.operation_name, ""});
  if (!key) return key.error();
  if (is_graphql_mutation(call.query)) {
    return pass_through(client_, request, [&](int) {
      // A mutation can change what any query returns: drop every cached GraphQL answer.
      const auto space = key->text.find(' ', key->text.find(' ') + 1);
      (void)cache_.invalidate_prefix(key->text.substr(0, space + 1));
      if (sharing_) sharing_->announce_invalidation(key->text.substr(0, space));
    });
  }
  const cache::Upstream upstream =
      [&](const cache::ConditionalHeaders&) -> Result<cache::UpstreamResponse> {
    // GraphQL answers carry no validators: an expired answer is simply fetched again.
    auto response = client_.send(request);
    if (!response) return response.error();
    note_rate_limit(*response, "graphql", true, !call.token);
    return to_upstream(std::move(*response));
  };
  cache::PeerSource peers;
  if (sharing_) {
    const share::Recipe recipe = share::graphql_recipe(client_.config().graphql_url, call.query,
                                                       call.variables_json, call.operation_name);
    const auto scope = use == SwarmUse::ask ? share::Sharing::PullScope::swarm
                                            : share::Sharing::PullScope::owner_copy;
    peers = [this, recipe, scope](const cache::CacheKey& k, const cache::EntryPtr& stored) {
      return sharing_->pull(k, recipe, stored, scope);
    };
  }
  auto lookup = cache_.fetch(*key, upstream, peers);
  if (!lookup) return lookup.error();
  announce(*key, *lookup);
  return Answer{lookup->status, lookup->entry, lookup->stored || lookup->status != cache::CacheStatus::miss};
}

}  // namespace ipfsa::node
