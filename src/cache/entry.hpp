// One cached GitHub response and its on-disk encoding (docs/wire/cache-store.md, "Entry meta").
// The body is shared, immutable and reference counted so a hit hands it out without copying.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace ipfsa::cache {

using WallClock = std::chrono::system_clock;
using WallTime = std::chrono::time_point<WallClock, std::chrono::milliseconds>;
inline WallTime wall_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(WallClock::now());
}

inline constexpr std::size_t kMaxEntryBytes = 8 * 1024 * 1024;  // body + encoded meta
inline constexpr std::size_t kMaxHeaderValueBytes = 16 * 1024;  // per kept header
inline constexpr std::size_t kMaxOriginBytes = 128;             // a peer id in text form
inline constexpr std::size_t kMaxCidTextBytes = 128;
inline constexpr std::size_t kMaxSignatureBytes = 1024;  // an origin signature (any key type)
// The response headers a client needs to use a cached answer; all others are dropped (so
// set-cookie, authorization echoes and rate-limit state never enter the cache).
inline constexpr std::array<std::string_view, 5> kKeptHeaders = {
    "content-type", "etag", "last-modified", "link", "x-github-media-type"};

struct Header {
  std::string name;  // lowercase
  std::string value;
  friend bool operator==(const Header&, const Header&) = default;
};
using Headers = std::vector<Header>;
using Body = std::shared_ptr<const std::string>;

struct Entry {
  int status = 200;
  Headers headers;  // only kKeptHeaders, lowercase names, in kKeptHeaders order
  Body body;        // never null once built by make_entry() or decode_meta()
  std::string cid;  // CIDv1 raw sha2-256 of *body, base32 text ("bafkrei...")
  WallTime fetched_at{};
  WallTime expires_at{};
  std::string origin;  // peer id of the node that fetched it; empty = this node
  // The origin's signature over the entry's metadata (share/signed_entry.hpp); empty when origin
  // is empty (we sign our own entries when we hand them out).
  std::string signature;

  // The value of a kept header, "" if absent. `name` must be lowercase.
  std::string_view header(std::string_view name) const noexcept;
  bool fresh_at(WallTime now) const noexcept { return now < expires_at; }
  bool has_validator() const noexcept {
    return !header("etag").empty() || !header("last-modified").empty();
  }
};
using EntryPtr = std::shared_ptr<const Entry>;

// True if `name` (any case) is one of kKeptHeaders.
bool is_kept_header(std::string_view name) noexcept;

// Builds an entry from an upstream response: keeps the kKeptHeaders subset (names lowercased,
// first occurrence wins, values over kMaxHeaderValueBytes dropped), computes the CID of the body.
// Errors: too_large (body over kMaxEntryBytes), malformed (origin over kMaxOriginBytes).
Result<Entry> make_entry(int status, const Headers& response_headers, std::string body,
                         WallTime fetched_at, WallTime expires_at, std::string origin = {});

// Meta (everything but the body) as a small protobuf message.
Bytes encode_meta(const Entry& entry);
// Decodes meta and attaches `body`, checking the body against the meta's XXH3-64 (or, for meta
// without one, against the CID). Errors: truncated / malformed (bad protobuf, missing field, body
// mismatch), too_large (a field over its limit).
Result<Entry> decode_meta(ByteView meta, Body body);
// True if the body hashes to the entry's CID (for bodies that crossed the network).
bool body_matches_cid(const Entry& entry);

// Bytes the entry counts against CACHE_MAX_BYTES: body + encoded meta.
std::size_t entry_size(const Entry& entry, std::size_t meta_size) noexcept;

}  // namespace ipfsa::cache
