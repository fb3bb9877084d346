#include "discovery/registry/roster.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "wire/ip_text.hpp"

namespace ipfsa::registry {
namespace {

// Parses a GitHub list page: a JSON array of at most kPerPage objects.
Result<boost::json::array> parse_array(std::string_view json) {
  if (json.size() > kMaxPageBytes) return Error::too_large;
  boost::json::parse_options options;
  options.max_depth = 32;  // GitHub objects nest a few levels (user, labels, reactions)
  boost::system::error_code ec;
  boost::json::value v;
  try {
    v = boost::json::parse(json, ec, {}, options);
  } catch (const std::exception&) {
    return Error::malformed;
  }
  if (ec || !v.is_array()) return Error::malformed;
  if (v.get_array().size() > kPerPage) return Error::too_large;
  return std::move(v.get_array());
}

std::optional<std::uint64_t> as_u64(const boost::json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
  return std::nullopt;
}

std::string string_or_empty(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

}  // namespace

Result<std::vector<IssueSummary>> parse_issues_page(std::string_view json) {
  auto array = parse_array(json);
  if (!array) return array.error();
  std::vector<IssueSummary> out;
  out.reserve(array->size());
  for (const auto& item : *array) {
    const auto* o = item.if_object();
    if (o == nullptr) continue;
    auto number = as_u64(o->if_contains("number"));
    if (!number) continue;
    IssueSummary s;
    s.number = *number;
    s.title = string_or_empty(*o, "title");
    s.open = string_or_empty(*o, "state") == "open";
    const auto* pr = o->if_contains("pull_request");
    s.pull_request = pr != nullptr && !pr->is_null();
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<IssueComment>> parse_comments_page(std::string_view json) {
  auto array = parse_array(json);
  if (!array) return array.error();
  std::vector<IssueComment> out;
  out.reserve(array->size());
  for (const auto& item : *array) {
    const auto* o = item.if_object();
    if (o == nullptr) continue;
    auto id = as_u64(o->if_contains("id"));
    const auto* body = o->if_contains("body");
    if (!id || body == nullptr || !body->is_string()) continue;
    IssueComment c;
    c.id = *id;
    c.body = std::string(body->get_string());
    if (const auto* user = o->if_contains("user"); user != nullptr && user->is_object()) {
      c.author = string_or_empty(user->get_object(), "login");
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::uint64_t> parse_number_field(std::string_view json, std::string_view field) {
  if (json.size() > kMaxPageBytes) return Error::too_large;
  boost::system::error_code ec;
  boost::json::value v;
  try {
    v = boost::json::parse(json, ec);
  } catch (const std::exception&) {
    return Error::malformed;
  }
  if (ec || !v.is_object()) return Error::malformed;
  auto n = as_u64(v.get_object().if_contains(field));
  if (!n || *n == 0) return Error::malformed;
  return *n;
}

std::optional<std::uint64_t> choose_issue(std::span<const IssueSummary> issues) {
  std::optional<std::uint64_t> best;
  for (const auto& i : issues) {
    if (!i.open || i.pull_request || i.title != kIssueTitle) continue;
    if (!best || i.number < *best) best = i.number;
  }
  return best;
}

Result<RegistryPeer> to_registry_peer(PeerRecord record, std::uint64_t comment_id) {
  auto id = wire::PeerId::parse(record.peer_id);
  if (!id) return id.error();
  auto addr = wire::Multiaddr::parse(record.multiaddr);
  if (!addr) return addr.error();
  if (auto named = addr->peer_id(); named && *named != *id) return Error::malformed;
  RegistryPeer peer{std::move(record), *id, {}, comment_id};
  peer.addrs.push_back(addr->with_peer_id(*id));
  if (peer.record.public_ip) {
    const std::string& ip = *peer.record.public_ip;
    if (!wire::parse_ip4(ip) && !wire::parse_ip6(ip)) return Error::malformed;
    if (peer.record.listen_port != 0) {
      auto pub = wire::Multiaddr::tcp(ip, peer.record.listen_port);
      if (!pub) return pub.error();
      auto with_id = pub->with_peer_id(*id);
      if (with_id != peer.addrs.front()) peer.addrs.push_back(std::move(with_id));
    }
  }
  return peer;
}

std::vector<RegistryPeer> live_peers(std::span<const IssueComment> comments, const Self& self,
                                     WallTime now, const SkipReport& on_skip) {
  if (comments.size() > kMaxRegistryComments) comments = comments.first(kMaxRegistryComments);
  // One peer ID has several texts (base58, CIDv1 "bafz..."): ours and duplicates are found by
  // the ID itself. A self.peer_id that does not parse is compared as text only.
  const auto self_id = wire::PeerId::parse(self.peer_id);
  std::vector<RegistryPeer> candidates;
  for (const auto& c : comments) {
    if (!is_registry_comment(c.body)) continue;
    auto record = parse_comment_body(c.body);
    if (!record) {
      if (on_skip) on_skip(c.id, record.error());
      continue;
    }
    if (record->last_seen < now - kPeerTtl || record->last_seen > now + kMaxClockSkew) continue;
    if (record->runner_name == self.runner_name || record->peer_id == self.peer_id) continue;
    auto peer = to_registry_peer(std::move(*record), c.id);
    if (!peer) {
      if (on_skip) on_skip(c.id, peer.error());
      continue;
    }
    if (self_id && peer->peer_id == *self_id) continue;
    candidates.push_back(std::move(*peer));
  }
  // Newest first (ties: lowest comment id), then keep the first of each peer_id and runner_name.
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    if (a.record.last_seen != b.record.last_seen) return a.record.last_seen > b.record.last_seen;
    return a.comment_id < b.comment_id;
  });
  std::vector<RegistryPeer> out;
  std::set<wire::PeerId> seen_ids;
  std::set<std::string, std::less<>> seen_runners;
  for (auto& p : candidates) {
    if (seen_ids.contains(p.peer_id) || seen_runners.contains(p.record.runner_name)) continue;
    seen_ids.insert(p.peer_id);
    seen_runners.insert(p.record.runner_name);
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.record.peer_id < b.record.peer_id; });
  return out;
}

OwnComments own_comments(std::span<const IssueComment> comments, std::string_view runner_name) {
  OwnComments out;
  for (const auto& c : comments) {
    if (!is_comment_of(c.body, runner_name)) continue;
    if (!out.keep) {
      out.keep = c.id;
    } else if (c.id < *out.keep) {
      out.remove.push_back(*out.keep);
      out.keep = c.id;
    } else {
      out.remove.push_back(c.id);
    }
  }
  std::sort(out.remove.begin(), out.remove.end());
  return out;
}

}  // namespace ipfsa::registry
