// GitHub rate-limit state and back-off, without I/O: response headers, status, body and the wall
// clock go in; "blocked until" comes out. The client consults `blocked_until()` before every call
// and refuses (Error::rate_limited) without contacting GitHub while blocked.
//
// Sources (GitHub REST docs, "Rate limits for the REST API"):
//   - X-RateLimit-Limit / -Remaining / -Used / -Reset / -Resource on every response. Reset is epoch
//     seconds on api.github.com; recorded fixtures carry milliseconds: both are accepted.
//   - Primary limit: 403 or 429 with X-RateLimit-Remaining: 0 -> wait until Reset.
//   - Retry-After (delta-seconds or HTTP-date) on 403/429 -> wait exactly that long (at most
//     kMaxRetryAfter), primary or secondary; no escalation.
//   - Secondary limit: 403/429 whose body mentions "secondary rate limit" (or the older "abuse
//     detection") without Retry-After -> wait one minute, exponentially longer while it keeps
//     happening (the escalation level).
// Unlike the Python original (which never decayed its back-off, B14, and escalated over the
// server's Retry-After), the escalation level returns to zero with the first answer that is not a
// limit, and drops by one step for every `decay_interval` after the last block ended.
//
// Time is `WallTime` (system_clock): Reset and Retry-After dates are wall-clock values.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/time.hpp"

namespace ipfsa::github {

// Response headers as the client delivers them: lower-case names, repeated names kept in order.
using Headers = std::vector<std::pair<std::string, std::string>>;

// First value of header `lower_name`, if present.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view lower_name);

// Upper bound on any single block, whatever the server says (guards against clock skew and
// nonsense values).
inline constexpr std::chrono::seconds kMaxBlock{3600};
// Longest Retry-After honoured as given (longer values are clamped to it).
inline constexpr std::chrono::seconds kMaxRetryAfter{3600};
// Epoch values above this are milliseconds (1e11 s is the year 5138).
inline constexpr std::int64_t kEpochMillisThreshold = 100'000'000'000;
// At most this many distinct X-RateLimit-Resource names are tracked (GitHub has about ten).
inline constexpr std::size_t kMaxTrackedResources = 16;
inline constexpr std::size_t kMaxResourceNameBytes = 64;

struct BackoffPolicy {
  std::chrono::seconds base{60};             // first secondary-limit wait without Retry-After
  std::chrono::seconds max{3600};            // escalation cap
  std::chrono::seconds decay_interval{600};  // one escalation step forgiven per interval
};

// Parsed X-RateLimit-* headers. Fields are absent when the header is missing or malformed.
struct RateLimitInfo {
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> remaining;
  std::optional<std::int64_t> used;
  std::optional<WallTime> reset;
  std::string resource;  // "core" when absent
};

RateLimitInfo parse_rate_limit_headers(const Headers& headers);

// X-RateLimit-Reset value: epoch seconds or epoch milliseconds (detected by magnitude).
std::optional<WallTime> parse_epoch(std::string_view value);

// Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP-date (IMF-fixdate, RFC 850 or asctime).
// Returns the wait from `now` (zero for dates in the past); nullopt if malformed.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, WallTime now);

// HTTP-date (RFC 9110 §5.6.7) -> wall time; nullopt if malformed.
std::optional<WallTime> parse_http_date(std::string_view value);

enum class LimitKind { none, primary, secondary };

// Classifies a response. Only 403 and 429 can be limits; a 403 without any rate-limit sign
// (a permissions error) is `none`.
LimitKind classify_limit(int status, const Headers& headers, std::string_view body);

// Which X-RateLimit-Resource a request will count against, from its path (before sending).
std::string_view resource_for_path(std::string_view path, bool is_graphql);

class RateLimiter {
 public:
  explicit RateLimiter(BackoffPolicy policy = {}) : policy_(policy) {}

  // Feed every response received from GitHub (any status). Returns the kind of limit detected.
  LimitKind on_response(int status, const Headers& headers, std::string_view body, WallTime now);

  // The time before which a request for `resource` must not be sent; nullopt if allowed now.
  // Secondary limits block every resource.
  std::optional<WallTime> blocked_until(std::string_view resource, WallTime now) const;

  // Blocks `resource` until `until` (another node sharing this token was rate-limited): the
  // later of this and any block already known wins. Does not escalate the back-off.
  void hold(std::string_view resource, WallTime until);

  // Seconds to wait (rounded up), zero if not blocked.
  std::chrono::seconds retry_after(std::string_view resource, WallTime now) const;

  // Current escalation level after decay (0 = no recent limits).
  int escalation(WallTime now) const;

  // Last parsed X-RateLimit-* state for `resource`, if any was seen.
  std::optional<RateLimitInfo> last_info(std::string_view resource) const;

 private:
  std::chrono::seconds backoff_for_level(int level) const;

  BackoffPolicy policy_;
  int level_ = 0;                         // escalation level as of decay_from_
  std::optional<WallTime> decay_from_;    // end of the last block: recovery starts there
  std::optional<WallTime> global_until_;  // secondary limits
  std::map<std::string, WallTime, std::less<>> resource_until_;  // primary limits
  std::map<std::string, RateLimitInfo, std::less<>> info_;
};

}  // namespace ipfsa::github
