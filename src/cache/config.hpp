// Cache configuration from the environment. Parsing is pure: it takes a lookup function, so tests
// pass their own environment; errors are messages naming the variable and what it accepts.
//
//   CACHE_DIR, else IPFS_ACCELERATE_CACHE_DIR, else $XDG_CACHE_HOME/ipfs-accelerate, else
//   $HOME/.cache/ipfs-accelerate           the store directory
//   CACHE_DEFAULT_TTL   seconds, 0..kMaxTtl (default 300)
//   CACHE_MAX_BYTES     bytes, optional K/M/G/KiB/MiB/GiB suffix (binary),
//   kMinMaxBytes..kMaxMaxBytes CACHE_MAX_ENTRIES   1..kMaxEntriesLimit (default 1048576)
//   CACHE_HOT_BYTES     in-memory body cache, as CACHE_MAX_BYTES but 0 allowed (default 64 MiB)
//   CACHE_TTL_FILE      TTL rules file (default: <dir>/ttl.conf when it exists)
// Empty values count as unset.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/env.hpp"
#include "base/status.hpp"
#include "cache/store.hpp"
#include "cache/ttl_policy.hpp"

namespace ipfsa::cache {

inline constexpr std::uint64_t kMinMaxBytes = 1024 * 1024;
inline constexpr std::uint64_t kMaxMaxBytes = 1ull << 40;
inline constexpr std::string_view kDatabaseFileName = "github-api-cache.sqlite3";
inline constexpr std::string_view kTtlFileName = "ttl.conf";


struct Config {
  std::filesystem::path dir;
  std::chrono::seconds default_ttl = kDefaultTtl;
  std::uint64_t max_bytes = kDefaultMaxBytes;
  std::uint64_t max_entries = kDefaultMaxEntries;
  std::uint64_t hot_bytes = kDefaultHotBytes;
  std::optional<std::filesystem::path> ttl_file;  // explicit CACHE_TTL_FILE

  static Checked<Config> from_env(const EnvLookup& env);
  std::filesystem::path database_file() const { return dir / kDatabaseFileName; }
  StoreOptions store_options() const;
};

// "512MiB", "1G", "1048576": a byte count with an optional binary suffix; nullopt if malformed
// or overflowing.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace ipfsa::cache
