// One peer-registry comment: the format the Python original (p2p_peer_registry.py) writes and
// reads, so mixed fleets see each other. Pure: no I/O, no clock (time is an argument).
//
// A comment body is exactly
//   <!-- p2p-peer-registry:<runner_name> -->\n```json\n<payload>\n```\n
// where <payload> is Python's json.dumps(peer_info, indent=2, sort_keys=True) (ASCII only,
// non-ASCII as \uXXXX) of
//   {"last_seen": "2026-11-26T10:42:14.123456+00:00",   datetime.now(UTC).isoformat()
//    "listen_port": 9100, "metadata": {...}, "multiaddr": "/ip4/.../tcp/9100/p2p/...",
//    "peer_id": "12D3KooW...", "public_ip": "203.0.113.7" or null, "runner_name": "host-a"}
// Reading follows the original: the body, left-stripped, starts with "<!-- p2p-peer-registry:";
// the payload is the text after the line holding the first "```json" up to the last "```".
// We also accept CRLF line ends, text around the block, "Z" or any UTC offset in last_seen, and
// unknown extra fields; metadata values that are not strings are kept as their JSON text.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/time.hpp"

namespace ipfsa::registry {

inline constexpr std::string_view kIssueTitle = "p2p-peer-registry";
// The body the original gives the issue it creates (gh issue create --body ...).
inline constexpr std::string_view kIssueBody =
    "This issue is used as an automated peer registry for IPFS Accelerate P2P cache sharing.\n\n"
    "Each peer writes/updates a single comment containing its current peer info.\n";
inline constexpr std::string_view kMarkerPrefix = "<!-- p2p-peer-registry:";
inline constexpr std::string_view kMarkerSuffix = " -->";

// A comment body above this is skipped unread (GitHub allows 65536 characters; ours are ~500 B).
inline constexpr std::size_t kMaxCommentBytes = 16 * 1024;
// runner_name, peer_id, multiaddr, public_ip, last_seen, each metadata key and value.
inline constexpr std::size_t kMaxFieldBytes = 512;
inline constexpr std::size_t kMaxMetadataEntries = 16;
inline constexpr unsigned kMaxJsonDepth = 8;
// The years (UTC) a last_seen may fall in. Nothing outside can be live, and WallTime
// (system_clock: int64 nanoseconds) only spans 1677-2262, so a farther time would overflow it.
inline constexpr int kMinLastSeenYear = 1970;
inline constexpr int kMaxLastSeenYear = 2200;

struct PeerRecord {
  std::string runner_name;
  std::string peer_id;    // text as published ("12D3KooW...", "Qm...")
  std::string multiaddr;  // text as published; the original's may lack /p2p/
  std::uint16_t listen_port = 0;
  std::optional<std::string> public_ip;  // JSON null when absent
  WallTime last_seen{};
  std::map<std::string, std::string> metadata;  // string values (others: their JSON text)

  friend bool operator==(const PeerRecord&, const PeerRecord&) = default;
};

// "<!-- p2p-peer-registry:<runner_name> -->"
std::string marker_for(std::string_view runner_name);

// True when `body`, left-stripped of whitespace, starts with kMarkerPrefix.
bool is_registry_comment(std::string_view body);

// True when `body`, left-stripped, starts with marker_for(runner_name) (the original's test).
bool is_comment_of(std::string_view body, std::string_view runner_name);

// Python's datetime.isoformat() of an aware UTC time: "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00"
// (the fraction only when the microseconds are not zero, as Python does).
std::string format_last_seen(WallTime t);

// ISO 8601 as datetime.fromisoformat() reads what the original writes: date, 'T' or ' ', hh:mm
// [:ss[.f{1,9}]], then 'Z', '+hh:mm[:ss]', '-hh:mm[:ss]' or nothing (read as UTC). nullopt also
// for a time (UTC) outside the years kMinLastSeenYear..kMaxLastSeenYear.
std::optional<WallTime> parse_last_seen(std::string_view text);

// The comment body for `record`. Errors: Error::malformed (empty runner name; a runner name with
// a control character or "-->"; a field that is not UTF-8), Error::too_large (a field above
// kMaxFieldBytes, more than kMaxMetadataEntries, or a body above kMaxCommentBytes).
Result<std::string> build_comment_body(const PeerRecord& record);

// Errors: Error::not_found (not a registry comment), Error::too_large (body above
// kMaxCommentBytes, a field above kMaxFieldBytes, too many metadata entries), Error::malformed
// (no ```json block, JSON that does not parse or is not an object, a missing or mistyped
// peer_id / multiaddr / last_seen, listen_port outside 0..65535, an unreadable last_seen, a
// runner name from the marker that is not UTF-8). runner_name comes from the JSON, else from the
// marker. Every text field of the record is UTF-8.
Result<PeerRecord> parse_comment_body(std::string_view body);

}  // namespace ipfsa::registry
