// Freshness lifetime by route class (docs/wire/cache-store.md, "TTL classes").
//
// A rule maps a path pattern to a class and a TTL. Patterns are '/'-separated segments where "*"
// matches exactly one segment and a final "**" matches zero or more; the GitHub Enterprise prefix
// "/api/v3" is ignored. GraphQL keys have the path "graphql". Rules are tried in order, the
// config file's first, then the built-in ones below; no match means the "default" class.
//
// Config file (CACHE_TTL_FILE): one rule per line, "# comment" and blank lines ignored:
//   /repos/*/*/issues/**  = 120      a pattern (its own class, named by the pattern)
//   workflow_runs         = 90       a built-in class name: changes that class's TTL
//   default               = 600      the default class
// A TTL of 0 means "do not cache".
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.hpp"
#include "cache/key.hpp"

namespace ipfsa::cache {

inline constexpr std::chrono::seconds kDefaultTtl{300};     // CACHE_DEFAULT_TTL default
inline constexpr std::chrono::seconds kMaxTtl{30 * 86400};  // any configured TTL
inline constexpr std::chrono::seconds kNotFoundTtl{60};     // cap for cached 404 answers
inline constexpr std::size_t kMaxTtlRules = 256;
inline constexpr std::size_t kMaxTtlFileBytes = 64 * 1024;
inline constexpr std::size_t kMaxPatternSegments = 32;

struct TtlRule {
  std::string pattern;
  std::string route_class;
  std::chrono::seconds ttl;
};

struct TtlMatch {
  std::string_view route_class;  // valid while the policy lives
  std::chrono::seconds ttl;
};

class TtlPolicy {
 public:
  // The built-in classes with `default_ttl` for the default class.
  explicit TtlPolicy(std::chrono::seconds default_ttl = kDefaultTtl);

  // Parses config text on top of the built-in rules. `source` names the file in messages.
  static Checked<TtlPolicy> parse(std::string_view text, std::chrono::seconds default_ttl,
                                  std::string_view source = "ttl config");
  // Reads and parses a file (over kMaxTtlFileBytes or unreadable: a message naming it).
  static Checked<TtlPolicy> load(const std::filesystem::path& file,
                                 std::chrono::seconds default_ttl);

  TtlMatch classify(const CacheKey& key) const { return classify_path(key.path); }
  TtlMatch classify_path(std::string_view path) const;

  const std::vector<TtlRule>& rules() const noexcept { return rules_; }
  std::chrono::seconds default_ttl() const noexcept { return default_ttl_; }

 private:
  std::vector<TtlRule> rules_;  // user rules first, then built-ins
  std::chrono::seconds default_ttl_;
};

// True if `path` matches `pattern` (see above).
bool path_matches(std::string_view pattern, std::string_view path) noexcept;

}  // namespace ipfsa::cache
