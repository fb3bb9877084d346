#include "cache/config.hpp"

#include <charconv>
#include <cstdlib>

namespace ipfsa::cache {
namespace {

std::optional<std::string> get(const EnvLookup& env, const std::string& name) {
  auto v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_uint(std::string_view text) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string single_quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const auto number = parse_uint(text.substr(0, digits));
  if (!number) return std::nullopt;
  const std::string_view suffix = text.substr(digits);
  std::uint64_t unit = 1;
  if (suffix.empty() || suffix == "B") {
    unit = 1;
  } else if (suffix == "K" || suffix == "KiB") {
    unit = 1ull << 10;
  } else if (suffix == "M" || suffix == "MiB") {
    unit = 1ull << 20;
  } else if (suffix == "G" || suffix == "GiB") {
    unit = 1ull << 30;
  } else {
    return std::nullopt;
  }
  if (*number > UINT64_MAX / unit) return std::nullopt;
  return *number * unit;
}

Checked<Config> Config::from_env(const EnvLookup& env) {
  using R = Checked<Config>;
  Config c;
  if (auto v = get(env, "CACHE_DIR")) {
    c.dir = *v;
  } else if (auto v2 = get(env, "IPFS_ACCELERATE_CACHE_DIR")) {
    c.dir = *v2;
  } else if (auto xdg = get(env, "XDG_CACHE_HOME")) {
    c.dir = std::filesystem::path(*xdg) / "ipfs-accelerate";
  } else if (auto home = get(env, "HOME")) {
    c.dir = std::filesystem::path(*home) / ".cache" / "ipfs-accelerate";
  } else {
    return R::failure(
        "no cache directory: set CACHE_DIR (or IPFS_ACCELERATE_CACHE_DIR, XDG_CACHE_HOME, HOME)");
  }
  if (auto v = get(env, "CACHE_DEFAULT_TTL")) {
    const auto n = parse_uint(*v);
    if (!n || *n > static_cast<std::uint64_t>(kMaxTtl.count())) {
      return R::failure("CACHE_DEFAULT_TTL=" + single_quoted(*v) +
                        " is not valid: expected a whole number of seconds from 0 to " +
                        std::to_string(kMaxTtl.count()));
    }
    c.default_ttl = std::chrono::seconds(static_cast<std::int64_t>(*n));
  }
  if (auto v = get(env, "CACHE_MAX_BYTES")) {
    const auto n = parse_byte_size(*v);
    if (!n || *n < kMinMaxBytes || *n > kMaxMaxBytes) {
      return R::failure("CACHE_MAX_BYTES=" + single_quoted(*v) +
                        " is not valid: expected bytes with an optional K/M/G suffix (binary), "
                        "from 1M to 1024G, e.g. 512M");
    }
    c.max_bytes = *n;
  }
  if (auto v = get(env, "CACHE_MAX_ENTRIES")) {
    const auto n = parse_uint(*v);
    if (!n || *n == 0 || *n > kMaxEntriesLimit) {
      return R::failure("CACHE_MAX_ENTRIES=" + single_quoted(*v) +
                        " is not valid: expected a whole number from 1 to " +
                        std::to_string(kMaxEntriesLimit));
    }
    c.max_entries = *n;
  }
  if (auto v = get(env, "CACHE_HOT_BYTES")) {
    const auto n = parse_byte_size(*v);
    if (!n || *n > kMaxMaxBytes) {
      return R::failure("CACHE_HOT_BYTES=" + single_quoted(*v) +
                        " is not valid: expected bytes with an optional K/M/G suffix, e.g. 64M");
    }
    c.hot_bytes = *n;
  }
  if (auto v = get(env, "CACHE_TTL_FILE")) c.ttl_file = std::filesystem::path(*v);
  return c;
}

StoreOptions Config::store_options() const {
  StoreOptions o;
  o.file = database_file();
  o.max_bytes = max_bytes;
  o.max_entries = max_entries;
  o.hot_bytes = hot_bytes;
  return o;
}

}  // namespace ipfsa::cache
