#include "github/rate_limit.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "base/ascii.hpp"

namespace ipfsa::github {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (ascii_iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool valid_resource_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxResourceNameBytes) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

std::optional<unsigned> parse_month(std::string_view m) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (m == kMonths[i]) return i + 1;
  }
  return std::nullopt;
}

// "hh:mm:ss" -> seconds of the day.
std::optional<std::int64_t> parse_clock(std::string_view t) {
  if (t.size() != 8 || t[2] != ':' || t[5] != ':') return std::nullopt;
  auto h = parse_int(t.substr(0, 2)), m = parse_int(t.substr(3, 2)), s = parse_int(t.substr(6, 2));
  if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  return *h * 3600 + *m * 60 + *s;
}

std::optional<WallTime> make_time(std::int64_t y, unsigned mon, std::int64_t d, std::int64_t secs) {
  if (y < 1970 || y > 9999 || d < 1 || d > 31) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(y)}, std::chrono::month{mon},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return WallTime{std::chrono::sys_days{ymd}.time_since_epoch() + std::chrono::seconds{secs}};
}

}  // namespace

std::optional<std::string_view> find_header(const Headers& headers, std::string_view lower_name) {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return std::string_view{value};
  }
  return std::nullopt;
}

std::optional<WallTime> parse_epoch(std::string_view value) {
  auto v = parse_int(value);
  if (!v) return std::nullopt;
  if (*v >= kEpochMillisThreshold) {
    return WallTime{std::chrono::duration_cast<WallClock::duration>(std::chrono::milliseconds{*v})};
  }
  return WallTime{std::chrono::duration_cast<WallClock::duration>(std::chrono::seconds{*v})};
}

std::optional<WallTime> parse_http_date(std::string_view value) {
  // Tokenise on space, comma and '-': the three RFC 9110 §5.6.7 forms then differ by shape.
  std::array<std::string_view, 8> tok{};
  std::size_t n = 0;
  value = trim(value);
  if (value.size() > 64) return std::nullopt;
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (value[i] == ' ' || value[i] == ',' || value[i] == '-')) ++i;
    std::size_t start = i;
    while (i < value.size() && value[i] != ' ' && value[i] != ',' && value[i] != '-') ++i;
    if (i > start) {
      if (n == tok.size()) return std::nullopt;
      tok[n++] = value.substr(start, i - start);
    }
  }
  if (n == 6 && tok[5] == "GMT") {
    // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" or RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT".
    auto d = parse_int(tok[1]);
    auto m = parse_month(tok[2]);
    auto y = parse_int(tok[3]);
    auto t = parse_clock(tok[4]);
    if (!d || !m || !y || !t) return std::nullopt;
    if (tok[3].size() == 2) {
      *y += *y >= 70 ? 1900 : 2000;
    } else if (tok[3].size() != 4) {
      return std::nullopt;
    }
    return make_time(*y, *m, *d, *t);
  }
  if (n == 5) {
    // asctime "Sun Nov  6 08:49:37 1994".
    auto m = parse_month(tok[1]);
    auto d = parse_int(tok[2]);
    auto t = parse_clock(tok[3]);
    auto y = parse_int(tok[4]);
    if (!d || !m || !y || !t || tok[4].size() != 4) return std::nullopt;
    return make_time(*y, *m, *d, *t);
  }
  return std::nullopt;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, WallTime now) {
  value = trim(value);
  if (!value.empty() && std::isdigit(static_cast<unsigned char>(value.front()))) {
    auto v = parse_int(value);
    if (!v) return std::nullopt;
    return std::chrono::seconds{std::min<std::int64_t>(*v, kMaxBlock.count())};
  }
  auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  if (*when <= now) return std::chrono::seconds{0};
  auto wait = std::chrono::ceil<std::chrono::seconds>(*when - now);
  return std::min(wait, kMaxBlock);
}

RateLimitInfo parse_rate_limit_headers(const Headers& headers) {
  RateLimitInfo info;
  if (auto v = find_header(headers, "x-ratelimit-limit")) info.limit = parse_int(*v);
  if (auto v = find_header(headers, "x-ratelimit-remaining")) info.remaining = parse_int(*v);
  if (auto v = find_header(headers, "x-ratelimit-used")) info.used = parse_int(*v);
  if (auto v = find_header(headers, "x-ratelimit-reset")) info.reset = parse_epoch(*v);
  auto res = find_header(headers, "x-ratelimit-resource");
  info.resource = res && valid_resource_name(trim(*res)) ? std::string{trim(*res)} : "core";
  return info;
}

