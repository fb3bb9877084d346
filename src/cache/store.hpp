// The persistent cache store: one SQLite database in WAL mode plus an in-memory LRU index
// (docs/wire/cache-store.md, "Store").
//
// Contract:
// - Thread-safe: one mutex serialises the index, the hot body cache and the SQLite connection.
// - put() is one SQLite transaction (upsert + any LRU evictions + pending access times): when it
//   returns success the entry survives kill -9 of the process (WAL, synchronous=NORMAL); on any
//   error (SQLITE_FULL included) it is rolled back and memory is unchanged.
// - Bounded: total bytes (body + meta + key) <= max_bytes, entries <= max_entries, each entry <=
//   kMaxEntryBytes; hot (decoded, in-memory) bodies <= hot_bytes.
// - Metadata lookups (peek) never touch the disk; get() reads SQLite only when the body is not in
//   the hot cache.
// - One process owns a store: open() takes an exclusive lock on "<file>.lock".
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/error.hpp"
#include "cache/checked.hpp"
#include "cache/entry.hpp"
#include "cache/key.hpp"
#include "cache/lru_index.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ipfsa::cache {

inline constexpr std::uint64_t kDefaultMaxBytes = 512ull * 1024 * 1024;  // CACHE_MAX_BYTES
inline constexpr std::uint64_t kDefaultMaxEntries = 1ull << 20;          // CACHE_MAX_ENTRIES
inline constexpr std::uint64_t kMaxEntriesLimit = 1ull << 26;           // index slot ids are 32-bit
inline constexpr std::uint64_t kDefaultHotBytes = 64ull * 1024 * 1024;  // CACHE_HOT_BYTES
inline constexpr std::size_t kMaxPendingAccesses = 4096;  // LRU times buffered before a write
inline constexpr int kBusyTimeoutMs = 5000;
inline constexpr int kPageCacheKiB =
    16 * 1024;  // SQLite page cache (interior b-tree pages stay hot)
inline constexpr int kSchemaVersion = 1;

struct StoreOptions {
  std::filesystem::path file;  // the database; its directory is created (mode 0700) if missing
  std::uint64_t max_bytes = kDefaultMaxBytes;
  std::uint64_t max_entries = kDefaultMaxEntries;
  std::uint64_t hot_bytes = kDefaultHotBytes;
  std::int64_t max_page_count = 0;  // tests: > 0 caps the file (SQLite then reports SQLITE_FULL)
};

struct StoreStats {
  std::uint64_t total_entries = 0;
  std::uint64_t total_size_bytes = 0;
  std::uint64_t evictions = 0;
  std::uint64_t hot_entries = 0;
  std::uint64_t hot_bytes = 0;
};

class Store {
 public:
  // Opens or creates the store. A file SQLite reports as corrupt or not a database is renamed to
  // "<file>.corrupt-<unix seconds>" (with its -wal/-shm), logged, and a fresh store is created;
  // recovered_from() then names the renamed file. Other failures (permissions, locked by another
  // process, a newer schema) are messages.
  static Checked<std::unique_ptr<Store>> open(const StoreOptions& options);
  ~Store();  // writes buffered access times
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Index metadata only (never touches disk, does not count as a use).
  std::optional<IndexRecord> peek(std::string_view key_hash) const;
  // The entry, marked most recently used. Errors: not_found; malformed (a row failed its CID
  // check or decoding: it is removed); io_failure (SQLite, logged).
  Result<EntryPtr> get(std::string_view key_hash);
  // Inserts or replaces. Errors: too_large (entry over kMaxEntryBytes or max_bytes), malformed
  // (bad key hash), io_failure (SQLite error incl. disk full; nothing changed).
  Result<void> put(std::string_view key_text, std::string_view key_hash, const EntryPtr& entry);
  // Replaces the meta of an existing entry whose body is unchanged (a 304 renewal).
  // Errors: not_found, too_large, io_failure.
  Result<void> renew(std::string_view key_hash, const EntryPtr& entry);
  // Errors: io_failure. Returns whether the key was present.
  Result<bool> erase(std::string_view key_hash);
  // Removes every entry whose key text starts with `prefix` ("" = all). Returns the count.
  Result<std::size_t> erase_prefix(std::string_view prefix);
  Result<std::size_t> clear() { return erase_prefix(""); }
  // Writes buffered access times now.
  Result<void> flush();

  StoreStats stats() const;
  const std::filesystem::path& file() const noexcept { return options_.file; }
  const std::filesystem::path& recovered_from() const noexcept { return recovered_from_; }

 private:
  Store(StoreOptions options, int lock_fd);
  struct OpenOutcome {
    bool ok = false;
    bool corrupt = false;
    std::string message;
  };
  OpenOutcome open_db();
  void close_db() noexcept;
  OpenOutcome load_index();
  Result<void> write_accesses_locked();  // inside or outside a transaction
  Result<void> exec_locked(const char* sql);
  void hot_put_locked(LruIndex::SlotId id, const EntryPtr& entry);
  void hot_drop_locked(LruIndex::SlotId id) noexcept;

  StoreOptions options_;
  int lock_fd_ = -1;
  std::filesystem::path recovered_from_;

  mutable std::mutex mutex_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* upsert_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
  sqlite3_stmt* renew_ = nullptr;
  sqlite3_stmt* delete_rowid_ = nullptr;
  sqlite3_stmt* select_range_ = nullptr;
  sqlite3_stmt* delete_range_ = nullptr;
  sqlite3_stmt* touch_ = nullptr;
  LruIndex index_;
  std::uint64_t next_access_seq_ = 1;
  std::vector<LruIndex::SlotId> pending_accesses_;
  std::uint64_t evictions_ = 0;

  struct HotItem {
    EntryPtr entry;
    std::size_t bytes = 0;
    std::list<LruIndex::SlotId>::iterator position;
  };
  std::unordered_map<LruIndex::SlotId, HotItem> hot_;
  std::list<LruIndex::SlotId> hot_order_;  // front = most recent
  std::uint64_t hot_total_ = 0;
};

}  // namespace ipfsa::cache
