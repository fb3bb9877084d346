// Gossip announcements on the swarm topic (docs/wire/announcement.md). Small, never a body: an
// entry's coordinates, an invalidation after a write, or a rate-limit notice. Authenticated by the
// gossipsub StrictSign signature of their author. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "share/membership.hpp"

namespace ipfsa::share {

inline constexpr std::uint32_t kAnnouncementVersion = 1;
inline constexpr std::size_t kMaxAnnouncementBytes = 4 * 1024;
inline constexpr std::size_t kMaxAnnouncedTextBytes = 1024;  // etag, cid, origin, resource
inline constexpr std::size_t kMaxInvalidationPrefixBytes = 2048;

// "I stored this entry, fetched from GitHub by `origin`."
struct EntryAnnouncement {
  std::string key_hash;  // 64 hex
  std::string cid;
  std::string etag;
  std::int64_t fetched_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::uint64_t size = 0;  // body bytes
  std::string origin;      // peer ID text of who fetched it (must be the author)
  friend bool operator==(const EntryAnnouncement&, const EntryAnnouncement&) = default;
};

// "A write went through me: drop keys starting with `prefix`" (a canonical key prefix such as
// "GET api.github.com/repos/o/r", or "POST api.github.com/graphql" for every GraphQL answer).
struct Invalidation {
  std::string prefix;
  friend bool operator==(const Invalidation&, const Invalidation&) = default;
};

// "The token with this fingerprint is rate-limited until reset_at": others using the same token
// hold off instead of spending calls that will fail.
struct RateLimitNotice {
  std::string token_fingerprint;  // Swarm::token_fingerprint, 32 hex
  std::int64_t reset_at_ms = 0;
  std::string resource;  // "core", "graphql", "search" ...
  friend bool operator==(const RateLimitNotice&, const RateLimitNotice&) = default;
};

struct Announcement {
  std::uint32_t version = kAnnouncementVersion;
  std::int64_t sent_at_ms = 0;
  // MemberRecord: "this member is here" (docs/wire/membership.md), signed by the member itself, so
  // that any member may relay it.
  std::variant<EntryAnnouncement, Invalidation, RateLimitNotice, MemberRecord> body;
  friend bool operator==(const Announcement&, const Announcement&) = default;
};

// Protobuf: 1 version, 2 sent_at_ms, then exactly one of 3 entry {1 key_hash (32 bytes), 2 cid,
// 3 etag, 4 fetched_at_ms, 5 expires_at_ms, 6 size, 7 origin}, 4 invalidation {1 prefix},
// 5 rate_limit {1 fingerprint (16 bytes), 2 reset_at_ms, 3 resource}, 6 member (a MemberRecord,
// share/membership.hpp). No known body: unsupported (a later version's kind, ignored).
Bytes encode_announcement(const Announcement& announcement);
// Errors: too_large (over a limit), truncated/malformed (bad protobuf, no or two bodies, bad key
// hash or fingerprint), unsupported (a version above ours: ignore, do not penalise).
Result<Announcement> decode_announcement(ByteView bytes);

}  // namespace ipfsa::share
