#include "cache/ttl_policy.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace ipfsa::cache {
namespace {

using std::chrono::seconds;

// Defaults from the Python original's callers (reference: ipfs_accelerate_py section 1.4):
// workflow runs 60 s, runners 30 s, repositories 300 s. rate_limit is never cached: it costs no
// quota and a stale value misleads.
std::vector<TtlRule> builtin_rules(seconds default_ttl) {
  return {
      {"/rate_limit", "rate_limit", seconds{0}},
      {"/repos/*/*/actions/runs/**", "workflow_runs", seconds{60}},
      {"/repos/*/*/actions/workflows/*/runs/**", "workflow_runs", seconds{60}},
      {"/repos/*/*/actions/jobs/**", "workflow_runs", seconds{60}},
      {"/repos/*/*/actions/runners/**", "runners", seconds{30}},
      {"/orgs/*/actions/runners/**", "runners", seconds{30}},
      {"/repos/*/*", "repos", seconds{300}},
      {"/user/repos", "repos", seconds{300}},
      {"/orgs/*/repos", "repos", seconds{300}},
      {"/users/*/repos", "repos", seconds{300}},
      {"graphql", "graphql", default_ttl},
  };
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string_view next_segment(std::string_view& s) {
  const auto slash = s.find('/');
  const std::string_view seg = s.substr(0, slash);
  s = slash == std::string_view::npos ? std::string_view{} : s.substr(slash + 1);
  return seg;
}

}  // namespace

bool path_matches(std::string_view pattern, std::string_view path) noexcept {
  if (path.starts_with("/api/v3/")) path.remove_prefix(7);
  if (pattern.starts_with('/') != path.starts_with('/')) return false;
  if (pattern.starts_with('/')) {
    pattern.remove_prefix(1);
    path.remove_prefix(1);
  }
  if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  bool path_done = path.empty();
  while (!pattern.empty()) {
    const std::string_view p = next_segment(pattern);
    if (p == "**" && pattern.empty()) return true;
    if (path_done) return false;
    const std::string_view s = next_segment(path);
    if (path.empty()) path_done = true;
    if (p != "*" && p != s) return false;
  }
  return path_done;
}

TtlPolicy::TtlPolicy(seconds default_ttl)
    : rules_(builtin_rules(default_ttl)), default_ttl_(default_ttl) {}

TtlMatch TtlPolicy::classify_path(std::string_view path) const {
  for (const auto& rule : rules_) {
    if (path_matches(rule.pattern, path)) return {rule.route_class, rule.ttl};
  }
  return {"default", default_ttl_};
}

Checked<TtlPolicy> TtlPolicy::parse(std::string_view text, seconds default_ttl,
                                    std::string_view source) {
  TtlPolicy policy(default_ttl);
  std::vector<TtlRule> user;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    const std::string where = std::string(source) + ":" + std::to_string(line_no) + ": ";
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Checked<TtlPolicy>::failure(where + "expected 'pattern = seconds', got '" +
                                         std::string(line) + "'");
    }
    const std::string_view lhs = trim(line.substr(0, eq));
    const std::string_view rhs = trim(line.substr(eq + 1));
    long long value = -1;
    const auto [end, ec] = std::from_chars(rhs.data(), rhs.data() + rhs.size(), value);
    if (rhs.empty() || ec != std::errc{} || end != rhs.data() + rhs.size() || value < 0 ||
        value > kMaxTtl.count()) {
      return Checked<TtlPolicy>::failure(
          where + "TTL must be a whole number of seconds from 0 to " +
          std::to_string(kMaxTtl.count()) + ", got '" + std::string(rhs) + "'");
    }
    const seconds ttl{value};
    if (lhs.empty()) return Checked<TtlPolicy>::failure(where + "missing pattern before '='");
    if (lhs.starts_with('/') || lhs == "graphql") {
      std::size_t segments = 1;
      for (char c : lhs) segments += c == '/';
      if (segments > kMaxPatternSegments) {
        return Checked<TtlPolicy>::failure(where + "pattern has more than " +
                                           std::to_string(kMaxPatternSegments) + " segments");
      }
      if (user.size() >= kMaxTtlRules) {
        return Checked<TtlPolicy>::failure(where + "more than " + std::to_string(kMaxTtlRules) +
                                           " rules");
      }
      user.push_back({std::string(lhs), std::string(lhs), ttl});
      continue;
    }
    if (lhs == "default") {
      policy.default_ttl_ = ttl;
      continue;
    }
    bool known = false;
    for (auto& rule : policy.rules_) {
      if (rule.route_class == lhs) {
        rule.ttl = ttl;
        known = true;
      }
    }
    if (!known) {
      return Checked<TtlPolicy>::failure(
          where + "'" + std::string(lhs) +
          "' is neither a path pattern (starting with '/') nor a class (default, workflow_runs, "
          "runners, repos, graphql, rate_limit)");
    }
  }
  policy.rules_.insert(policy.rules_.begin(), user.begin(), user.end());
  return policy;
}

Checked<TtlPolicy> TtlPolicy::load(const std::filesystem::path& file, seconds default_ttl) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) {
    return Checked<TtlPolicy>::failure("cannot read TTL config " + file.string() + ": " +
                                       ec.message());
  }
  if (size > kMaxTtlFileBytes) {
    return Checked<TtlPolicy>::failure("TTL config " + file.string() + " is over " +
                                       std::to_string(kMaxTtlFileBytes) + " bytes");
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Checked<TtlPolicy>::failure("cannot read TTL config " + file.string());
  return parse(text.str(), default_ttl, file.string());
}

}  // namespace ipfsa::cache