LimitKind classify_limit(int status, const Headers& headers, std::string_view body) {
  if (status != 403 && status != 429) return LimitKind::none;
  auto remaining = find_header(headers, "x-ratelimit-remaining");
  bool exhausted = remaining && parse_int(*remaining) == std::int64_t{0};
  // Only the start of the body is searched: messages are short, bodies may be large.
  std::string_view head = body.substr(0, 4096);
  bool secondary_text =
      icontains(head, "secondary rate limit") || icontains(head, "abuse detection");
  if (exhausted && !secondary_text) return LimitKind::primary;
  if (secondary_text || status == 429 || find_header(headers, "retry-after")) {
    return LimitKind::secondary;
  }
  if (icontains(head, "rate limit")) return LimitKind::primary;
  return LimitKind::none;
}

std::string_view resource_for_path(std::string_view path, bool is_graphql) {
  if (is_graphql) return "graphql";
  if (path.starts_with("/search/code")) return "code_search";
  if (path.starts_with("/search/")) return "search";
  return "core";
}

std::chrono::seconds RateLimiter::backoff_for_level(int level) const {
  auto wait = policy_.base;
  for (int i = 1; i < level && wait < policy_.max; ++i) wait *= 2;
  return std::min(wait, policy_.max);
}

int RateLimiter::escalation(WallTime now) const {
  if (!decay_from_ || level_ == 0) return 0;
  if (now <= *decay_from_ || policy_.decay_interval.count() <= 0) return level_;
  auto steps = (now - *decay_from_) / policy_.decay_interval;
  return steps >= level_ ? 0 : level_ - static_cast<int>(steps);
}

LimitKind RateLimiter::on_response(int status, const Headers& headers, std::string_view body,
                                   WallTime now) {
  RateLimitInfo info = parse_rate_limit_headers(headers);
  const bool have_info = info.limit || info.remaining || info.reset;
  const bool may_track =
      resource_until_.size() < kMaxTrackedResources || resource_until_.contains(info.resource);
  auto clamp = [&](WallTime t) { return std::min(t, now + kMaxBlock); };

  // A successful call that used the last request of the window: nothing more until Reset.
  if (info.remaining == 0 && info.reset && *info.reset > now && may_track) {
    resource_until_[info.resource] = clamp(*info.reset);
  }
  if (have_info && (info_.size() < kMaxTrackedResources || info_.contains(info.resource))) {
    info_[info.resource] = info;
  }

  LimitKind kind = classify_limit(status, headers, body);
  if (kind == LimitKind::none) {
    // GitHub answered without a limit: the limit is over, forget the escalation (B14 fixed
    // twice: the level also decays with time while no call is made).
    if (status < 400 || status == 404) {
      level_ = 0;
      decay_from_.reset();
    }
    return kind;
  }

  std::optional<std::chrono::seconds> hint;
  if (auto ra = find_header(headers, "retry-after")) hint = parse_retry_after(*ra, now);
  if (hint) hint = std::min(*hint, kMaxRetryAfter);
  // GitHub's guidance: honour Retry-After when present; only without it wait a minute and grow
  // the wait while the limit persists. So only a limit without Retry-After escalates.
  if (!hint) level_ = escalation(now) + 1;

  if (kind == LimitKind::primary) {
    WallTime until = now + backoff_for_level(std::max(level_, 1));
    if (info.reset && *info.reset > now) until = *info.reset;
    // Both of GitHub's rules hold: not before Retry-After, and not before Reset while exhausted.
    if (hint) until = std::max(info.reset.value_or(now), now + *hint);
    until = clamp(until);
    if (may_track) {
      auto& slot = resource_until_[info.resource];
      slot = std::max(slot, until);
    } else {
      global_until_ = std::max(global_until_.value_or(now), until);
    }
    decay_from_ = until;
    return kind;
  }
  // Secondary: Retry-After if given; else one minute, exponentially longer while repeated.
  const std::chrono::seconds wait = hint ? *hint : backoff_for_level(level_);
  global_until_ = std::max(global_until_.value_or(now), clamp(now + wait));
  decay_from_ = clamp(now + wait);
  return kind;
}

std::optional<WallTime> RateLimiter::blocked_until(std::string_view resource, WallTime now) const {
  std::optional<WallTime> until;
  if (global_until_ && *global_until_ > now) until = global_until_;
  if (auto it = resource_until_.find(resource); it != resource_until_.end() && it->second > now) {
    until = std::max(until.value_or(it->second), it->second);
  }
  return until;
}

void RateLimiter::hold(std::string_view resource, WallTime until) {
  auto it = resource_until_.find(resource);
  if (it == resource_until_.end()) {
    resource_until_.emplace(std::string(resource), until);
  } else if (it->second < until) {
    it->second = until;
  }
}

std::chrono::seconds RateLimiter::retry_after(std::string_view resource, WallTime now) const {
  auto until = blocked_until(resource, now);
  if (!until) return std::chrono::seconds{0};
  return std::chrono::ceil<std::chrono::seconds>(*until - now);
}

std::optional<RateLimitInfo> RateLimiter::last_info(std::string_view resource) const {
  auto it = info_.find(resource);
  if (it == info_.end()) return std::nullopt;
  return it->second;
}

}  // namespace ipfsa::github
