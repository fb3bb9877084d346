// The registry's decisions, without I/O: which issue is the registry, which comments are live
// peers, which of our own comments to keep and which to delete. GitHub's JSON pages go in;
// GitHub's "now" is an argument.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "discovery/registry/comment.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::registry {

// Comments read per heartbeat at most (kMaxCommentPages pages of kPerPage); the rest is ignored.
inline constexpr std::size_t kPerPage = 100;
inline constexpr std::size_t kMaxRegistryComments = 1000;
inline constexpr std::size_t kMaxCommentPages = kMaxRegistryComments / kPerPage;
// Open issues scanned for the registry issue at most (kMaxIssuePages pages of kPerPage).
inline constexpr std::size_t kMaxIssuePages = 10;
// A peer whose last_seen is older than this is ignored (the original's peer_ttl_minutes=30).
inline constexpr std::chrono::minutes kPeerTtl{30};
// A last_seen further in the future than this is ignored too (it would otherwise stay live
// forever).
inline constexpr std::chrono::minutes kMaxClockSkew{5};
// One GitHub list page (100 issues or comments with bodies up to 65536 characters each).
inline constexpr std::size_t kMaxPageBytes = 8 * 1024 * 1024;

struct IssueSummary {
  std::uint64_t number = 0;
  std::string title;
  bool open = false;
  bool pull_request = false;  // GitHub's issues endpoint also lists pull requests
};

struct IssueComment {
  std::uint64_t id = 0;
  std::string body;
  std::string author;  // user.login, empty if absent
};

// A live peer from a registry comment, ready to dial.
struct RegistryPeer {
  PeerRecord record;
  wire::PeerId peer_id;
  // Dialable addresses, each ending in /p2p/<peer_id>: the published multiaddr (with /p2p/
  // appended when the original left it out), then /ip4|ip6/<public_ip>/tcp/<listen_port> when
  // public_ip is set and differs.
  std::vector<wire::Multiaddr> addrs;
  std::uint64_t comment_id = 0;
};

// A page of GET /repos/{o}/{r}/issues. Items without a number are skipped. Errors:
// Error::too_large (above kMaxPageBytes or more than kPerPage items), Error::malformed (not a
// JSON array).
Result<std::vector<IssueSummary>> parse_issues_page(std::string_view json);

// A page of GET /repos/{o}/{r}/issues/{n}/comments. Items without an id or a string body are
// skipped. Errors as parse_issues_page.
Result<std::vector<IssueComment>> parse_comments_page(std::string_view json);

// The "number" of an issue or the "id" of a comment in a create/update response. Errors:
// Error::malformed.
Result<std::uint64_t> parse_number_field(std::string_view json, std::string_view field);

// The registry issue: open, not a pull request, title exactly kIssueTitle, lowest number.
std::optional<std::uint64_t> choose_issue(std::span<const IssueSummary> issues);

// A record made dialable. Errors: Error::malformed (peer_id or multiaddr does not parse, the
// multiaddr's /p2p/ names another peer, public_ip is not an IP literal), and
// PeerId::parse / Multiaddr::parse errors.
Result<RegistryPeer> to_registry_peer(PeerRecord record, std::uint64_t comment_id);

struct Self {
  std::string runner_name;
  std::string peer_id;
};

// Told about each registry comment live_peers leaves out because it does not parse or is not
// dialable (not about stale ones or our own), with the reason.
using SkipReport = std::function<void(std::uint64_t comment_id, boost::system::error_code why)>;

// Live peers other than `self`: registry comments that parse (others reported to `on_skip`),
// whose last_seen is within [now - kPeerTtl, now + kMaxClockSkew], whose runner_name and peer ID
// are not ours, deduplicated by peer ID and by runner_name (the newest last_seen wins; on a tie
// the lowest comment id). Peer IDs compare as IDs, not texts (one ID may be written in base58 or
// as a CIDv1). Sorted by peer_id text. At most kMaxRegistryComments comments read.
std::vector<RegistryPeer> live_peers(std::span<const IssueComment> comments, const Self& self,
                                     WallTime now, const SkipReport& on_skip);

// As above, each skipped comment logged at debug level. Defined in roster_log.cpp, which is part
// of the `registry` library and not of the pure `registry_codec` (it needs the logger).
std::vector<RegistryPeer> live_peers(std::span<const IssueComment> comments, const Self& self,
                                     WallTime now);

// Our own comments (is_comment_of(body, runner_name)): keep the one with the lowest id (the one
// the original would PATCH too: it takes the first match in GitHub's ascending order), delete
// every other. `keep` is nullopt when we have none.
struct OwnComments {
  std::optional<std::uint64_t> keep;
  std::vector<std::uint64_t> remove;
};
OwnComments own_comments(std::span<const IssueComment> comments, std::string_view runner_name);

}  // namespace ipfsa::registry
